"""Responsive images: each format gets the image it needs, made once and cached."""

from __future__ import annotations

import io
import zipfile

import lxml.html
import pytest
from PIL import Image
from pypdf import PdfReader

from helpers import article, make_png, make_project, run_publish, write_source
from pipeline.render import images as images_module

XHTML = "{http://www.w3.org/1999/xhtml}"


def _photo(path, size):
    """A JPEG with detail (so that sizes are realistic), `size` pixels."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.effect_mandelbrot(size, (-2.0, -1.2, 0.8, 1.2), 60).convert("RGB")
    noise = Image.effect_noise(size, 40).convert("RGB")
    Image.blend(image, noise, 0.3).save(path, quality=95)
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("photos") / "project", seed=False)
    _photo(root / "source" / "images" / "wide.jpg", (2400, 1200))
    make_png(root / "source" / "images" / "small.png", size=(300, 200))
    write_source(root, "photos", article(body="""
        ![A wide photo](images/wide.jpg)

        Text between.

        ![A small chart](images/small.png)

        ![The logo](images/stemedix-logo.svg)
        """))
    outcome = run_publish(root, ("html", "pdf", "epub"), press=True)
    assert outcome.ok, outcome.problems
    return root


def test_the_web_page_gets_variants_in_a_picture(photos):
    folder = photos / "dist" / "photos"
    page = lxml.html.parse(str(folder / "index.html")).getroot()
    wide, small, logo = page.xpath("//main//img")
    assert wide.getparent().tag == "picture"
    [source] = wide.getparent().findall("source")
    assert source.get("type") == "image/webp"
    assert source.get("srcset") == ("images/wide-480.webp 480w, images/wide-960.webp 960w, "
                                    "images/wide-1600.webp 1600w")
    # the fallback stops at 960 px: browsers without WebP are old ones on small screens
    assert wide.get("srcset") == "images/wide-480.jpg 480w, images/wide-960.jpg 960w"
    assert not (folder / "images" / "wide-1600.jpg").exists()
    assert wide.get("src") == "images/wide-960.jpg" and wide.get("sizes")
    assert (wide.get("width"), wide.get("height")) == ("1600", "800")
    assert wide.get("loading") is None and small.get("loading") == "lazy"
    for name, width in (("wide-480.webp", 480), ("wide-960.jpg", 960), ("wide-1600.webp", 1600)):
        with Image.open(folder / "images" / name) as variant:
            assert variant.size == (width, width // 2)
            assert variant.format == ("WEBP" if name.endswith("webp") else "JPEG")
    assert not (folder / "images" / "wide.jpg").exists()  # the original is not published
    # Smaller than the largest width: its own size, the original kept as the fallback.
    assert small.get("srcset") == "images/small.png 300w"
    assert (folder / "images" / "small.png").read_bytes() == \
        (photos / "source" / "images" / "small.png").read_bytes()
    assert logo.get("src") == "images/stemedix-logo.svg" and logo.getparent().tag != "picture"


def test_the_epub_gets_at_most_1600_px(photos):
    with zipfile.ZipFile(photos / "dist" / "photos" / "photos.epub") as book:
        name = next(n for n in book.namelist() if n.endswith("wide.jpg"))
        with Image.open(io.BytesIO(book.read(name))) as image:
            assert image.size == (1600, 800) and image.format == "JPEG"


def _largest_image_width(pdf):
    return max(image.image.width for page in PdfReader(pdf).pages for image in page.images)


def test_the_handout_pdf_gets_300_dpi_and_the_press_pdf_the_original(photos):
    folder = photos / "dist" / "photos"
    assert _largest_image_width(folder / "photos.pdf") == images_module.PRINT_LONG_EDGE
    assert _largest_image_width(folder / "photos-press.pdf") == 2400


def test_variants_are_made_once(photos, monkeypatch):
    def refuse(*args):
        raise AssertionError("encoded again instead of taken from the cache")

    monkeypatch.setattr(images_module, "_encode", refuse)
    assert run_publish(photos, ("html", "pdf", "epub"), press=True, force=True).ok


def test_a_photo_heavy_page_is_at_least_three_times_smaller(tmp_path):
    root = make_project(tmp_path / "project", seed=False)
    _photo(root / "source" / "images" / "camera.jpg", (4000, 3000))
    write_source(root, "camera", article(body="![A camera original](images/camera.jpg)\n"))
    assert run_publish(root, ("html",)).ok
    published = sum(p.stat().st_size for p in (root / "dist" / "camera" / "images").iterdir())
    assert published * 3 <= (root / "source" / "images" / "camera.jpg").stat().st_size


def test_a_replaced_photo_leaves_no_variants_behind(tmp_path):
    root = make_project(tmp_path / "project", seed=False)
    _photo(root / "source" / "images" / "old.jpg", (1200, 800))
    _photo(root / "source" / "images" / "new.jpg", (1200, 800))
    source = write_source(root, "page", article(body="![A photo](images/old.jpg)\n"))
    assert run_publish(root, ("html", "pdf")).ok
    source.write_text(source.read_text().replace("old.jpg", "new.jpg"))
    assert run_publish(root, ("html",)).ok
    images = sorted(p.name for p in (root / "dist" / "page" / "images").iterdir())
    assert images == sorted(["new-480.jpg", "new-480.webp", "new-960.jpg", "new-960.webp",
                             "new-1200.webp", "stemedix-logo.svg"])
    assert (root / "dist" / "page" / "page.pdf").is_file()  # another format's file stays
