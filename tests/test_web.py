"""pipeline.web: the web page, with its stylesheet, fonts and images beside it."""

from __future__ import annotations

import re

import lxml.html
import pytest

from helpers import SEED_SLUG, article, write_source
from pipeline import web
from pipeline.build import Project, gather
from pipeline.theme import Theme


def render(root, slug, theme_name="default"):
    documents, problems = gather(Project(root), only=slug)
    assert problems == []
    [doc] = documents
    out = root / "out" / slug
    out.mkdir(parents=True)
    page = web.render(doc, Theme.load(root / "themes", theme_name), out)
    return doc, out, lxml.html.fromstring(page.read_bytes())


def test_render_writes_the_page_and_everything_it_links_to(project_root):
    doc, out, tree = render(project_root, SEED_SLUG)
    assert (out / "index.html").is_file()
    links = tree.xpath("//link[@rel='stylesheet']/@href") + tree.xpath("//img/@src")
    assert links
    for href in links:
        assert (out / href).is_file(), href
    css = (out / "theme" / "css" / "screen.css").read_text(encoding="utf-8")
    assert "@import" not in css
    for url in re.findall(r"url\(\s*[\"']?([^\"')]+)", css):
        assert (out / "theme" / "css" / url).resolve().is_file(), url


def test_page_head(project_root):
    doc, out, tree = render(project_root, SEED_SLUG)
    assert tree.get("lang") == doc.lang
    assert tree.xpath("//link[@rel='canonical']/@href") == [f"{doc.site.base_url}{doc.slug}/"]
    assert tree.xpath("//meta[@name='viewport']")
    assert tree.findtext(".//title") == doc.title


def test_values_from_sources_are_escaped(empty_project):
    write_source(empty_project, "escaped", article(
        title="'Cells <script>alert(1)</script> & \"more\"'",
        description="'Less < more & <b>bold</b>'"))
    doc, out, tree = render(empty_project, "escaped")
    assert doc.title == 'Cells <script>alert(1)</script> & "more"'
    assert tree.xpath("//script") == []
    assert tree.xpath("//b") == []
    assert tree.xpath("string(//h1)") == doc.title
    assert tree.findtext(".//title") == doc.title
    assert tree.xpath("//meta[@name='description']/@content") == [doc.description]


def test_theme_logo_is_used_when_the_publisher_has_none(empty_project):
    site = empty_project / "source" / "site.yml"
    site.write_text(re.sub(r"  logo(_alt)?: .*\n", "", site.read_text()))
    write_source(empty_project, "nologo", article())
    doc, out, tree = render(empty_project, "nologo")
    assert doc.byline.publisher.logo is None
    [src] = tree.xpath("//img[contains(@class,'logo')]/@src")
    assert src == "theme/images/logo.svg"
    assert (out / src).read_bytes() == (empty_project / "themes" / "default" / "images"
                                        / "logo.svg").read_bytes()
    assert tree.xpath("//img[contains(@class,'logo')]/@alt") == [doc.byline.publisher.name]


def test_classic_page_ships_literata(project_root):
    doc, out, tree = render(project_root, SEED_SLUG, "classic")
    fonts = {p.name for p in (out / "theme" / "fonts").iterdir()}
    assert "Literata_400Regular.ttf" in fonts
    assert not any(name.startswith("AtkinsonHyperlegibleNext") for name in fonts)


@pytest.mark.parametrize("lang, published", [("en-US", "March 4, 2026"),
                                             ("en-GB", "4 March 2026")])
def test_byline_dates_follow_the_language(empty_project, lang, published):
    write_source(empty_project, "dated", article(
        f"lang: {lang}\nupdated: 2026-03-05\nreviewers: [becky-palmer]\nreviewed: 2026-03-06"))
    doc, out, tree = render(empty_project, "dated")
    [dates] = tree.find_class("byline-dates")
    assert dates.text_content().startswith(f"Published {published}, updated ")
    assert [t.get("datetime") for t in dates.iter("time")] == ["2026-03-04", "2026-03-05"]
    [review] = tree.find_class("byline-review")
    assert "Becky Palmer" in review.text_content()
    assert review.xpath(".//time/@datetime") == ["2026-03-06"]
    assert tree.xpath("//meta[@name='dcterms.modified']/@content") == ["2026-03-06"]


def test_publisher_line_does_not_double_the_full_stop(project_root):
    """site.yml names the publisher 'Stemedix Inc.'; the byline must not print 'Inc..'."""
    doc, out, tree = render(project_root, SEED_SLUG)
    assert doc.byline.publisher.name.endswith(".")
    [publisher] = tree.find_class("publisher-name")
    assert ".." not in publisher.text_content(), publisher.text_content()
