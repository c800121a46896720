"""Each format gets the image it needs, made once with Pillow and kept in the project's
cache under the original's content hash.

- The web page: variants 480, 960 and 1600 px wide (never wider than the original) in
  WebP, with the original's format (JPEG or PNG) up to 960 px as the fallback, for
  `srcset`.
- The EPUB: at most 1600 px on the long edge, recompressed, under the original's name.
- The handout PDF: at most 300 dpi at the widest the page prints it (the text column).
- The press PDF: the original.

SVG stays SVG. GIF and WebP originals, which may be animated, are used as they are, as
is any original that needs no resizing (recompressing it would gain little and lose
quality).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from PIL import Image, ImageOps

from ..cache import cache_key, content_hash, entry_path, store

WEB_WIDTHS = (480, 960, 1600)  # px: phones, tablets and laptops, high-density screens
# The JPEG/PNG fallback stops at 960 px: every current browser takes the WebP variants, and
# one that cannot is an old one on a small screen (the 1600 px JPEG was the largest file).
FALLBACK_MAX_WIDTH = 960
EPUB_LONG_EDGE = 1600  # px: the largest e-reader screens
PRINT_DPI = 300
PRINT_COLUMN_INCHES = 7.0  # Letter's 8.5 in less two 0.75 in margins (A4's column is less)
PRINT_LONG_EDGE = int(PRINT_DPI * PRINT_COLUMN_INCHES)  # 2100 px
RESIZABLE = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# Encoder settings: part of each cache key, so a change makes new variants.
QUALITY = {"JPEG": {"quality": 82, "optimize": True, "progressive": True},
           "PNG": {"optimize": True},
           "WEBP": {"quality": 80, "method": 4}}


@dataclass(frozen=True)
class Variant:
    """One file of a responsive image."""

    name: str  # relative to the page's folder, e.g. images/photo-960.webp
    width: int
    height: int
    media_type: str


@dataclass(frozen=True)
class WebImage:
    """The variants of one image for the web page, narrowest first."""

    fallback: tuple[Variant, ...]  # in the original's format, at most FALLBACK_MAX_WIDTH
    modern: tuple[Variant, ...]  # WebP; empty when the original is used as it is

    @property
    def largest(self) -> Variant:
        return (self.modern or self.fallback)[-1]

    @property
    def default(self) -> Variant:
        """What a browser without srcset loads: the widest variant up to 960 px."""
        return next((v for v in reversed(self.fallback) if v.width <= 960), self.fallback[0])


def resizable(path: Path) -> bool:
    return path.suffix.lower() in RESIZABLE


@lru_cache(maxsize=1024)
def _size_and_hash(path: Path, size: int, mtime_ns: int) -> tuple[tuple[int, int], str]:
    with Image.open(path) as image:
        dimensions = ImageOps.exif_transpose(image).size if _rotated(image) else image.size
    return dimensions, content_hash(path)


def _rotated(image: Image.Image) -> bool:
    return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientation turns it


def _facts(path: Path) -> tuple[tuple[int, int], str]:
    stat = path.stat()
    return _size_and_hash(path, stat.st_size, stat.st_mtime_ns)


def web_image(path: Path, relative: str) -> tuple[WebImage, dict[str, tuple[Path, int, str]]]:
    """The web variants of the raster image at `path` (`relative` to the page's folder),
    and what each file is made of: {name: (original, width, format)}."""
    (width, height), _ = _facts(path)
    stem = PurePosixPath(relative)
    original_format = RESIZABLE[path.suffix.lower()]
    widths = sorted({w for w in WEB_WIDTHS if w < width} | {min(width, WEB_WIDTHS[-1])})
    fallback, modern, plan = [], [], {}
    for w in widths:
        h = max(1, round(height * w / width))
        for fmt, variants in ((original_format, fallback), ("WEBP", modern)):
            if fmt == original_format and w > FALLBACK_MAX_WIDTH:
                continue
            if fmt == original_format and w == width:
                name = relative  # the original, as it is
            else:
                name = str(stem.with_name(f"{stem.stem}-{w}{SUFFIXES[fmt]}"))
            variants.append(Variant(name, w, h, MEDIA_TYPES[fmt]))
            plan[name] = (path, w, fmt)
    return WebImage(tuple(fallback), tuple(modern)), plan


def make_files(source_dir: Path, plan: dict[str, tuple[Path, int, str]]) -> dict[str, bytes]:
    """The bytes of each planned variant, from the cache or made (each original decoded
    once for all its missing variants)."""
    files, missing = {}, {}
    for name, (path, width, fmt) in plan.items():
        (full_width, _), digest = _facts(path)
        if width == full_width and fmt == RESIZABLE.get(path.suffix.lower()):
            files[name] = path.read_bytes()
            continue
        entry = _entry(source_dir, digest, width, fmt)
        if entry.is_file():
            files[name] = entry.read_bytes()
        else:
            missing.setdefault(path, []).append((name, width, fmt, entry))
    for path, wanted in missing.items():
        with Image.open(path) as original:
            image = ImageOps.exif_transpose(original)
            image.load()
            # Widest first, each width resized once (for both its formats) from the one
            # before: most of a cold web build is resizing.
            resized = image
            for width in sorted({width for _, width, _, _ in wanted}, reverse=True):
                resized = _resized(resized, width)
                for name, _, fmt, entry in (w for w in wanted if w[1] == width):
                    data = _encode(resized, fmt, original.info.get("icc_profile"))
                    store(entry, data)
                    files[name] = data
    return files


def _resized(image: Image.Image, width: int) -> Image.Image:
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in
                              ("PA", "RGBa") else "RGB")
    if width == image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def capped(source_dir: Path, path: Path, long_edge: int) -> bytes:
    """The image at `path` with its long edge at most `long_edge` px, in its own format
    (the original when it is small enough, or not a JPEG or PNG)."""
    return capped_file(source_dir, path, long_edge).read_bytes()


def capped_file(source_dir: Path, path: Path, long_edge: int) -> Path:
    """capped() as a file: the original, or the resized copy in the cache."""
    if not resizable(path):
        return path
    (width, height), digest = _facts(path)
    if max(width, height) <= long_edge:
        return path
    target = long_edge if width >= height else round(width * long_edge / height)
    fmt = RESIZABLE[path.suffix.lower()]
    entry = _entry(source_dir, digest, target, fmt)
    if not entry.is_file():
        make_files(source_dir, {"capped": (path, target, fmt)})
    return entry


def _entry(source_dir: Path, digest: str, width: int, fmt: str) -> Path:
    return entry_path(source_dir, "images", cache_key(digest, str(width), fmt,
                                                      repr(QUALITY[fmt])))


def _encode(image: Image.Image, fmt: str, icc_profile: bytes | None) -> bytes:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    output = io.BytesIO()
    options = dict(QUALITY[fmt])
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(output, format=fmt, **options)
    return output.getvalue()
