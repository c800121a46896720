"""What is inside an image file: empty, corrupt, too large, or an SVG that reaches outside;
and the placeholder an image on the web gets instead of being fetched.

Called for every image a document, site.yml or authors.yml names, before anything is
rendered, so a bad image is a message with the line that names it, not a failed render.
Decoding a photo to find damage costs a tenth of a second or more, so each verdict is
remembered in the project's cache under the file's content hash.

An image of the body given as an http(s) address is never fetched, by the build or by a
reader's browser (a page of health information must not send its readers to third-party
hosts unasked): `remote_image_placeholders` puts this in its place, which the renderers
label in the reader's language (render/context.remote_image_labels):

    <span class="remote-image"><span class="remote-image-label">ALT</span>
    <a class="remote-image-url" href="URL">URL</a></span>

Inside a link (an image that is a link) the address link follows that link instead, as a
link cannot hold another.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path

import lxml.html
from lxml import etree
from PIL import Image, UnidentifiedImageError

from ..cache import cache_key, cached, content_hash

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # per image file
MAX_IMAGE_PIXELS = 40_000_000  # width x height of a raster image
# What Pillow calls each format, by suffix (a JPEG named .png would get the wrong media type).
PIL_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]*)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+['\"]?([^'\";\s]+)", re.IGNORECASE)
_WEB_ADDRESS = re.compile(r"^\s*https?://", re.IGNORECASE)


def is_web_address(reference: str) -> bool:
    """An http: or https: address: an image there is on the web, not in source/."""
    return bool(_WEB_ADDRESS.match(reference))


def remote_image_placeholders(root: lxml.html.HtmlElement) -> None:
    """Put a placeholder in the place of every <img> of `root` (a body, changed in place)
    whose src is a web address: its alt text and a link to the address."""
    for img in [img for img in root.iter("img") if is_web_address(img.get("src") or "")]:
        url = img.get("src").strip()
        placeholder = lxml.html.Element("span", {"class": "remote-image"})
        label = etree.SubElement(placeholder, "span", {"class": "remote-image-label"})
        label.text = " ".join((img.get("alt") or "").split())
        address = lxml.html.Element("a", {"class": "remote-image-url", "href": url})
        address.text = url
        anchor = next(img.iterancestors("a"), None)
        if anchor is None:
            label.tail = " "
            placeholder.append(address)
        else:
            address.tail, anchor.tail = anchor.tail, " "
            anchor.addnext(address)
        placeholder.tail = img.tail
        img.getparent().replace(img, placeholder)


def image_problem(path: Path, reference: str, source_dir: Path | None = None) -> str:
    """Why the image file at `path` (written `reference` by the writer) cannot be published,
    or "" when it can. With `source_dir` (the project's source/) the verdict is remembered
    in the project's cache beside it; without, the file is checked as it is (a download)."""
    stat = path.stat()
    if source_dir is None:
        return _file_problem(path, reference, stat.st_size)
    return _problem(path, reference, stat.st_size, stat.st_mtime_ns, source_dir)


@lru_cache(maxsize=256)
def _problem(path: Path, reference: str, size: int, mtime: int, source_dir: Path) -> str:
    if size == 0 or size > MAX_IMAGE_BYTES:
        return _file_problem(path, reference, size)
    key = cache_key(content_hash(path), path.suffix.lower(), reference)
    verdict = cached(source_dir, "image-checks", key,
                     lambda: _file_problem(path, reference, size).encode("utf-8"))
    return verdict.decode("utf-8")


def _file_problem(path: Path, reference: str, size: int) -> str:
    if size == 0:
        return f"image '{reference}' is empty (0 bytes)"
    if size > MAX_IMAGE_BYTES:
        return (f"image '{reference}' is {size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_IMAGE_BYTES // 1024 // 1024} MB per image")
    if path.suffix.lower() == ".svg":
        return _svg_problem(path, reference)
    return _raster_problem(path, reference)


def _raster_problem(path: Path, reference: str) -> str:
    expected = PIL_FORMATS.get(path.suffix.lower())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                found = image.format
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return (f"image '{reference}' is {width} x {height} pixels "
                            f"({width * height / 1e6:.0f} megapixels); the limit is "
                            f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels")
                image.verify()
            with Image.open(path) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return (f"image '{reference}' has far more than {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, "
                "the limit")
    except UnidentifiedImageError:
        return f"image '{reference}' is not a readable {expected or 'image'} file"
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        return f"image '{reference}' is damaged and cannot be read ({error})"
    if expected and found != expected:
        return f"image '{reference}' is a {found} file but its name ends in {path.suffix}"
    return ""


def _svg_problem(path: Path, reference: str) -> str:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        return f"image '{reference}' is not a readable SVG file ({error})"
    internal = tree.docinfo.internalDTD
    if internal is not None and any(True for _ in internal.iterentities()):
        return (f"image '{reference}' declares XML entities, which Pressroom does not read; "
                "export the SVG without a DOCTYPE")
    root = tree.getroot()
    if etree.QName(root).localname != "svg":
        return f"image '{reference}' is not an SVG image (its root element is <{root.tag}>)"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        line = element.sourceline
        if name in ("script", "foreignObject"):
            return f"image '{reference}' contains <{name}> (line {line} of the SVG)"
        for attribute, value in element.attrib.items():
            attr = etree.QName(attribute).localname
            if attr.lower().startswith("on"):
                return (f"image '{reference}' has an event handler '{attr}' "
                        f"(line {line} of the SVG)")
            if attribute in ("href", XLINK_HREF) and not _internal(value):
                return _external(reference, value, line)
            for url in _CSS_URL.findall(value) if "url(" in value.lower() else ():
                if not _internal(url):
                    return _external(reference, url, line)
        if name == "style" and element.text:
            for url in _CSS_URL.findall(element.text) + _CSS_IMPORT.findall(element.text):
                if not _internal(url):
                    return _external(reference, url, line)
    return ""


def _internal(url: str) -> bool:
    url = url.strip()
    return url.startswith("#") or url.lower().startswith("data:") or url == ""


def _external(reference: str, url: str, line: int | None) -> str:
    return (f"image '{reference}' refers to '{url.strip()}' outside itself "
            f"(line {line} of the SVG); only '#fragments' and data: URLs can be used")
