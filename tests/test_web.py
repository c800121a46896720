"""pipeline.render.web: the web page, with its images beside it and its theme's stylesheet and
fonts in the folder all pages of the theme share."""

from __future__ import annotations

import base64
import json
import re

import lxml.html
import pytest

from helpers import SEED_SLUG, article, write_source
from pipeline.render import web
from pipeline.build.publish import Project, gather
from pipeline.render.theme import Theme


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
    [stylesheet] = tree.xpath("//link[@rel='stylesheet']/@href")
    # in the theme's folder that every page shares, one level above the page's folder
    assert stylesheet.startswith("../_theme/default/css/screen-")
    css = (out / stylesheet).read_text(encoding="utf-8")
    assert "@import" not in css
    for url in re.findall(r"url\(\s*[\"']?([^\"')]+)", css):
        assert (out / stylesheet).parent.joinpath(url).resolve().is_file(), url


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
    [script] = tree.xpath("//script")  # only the JSON-LD, which still parses
    assert script.get("type") == "application/ld+json"
    assert json.loads(script.text)["headline"] == doc.title
    raw = (out / "index.html").read_text().split('<script type="application/ld+json">')[1]
    assert "<\\/script>" in raw.split("</script>")[0]  # escaped: the element did not end early
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
    assert src == "../_theme/default/images/logo.svg"
    assert (out / src).read_bytes() == (empty_project / "themes" / "default" / "images"
                                        / "logo.svg").read_bytes()
    assert tree.xpath("//img[contains(@class,'logo')]/@alt") == [doc.byline.publisher.name]


def test_classic_page_ships_literata(project_root):
    doc, out, tree = render(project_root, SEED_SLUG, "classic")
    fonts = {p.name for p in (out.parent / "_theme" / "classic" / "fonts").iterdir()}
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


# --- links to the other formats, and the single-file variant ----------------------


def test_page_links_to_its_pdf_and_epub(seed_build):
    out = seed_build.out()
    tree = lxml.html.parse(str(out / "index.html")).getroot()
    links = tree.xpath("//nav[contains(@class,'formats')]//a")
    assert [(a.get("href"), a.get("type")) for a in links] == [
        (f"{SEED_SLUG}.pdf", "application/pdf"), (f"{SEED_SLUG}.epub", "application/epub+zip")]
    assert [a.text_content().split()[0] for a in links] == ["PDF", "EPUB"]
    for a in links:
        assert (out / a.get("href")).is_file()
    alternates = tree.xpath("/html/head/link[@rel='alternate']/@href")
    assert alternates == [a.get("href") for a in links]
    [home] = tree.xpath("//footer//a/@href")
    assert home == "../" and (out / home / "index.html").is_file()  # the listing


@pytest.fixture(scope="module")
def single(long_web_build):
    from helpers import LONG_SLUG
    out = long_web_build.out(LONG_SLUG)
    path = out / f"{LONG_SLUG}.single.html"
    return out, path, lxml.html.parse(str(path)).getroot()


def test_single_file_has_no_reference_to_local_files(single):
    out, path, tree = single
    assert tree.xpath("//link[@rel='stylesheet']") == []
    hrefs = tree.xpath("//@href")
    assert hrefs
    local = [h for h in hrefs if not h.startswith(("#", "https://", "http://", "mailto:"))]
    assert local == []
    srcs = tree.xpath("//@src")
    assert srcs and all(src.startswith("data:image/") for src in srcs), \
        [s[:40] for s in srcs if not s.startswith("data:")]
    [style] = tree.xpath("//style")
    urls = re.findall(r"url\(\s*[\"']?([^\"')]{0,40})", style.text)
    assert urls and all(u.startswith("data:") for u in urls), urls
    assert "data:font/ttf;base64," in style.text
    assert "@import" not in style.text


def test_single_file_has_the_page_images_and_absolute_links(single, long_web_build):
    out, path, tree = single
    page = lxml.html.parse(str(out / "index.html")).getroot()
    assert len(tree.xpath("//img")) == len(page.xpath("//img")) >= 4  # logo, photo, figures
    for original, inlined in zip(page.xpath("//img"), tree.xpath("//img")):
        assert original.get("alt") == inlined.get("alt")
        data = base64.b64decode(inlined.get("src").split(",", 1)[1])
        assert data == (out / original.get("src")).read_bytes()
    canonical = tree.xpath("//link[@rel='canonical']/@href")[0]
    formats = tree.xpath("//nav[contains(@class,'formats')]//a/@href")
    assert formats == [canonical + path.name.replace(".single.html", ext)
                       for ext in (".pdf", ".epub")]
    assert tree.xpath("string(//main)") == page.xpath("string(//main)")


def test_single_file_is_not_made_unless_asked(seed_build):
    assert list(seed_build.out().glob("*.single.html")) == []


def test_pages_share_one_copy_of_their_themes_files(tmp_path):
    """dist/_theme/<theme>/ holds the stylesheet and fonts once for every page; a page's
    folder uploaded with that folder needs nothing else; an edit to the theme leaves no
    stale stylesheet behind."""
    from helpers import make_project, run_publish
    from urllib.parse import unquote, urlsplit

    root = make_project(tmp_path / "project")
    write_source(root, "second", article(body="A second article, with a [link](#top).\n"))
    assert run_publish(root, ("html",)).ok
    dist = root / "dist"
    shared = dist / "_theme" / "default"
    assert len(list((shared / "fonts").glob("*.ttf"))) == 5
    for slug in (SEED_SLUG, "second"):
        folder = dist / slug
        assert not (folder / "theme").exists()
        tree = lxml.html.parse(str(folder / "index.html")).getroot()
        local = [url for url in tree.xpath("//link[@rel!='alternate']/@href | //img/@src | "
                                           "//script/@src | //source/@srcset")
                 if not urlsplit(url).scheme and not url.startswith("#")]
        assert any(url.startswith("../_theme/") for url in local)
        for url in local:
            target = (folder / unquote(urlsplit(url).path)).resolve()
            if url.startswith("../_theme/"):
                assert target.is_relative_to(shared.resolve()) and target.is_file(), url
            elif not url.startswith("../"):  # (../ alone: the listing and other pages)
                assert target.is_relative_to(folder.resolve()) and target.is_file(), url
    [before] = (shared / "css").glob("screen-*.css")
    screen = root / "themes" / "default" / "css" / "screen.css"
    screen.write_text(screen.read_text() + "\n.benchmark-edit { color: inherit; }\n")
    assert run_publish(root, ("html",)).ok
    [after] = (shared / "css").glob("screen-*.css")
    assert after != before and ".benchmark-edit" in after.read_text()
