"""The GFM-heavy fixture (tests/fixtures/gfm) keeps its structure in all three formats.

A writer coming from GitHub writes task lists, aligned tables, strikethrough, bare URLs,
2-space nested lists, lists right after a paragraph, code inside list items, footnotes,
`> [!NOTE]` alerts, abbreviations and `<details>`. Each must reach the web page and the
EPUB as structure (not as its Markdown source), and none of its syntax may show in the
PDF's text. The checkers' verdicts on the same fixture are in test_web_checkers.py and
test_epub_checkers.py.
"""

from __future__ import annotations

import re

import lxml.html
import pytest

from conformance_suite import ALIGN, outline
from helpers import GFM_SLUG, epub_entries, pages_text

# Markdown syntax that must never be shown to a reader as text.
RAW_SYNTAX = ["~~", "[ ]", "[x]", "[!NOTE]", "[!TIP]", "*[MS]", "[^time]", "[^mstrust]",
              "```", "| :--", "<details>", "<summary>"]


@pytest.fixture(scope="module", params=["web", "epub"])
def page(request, gfm_build):
    """The article as published: the web page, or the EPUB's chapter (parsed as HTML)."""
    folder = gfm_build.out(GFM_SLUG)
    if request.param == "web":
        return lxml.html.parse(str(folder / "index.html")).getroot()
    entries = epub_entries(folder / f"{GFM_SLUG}.epub")
    [name] = [name for name in entries if name.endswith(f"/{GFM_SLUG}.xhtml")]
    return lxml.html.fromstring(entries[name])


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def test_no_markdown_syntax_is_shown_as_text(page):
    text = text_of(page.body)
    assert [syntax for syntax in RAW_SYNTAX if syntax in text] == []


def test_task_items_say_whether_they_are_done(page):
    lines = [line.strip() for line in outline(lxml.html.tostring(page.body,
                                                                 encoding="unicode")).split("\n")]
    done = [line for line in lines if line.startswith('<task-box checked="true">')]
    to_do = [line for line in lines if line.startswith('<task-box checked="false">')]
    assert done == ['<task-box checked="true">read the leaflet about your treatment',
                    '<task-box checked="true">have the blood test'], lines
    assert to_do == ['<task-box checked="false">book a lift home',
                     '<task-box checked="false">write down your questions'], lines


def test_lists_after_a_paragraph_and_two_space_nesting_are_lists(page):
    [things] = page.xpath("//p[normalize-space()='Things to do:']")
    assert things.getnext().tag == "ul" and len(things.getnext()) == 3
    [bring] = page.xpath("//p[normalize-space()='Please bring:']")
    assert bring.getnext().tag == "ol" and len(bring.getnext()) == 3
    assert "including vitamins" in text_of(bring.getnext()[1])  # the lazy line stays in
    [nested] = page.xpath("//li[contains(., 'check the time of your appointment')]/ul")
    assert [text_of(li) for li in nested] == ["the letter shows it at the top",
                                             "the patient portal shows it too"]


def test_code_stays_inside_its_list_item(page):
    [code] = page.xpath("//pre[contains(., 'MS-2026-0042')]")
    steps = code.xpath("ancestor::ol[1]")[0]
    assert len(steps) == 4 and "blood pressure" in text_of(steps[2])


def test_table_columns_keep_their_alignment(page):
    headers = page.xpath("//table//th")
    assert [text_of(th) for th in headers] == ["Medicine", "When to take it", "Notes"]
    alignments = [th.get("align") or (ALIGN.search(th.get("style") or "") or [None, None])[1]
                  for th in headers]
    assert alignments == ["left", "center", "right"]


def test_strikethrough_bare_urls_and_addresses_are_marked_up(page):
    assert [text_of(d) for d in page.xpath("//del | //s")] == ["two hours"]
    hrefs = {text_of(a): a.get("href") for a in page.xpath("//a[@href]")}
    assert hrefs["https://www.nhs.uk/conditions/multiple-sclerosis/"] == \
        "https://www.nhs.uk/conditions/multiple-sclerosis/"
    assert re.fullmatch(r"https?://www\.mstrust\.org\.uk/?", hrefs["www.mstrust.org.uk"])
    assert hrefs["nurses@example-clinic.org"] == "mailto:nurses@example-clinic.org"


def test_details_alerts_abbreviations_and_footnotes_are_carried(page):
    [summary] = page.xpath("//details/summary")
    assert text_of(summary) == "What is on this page"
    assert summary.getparent().xpath(".//ul/li/a/@href")[0] == "#the-week-before"
    for title, words in (("note", "If you have a fever"), ("tip", "Wear a top")):
        [paragraph] = page.xpath(f"//p[contains(., '{words}')]")
        box = paragraph.getparent()
        assert box.tag != "blockquote" or box.get("class"), "an alert is more than a quote"
        assert text_of(box).lower().startswith(title), text_of(box)
    assert {a.get("title") for a in page.xpath("//abbr[normalize-space()='MS']")} == {
        "multiple sclerosis"}
    notes = [a for a in page.xpath("//a[@href]") if a.get("href").startswith("#")
             and page.xpath(f"//*[@id='{a.get('href')[1:]}'][contains(., 'Times vary')]")]
    assert notes, "the footnote is cited with a link to its text"


def test_the_pdf_shows_no_markdown_syntax(gfm_build):
    text = " ".join(pages_text(gfm_build.file(GFM_SLUG, "pdf")))
    assert "two hours" in text and "MS-2026-0042" in text and "Times vary" in text
    assert [syntax for syntax in RAW_SYNTAX if syntax in text] == []
