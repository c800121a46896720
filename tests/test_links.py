"""Links between pages: a link to another source, written as its file (`tremor.md`,
`../x/tremor.md#causes`), its address on the site, or a path from the site's root whose
last segment is its slug, points to that page in every format: relative on the web page,
a chapter link inside a collection, the canonical address in a single article's PDF and
EPUB. A site-root path matching no source becomes an address on the site's origin in the
PDF and the EPUB (and `invoke check` warns: tests/test_check.py). EPUBCheck finds nothing
in either book, whatever the links."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from helpers import (article, epub_chapter, epub_entries, make_project, run_epubcheck,
                     run_publish, write_source)

BASE = "https://www.stemedix.com/articles/"
ORIGIN = "https://www.stemedix.com"
LINKING = """
Intro.

- [file](tremor.md)
- [file in a folder](../x/tremor.md#causes)
- [web address](https://www.stemedix.com/articles/tremor/)
- [site path](/information/managing-symptoms/tremor)
- [web link](../tremor/#causes)
- [unknown site path](/information/managing-symptoms/spasticity)
- [relative file](leaflet.pdf)
- [protocol-relative](//example.org/page)
- [a heading](#more)

## More

Text.
"""
# link text -> (web page, single book, collection PDF, collection EPUB)
EXPECTED = {
    "file": ("../tremor/", f"{BASE}tremor/", "#tremor--document-title",
             "tremor.xhtml#title-page"),
    "file in a folder": ("../tremor/#causes", f"{BASE}tremor/#causes", "#tremor--causes",
                         "tremor.xhtml#causes"),
    "web address": ("../tremor/", f"{BASE}tremor/", "#tremor--document-title",
                    "tremor.xhtml#title-page"),
    "site path": ("../tremor/", f"{BASE}tremor/", "#tremor--document-title",
                  "tremor.xhtml#title-page"),
    "web link": ("../tremor/#causes", f"{BASE}tremor/#causes", "#tremor--causes",
                 "tremor.xhtml#causes"),
    "unknown site path": ("/information/managing-symptoms/spasticity",
                          f"{ORIGIN}/information/managing-symptoms/spasticity",
                          f"{ORIGIN}/information/managing-symptoms/spasticity",
                          f"{ORIGIN}/information/managing-symptoms/spasticity"),
    "relative file": ("leaflet.pdf", f"{BASE}living/leaflet.pdf", f"{BASE}living/leaflet.pdf",
                      f"{BASE}living/leaflet.pdf"),
    "protocol-relative": ("//example.org/page", "https://example.org/page",
                          "https://example.org/page", "https://example.org/page"),
}


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("links") / "project", seed=False)
    write_source(root, "living", article(body=LINKING, title="Living"))
    write_source(root, "tremor", article(body="Intro.\n\n## Causes\n\nMany.", title="Tremor"))
    (root / "source" / "collections").mkdir()
    (root / "source" / "collections" / "guide.yml").write_text(
        "title: Guide\ndescription: Both.\narticles: [living, tremor]\n", encoding="utf-8")
    outcome = run_publish(root)
    assert outcome.ok, "\n".join(map(str, outcome.problems))
    return root / "dist"


def _links(anchors) -> dict[str, str]:
    return {"".join(a.itertext()): a.get("href") for a in anchors}


def test_web_page_links_relatively(linked):
    import lxml.html
    page = lxml.html.parse(str(linked / "living" / "index.html")).getroot()
    links = _links(page.xpath('//div[@class="article-body"]//a'))
    assert {text: links[text] for text in EXPECTED} == \
        {text: hrefs[0] for text, hrefs in EXPECTED.items()}
    assert links["a heading"] == "#more"


def test_single_article_epub_and_pdf_link_to_canonical_addresses(linked):
    chapter = epub_chapter(linked / "living" / "living.epub", "living")
    links = _links(chapter.iter("{*}a"))
    assert {text: links[text] for text in EXPECTED} == \
        {text: hrefs[1] for text, hrefs in EXPECTED.items()}
    assert links["a heading"] == "#more"
    uris = _pdf_uris(linked / "living" / "living.pdf")
    assert {hrefs[1] for hrefs in EXPECTED.values()} <= uris
    assert not [uri for uri in uris if uri.startswith("file:")]


def test_collection_links_to_its_chapters(linked):
    chapter = epub_chapter(linked / "collections" / "guide" / "guide.epub", "living")
    links = _links(chapter.iter("{*}a"))
    assert {text: links[text] for text in EXPECTED} == \
        {text: hrefs[3] for text, hrefs in EXPECTED.items()}
    reader = PdfReader(linked / "collections" / "guide" / "guide.pdf")
    uris = _pdf_uris(linked / "collections" / "guide" / "guide.pdf")
    assert {hrefs[2] for hrefs in EXPECTED.values() if not hrefs[2].startswith("#")} <= uris
    internal = [annotation.get_object() for page in reader.pages
                for annotation in page.get("/Annots") or ()
                if annotation.get_object().get("/Subtype") == "/Link"
                and "/Dest" in annotation.get_object()]
    assert len(internal) >= 5  # the five links to tremor, inside the PDF
    assert not [uri for uri in uris if uri.startswith("file:") or f"{BASE}tremor" in uri]


def test_no_link_makes_epubcheck_fail(linked, tmp_path):
    books = [linked / "living" / "living.epub", linked / "collections" / "guide" / "guide.epub"]
    reports = run_epubcheck(books, tmp_path)
    for book in books:
        assert reports[book].serious() == [], reports[book].describe()


def _pdf_uris(path) -> set[str]:
    return {annotation.get_object()["/A"]["/URI"]
            for page in PdfReader(path).pages for annotation in page.get("/Annots") or ()
            if "/URI" in annotation.get_object().get("/A", {})}
