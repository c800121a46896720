"""The seed article, published into a throwaway project, inspected in all three formats."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml
from pypdf import PdfReader

from helpers import (DC_NS, OPF_NS, REPO, SEED_SLUG, embedded_font_file, epub_entries, epub_opf,
                     make_project, pdf_fonts, run_publish)

FRONT = yaml.safe_load((REPO / "source" / f"{SEED_SLUG}.md").read_text("utf-8").split("---")[1])
SITE = yaml.safe_load((REPO / "source" / "site.yml").read_text("utf-8"))
AUTHORS = yaml.safe_load((REPO / "source" / "authors.yml").read_text("utf-8"))
AUTHOR = AUTHORS[FRONT["authors"][0]]
NS = {"opf": OPF_NS, "dc": DC_NS}


# --- web page -------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(seed_build):
    return lxml.html.parse(str(seed_build.out() / "index.html")).getroot()


def _meta(page, name):
    return page.xpath(f"//meta[@name='{name}']/@content")


def test_html_language_and_title(page):
    assert page.tag == "html"
    assert page.get("lang") == "en-US" == SITE["defaults"]["lang"]
    assert page.findtext(".//title") == FRONT["title"]
    assert page.xpath("string(//h1)") == FRONT["title"]


def test_html_metadata(page):
    assert _meta(page, "author") == [AUTHOR["name"]]
    assert _meta(page, "description") == [" ".join(FRONT["description"].split())]
    assert _meta(page, "keywords") == [", ".join(FRONT["keywords"])]
    assert _meta(page, "dcterms.created") == [str(FRONT["date"])]


def test_html_canonical_link(page):
    assert page.xpath("//link[@rel='canonical']/@href") == [
        SITE["base_url"].rstrip("/") + "/" + SEED_SLUG + "/"]


def test_html_byline(page):
    [byline] = page.find_class("byline")
    text = " ".join(byline.text_content().split())
    assert AUTHOR["name"] in text
    assert AUTHOR["role"] in text
    assert AUTHOR["organisation"] in text
    date = FRONT["date"]
    assert f"{date:%B} {date.day}, {date.year}" in text  # written as en-US readers do


def test_html_stylesheet_and_fonts_are_in_the_themes_shared_folder(seed_build, page):
    out = seed_build.out()
    shared = (out.parent / "_theme" / "default").resolve()  # uploaded with the page's folder
    [href] = page.xpath("//link[@rel='stylesheet']/@href")
    css_path = out / href
    assert css_path.resolve().is_relative_to(shared)
    css = css_path.read_text(encoding="utf-8")
    fonts = re.findall(r"url\(\s*[\"']?([^\"')]+\.(?:ttf|otf|woff2?))", css)
    assert fonts
    for font in fonts:
        path = (css_path.parent / font).resolve()
        assert path.is_file(), font
        assert path.is_relative_to(shared)
    for src in page.xpath("//img/@src"):
        assert (out / src).is_file(), src


# --- PDF ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(seed_build):
    return PdfReader(seed_build.file(SEED_SLUG, "pdf"))


def test_pdf_metadata(pdf):
    meta = pdf.metadata
    assert meta.title == FRONT["title"]
    assert meta.author == AUTHOR["name"]
    assert meta.subject == " ".join(FRONT["description"].split())
    assert meta["/Keywords"] == ", ".join(FRONT["keywords"])


def test_pdf_fonts_are_all_embedded(pdf):
    fonts = pdf_fonts(pdf)
    assert fonts
    missing = [name for name, font in fonts.items() if not embedded_font_file(font)]
    assert missing == []
    assert any("Atkinson-Hyperlegible-Next" in name for name in fonts), sorted(fonts)


def test_pdf_byline_on_first_page(pdf):
    text = " ".join(pdf.pages[0].extract_text().split())
    assert AUTHOR["name"] in text
    assert f"{AUTHOR['role']}, {AUTHOR['organisation']}" in text


def test_pdf_is_tagged_with_a_language(pdf):
    catalog = pdf.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-US"


def test_pdf_is_us_letter_by_default(pdf):
    assert SITE["defaults"]["paper"] == "letter"
    for page in pdf.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_pdf_is_a4_when_site_yml_says_so(tmp_path):
    root = make_project(tmp_path / "project")
    site = root / "source" / "site.yml"
    site.write_text(re.sub(r"paper: \w+", "paper: a4", site.read_text()))
    outcome = run_publish(root, ("pdf",))
    assert outcome.ok, outcome.problems
    reader = PdfReader(root / "dist" / SEED_SLUG / f"{SEED_SLUG}.pdf")
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


# --- EPUB --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(seed_build):
    return seed_build.file(SEED_SLUG, "epub")


def test_epub_passes_epubcheck(epubcheck_reports):
    report = epubcheck_reports["seed-default"]
    assert report.version == "5.3.0"
    assert report.serious() == [], "EPUBCheck:\n" + report.describe()


def test_epub_package_metadata(book):
    opf = epub_opf(book)
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
    metadata = opf.find("opf:metadata", NS)
    assert metadata.findtext("dc:title", namespaces=NS) == FRONT["title"]
    assert [c.text for c in metadata.findall("dc:creator", NS)] == [AUTHOR["name"]]
    assert metadata.findtext("dc:language", namespaces=NS) == "en-US"
    assert metadata.findtext("dc:description", namespaces=NS) == \
        " ".join(FRONT["description"].split())
    assert metadata.findtext("dc:date", namespaces=NS) == str(FRONT["date"])


def test_epub_contains_the_fonts(book):
    entries = epub_entries(book)
    css = entries["EPUB/theme/css/epub.css"].decode("utf-8")
    referenced = {Path(u).name for u in re.findall(r"url\(\s*[\"']?([^\"')]+\.ttf)", css)}
    packaged = {Path(n).name for n in entries if n.endswith(".ttf")}
    assert referenced and referenced <= packaged
    assert "AtkinsonHyperlegibleNext_400Regular.ttf" in packaged


def test_rebuilding_gives_a_byte_identical_epub(seed_build, tmp_path):
    # Let the clock move on, so a timestamp taken at build time would show.
    time.sleep(max(0.0, 2.1 - (time.monotonic() - seed_build.finished)))
    root = make_project(tmp_path / "again")
    assert run_publish(root, ("epub",)).ok
    again = root / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub"
    first = seed_build.file(SEED_SLUG, "epub")
    if again.read_bytes() != first.read_bytes():
        with zipfile.ZipFile(first) as a, zipfile.ZipFile(again) as b:
            differ = [i.filename for i in a.infolist()
                      if a.read(i.filename) != b.read(i.filename)
                      or i.date_time != b.getinfo(i.filename).date_time]
        pytest.fail(f"the two EPUBs differ in: {differ}")


# --- classic theme ----------------------------------------------------------------


def test_classic_theme_pdf_embeds_literata(classic_build):
    fonts = pdf_fonts(PdfReader(classic_build.file(SEED_SLUG, "pdf")))
    literata = [name for name in fonts if "Literata" in name]
    assert literata, sorted(fonts)
    assert all(embedded_font_file(fonts[name]) for name in literata)


def test_classic_theme_epub_passes_epubcheck(epubcheck_reports, classic_build):
    assert "EPUB/theme/fonts/Literata_400Regular.ttf" in epub_entries(
        classic_build.file(SEED_SLUG, "epub"))
    report = epubcheck_reports["rich-classic"]
    assert report.serious() == [], "EPUBCheck:\n" + report.describe()
