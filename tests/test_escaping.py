"""Text is escaped exactly once in every output: a heading "A & B <c>" reads "A & B <c>"
on the web page, in the PDF's contents and bookmarks, and in the EPUB's navigation, for
arbitrary heading text (hypothesis, derandomised). A writer types "<" as "&lt;" where it
could start a tag, as Markdown asks."""

from __future__ import annotations

import json
import re
import zipfile

import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from helpers import article, make_project
from pipeline.read.config import load_people, load_site
from pipeline.read.document import read_document
from pipeline.render import epub, pdf, web
from pipeline.render.theme import Theme, theme_names

# Characters that are text in a Markdown heading once '<' is written '&lt;': no Markdown
# syntax (emphasis, code, links, quotes smartened), no ';' (which could close an entity).
ALPHABET = st.sampled_from(list("AbcXyz019 &<>/=%$@,éß中Ω"))
headings = st.text(ALPHABET, min_size=1, max_size=24).map(lambda t: " ".join(t.split())) \
    .filter(lambda t: re.search(r"[^\W_]", t) is not None)


def markdown_text(text: str) -> str:
    return text.replace("<", "&lt;")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("escaping") / "project", seed=False)
    source = root / "source"
    return {"root": root, "site": load_site(source), "people": load_people(source),
            "themes": theme_names(root / "themes"),
            "theme": Theme.load(root / "themes", "default")}


pytestmark = pytest.mark.usefixtures("unsubset_epub_fonts")


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(heading=headings)
@example(heading="A & B <c>")
@example(heading="Useful Organisations & Contacts")
@example(heading="&& <<>> x")
def test_heading_text_is_escaped_once_in_every_output(project, tmp_path_factory, heading):
    root = project["root"]
    # Four sections, so that the PDF prints its contents (theme option toc_min_sections).
    body = "\n\n".join(f"## {markdown_text(heading)} {n}\n\nText." for n in range(1, 5))
    path = root / "source" / "doc.md"
    path.write_text(article(body=body, title=json.dumps(heading)), encoding="utf-8")
    doc = read_document(path, project["site"], project["people"], project["themes"])
    wanted = [f"{heading} {n}" for n in range(1, 5)]
    assert [entry.title for entry in doc.toc] == wanted

    out = tmp_path_factory.mktemp("out")
    page = lxml.html.parse(str(web.render(doc, project["theme"], out))).getroot()
    assert [h.text_content() for h in page.xpath('//div[@class="article-body"]/h2')] == wanted
    assert page.xpath("string(//h1)") == heading  # the title, from the front matter

    with zipfile.ZipFile(epub.render(doc, project["theme"], out)) as book:
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    toc = nav.xpath('//*[local-name()="nav"][@*[local-name()="type"]="toc"]//*[local-name()="a"]')
    assert ["".join(a.itertext()) for a in toc] == [heading, *wanted]

    reader = PdfReader(pdf.render(doc, project["theme"], out))
    outline = [item.title for item in _flat(reader.outline)]
    assert outline == [heading, *wanted]
    contents = " ".join((p.extract_text() or "") for p in reader.pages)
    for title in wanted:
        assert title in " ".join(contents.split())
    assert "&amp;" not in contents.replace(heading, "") and "&lt;" not in \
        contents.replace(heading, "")


def _flat(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item
