"""Property: arbitrary Markdown never crashes the build, and the EPUB is always well formed.

Hypothesis writes bodies from Markdown syntax (headings, lists, emphasis, links,
footnotes, tables, code, admonitions), raw HTML snippets (malformed and unsafe ones
too) and arbitrary Unicode text. Each body is read by read_document, which may refuse
it with InvalidInput (and nothing else); a document it accepts is packed by
pipeline.render.epub.render, and every XHTML, OPF and NCX file of the book must parse as XML.
Derandomised, so CI sees the same examples on every run.
"""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from helpers import article, make_png, make_project
from pipeline.render import epub
from pipeline.read.config import load_people, load_site
from pipeline.read.document import read_document
from pipeline.diagnostics import InvalidInput
from pipeline.render.theme import Theme, theme_names

SYNTAX = [
    "# Title again", "## Section", "### Sub {#custom .wide}", "#### Deep *heading*",
    "- one\n- two\n    - nested\n        - deeper", "1. first\n2. second\n\n3. third",
    "* a\n\n    para in item", "> quoted\n> > twice", "*em* **strong** ***both*** `code`",
    "[link](https://example.org/a?b=1&c=2 \"title\")", "[local](#section)",
    "[mail](mailto:someone@example.org)", "<https://example.org/>", "<someone@example.org>",
    "text[^1]\n\n[^1]: the note", "again[^1] and[^two]\n\n[^two]: second", "[^missing]",
    "| a | b |\n|:--|--:|\n| 1 | 2 |", "| lonely |", "```python\nif a < b & c:\n    pass\n```",
    "```\n<div>not html</div>\n```", "    indented code <b>", "!!! note \"Heads up\"\n    Careful.",
    "!!! warning\n", "Term\n:   Definition", "*[HTML]: Hyper Text Markup Language\n\nHTML",
    "[TOC]", "---", "***", "Line  \nbreak", "\\*not em\\*", "![A photo](images/photo.png)",
    "![](images/photo.png \"t\"){width=20}", "paragraph {: .note }", "&copy; &nbsp; &amp; &bogus;",
    "&#0; &#x1; &#xFFFE; &#xD800; &#1114112;",
]
# Raw HTML the allow-list accepts, malformed or not: the output must still be well formed.
RAW_HTML = [
    "<div>block</div>", "<div>", "</div>", "<p>unclosed", "<span>", "<b><i>crossed</b></i>",
    "<table><tr><td>cell", "<table><tr><td>ok</td></tr></table>", "<!-- comment -->",
    "<!-- unclosed", "<br>", "<br/>", "<hr>", "<img src=\"images/photo.png\">",
    "<img src=\"images/photo.png\" alt=\"a &amp; b\" width=\"x\">", "<abbr title=\"t\">a</abbr>",
    "<sup>1</sup><sub>2</sub>", "<kbd>Ctrl</kbd>", "<?php echo 1; ?>", "<![CDATA[ x ]]>",
    "<ol start=\"3\"><li>c</li></ol>", "<td>stray cell</td>", "<li>stray item", "< notatag >",
    "a < b > c", "<", "&", "\"quotes\" and 'apostrophes' -- dashes...",
    "<p title='a \"b\" <c>'>attr</p>", "<h2 id=\"dup\">x</h2><h2 id=\"dup\">y</h2>",
]
# Raw HTML that cleaning removes (with a warning) or checks refuse: never an exception.
UNSAFE_HTML = [
    "<script>alert(1)</script>", "<iframe src=\"https://example.org\"></iframe>",
    "<em onclick=\"x()\">e</em>", "<a href=\"javascript:alert(1)\">j</a>", "<x-custom>",
    "<svg><circle r=\"1\"/></svg>", "<math><mi>x</mi></math>", "<style>p{}</style>",
    "<p style=\"color:red\">s</p>", "<a name=\"n\">", "<details><summary>s</summary></details>",
    "<form><input></form>", "<img src=\"../outside.png\">", "![gone](images/missing.png)",
]
SEPARATORS = ["\n\n", "\n", " ", ""]

fragment = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(RAW_HTML),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
)
parts = st.lists(st.tuples(fragment, st.sampled_from(SEPARATORS)), min_size=1, max_size=12)
# About one body in four also gets something the checks must refuse.
refusable = st.one_of(st.just(""), st.just(""), st.just(""),
                      st.sampled_from(UNSAFE_HTML), st.text(max_size=10))  # control characters
bodies = st.tuples(parts, refusable, st.integers(min_value=0, max_value=12)).map(
    lambda drawn: "".join(text + separator for text, separator in
                          drawn[0][:drawn[2]] + [(drawn[1], "\n\n")] + drawn[0][drawn[2]:]))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("property") / "project", seed=False)
    source = root / "source"
    make_png(source / "images" / "photo.png")
    return {
        "root": root,
        "site": load_site(source),
        "people": load_people(source),
        "themes": theme_names(root / "themes"),
        "theme": Theme.load(root / "themes", "default"),
    }


pytestmark = pytest.mark.usefixtures("unsubset_epub_fonts")


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(body=bodies)
def test_arbitrary_markdown_gives_a_message_or_a_well_formed_epub(project, body):
    root = project["root"]
    path = root / "source" / "doc.md"
    # The cover comes from the front matter, so no WeasyPrint render is needed.
    path.write_text(article("cover: images/photo.png", body=body), encoding="utf-8")
    try:
        doc = read_document(path, project["site"], project["people"], project["themes"])
    except InvalidInput as refused:
        event("refused")
        assert refused.problems
        assert all(p.file == path and p.message for p in refused.problems)
        return
    out = root / "out"
    out.mkdir(exist_ok=True)
    event("published")
    book = epub.render(doc, project["theme"], out)
    with zipfile.ZipFile(book) as archive:
        for name in archive.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                etree.fromstring(archive.read(name))  # raises on anything not well formed
