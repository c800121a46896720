"""The byline partial (themes/default/templates/_byline.html) in all three formats.

The rich-features document is written by Jane Doe (credentials, role, organisation,
photo) and reviewed by Becky Palmer; the web page, the EPUB chapter and the PDF must
all show the same byline from that one set of data.
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from pypdf import PdfReader

from helpers import RICH_SLUG, XHTML_NS, epub_chapter, epub_entries

EXPECTED = ["Jane Doe", "MD", "PhD", "Neurologist", "Example Clinic"]
NS = {"h": XHTML_NS}


def _text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


@pytest.fixture(scope="module")
def html_byline(feature_build):
    page = lxml.html.parse(str(feature_build.out(RICH_SLUG) / "index.html")).getroot()
    [byline] = page.find_class("byline")
    return byline


@pytest.fixture(scope="module")
def epub_byline(feature_build):
    chapter = epub_chapter(feature_build.file(RICH_SLUG, "epub"), RICH_SLUG)
    [byline] = chapter.xpath("//h:div[@class='byline']", namespaces=NS)
    return byline


@pytest.fixture(scope="module")
def pdf_first_page(feature_build):
    return PdfReader(feature_build.file(RICH_SLUG, "pdf")).pages[0].extract_text()


def test_web_page_byline(html_byline):
    text = _text(html_byline)
    for part in EXPECTED:
        assert part in text, part
    assert "Jane Doe, MD, PhD" in text
    assert [e.text for e in html_byline.find_class("credential")] == ["MD", "PhD"]
    assert html_byline.find_class("role")[0].text == "Neurologist"
    assert html_byline.find_class("organisation")[0].text == "Example Clinic"
    assert "Medically reviewed by Becky Palmer" in text


def test_epub_byline(epub_byline):
    text = _text(epub_byline)
    for part in EXPECTED:
        assert part in text, part
    assert "Jane Doe, MD, PhD" in text
    assert "Medically reviewed by Becky Palmer" in text


def test_pdf_byline_on_the_first_page(pdf_first_page):
    text = re.sub(r"\s+", " ", pdf_first_page)
    for part in EXPECTED:
        assert part in text, part
    assert "Jane Doe, MD, PhD" in text
    assert "Neurologist, Example Clinic" in text
    assert "Medically reviewed by Becky Palmer" in text


def test_web_and_epub_bylines_say_the_same(html_byline, epub_byline):
    assert _text(html_byline) == _text(epub_byline)


def test_photo_in_web_page(html_byline, feature_build):
    [photo] = html_byline.find_class("byline-photo")
    assert photo.get("alt") == "Portrait of Jane Doe"
    assert (feature_build.out(RICH_SLUG) / photo.get("src")).is_file()


def test_photo_in_epub(epub_byline, feature_build):
    [photo] = epub_byline.xpath(".//h:img[@class='byline-photo']", namespaces=NS)
    assert photo.get("alt") == "Portrait of Jane Doe"
    assert "EPUB/" + photo.get("src") in epub_entries(feature_build.file(RICH_SLUG, "epub"))


def test_byline_without_credentials_or_photo(feature_build):
    """Becky Palmer (no credentials, no photo) gets no stray comma and no empty image."""
    page = lxml.html.parse(str(feature_build.out() / "index.html")).getroot()
    [byline] = page.find_class("byline")
    [name] = byline.find_class("byline-name")
    assert _text(name) == "By Becky Palmer"
    assert byline.find_class("byline-photo") == []
    assert byline.find_class("byline-review") == []  # the seed has no reviewers
