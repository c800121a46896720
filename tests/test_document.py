"""pipeline.read.document: one Markdown source into a validated, frozen Document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from lxml import etree

from helpers import article, make_png, write_source
from pipeline.read.config import load_people, load_site
from pipeline.read.document import read_document
from pipeline.diagnostics import InvalidInput
from pipeline.render.theme import theme_names


@pytest.fixture
def reader(empty_project):
    """read(text) -> Document, parsed against the project's site, people and themes."""
    source = empty_project / "source"
    make_png(source / "images" / "photo.png")
    site = load_site(source)
    people = load_people(source)
    themes = theme_names(empty_project / "themes")

    def read(text, slug: str = "doc", raw: bytes | None = None):
        path = source / f"{slug}.md"
        if raw is not None:
            path.write_bytes(raw)
        else:
            write_source(empty_project, slug, text)
        return read_document(path, site, people, themes)

    read.source = source
    return read


def problems(read, text=None, **kwargs):
    with pytest.raises(InvalidInput) as caught:
        read(text, **kwargs)
    return caught.value.problems


def the_problem(read, text=None, **kwargs):
    found = problems(read, text, **kwargs)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# --- front matter -------------------------------------------------------------


def test_front_matter_fields_become_the_document(reader):
    doc = reader("""\
        ---
        title: Stem cells
        subtitle: What we know
        description: A summary.
        date: 2026-01-15
        updated: 2026-02-01
        lang: en-GB
        authors: [becky-palmer]
        reviewers: [becky-palmer]
        reviewed: 2026-02-03
        keywords: [ms, stem cells]
        cover: images/photo.png
        ---

        Body text.
        """, slug="stem-cells")
    assert doc.slug == "stem-cells"
    assert doc.title == "Stem cells" and doc.subtitle == "What we know"
    assert doc.description == "A summary."
    assert doc.date == dt.date(2026, 1, 15) and doc.updated == dt.date(2026, 2, 1)
    assert doc.lang == "en-GB"
    assert doc.keywords == ("ms", "stem cells")
    assert doc.cover == (reader.source / "images" / "photo.png").resolve()
    assert [p.id for p in doc.byline.authors] == ["becky-palmer"]
    assert [p.id for p in doc.byline.reviewers] == ["becky-palmer"]
    assert doc.byline.reviewed == dt.date(2026, 2, 3)
    assert doc.byline.publisher.name == doc.site.publisher.name
    assert doc.modified == dt.date(2026, 2, 3)  # the latest of date, updated, reviewed
    assert doc.theme == "default"  # from site.yml


def test_site_defaults_apply_when_front_matter_is_silent(reader):
    doc = reader(article())
    assert doc.lang == doc.site.lang == "en-US"
    assert doc.updated is None and doc.byline.reviewed is None
    assert doc.modified == doc.date
    assert doc.keywords == () and doc.cover is None


def test_front_matter_can_choose_a_theme(reader):
    assert reader(article("theme: classic")).theme == "classic"


def test_unknown_theme_in_front_matter(reader):
    problem = the_problem(reader, article("theme: clasic"))
    assert problem.line == 6
    assert "unknown theme 'clasic'" in problem.message
    assert problem.fix == "did you mean 'classic'?"


def test_unknown_author_id_names_the_list_item_line(reader):
    problem = the_problem(reader, """\
        ---
        title: T
        description: D
        date: 2026-01-01
        authors:
          - becky-palmer
          - beky-palmer
        ---

        Body.
        """)
    assert problem.file == reader.source / "doc.md"
    assert problem.line == 7
    assert "unknown author id 'beky-palmer'" in problem.message
    assert problem.fix == "did you mean 'becky-palmer'?"


def test_unknown_reviewer_without_close_match(reader):
    found = problems(reader, article("reviewers: [zz-top]\nreviewed: 2026-05-01"))
    [problem] = [p for p in found if "zz-top" in p.message]
    assert problem.line == 6
    assert "unknown author id 'zz-top' in 'reviewers'" in problem.message
    assert "authors.yml" in problem.fix


def test_missing_title(reader):
    problem = the_problem(reader, article(title=None))
    assert problem.line == 2  # the first line of the front matter
    assert "missing the required field 'title'" in problem.message
    assert "title:" in problem.fix


@pytest.mark.parametrize("date", ["2026-13-45", "yesterday", "25/11/2026"])
def test_wrong_date(reader, date):
    problem = the_problem(reader, article(date=date))
    assert problem.line == 4
    assert "'date' must be a date written YYYY-MM-DD" in problem.message


def test_malformed_yaml_in_front_matter(reader):
    problem = the_problem(reader, article(description="it is: bad"))
    assert problem.line == 3
    assert "malformed YAML" in problem.message


def test_every_front_matter_problem_is_reported_at_once(reader):
    found = problems(reader, article("tittle: x\nupdated: 2025-01-01",
                                     date="2026-01-01", authors="[nobody-here]"))
    text = "\n".join(map(str, found))
    assert "unknown field 'tittle'" in text
    assert "unknown author id 'nobody-here'" in text
    assert "'updated' is before 'date'" in text
    assert len(found) == 3, text


def test_reviewers_without_reviewed_date(reader):
    problem = the_problem(reader, article("reviewers: [becky-palmer]"))
    assert problem.line == 6
    assert "reviewers are named but not when" in problem.message
    assert "reviewed:" in problem.fix


def test_reviewed_date_without_reviewers(reader):
    problem = the_problem(reader, article("reviewed: 2026-05-01"))
    assert problem.line == 6
    assert "no reviewers" in problem.message


def test_no_front_matter(reader):
    problem = the_problem(reader, "# Just a heading\n\nText.\n")
    assert problem.line == 1
    assert "does not start with front matter" in problem.message


def test_unclosed_front_matter(reader):
    problem = the_problem(reader, "---\ntitle: T\ndescription: D\n\nBody text.\n")
    assert problem.line == 1
    assert "never closed" in problem.message


def test_empty_front_matter_lists_every_required_field(reader):
    found = problems(reader, "---\n---\n\nBody.\n")
    missing = sorted(re.search(r"'(\w+)'", p.message)[1] for p in found)
    assert missing == ["authors", "date", "description", "title"]


def test_empty_body(reader):
    problem = the_problem(reader, article(body="\n   \n"))
    assert "no text after its front matter" in problem.message
    assert problem.line == 7  # the line after the closing '---'


def test_invalid_utf8_names_the_line(reader):
    raw = article(body="First line.\n\nCaf\u00e9 au lait.").encode("utf-8")
    raw = raw.replace("\u00e9".encode("utf-8"), b"\xe9")  # Latin-1 'é'
    problem = the_problem(reader, raw=raw)
    assert problem.line == 10
    assert "not valid UTF-8" in problem.message and "0xe9" in problem.message


def test_windows_line_endings_and_bom_are_accepted(reader):
    text = "\ufeff" + article(body="Body line.").replace("\n", "\r\n")
    doc = reader(None, raw=text.encode("utf-8"))
    assert doc.title == "A test article"
    assert "\r" not in doc.body_html


def test_line_numbers_survive_windows_line_endings(reader):
    raw = article(date="2026-02-30").replace("\n", "\r\n").encode("utf-8")
    assert the_problem(reader, raw=raw).line == 4


# --- images in the body ---------------------------------------------------------


def test_missing_image_in_body_names_the_body_line(reader):
    problem = the_problem(reader, article(body="Intro.\n\nMore.\n\n![A chart](images/chart.png)\n"))
    assert problem.file == reader.source / "doc.md"
    assert problem.line == 12
    assert "images/chart.png" in problem.message and "does not exist" in problem.message


@pytest.mark.parametrize("src, words", [
    ("../../etc/x.png", "points outside"),
    ("/etc/x.png", "absolute path"),
])
def test_unsafe_image_in_body(reader, src, words):
    problem = the_problem(reader, article(body=f"Text.\n\n![x]({src})"))
    assert problem.line == 10
    assert words in problem.message


def test_a_remote_image_in_the_body_is_a_warning_and_a_placeholder(reader):
    doc = reader(article(body='Text ![A chart](https://example.org/x.png "Title").\n\n'
                              '<p>\n<a href="https://example.org/"><img alt=""\n'
                              '  src="HTTP://example.org/y.png"></a> after</p>\n'))
    assert [(w.rule, w.severity, w.line, w.column) for w in doc.warnings] == [
        ("remote-image", "warning", 8, 6), ("remote-image", "warning", 11, 32)]
    assert "'https://example.org/x.png' is on the web" in doc.warnings[0].message
    assert "invoke fetch-images" in doc.warnings[1].fix
    assert doc.images == ()
    assert "<img" not in doc.body_html
    assert ('Text <span class="remote-image"><span class="remote-image-label">A chart</span> '
            '<a class="remote-image-url" href="https://example.org/x.png">'
            'https://example.org/x.png</a></span>.') in doc.body_html
    assert ('<a href="https://example.org/"><span class="remote-image">'
            '<span class="remote-image-label"></span></span></a> <a class="remote-image-url" '
            'href="HTTP://example.org/y.png">HTTP://example.org/y.png</a> after') in doc.body_html


def test_raw_html_image_is_checked_too(reader):
    problem = the_problem(reader, article(body='Text.\n\n<p><img src="images/gone.png" alt=""></p>'))
    assert problem.line == 10 and "does not exist" in problem.message


def test_body_images_are_listed_once_in_order(reader):
    make_png(reader.source / "images" / "second.png")
    doc = reader(article(body="![a](images/second.png)\n\n![b](images/photo.png)\n\n"
                              "![c](images/second.png)\n"))
    assert [p.name for p in doc.images] == ["second.png", "photo.png"]
    assert all(p.is_absolute() for p in doc.images)


def test_image_without_alt_gets_an_empty_alt(reader):
    doc = reader(article(body='<img src="images/photo.png">'))
    tree = _xhtml(doc.body_html)
    [img] = tree.iter("{*}img")
    assert img.get("alt") == ""


# --- Markdown features and markup ------------------------------------------------

FEATURES = """\
[TOC]

## Why "it" matters -- briefly {#why .lead}

Text with a footnote[^1], an abbreviation HTML and an ellipsis...

*[HTML]: HyperText Markup Language

| Col A | Col B |
|-------|-------|
| 1     |       |

Term
:   Definition.

!!! warning "Careful"
    Admonished.

```python
if a < b and c & d:
    print('x')
```

### Sub-section

A line<br>break and a rule:

---

[^1]: The note.
"""


@pytest.fixture(params=["commonmark", "python-markdown"])
def rich(reader, request):
    """The features in each dialect: both give the same markup."""
    return reader(article(f"markdown: {request.param}", FEATURES))


def _xhtml(markup: str):
    """Parse body markup as XML inside a wrapper (it must be well-formed on its own)."""
    return etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{markup}</div>'.encode())


def test_body_html_is_well_formed_xml(rich):
    tree = _xhtml(rich.body_html)
    assert tree.find(".//{*}table") is not None


def test_body_html_has_no_named_entities(rich):
    named = re.findall(r"&([A-Za-z][A-Za-z0-9]*);", rich.body_html)
    assert set(named) <= {"amp", "lt", "gt", "quot", "apos"}, named


def test_smart_punctuation_is_unicode_characters(rich):
    html = str(rich.body_html)
    assert "\u201cit\u201d" in html      # “it”
    assert "\u2013" in html              # – from --
    assert "\u2026" in html              # … from ...
    assert "&ldquo;" not in html and "&hellip;" not in html


def test_markdown_extensions_are_enabled(rich):
    tree = _xhtml(rich.body_html)
    x = {"h": "http://www.w3.org/1999/xhtml"}
    assert tree.xpath("//h:table/h:thead/h:tr/h:th", namespaces=x)       # tables
    assert tree.xpath("//h:td[not(node())]", namespaces=x)               # empty cell kept
    assert tree.xpath("//h:dl/h:dt[.='Term']", namespaces=x)             # def_list
    assert tree.xpath("//h:abbr[@title='HyperText Markup Language']", namespaces=x)  # abbr
    heading = tree.xpath("//h:h2", namespaces=x)[0]                       # attr_list + toc
    assert heading.get("id") == "why" and "lead" in heading.get("class")
    assert tree.xpath("//h:div[contains(@class,'admonition') and contains(@class,'warning')]"
                      "/h:p[@class='admonition-title'][.='Careful']", namespaces=x)
    assert tree.xpath("//h:div[@class='toc']//h:a[@href='#why']", namespaces=x)  # [TOC]
    assert tree.xpath("//h:hr", namespaces=x) and tree.xpath("//h:br", namespaces=x)


def test_footnotes_use_css_safe_ids(rich):
    tree = _xhtml(rich.body_html)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    refs = {e.get("href")[1:] for e in tree.iter("{*}a") if (e.get("href") or "").startswith("#")}
    notes = {i for i in ids if i.startswith(("fn", "fnref"))}
    assert notes, ids
    assert not any(":" in i for i in notes)
    assert refs <= ids, refs - ids  # every in-page link has a target


def test_code_is_highlighted_by_pygments(rich):
    tree = _xhtml(rich.body_html)
    [block] = tree.xpath("//*[local-name()='div'][contains(@class,'highlight')]")
    assert block.xpath(".//*[local-name()='span'][@class='k']")  # a keyword token
    assert "a < b and c & d" in "".join(block.itertext())


def test_toc_lists_headings_with_their_ids(rich):
    [why] = rich.toc
    assert (why.level, why.id) == (2, "why")
    assert why.title == "Why \u201cit\u201d matters \u2013 briefly"
    assert [(c.level, c.id) for c in why.children] == [(3, "sub-section")]


def test_raw_html_is_normalised_to_polyglot_markup(reader):
    doc = reader(article(body='<div><p>One<br>two &nbsp;three</p><span></span></div>'))
    html = str(doc.body_html)
    _xhtml(html)
    assert "<br/>" in html
    assert "<span></span>" in html  # never <span/>, which HTML reads as an open tag
    assert "\u00a0" in html and "&nbsp;" not in html


def test_inline_svg_is_removed_with_a_warning_at_its_line_and_column(reader):
    """Inline SVG cannot survive the HTML parser as SVG (namespace, `viewBox`), and the
    same body is the EPUB's XHTML: it is removed, with a warning naming where and the fix."""
    doc = reader(article(body='Intro.\n\n<svg viewBox="0 0 10 10" width="10" height="10">'
                              '<rect width="10" height="10"/></svg>'))
    [warning] = doc.warnings
    assert warning.severity == "warning"
    assert "inline <svg> is removed" in warning.message
    assert (warning.line, warning.column) == (10, 1)  # 6 lines of front matter, a blank,
    assert "source/images/" in warning.fix            # "Intro.", a blank, the SVG
    assert "<svg" not in str(doc.body_html) and "Intro." in str(doc.body_html)


def test_document_is_frozen(reader):
    doc = reader(article())
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "Changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.byline.authors = ()


def test_decomposed_text_is_published_composed(reader):
    """Text in Unicode's decomposed form (a letter, then a combining accent) is read as its
    composed form (NFC), which the Nu Html Checker asks of every page."""
    decomposed = "Cafe\u0301 con leche"
    doc = reader(f"""\
        ---
        title: {decomposed}
        description: A summary.
        date: 2025-06-01
        authors: [becky-palmer]
        ---

        {decomposed} para el equipo.
        """)
    assert doc.title == "Caf\u00e9 con leche"
    assert "Caf\u00e9 con leche para el equipo." in doc.body_html
    assert "\u0301" not in doc.body_html


def test_an_address_wrapped_over_two_lines_in_inline_html_is_joined(reader):
    """A raw <a> in a paragraph whose href ends on the next line (a real Hexo post): the
    address is read as browsers read it, without the line break ('%0A' broke the link)."""
    doc = reader("""\
        ---
        title: Wrapped
        description: A summary.
        date: 2025-06-01
        authors: [becky-palmer]
        ---

        Text <a href="https://www.youtube.com/watch?feature=player_embedded&v=ARted4RniaU
        " target="_blank">watch</a> here.
        """)
    assert 'href="https://www.youtube.com/watch?feature=player_embedded&amp;v=ARted4RniaU"' \
        in doc.body_html


def test_video_tags_of_other_tools_become_video_blocks_unless_in_code(reader):
    doc = reader("""\
        ---
        title: Videos
        description: A summary.
        date: 2025-06-01
        authors: [becky-palmer]
        ---

        {% youtube TIbZDRXM-Tg %}

        {{< vimeo 82090131 >}}

        ```
        {% youtube kept-as-typed %}
        ```
        """)
    assert doc.warnings == ()
    assert '<div class="video"><p><a href="https://www.youtube.com/watch?v=TIbZDRXM-Tg">' \
        in doc.body_html
    assert '<div class="video"><p><a href="https://vimeo.com/82090131">' in doc.body_html
    assert "{% youtube kept-as-typed %}" in doc.body_html
