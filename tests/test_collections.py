"""Collections: source/collections/<name>.yml binds articles into one EPUB, one PDF and a
web page in dist/collections/<name>/. The guide here binds the long fixture, the seed
article and a short article that links to the long one and has a footnote."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from checkers import describe_ace, describe_axe, describe_vnu, run_ace, run_axe, serve, vnu_findings
from helpers import (LONG_SLUG, REPO, SEED_SLUG, XHTML_NS, article, embedded_font_file,
                     epub_entries, epub_opf, make_long_project, pages_text, pdf_fonts,
                     run_epubcheck, run_publish, write_source)
from pipeline.build.publish import Project, gather, gather_collections
from pipeline.diagnostics import PressroomError
from pipeline.render.pdf import bound_body

NAME = "ms-patient-guide"
NOTES_SLUG = "questions-for-your-neurologist"
ARTICLES = [LONG_SLUG, SEED_SLUG, NOTES_SLUG]
GUIDE = f"""\
# The patient guide: three articles in this order.
title: Multiple Sclerosis and Stem Cells
subtitle: A guide for patients and families
description: What MS is, how to live with it, and what stem cell therapy can and cannot do.
articles:
  - {LONG_SLUG}
  - {SEED_SLUG}
  - {NOTES_SLUG}
"""
NOTES_BODY = """\
Bring this list to your next visit. The guide explains the
[types of MS](../living-with-ms-a-patient-guide/#types-of-ms) first.[^visit]

## Questions

- Which type of MS do I have?
- Is a clinical trial right for me?

[^visit]: Write your questions down before the visit.
"""


def make_collection_project(root: Path) -> Path:
    """The long fixture, the seed article and the short notes article, with the guide."""
    make_long_project(root)
    source = root / "source"
    shutil.copy(REPO / "source" / f"{SEED_SLUG}.md", source)
    seed_authors = (REPO / "source" / "authors.yml").read_text(encoding="utf-8")
    with open(source / "authors.yml", "a", encoding="utf-8") as authors:
        authors.write(seed_authors.split("\n", 1)[1])  # without its comment line
    write_source(root, NOTES_SLUG, article(body=NOTES_BODY, title="Questions for your neurologist",
                                           authors="[sam-lee]", date="2026-02-01"))
    (source / "collections").mkdir()
    (source / "collections" / f"{NAME}.yml").write_text(GUIDE, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> Path:
    root = make_collection_project(tmp_path_factory.mktemp("collection") / "project")
    outcome = run_publish(root)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return root


def out(root: Path, name: str = "") -> Path:
    return root / "dist" / "collections" / NAME / name


# --- Reading and checking the collection file ------------------------------------------


def test_collection_is_read_with_its_articles_in_order(tmp_path):
    project = Project(make_collection_project(tmp_path / "project"))
    documents, problems = gather(project)
    collections, found = gather_collections(project, documents, problems)
    assert not problems and not found
    [guide] = collections
    assert [doc.slug for doc in guide.documents] == ARTICLES
    assert guide.folder == f"collections/{NAME}"
    assert guide.date.isoformat() == "2026-11-25"  # its newest article's
    assert [p.name for p in guide.byline.authors] == ["Jane Doe", "Becky Palmer", "Sam Lee"]


@pytest.mark.parametrize("text, line, message, fix", [
    (GUIDE.replace(f"  - {NOTES_SLUG}", "  - questions-for-your-neurolgist"), 8,
     "no source named 'questions-for-your-neurolgist.md'", f"did you mean '{NOTES_SLUG}'?"),
    (GUIDE.replace(f"  - {NOTES_SLUG}", f"  - {SEED_SLUG}"), 8,
     f"article '{SEED_SLUG}' is listed twice", "keep one"),
    (GUIDE.replace("title: Multiple", "titel: Multiple"), 2, "unknown field 'titel'",
     "did you mean 'title'?"),
    (GUIDE.replace("articles:", "chapters:"), 1, "missing the required field 'articles'",
     "articles: [first-slug"),
    (GUIDE + "theme: clasic\n", 9, "unknown theme 'clasic'", "did you mean 'classic'?"),
], ids=["unknown-article", "listed-twice", "unknown-field", "no-articles", "unknown-theme"])
def test_collection_problems_name_file_line_and_fix(tmp_path, text, line, message, fix):
    root = make_collection_project(tmp_path / "project")
    path = root / "source" / "collections" / f"{NAME}.yml"
    path.write_text(text, encoding="utf-8")
    outcome = run_publish(root, ("html",))
    assert NAME in outcome.failed
    problems = [p for p in outcome.problems if p.file == path]
    assert any(p.line == line and message in p.message and fix in p.fix for p in problems), \
        "\n".join(map(str, outcome.problems))
    assert not out(root).exists()  # nothing of the collection was written
    assert (root / "dist" / LONG_SLUG / "index.html").is_file()  # the articles were


def test_a_collection_whose_article_has_errors_is_not_built(tmp_path):
    root = make_collection_project(tmp_path / "project")
    notes = root / "source" / f"{NOTES_SLUG}.md"
    notes.write_text(notes.read_text(encoding="utf-8").replace("date: 2026-02-01", "date: soon"),
                     encoding="utf-8")
    outcome = run_publish(root, ("html",))
    messages = [str(p) for p in outcome.problems]
    assert any(f"article '{NOTES_SLUG}' has problems of its own" in m for m in messages), messages
    assert any(f"{NOTES_SLUG}.md:4: 'date' must be a date" in m for m in messages), messages
    assert not out(root).exists()


def test_paper_option_reaches_the_collection_pdf(tmp_path):
    root = make_collection_project(tmp_path / "project")
    assert run_publish(root, ("pdf",), paper="a4", only=NAME).ok
    width, height = (float(v) for v in PdfReader(out(root, f"{NAME}.pdf")).pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)


def test_only_builds_no_collection(tmp_path):
    root = make_collection_project(tmp_path / "project")
    outcome = run_publish(root, ("html",), only=NOTES_SLUG)
    assert outcome.ok
    assert not (root / "dist" / "collections").exists()


def test_only_with_a_collections_name_builds_it_and_its_articles_alone(tmp_path):
    root = make_collection_project(tmp_path / "project")
    (root / "source" / "collections" / "short.yml").write_text(
        "title: Short\ndescription: Only the notes.\narticles: [" + NOTES_SLUG + "]\n",
        encoding="utf-8")
    write_source(root, "broken", article(date="soon"))  # in no collection: not read
    outcome = run_publish(root, ("html",), only="short")
    assert outcome.ok, "\n".join(map(str, outcome.problems))
    built = {r.slug for r in outcome.results}
    assert built == {NOTES_SLUG, "collections/short"}
    assert not out(root).exists()
    with pytest.raises(PressroomError, match=r"no collection named 'shrt' \(available: .*short"):
        run_publish(root, ("html",), only="shrt")


# --- The PDF ---------------------------------------------------------------------------


def test_pdf_opens_with_a_cover_then_contents_with_the_page_of_each_chapter(guide):
    texts = pages_text(out(guide, f"{NAME}.pdf"))
    assert "Multiple Sclerosis and Stem Cells" in texts[0]
    assert "What MS is, how to live with it" in texts[0]
    assert "Contents" in texts[1]
    titles = ["Living with Multiple Sclerosis: A Patient Guide",
              "Can Stem Cell Therapy Cure Multiple Sclerosis?", "Questions for your neurologist"]
    pages = []
    for title in titles:
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\b", texts[1])
        assert match, (title, texts[1])
        page = int(match[1])
        assert texts[page - 1].startswith(title) or f"Stemedix {title}" in texts[page - 1] or \
            title in texts[page - 1][:200], (title, page, texts[page - 1][:200])
        pages.append(page)
    assert pages == sorted(pages) and pages[0] == 3
    # the contents lists the sections of each article too, with their pages
    match = re.search(r"Types of MS[ .]*?(\d+)\b", texts[1])
    assert match and "Types of MS" in texts[int(match[1]) - 1]


def test_each_chapter_opens_with_its_own_byline_and_running_header(guide):
    texts = pages_text(out(guide, f"{NAME}.pdf"))
    openings = [("Living with Multiple Sclerosis: A Patient Guide", "Jane Doe, MD, PhD",
                 "Neurologist"),
                ("Can Stem Cell Therapy Cure Multiple Sclerosis?", "Becky Palmer",
                 "Medical professional"),
                ("Questions for your neurologist", "Sam Lee, RN", "MS Nurse Specialist")]
    starts = []
    for title, name, role in openings:
        [page] = [i for i, text in enumerate(texts) if f"By {name}" in text and title in text]
        assert role in texts[page]
        starts.append(page)
    assert starts == sorted(starts)
    # later pages of a chapter carry its title in the running header
    following = texts[starts[0] + 1:starts[1]]
    assert len(following) > 5 and all(openings[0][0] in t for t in following)
    assert openings[1][0] in texts[starts[1] + 1] and openings[0][0] not in texts[starts[1] + 1]
    assert all(f"Page {i + 1} of {len(texts)}" in t for i, t in enumerate(texts) if i)


def test_footnotes_restart_in_each_chapter(guide):
    texts = pages_text(out(guide, f"{NAME}.pdf"))
    [notes] = [t for t in texts if "Bring this list to your next visit" in t]
    assert "1. Write your questions down before the visit." in notes


def test_pdf_is_tagged_with_fonts_embedded_metadata_and_bookmarks(guide):
    reader = PdfReader(out(guide, f"{NAME}.pdf"))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US" and "/StructTreeRoot" in root
    fonts = pdf_fonts(reader)
    assert fonts and all(embedded_font_file(font) for font in fonts.values())
    info = reader.metadata
    assert info["/Title"] == "Multiple Sclerosis and Stem Cells: A guide for patients and families"
    assert all(name in info["/Author"] for name in ("Jane Doe", "Becky Palmer", "Sam Lee"))
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == ["Multiple Sclerosis and Stem Cells",
                   "Living with Multiple Sclerosis: A Patient Guide",
                   "Can Stem Cell Therapy Cure Multiple Sclerosis?",
                   "Questions for your neurologist"]


def test_bound_body_prefixes_ids_and_turns_article_links_into_chapter_links(guide):
    project = Project(guide)
    documents, _ = gather(project, only=NOTES_SLUG)
    body = bound_body(documents[0], {LONG_SLUG, NOTES_SLUG})
    assert f'href="#{LONG_SLUG}--types-of-ms"' in body
    assert f'id="{NOTES_SLUG}--questions"' in body
    assert f'href="#{NOTES_SLUG}--fn-visit"' in body
    assert not re.search(r'id="(?!' + NOTES_SLUG + ')', body)
    outside = bound_body(documents[0], {NOTES_SLUG})  # the long guide is not bound with it
    base = documents[0].site.base_url  # not in this book: the page on the site
    assert f'href="{base}living-with-ms-a-patient-guide/#types-of-ms"' in outside


# --- The EPUB --------------------------------------------------------------------------


def test_epub_passes_epubcheck_and_ace(guide, tmp_path):
    book = out(guide, f"{NAME}.epub")
    report = run_epubcheck([book], tmp_path)[book]
    assert report.messages == [], report.describe()
    violations = run_ace(book, tmp_path / "ace")
    assert violations == [], describe_ace(violations)


def test_epub_has_a_chapter_per_article_in_one_navigation(guide):
    book = out(guide, f"{NAME}.epub")
    opf = epub_opf(book)
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    manifest = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:item", ns)}
    spine = [manifest[ref.get("idref")] for ref in opf.iterfind(".//opf:itemref", ns)]
    assert spine == ["cover.xhtml", "title.xhtml", *(f"{slug}.xhtml" for slug in ARTICLES),
                     "nav.xhtml"]
    entries = epub_entries(book)
    nav = etree.fromstring(entries["EPUB/nav.xhtml"])
    toc = nav.find(f".//{{{XHTML_NS}}}nav")
    top = [li.find(f"{{{XHTML_NS}}}a").get("href") for li in toc.find(f"{{{XHTML_NS}}}ol")]
    assert top == ["title.xhtml", *(f"{slug}.xhtml#title-page" for slug in ARTICLES)]
    assert b"living-with-ms-a-patient-guide.xhtml#types-of-ms" in entries["EPUB/nav.xhtml"]
    for slug, name in [(LONG_SLUG, b"Jane Doe"), (SEED_SLUG, b"Becky Palmer"),
                       (NOTES_SLUG, b"Sam Lee")]:
        chapter = entries[f"EPUB/{slug}.xhtml"]
        assert b'class="byline"' in chapter and name in chapter
    # a link to another article of the collection goes to its chapter
    assert b'href="living-with-ms-a-patient-guide.xhtml#types-of-ms"' in \
        entries[f"EPUB/{NOTES_SLUG}.xhtml"]
    properties = {m.get("property"): m.text for m in opf.iter("{*}meta") if m.get("property")}
    assert properties["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


def test_rebuilds_are_byte_identical_and_skipped_when_nothing_changed(guide):
    before = {name: out(guide, name).read_bytes() for name in (f"{NAME}.pdf", f"{NAME}.epub")}
    outcome = run_publish(guide, force=True)
    assert outcome.ok
    assert before == {name: out(guide, name).read_bytes() for name in before}
    again = run_publish(guide)
    statuses = {(r.slug, r.format): r.status for r in again.results}
    assert statuses[(f"collections/{NAME}", "pdf")] == "up to date"


def test_editing_an_article_rebuilds_the_collections_that_bind_it(tmp_path):
    root = make_collection_project(tmp_path / "project")
    (root / "source" / "collections" / "short.yml").write_text(
        "title: Short\ndescription: Only the notes.\narticles: [" + NOTES_SLUG + "]\n",
        encoding="utf-8")
    assert run_publish(root, ("html",)).ok
    seed = root / "source" / f"{SEED_SLUG}.md"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    outcome = run_publish(root, ("html",))
    statuses = {r.slug: r.status for r in outcome.results}
    assert statuses[f"collections/{NAME}"] == "built"
    assert statuses["collections/short"] == "up to date"
    # The guide's articles are read to bind it again; only the edited one is rendered.
    assert sorted(outcome.read) == sorted(f"{slug}.md" for slug in ARTICLES)
    assert {slug for slug, status in statuses.items() if status == "built"} == \
        {SEED_SLUG, f"collections/{NAME}"}
    assert run_publish(root, ("html",)).read == []
    (root / "source" / "collections" / "short.yml").unlink()
    gone = run_publish(root, ("html",))
    assert gone.removed == ["collections/short"]
    assert not (root / "dist" / "collections" / "short").exists()
    assert "collections/short/" not in (root / "dist" / "index.html").read_text(encoding="utf-8")
    assert f"collections/{NAME}/" in (root / "dist" / "index.html").read_text(encoding="utf-8")


# --- The web page ----------------------------------------------------------------------


def test_web_page_lists_the_articles_in_order_with_the_collection_formats(guide):
    page = out(guide, "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<h3 class="publication-title"><a href="([^"]+)"', page)
    assert links == [f"../../{slug}/" for slug in ARTICLES]
    for link in links:
        assert (out(guide) / link / "index.html").resolve().is_file()
    assert f'href="{NAME}.pdf"' in page and f'href="{NAME}.epub"' in page
    assert '<link rel="canonical" href="https://www.example-clinic.org/guides/collections/' \
           f'{NAME}/"/>' in page
    assert '"@type": "CollectionPage"' in page
    listing = (guide / "dist" / "index.html").read_text(encoding="utf-8")
    assert f'href="collections/{NAME}/"' in listing
    assert f'href="collections/{NAME}/{NAME}.pdf"' in listing


def test_web_pages_pass_the_nu_html_checker_and_axe(guide):
    pages = [out(guide, "index.html"), guide / "dist" / "index.html"]
    found = vnu_findings(pages)
    for page in pages:
        assert found[page.resolve()] == [], describe_vnu(found[page.resolve()])
    with serve(guide / "dist") as url:
        for width in (375, 1280):
            for scheme in ("light", "dark"):
                for page in (f"collections/{NAME}/", ""):
                    violations = run_axe(url + page, width, scheme)
                    assert violations == [], f"{page} {width} {scheme}\n" + \
                        describe_axe(violations)
