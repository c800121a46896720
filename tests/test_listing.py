"""pipeline.render.listing: dist/index.html lists every publication of dist/ with its formats."""

from __future__ import annotations

import json

import lxml.html
import pytest

from helpers import SEED_SLUG, article, run_publish, write_source
from pipeline.render.listing import human_size


def parse(root):
    return lxml.html.parse(str(root / "dist" / "index.html")).getroot()


def entries(tree):
    return tree.xpath("//li[contains(@class,'publication')]")


def test_listing_links_every_format_of_the_seed(seed_build):
    dist = seed_build.root / "dist"
    tree = parse(seed_build.root)
    [entry] = entries(tree)
    assert entry.xpath("string(.//h2)") == "Can Stem Cell Therapy Cure Multiple Sclerosis?"
    assert entry.xpath(".//h2/a/@href") == [f"{SEED_SLUG}/"]
    links = entry.xpath(".//ul[contains(@class,'publication-formats')]//a")
    assert [a.get("href") for a in links] == [
        f"{SEED_SLUG}/", f"{SEED_SLUG}/{SEED_SLUG}.pdf", f"{SEED_SLUG}/{SEED_SLUG}.epub"]
    assert [a.text.strip() for a in links] == ["Web page", "PDF", "EPUB"]
    for a in links:
        target = dist / a.get("href")
        assert target.is_file() or (target / "index.html").is_file(), a.get("href")
    sizes = entry.xpath(".//span[@class='format-size']/text()")
    pdf = dist / SEED_SLUG / f"{SEED_SLUG}.pdf"
    assert sizes[1] == f"({human_size(pdf.stat().st_size)})"
    assert "By Becky Palmer" in entry.xpath("string(.//p[@class='publication-meta'])")
    assert entry.xpath(".//time/@datetime") == ["2026-11-25"]


def test_listing_head_and_its_files(seed_build):
    dist = seed_build.root / "dist"
    tree = parse(seed_build.root)
    assert tree.get("lang") == "en-US"
    assert tree.findtext(".//title") == "Publications: Stemedix Inc."
    assert tree.xpath("//link[@rel='canonical']/@href") == ["https://www.stemedix.com/articles/"]
    assert tree.xpath("//main[@id='content']") and tree.xpath("//a[@class='skip-link']")
    for ref in tree.xpath("//link[@rel='stylesheet']/@href | //img/@src"):
        assert (dist / ref).is_file(), ref
    data = json.loads(tree.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "CollectionPage"
    assert [p["url"] for p in data["hasPart"]] == [
        f"https://www.stemedix.com/articles/{SEED_SLUG}/"]


def test_listing_keeps_publications_built_earlier_newest_first(empty_project):
    write_source(empty_project, "older", article(title="The older one", date="2025-01-02"))
    write_source(empty_project, "newer", article("lang: fr", title="Le plus récent",
                                                 date="2026-02-03"))
    assert run_publish(empty_project, ("html",)).ok
    (empty_project / "source" / "older.md").unlink()  # its pages stay in dist/
    (empty_project / "dist" / "empty-folder").mkdir()
    assert run_publish(empty_project, ("pdf",), only="newer").ok
    tree = parse(empty_project)
    found = entries(tree)
    assert [e.xpath("string(.//h2)") for e in found] == ["Le plus récent", "The older one"]
    assert found[0].get("lang") == "fr" and found[1].get("lang") is None
    # The older one is described from its own page's head.
    assert found[1].xpath(".//time/@datetime") == ["2025-01-02"]
    assert "What the article says." in found[1].text_content()
    assert [a.text.strip() for a in found[0].xpath(".//ul//a")] == ["Web page", "PDF"]
    assert [a.text.strip() for a in found[1].xpath(".//ul//a")] == ["Web page"]


def test_listing_drops_the_files_of_the_previous_theme(project_root):
    assert run_publish(project_root, ("html",)).ok
    fonts = project_root / "dist" / "_site" / "theme" / "fonts"
    assert (fonts / "AtkinsonHyperlegibleNext_400Regular.ttf").is_file()
    assert run_publish(project_root, ("html",), theme="classic").ok
    assert (fonts / "Literata_400Regular.ttf").is_file()
    assert not (fonts / "AtkinsonHyperlegibleNext_400Regular.ttf").exists()


def test_listing_escapes_what_sources_say(empty_project):
    write_source(empty_project, "escaped", article(title="'A <b>bold</b> & </script> title'"))
    assert run_publish(empty_project, ("html",)).ok
    tree = parse(empty_project)
    assert tree.xpath("//b") == []
    [script] = tree.xpath("//script")
    assert json.loads(script.text)["hasPart"][0]["headline"] == "A <b>bold</b> & </script> title"


@pytest.mark.parametrize("size, text", [(0, "1 KB"), (1500, "1 KB"), (160_000, "156 KB"),
                                        (3 * 1024 * 1024, "3.0 MB")])
def test_human_size(size, text):
    assert human_size(size) == text
