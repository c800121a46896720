"""The Markdown reader: CommonMark + GFM by default, the python-markdown dialect, the
source map both fill (blocks, links, front-matter lines), the line and column of every
finding type, HTML blocks that swallow the rest, and translations keyed by (slug, lang)."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from helpers import LONG_SLUG, LONG_SOURCE, article, make_png, write_source
from pipeline.build.publish import BuildOptions, Project, gather, publish
from pipeline.checks.accessibility import accessibility_findings
from pipeline.checks.claims import claim_findings, project_rules
from pipeline.checks.links import link_findings
from pipeline.checks.readability import readability_findings
from pipeline.checks.review import review_findings
from pipeline.diagnostics import InvalidInput
from pipeline.read.config import load_people, load_site
from pipeline.read.document import read_document
from pipeline.render.theme import theme_names

X = {"h": "http://www.w3.org/1999/xhtml"}
BODY_LINE = 8  # article(): '---', title, description, date, authors, '---', blank line


@pytest.fixture
def reader(empty_project):
    source = empty_project / "source"
    make_png(source / "images" / "photo.png")
    site, people = load_site(source), load_people(source)
    themes = theme_names(empty_project / "themes")

    def read(text: str, slug: str = "doc"):
        return read_document(write_source(empty_project, slug, text), site, people, themes)

    read.root = empty_project
    return read


def tree(doc):
    return etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{doc.body_html}</div>'
                            .encode())


def xpath(doc, path: str):
    return tree(doc).xpath(path, namespaces=X)


# --- GitHub Flavored Markdown, as GitHub reads it -------------------------------------


def test_a_list_right_after_a_paragraph_is_a_list(reader):
    doc = reader(article(body="Things to bring:\n- your medicines\n- a list of questions"))
    assert [li.text for li in xpath(doc, "//h:ul/h:li")] == ["your medicines",
                                                             "a list of questions"]


def test_a_two_space_nested_list_stays_nested(reader):
    doc = reader(article(body="- parent\n  - child"))
    assert xpath(doc, "//h:ul/h:li/h:ul/h:li[.='child']")


def test_strikethrough_bare_urls_and_backslash_breaks(reader):
    doc = reader(article(body="This is ~~wrong~~.\n\nSee https://www.nhs.uk/ for more.\n\n"
                              "line one\\\nline two"))
    assert xpath(doc, "//h:del[.='wrong']")
    assert xpath(doc, "//h:a[@href='https://www.nhs.uk/'][.='https://www.nhs.uk/']")
    [br] = xpath(doc, "//h:br")
    assert "\\" not in "".join(br.getparent().itertext())


def test_fenced_code_in_a_list_item_stays_in_the_item(reader):
    doc = reader(article(body="1. First\n\n   ```\n   code in list\n   ```\n2. Second"))
    [code] = xpath(doc, "//h:ol/h:li[1]//h:pre/h:code")
    assert "".join(code.itertext()) == "code in list\n"
    assert len(xpath(doc, "//h:ol/h:li")) == 2


def test_task_lists_are_disabled_checkboxes_labelled_by_their_text(reader):
    doc = reader(article(body="- [ ] book a visit\n- [x] read this page"))
    boxes = xpath(doc, "//h:li/h:label/h:input[@type='checkbox']")
    assert [b.get("checked") is not None for b in boxes] == [False, True]
    assert all(b.get("disabled") is not None for b in boxes)
    assert ["".join(b.getparent().itertext()).strip() for b in boxes] == \
        ["book a visit", "read this page"]


def test_a_typed_input_is_removed_with_a_warning(reader):
    doc = reader(article(body='Intro.\n\n<p>Search <input type="text" name="q"></p>'))
    [warning] = doc.warnings
    assert "the form element <input> is removed" in warning.message
    assert (warning.line, warning.column) == (10, 11)
    assert "<input" not in str(doc.body_html) and "Search" in str(doc.body_html)


def test_markdown_inside_an_html_block_follows_commonmark(reader):
    doc = reader(article(body="<div>\n\n*read*\n\n</div>\n\n<div>\n*as is*\n</div>"))
    first, second = xpath(doc, "/h:div/h:div")
    assert first.xpath("h:p/h:em[.='read']", namespaces=X)
    assert second.text.strip() == "*as is*"


def test_alerts_and_admonitions_share_the_admonition_markup(reader):
    doc = reader(article(body='> [!WARNING]\n> Ask first.\n\n!!! note "Before you decide"\n'
                              "    Talk to your neurologist."))
    titles = [p.text for p in xpath(doc, "//h:div[contains(@class,'admonition')]"
                                         "/h:p[@class='admonition-title']")]
    assert titles == ["Warning", "Before you decide"]
    assert xpath(doc, "//h:div[@class='admonition warning']/h:p[.='Ask first.']")


def test_abbreviations_are_expanded_and_their_definitions_hidden(reader):
    doc = reader(article(body="MS affects the nerves, not MSc students.\n\n"
                              "*[MS]: Multiple sclerosis"))
    [abbr] = xpath(doc, "//h:abbr")
    assert (abbr.text, abbr.get("title")) == ("MS", "Multiple sclerosis")
    assert "*[MS]" not in str(doc.body_html)


def test_heading_ids_are_unique_and_attributes_apply(reader):
    doc = reader(article(body="## Risks {#risks .lead}\n\n## Side effects\n\n"
                              "## Side effects\n\n[TOC]"))
    assert [(h.get("id"), h.get("class")) for h in xpath(doc, "//h:h2")] == [
        ("risks", "lead"), ("side-effects", None), ("side-effects-1", None)]
    assert [e.id for e in doc.toc] == ["risks", "side-effects", "side-effects-1"]
    assert [a.get("href") for a in xpath(doc, "//h:div[@class='toc']//h:a")] == [
        "#risks", "#side-effects", "#side-effects-1"]


def test_footnotes_keep_python_markdowns_markup(reader):
    doc = reader(article(body="One.[^a] Two.[^b] Again.[^a]\n\n[^b]: Bee.\n[^a]: Ay."))
    assert [(s.get("id"), s[0].get("href"), s[0].text)
            for s in xpath(doc, "//h:sup[h:a[@class='footnote-ref']]")] == [
        ("fnref-a", "#fn-a", "1"), ("fnref-b", "#fn-b", "2"), ("fnref2-a", "#fn-a", "1")]
    notes = xpath(doc, "//h:div[@class='footnote']/h:ol/h:li")
    assert [n.get("id") for n in notes] == ["fn-a", "fn-b"]  # in the order cited
    assert [a.get("href") for a in notes[0].xpath(".//h:a[@class='footnote-backref']",
                                                  namespaces=X)] == ["#fnref-a", "#fnref2-a"]


# --- The python-markdown dialect ------------------------------------------------------


MKDOCS = "Intro:\n- not a list for Python-Markdown\n\n## Part\n\nText.[^n]\n\n[^n]: Note."


@pytest.mark.parametrize("where", ["front matter", "site.yml"])
def test_python_markdown_dialect_reads_as_python_markdown(reader, where):
    if where == "site.yml":
        site = reader.root / "source" / "site.yml"
        site.write_text(site.read_text().replace("defaults:\n", "defaults:\n  markdown: "
                                                 "python-markdown\n"))
        doc = reader_again(reader)(article(body=MKDOCS))
    else:
        doc = reader(article("markdown: python-markdown", MKDOCS))
    assert not xpath(doc, "//h:ul")  # Python-Markdown's reading: no list after a paragraph
    assert xpath(doc, "//h:div[@class='footnote']/h:ol/h:li[@id='fn-n']")


def reader_again(reader):
    source = reader.root / "source"
    site, people = load_site(source), load_people(source)
    themes = theme_names(reader.root / "themes")
    return lambda text: read_document(write_source(reader.root, "doc", text), site, people,
                                      themes)


def test_both_dialects_fill_the_same_source_map(reader):
    body = ("Intro with a [link](#part).\n\n## Part\n\n- Item one.\n- Item two.\n\n"
            "![A photo](images/photo.png)\n\nText.[^n]\n\n[^n]: The note.")
    common = reader(article(body=body), slug="one")
    legacy = reader(article("markdown: python-markdown", body), slug="two")
    shift = 1  # the front matter line 'markdown:'
    assert [(b.kind, b.line) for b in common.blocks] == [
        ("paragraph", 8), ("heading", 10), ("list_item", 12), ("list_item", 13),
        ("paragraph", 15), ("paragraph", 17), ("footnote", 19)]
    assert [(b.kind, b.line - shift) for b in legacy.blocks] == \
        [(b.kind, b.line) for b in common.blocks]
    assert [(link.kind, link.target, link.line) for link in common.links] == [
        ("link", "#part", 8), ("image", "images/photo.png", 15)]
    assert [(link.kind, link.target, link.line - shift) for link in legacy.links
            if "footnote" not in link.target and not link.target.startswith("#fn")] == \
        [(link.kind, link.target, link.line) for link in common.links]
    assert common.toc == legacy.toc


def test_an_unknown_dialect_is_refused_with_its_line(reader):
    with pytest.raises(InvalidInput) as caught:
        reader(article("markdown: gfm"))
    [problem] = caught.value.problems
    assert (problem.line, "unknown Markdown dialect 'gfm'") == (6, problem.message)
    assert "commonmark" in problem.fix


# --- The source map and the position of every finding ---------------------------------


SOURCE_MAP = """\
Intro paragraph with a [bad anchor](#nowhere) in it.

> - A quoted item with ![](images/photo.png) inside.

#### Skipped level

See [the site](/info/missing-page).

Some clinics say the treatment is safe for everyone here.
"""


def test_blocks_carry_their_lines_and_source(reader):
    doc = reader(article(body=SOURCE_MAP))
    quoted = next(b for b in doc.blocks if b.kind == "list_item")
    assert (quoted.line, quoted.end_line, quoted.level) == (10, 10, 1)
    assert quoted.source.startswith("> - A quoted item")
    assert quoted.text == "A quoted item with  inside."
    assert [(name, line) for name, line in doc.front_lines] == [
        ("title", 2), ("description", 3), ("date", 4), ("authors", 5)]
    assert doc.front_line("date") == 4 and doc.front_line("reviewed") is None


def test_every_finding_has_the_line_and_column_of_its_source(reader):
    doc = reader(article(body=SOURCE_MAP))
    found = {f.rule: (f.line, f.column) for f in [
        *accessibility_findings(doc), *link_findings(doc, {"doc", "other"}),
        *claim_findings(doc, project_rules(reader.root / "source"))]}
    lines = article(body=SOURCE_MAP).split("\n")

    def at(needle: str) -> tuple[int, int]:
        number = next(i for i, line in enumerate(lines, start=1) if needle in line)
        return number, lines[number - 1].index(needle) + 1

    assert found["broken-anchor"] == at("[bad anchor]")
    assert found["image-alt"] == at("![](images")
    assert found["heading-order"] == at("#### Skipped")
    assert found["site-link"] == at("[the site]")
    assert found["claim-absolute-safety"] == at("safe for")


def test_readability_and_review_take_their_lines_from_the_map(reader):
    long = " ".join(["Multidisciplinary rehabilitation considerations"] * 12) + "."
    doc = reader(article("reviewers: [becky-palmer]\nreviewed: 2020-01-01",
                         f"Short one.\n\n{long}"))
    [grade] = readability_findings(doc, target=1)
    assert grade.line == BODY_LINE + 2 + 2  # two more front-matter lines, then line 3 of the body
    [review] = review_findings(doc, dt.date(2026, 6, 1))
    assert review.line == 7  # 'reviewed:'


def test_image_and_raw_html_problems_have_line_and_column(reader):
    with pytest.raises(InvalidInput) as caught:
        reader(article(body='Intro.\n\nText ![Chart](images/chart.png) and '
                            '<span onclick="x">here</span>.'))
    line = 'Text ![Chart](images/chart.png) and <span onclick="x">here</span>.'
    by_message = {p.message.split(" ")[0]: (p.line, p.column, p.severity)
                  for p in caught.value.problems}
    assert by_message["image"] == (10, line.index("![") + 1, "error")
    assert by_message["the"] == (10, line.index("onclick") + 1, "warning")  # event handler


def test_nesting_beyond_the_limit_names_its_line(reader):
    deep = "\n".join("  " * level + f"- item {level}" for level in range(30))
    with pytest.raises(InvalidInput) as caught:
        reader(article(body=deep))
    [problem] = caught.value.problems
    assert "nested more than 20 levels" in problem.message
    assert problem.line == BODY_LINE + 20  # item 20 is the 21st level


def test_checks_never_read_the_file_again(reader):
    doc = reader(article(body=SOURCE_MAP))
    before = [*accessibility_findings(doc), *claim_findings(
        doc, project_rules(reader.root / "source")), *review_findings(doc, dt.date(2026, 1, 1))]
    doc.source_path.unlink()
    after = [*accessibility_findings(doc), *claim_findings(
        doc, project_rules(reader.root / "source")), *review_findings(doc, dt.date(2026, 1, 1))]
    assert after == before and before


# --- HTML blocks that swallow the rest --------------------------------------------------


@pytest.mark.parametrize("opening, fate", [("<!-- draft", "are not shown"),
                                           ("<pre>", "are shown as they are typed")])
def test_an_unclosed_comment_or_pre_is_a_warning_and_the_document_publishes(reader,
                                                                            opening, fate):
    doc = reader(article(body=f"Intro.\n\n{opening}\n\nThe rest.\n\nAnd more."))
    [warning] = doc.warnings
    assert warning.severity == "warning" and (warning.line, warning.column) == (10, 1)
    assert "lines 10 to 14" in warning.message and fate in warning.message


def test_a_removed_element_deep_in_an_html_block_names_its_own_line(reader):
    doc = reader(article(body='Intro.\n\n<div>\n<p>Fine.</p>\n<p>Not <iframe src="x"></iframe>'
                              '</p>\n</div>'))
    [warning] = doc.warnings
    assert (warning.line, warning.column) == (12, 8)
    assert warning.message.startswith("the embedded frame from 'x' is removed")


def test_an_unclosed_div_is_a_warning_and_closed_at_the_end(reader):
    doc = reader(article(body='Intro.\n\n<div class="note">\n\nText.'))
    [warning] = doc.warnings
    assert (warning.line, warning.severity) == (10, "warning")
    assert "raw HTML <div> is never closed" in warning.message
    assert '<div class="note">' in str(doc.body_html) and "Text." in str(doc.body_html)


# --- Translations ----------------------------------------------------------------------


def test_a_translation_shares_the_slug_and_publishes_under_its_language(empty_project):
    write_source(empty_project, "guide", article(body="Hello."))
    write_source(empty_project, "guide.zh-Hans", article("lang: zh-Hans", "你好。"))
    write_source(empty_project, "guide.es", article(body="Hola."))
    documents, problems = gather(Project(empty_project))
    assert problems == []
    assert sorted((d.key, d.folder, d.translation_of) for d in documents) == [
        (("guide", "en-US"), "guide", ""),
        (("guide", "es"), "es/guide", "guide"),
        (("guide", "zh-Hans"), "zh-hans/guide", "guide")]


def test_a_translation_whose_lang_disagrees_or_without_original_is_refused(empty_project):
    write_source(empty_project, "guide.es", article("lang: fr", "Hola."))
    _, problems = gather(Project(empty_project))
    messages = sorted(((p.line or 0, p.message) for p in problems))
    assert messages[0] == (0, "'guide.es.md' is a translation of 'guide.md', which does "
                                 "not exist")
    assert messages[1][0] == 6 and "'lang' is 'fr'" in messages[1][1]


def test_a_slug_equal_to_a_language_folder_in_use_is_refused(empty_project):
    write_source(empty_project, "guide", article())
    write_source(empty_project, "guide.es", article())
    write_source(empty_project, "es", article())
    documents, problems = gather(Project(empty_project))
    assert [p.file.name for p in problems] == ["es.md"]
    assert "dist/es/" in problems[0].message
    assert {d.folder for d in documents} == {"guide", "es/guide"}


def test_publish_reports_a_swallowing_comment_and_publishes(empty_project):
    write_source(empty_project, "draft", article(body="Intro.\n\n<!-- to do\n\nHidden."))
    outcome = publish(Project(empty_project), BuildOptions(("html",)), report=lambda line: None)
    assert outcome.ok and (empty_project / "dist" / "draft" / "index.html").is_file()
    assert any("draft.md:10:1: warning: '<!-- to do' is never closed" in str(problem)
               for problem in outcome.warnings), outcome.problems


def test_an_unknown_dialect_in_site_yml_names_its_line(empty_project):
    site = empty_project / "source" / "site.yml"
    site.write_text(site.read_text().replace("defaults:\n", "defaults:\n  markdown: gfm\n"))
    with pytest.raises(InvalidInput) as caught:
        load_site(empty_project / "source")
    [problem] = caught.value.problems
    lines = site.read_text().split("\n")
    assert problem.line == lines.index("  markdown: gfm") + 1
    assert "unknown Markdown dialect 'gfm'" in problem.message


def test_the_python_markdown_dialect_finds_the_same_lines_on_the_long_fixture():
    """Where both dialects read the Markdown alike, python-markdown's line finding gives
    the positions markdown-it's tokens give: every block and every link of the long
    fixture (339 blocks, 14 links and images)."""
    from pipeline.read import commonmark, pymarkdown

    text = (LONG_SOURCE / f"{LONG_SLUG}.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    common, legacy = commonmark.parse_body(body, 7), pymarkdown.parse_body(body, 7)
    assert len(common.blocks) > 300 and len(common.links) > 10
    assert sorted((b.kind, b.line, b.end_line) for b in legacy.blocks) == \
        sorted((b.kind, b.line, b.end_line) for b in common.blocks)
    assert [(k.kind, k.target, k.line, k.column) for k in legacy.links] == \
        [(k.kind, k.target, k.line, k.column) for k in common.links]


def test_the_python_markdown_dialect_finds_the_lines_of_indic_text():
    """Kannada's vowel signs are marks, which a regular expression's \\w does not match:
    words fell apart into fragments found on the wrong lines, and every block and link of
    the Kannada HOWTO of free-programming-books after its list was placed past the end of
    the file."""
    from pipeline.read import commonmark, pymarkdown

    body = ("ನಾವು ಹೊಸ ಕೊಡುಗೆದಾರರನ್ನು ಸ್ವಾಗತಿಸುತ್ತೇವೆ.\n\n"
            "* [ಪುಲ್ ವಿನಂತಿಯ ಕುರಿತು](https://docs.github.com/a) *(ಇಂಗ್ಲಿಷ್‌ನಲ್ಲಿ)*\n"
            "* [ಪುಲ್ ವಿನಂತಿಯನ್ನು ರಚಿಸಲಾಗುತ್ತಿದೆ](https://docs.github.com/b) *(ಇಂಗ್ಲಿಷ್‌ನಲ್ಲಿ)*\n"
            "* [YouTube - ಮಾರ್ಕ್‌ಡೌನ್ ಕ್ರ್ಯಾಶ್ ಕೋರ್ಸ್](https://www.youtube.com/c) *(ಇಂಗ್ಲಿಷ್‌ನಲ್ಲಿ)*\n\n"
            "ಪ್ರಶ್ನೆಗಳನ್ನು ಕೇಳಲು ಹಿಂಜರಿಯಬೇಡಿ; ನೋಡಿ [ಕಾಂಟ್ರಿಬ್ಯೂಟಿಂಗ್](CONTRIBUTING.md).\n")
    common, legacy = commonmark.parse_body(body, 9), pymarkdown.parse_body(body, 9)
    assert [(b.kind, b.line) for b in legacy.blocks] == \
        [("paragraph", 9), ("list_item", 11), ("list_item", 12), ("list_item", 13),
         ("paragraph", 15)]
    assert [(k.target, k.line, k.column) for k in legacy.links] == \
        [(k.target, k.line, k.column) for k in common.links]


def test_the_sanitiser_keeps_only_disabled_checkboxes():
    from pipeline.read.sanitise import clean

    assert clean('<label><input type="text" name="q" checked> x</label>') == '<label> x</label>'
    cleaned = clean('<label><input type="checkbox" disabled checked name="t"> x</label>')
    assert 'type="checkbox"' in cleaned and 'disabled=""' in cleaned
    assert 'checked=""' in cleaned and "name=" not in cleaned


@pytest.mark.parametrize("dialect", ["commonmark", "python-markdown"])
def test_a_heading_typed_as_raw_html_is_in_the_source_map(reader, dialect):
    doc = reader(article(f"markdown: {dialect}", "Intro.\n\n<div>\n<h4>Skipped</h4>\n</div>"))
    [finding] = [f for f in accessibility_findings(doc) if f.rule == "heading-order"]
    assert (finding.line, "heading 'Skipped' skips from level 1 to 4") == \
        (12, finding.message)  # one more line of front matter


def test_an_original_and_its_translation_are_published_and_listed(empty_project):
    write_source(empty_project, "guide", article(body="Hello.", title="The guide"))
    write_source(empty_project, "guide.es", article(body="Hola.", title="La guía"))
    outcome = publish(Project(empty_project), BuildOptions(("html",)), report=lambda line: None)
    assert outcome.ok, outcome.problems
    dist = empty_project / "dist"
    assert "Hola." in (dist / "es" / "guide" / "index.html").read_text(encoding="utf-8")
    assert "Hello." in (dist / "guide" / "index.html").read_text(encoding="utf-8")
    listing = (dist / "index.html").read_text(encoding="utf-8")
    assert 'href="es/guide/"' in listing and 'href="guide/"' in listing


def test_python_markdown_dialect_reads_markdown_inside_a_marked_div(reader):
    """MkDocs sources (the free-programming-books translations wrap their text in
    `<div dir="rtl" markdown="1">`) get their Markdown read inside the element."""
    body = '<div dir="rtl" markdown="1">\n\n**Bold** and a [link](https://example.org/).\n\n* one\n* two\n\n</div>'
    doc = reader(article("markdown: python-markdown", body))
    assert xpath(doc, "//h:div[@dir='rtl']/h:p/h:strong")
    assert [li.text for li in xpath(doc, "//h:div[@dir='rtl']/h:ul/h:li")] == ["one", "two"]
    assert "**" not in str(doc.body_html)


@pytest.mark.parametrize("closed", [True, False])
def test_python_markdown_dialect_warns_of_a_marked_element_never_closed(reader, closed):
    """A `<details markdown="1">` whose end tag a translator translated (the Kannada
    HOWTO) runs to the end of the document: a warning at its line, as in the default
    dialect; a closed one, and an end tag in a code block, say nothing."""
    body = ('Intro.\n\n<details align="center" markdown="1">\n\n<summary>Graphs</summary>\n\n'
            '**Bold** text.\n\n```html\n</details>\n```\n' + ("\n</details>\n\nAfter.\n" if closed else ""))
    doc = reader(article("markdown: python-markdown", body))
    unclosed = [w for w in doc.warnings if "<details> is never closed" in w.message]
    if closed:
        assert unclosed == []
    else:
        [warning] = unclosed
        written = (reader.root / "source" / "doc.md").read_text(encoding="utf-8").split("\n")
        assert warning.line == 1 + next(i for i, line in enumerate(written)
                                        if line.startswith("<details"))
