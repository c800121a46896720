"""Trust in the content: the disclaimer in all three formats (and the PDF footer), the
references list of the web page and the EPUB, the QR code on the PDF's last page, the
reading grade level and the medical review interval."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader

from helpers import (LONG_SLUG, LONG_SOURCE, REPO, RICH_SLUG, SEED_SLUG, XHTML_NS, article,
                     epub_chapter, epub_entries, make_project, run_publish, write_source)
from pipeline.build.publish import Project, gather
from pipeline.read.config import load_people, load_site
from pipeline.read.document import read_document
from pipeline.diagnostics import InvalidInput
from pipeline.models import DEFAULT_DISCLAIMER
from pipeline.checks.readability import grade_level, plain_text, readability_findings
from pipeline.checks.review import add_months, content_findings, review_findings
from pipeline.checks.claims import project_rules

SITE_DISCLAIMER = ("This is general information, not medical advice: please consult your "
                   "physician. It does not replace a visit with a doctor who knows you and your "
                   "medical history. Talk to your doctor before you start, stop or change any "
                   "treatment.")
FOOTER_LINE = "This is general information, not medical advice: please consult your physician."
OWN_DISCLAIMER = ("Written for the staff of our clinics, not for patients. Ask the medical "
                  "director before you share it.")
NS = {"h": XHTML_NS, "epub": "http://www.idpf.org/2007/ops"}
NOTES_SLUG = "own-notes"
NOTES_BODY = """
MS is a long-term condition.[^society] Relapses are counted with care.[^relapse]

Around 2.8 million people live with MS.[^atlas] Again, see the society.[^society]

[^atlas]: MS International Federation. *Atlas of MS*. <https://www.msif.org/>
[^relapse]: A relapse lasts at least 24 hours.
[^society]: National MS Society. <https://www.nationalmssociety.org/>
"""


def pages_text(path: Path) -> list[str]:
    texts = []
    for page in PdfReader(path).pages:
        text = re.sub(r"-\s*\n\s*", "", page.extract_text() or "")
        texts.append(re.sub(r"\s+", " ", text))
    return texts


@pytest.fixture(scope="module")
def notes_build(tmp_path_factory):
    """A document with its own disclaimer and notes, two of which cite web addresses."""
    root = make_project(tmp_path_factory.mktemp("notes") / "project", seed=False)
    write_source(root, NOTES_SLUG, article(f"disclaimer: {OWN_DISCLAIMER}", NOTES_BODY))
    outcome = run_publish(root)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return root / "dist" / NOTES_SLUG


# --- The disclaimer -----------------------------------------------------------------------


def test_site_disclaimer_is_read_from_site_yml():
    site_yml = (REPO / "source" / "site.yml").read_text(encoding="utf-8")
    documents, _ = gather(Project(REPO), only=SEED_SLUG)
    assert documents[0].site.disclaimer == SITE_DISCLAIMER
    assert documents[0].disclaimer == SITE_DISCLAIMER
    assert documents[0].disclaimer_line == FOOTER_LINE
    assert "disclaimer:" in site_yml
    assert DEFAULT_DISCLAIMER == SITE_DISCLAIMER  # the shipped default is the built-in one


def test_disclaimer_ends_the_web_page(seed_build):
    page = lxml.html.parse(str(seed_build.out() / "index.html")).getroot()
    [main] = page.xpath("//main")
    last = main[-1]
    assert last.get("class") == "disclaimer"
    assert last.xpath("string(.//p)").strip() == SITE_DISCLAIMER
    assert last.xpath("string(.//h2)") == "Disclaimer"


def test_disclaimer_ends_the_epub(seed_build):
    chapter = epub_chapter(seed_build.file(SEED_SLUG, "epub"), SEED_SLUG)
    [body] = chapter.xpath("//h:body", namespaces=NS)
    assert body[-1].get("class") == "disclaimer"
    assert " ".join(body[-1].xpath("string(.//h:p)", namespaces=NS).split()) == SITE_DISCLAIMER


def test_disclaimer_on_the_last_pdf_page_and_its_first_sentence_in_every_footer(seed_build):
    texts = pages_text(seed_build.file(SEED_SLUG, "pdf"))
    assert len(texts) >= 2
    assert SITE_DISCLAIMER in texts[-1]
    assert all(SITE_DISCLAIMER not in text for text in texts[:-1])
    for text in texts:  # page 1 too, where there is no page number
        assert FOOTER_LINE in text
    assert "Page 1 of" not in texts[0]
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]


def test_a_documents_disclaimer_replaces_the_sites(notes_build):
    page = lxml.html.parse(str(notes_build / "index.html")).getroot()
    assert page.xpath("string(//section[@class='disclaimer']/p)") == OWN_DISCLAIMER
    chapter = epub_chapter(notes_build / f"{NOTES_SLUG}.epub", NOTES_SLUG)
    assert chapter.xpath("string(//h:section[@class='disclaimer']/h:p)",
                         namespaces=NS) == OWN_DISCLAIMER
    texts = pages_text(notes_build / f"{NOTES_SLUG}.pdf")
    assert OWN_DISCLAIMER in texts[-1]
    assert all("Written for the staff of our clinics, not for patients." in t for t in texts)
    assert not any("medical advice" in t for t in texts)


def test_a_long_first_sentence_of_a_disclaimer_is_refused_with_its_line(empty_project):
    long = "This " + "very " * 25 + "long sentence would not fit in the footer. Fine."
    write_source(empty_project, "long", article(f"disclaimer: {long}"))
    _, problems = gather(Project(empty_project))
    [problem] = problems
    assert (problem.line, problem.file.name) == (6, "long.md")
    assert f"first sentence of 'disclaimer' is {len(long) - 6} characters" in problem.message
    site = empty_project / "source" / "site.yml"
    site.write_text(site.read_text().replace("disclaimer: >-", f"disclaimer: {long}\nold: >-"))
    with pytest.raises(InvalidInput, match=r"site\.yml:\d+: the first sentence of 'disclaimer'"):
        gather(Project(empty_project))


@pytest.mark.parametrize("text, message", [
    ("review_interval_months: twelve", "'review_interval_months' must be a whole number above 0"),
    ("review_interval_months: 0", "'review_interval_months' must be a whole number above 0"),
    ("readability:\n  target_grade: high", "'target_grade' must be a number above 0"),
    ("readability:\n  target: 8", "unknown field 'target' in readability"),
])
def test_bad_trust_settings_in_site_yml_give_file_and_line(empty_project, text, message):
    site = empty_project / "source" / "site.yml"
    lines = site.read_text().split("\n")
    site.write_text("\n".join(line for line in lines
                              if not line.startswith(("review_interval_months", "readability",
                                                      "  target_grade")))
                    + "\n" + text + "\n")
    written = site.read_text().split("\n")
    number = written.index(text.split("\n")[-1]) + 1
    with pytest.raises(InvalidInput) as raised:
        gather(Project(empty_project))
    assert f"site.yml:{number}: {message}" in str(raised.value)


# --- References ----------------------------------------------------------------------------


def test_web_page_ends_its_article_with_the_references_in_citation_order(long_web_build):
    page = lxml.html.parse(str(long_web_build.out(LONG_SLUG) / "index.html")).getroot()
    assert not page.xpath("//div[@class='footnote']")
    [section] = page.xpath("//section[@class='references']")
    assert section.xpath("string(h2)") == "References"
    assert section.get("aria-labelledby") == section.find("h2").get("id")
    source = (LONG_SOURCE / f"{LONG_SLUG}.md").read_text(encoding="utf-8")
    cited = []
    for note in re.findall(r"\[\^([\w-]+)\](?!:)", source):
        if note not in cited:
            cited.append(note)
    assert [li.get("id") for li in section.xpath("ol/li")] == [f"fn-{n}" for n in cited]
    calls = [a.text for a in page.xpath("//a[@class='footnote-ref']")]
    assert calls[:3] == ["1", "1", "2"]  # [^nmss] twice, then [^msif]
    assert section.xpath("ol/li[@id='fn-nice']//a[@href='https://www.nice.org.uk/guidance/ng220']")
    assert page.xpath("//a[@class='footnote-ref']/@role") == ["doc-noteref"] * len(calls)


def test_epub_has_the_references_section_in_its_navigation(notes_build):
    book = notes_build / f"{NOTES_SLUG}.epub"
    chapter = epub_chapter(book, NOTES_SLUG)
    [section] = chapter.xpath("//h:section[@epub:type='endnotes']", namespaces=NS)
    assert section.get("role") == "doc-endnotes"
    assert section.xpath("string(h:h2)", namespaces=NS) == "References"
    notes = section.xpath("h:ol/h:li", namespaces=NS)
    assert [li.get("id") for li in notes] == ["fn-society", "fn-relapse", "fn-atlas"]
    assert notes[0].xpath(".//h:a[@href='https://www.nationalmssociety.org/']", namespaces=NS)
    calls = chapter.xpath("//h:a[@epub:type='noteref']", namespaces=NS)
    assert [a.text for a in calls] == ["1", "2", "3", "1"]
    nav = next(data for name, data in epub_entries(book).items() if name.endswith("nav.xhtml"))
    assert f'href="{NOTES_SLUG}.xhtml#references">References<' in nav.decode()


def test_notes_without_web_addresses_are_headed_notes(feature_build):
    chapter = epub_chapter(feature_build.file(RICH_SLUG, "epub"), RICH_SLUG)
    assert chapter.xpath("string(//h:section[@class='references']/h:h2)", namespaces=NS) == \
        "Notes"


def test_pdf_keeps_its_page_footnotes(notes_build):
    texts = pages_text(notes_build / f"{NOTES_SLUG}.pdf")
    assert "References" not in " ".join(texts)
    assert "A relapse lasts at least 24 hours." in texts[0]


# --- QR code on the last page ---------------------------------------------------------------


def _drawing(page) -> bytes:
    data = page.get_contents().get_data()
    for xobject in (page["/Resources"].get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            data += xobject.get_data()
    return data


def test_last_pdf_page_has_a_vector_qr_code_and_the_short_url(seed_build):
    path = seed_build.file(SEED_SLUG, "pdf")
    short_url = f"www.stemedix.com/articles/{SEED_SLUG}/"
    texts = pages_text(path)
    assert f"Read this online: {short_url}" in texts[-1]
    assert all(short_url not in text for text in texts[:-1])
    pages = PdfReader(path).pages
    lines = [len(re.findall(rb"[\d.]+ [\d.]+ l\n", _drawing(page))) for page in pages]
    assert lines[-1] > 200  # the QR code's modules, drawn as vector lines
    assert all(count < 20 for count in lines[:-1])
    links = [a.get_object()["/A"].get("/URI") for a in pages[-1].get("/Annots", [])]
    assert f"https://{short_url}" in links


# --- Readability ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_doc():
    documents, _ = gather(Project(REPO), only=SEED_SLUG)
    return documents[0]


def test_seed_grade_level_is_above_the_target(seed_doc):
    assert grade_level(seed_doc) == pytest.approx(12.0, abs=0.5)
    [finding] = readability_findings(seed_doc)
    assert finding.severity == "warning"
    assert finding.message.startswith(f"reading grade level {grade_level(seed_doc):.1f} is above "
                                      "the target 8")
    assert "longest sentence, on line 21, has 32 words" in finding.message
    [info] = readability_findings(seed_doc, target=14)
    assert info.severity == "info"


def test_the_target_comes_from_site_yml(seed_doc):
    doc = replace(seed_doc, site=replace(seed_doc.site, target_grade=13.0))
    assert readability_findings(doc)[0].severity == "info"


def test_grade_level_never_downloads(seed_doc, monkeypatch):
    """textstat looks English words up in NLTK's CMU dictionary, downloading it first; we
    count syllables with Pyphen instead."""
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError("textstat tried to use NLTK data")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "find", refuse)
    doc = replace(seed_doc, lang="en", body_html=seed_doc.body_html + "<p>One more plain "
                  "sentence makes this text new to the cache.</p>")
    assert 5 < grade_level(doc) < 20


def test_plain_text_leaves_out_code_tables_headings_and_notes(empty_project):
    body = """
    ## A heading that is long enough to count

    Short words here. More short words.[^n]

    ```text
    incomprehensibilities internationalisation
    ```

    | Column | Other |
    |--------|-------|
    | responsibilities | characteristically |

    [^n]: Electroencephalography notwithstanding.
    """
    write_source(empty_project, "plain", article(body=textwrap.dedent(body)))
    documents, _ = gather(Project(empty_project))
    assert plain_text(documents[0]) == "Short words here. More short words."


# --- Medical review ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_doc():
    """The long fixture: reviewed 2026-05-20; its site.yml sets no interval (12 months)."""
    site, people = load_site(LONG_SOURCE), load_people(LONG_SOURCE)
    return read_document(LONG_SOURCE / f"{LONG_SLUG}.md", site, people, {"default"})


def test_a_review_older_than_the_interval_is_overdue(long_doc):
    [finding] = review_findings(long_doc, dt.date(2027, 5, 21))
    assert finding.severity == "warning"
    assert "overdue" in finding.message and "2027-05-20" in finding.message
    text = (LONG_SOURCE / f"{LONG_SLUG}.md").read_text(encoding="utf-8").split("\n")
    assert text[finding.line - 1].startswith("reviewed:")
    [current] = review_findings(long_doc, dt.date(2027, 5, 20))
    assert current.severity == "info" and "due by 2027-05-20" in current.message


def test_the_interval_comes_from_site_yml_or_the_caller(long_doc):
    six = replace(long_doc, site=replace(long_doc.site, review_interval_months=6))
    assert review_findings(six, dt.date(2026, 11, 21))[0].severity == "warning"
    assert review_findings(long_doc, dt.date(2026, 11, 21))[0].severity == "info"
    assert review_findings(long_doc, dt.date(2026, 11, 21), interval_months=3)[0].severity == \
        "warning"


def test_a_review_dated_in_the_future_and_a_document_without_review(long_doc, seed_doc):
    [future] = review_findings(long_doc, dt.date(2026, 5, 1))
    assert future.severity == "warning" and "after today" in future.message
    [none] = review_findings(seed_doc, dt.date(2026, 12, 1))
    assert none.severity == "info" and "no medical reviewer" in none.message


def test_add_months_keeps_the_end_of_the_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 5, 20), 12) == dt.date(2027, 5, 20)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_content_findings_gather_claims_readability_and_review(seed_doc):
    findings = content_findings(seed_doc, project_rules(REPO / "source"), dt.date(2026, 12, 1))
    # (the claims model's likely-claim warnings are gathered too: tests/test_claims_model.py;
    # the seed has none since the model's threshold was chosen on what the check reports)
    assert {f.rule for f in findings} == {"claim-safety", "claim-evidence", "claim-efficacy",
                                          "readability", "medical-review"}
