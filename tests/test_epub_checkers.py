"""The EPUBs against the independent checkers (EPUBCheck 5.3.0, DAISY Ace 1.4.6), and the
accessibility claims and packaging they depend on, on the seed and on the long document
(and the checkers on the GFM-heavy fixture)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from checkers import describe_ace, run_ace
from helpers import (GFM_SLUG, LONG_SLUG, REPO, SEED_SLUG, article, epub_entries, epub_opf,
                     make_gfm_project, make_long_project, make_project, run_epubcheck,
                     run_publish, write_source)

OPF = "{http://www.idpf.org/2007/opf}"
A11Y_PROPERTIES = ("schema:accessMode", "schema:accessModeSufficient",
                   "schema:accessibilityFeature", "schema:accessibilityHazard",
                   "schema:accessibilitySummary", "dcterms:conformsTo", "a11y:certifiedBy")


def _publish_epub(root: Path) -> Path:
    outcome = run_publish(root, ("epub",))
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return root


@pytest.fixture(scope="session")
def books(tmp_path_factory) -> dict[str, Path]:
    seed = _publish_epub(make_project(tmp_path_factory.mktemp("epub-seed") / "project"))
    long = _publish_epub(make_long_project(tmp_path_factory.mktemp("epub-long") / "project"))
    gfm = _publish_epub(make_gfm_project(tmp_path_factory.mktemp("epub-gfm") / "project"))
    return {"seed": seed / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub",
            "long": long / "dist" / LONG_SLUG / f"{LONG_SLUG}.epub",
            "gfm": gfm / "dist" / GFM_SLUG / f"{GFM_SLUG}.epub"}


@pytest.fixture(scope="session")
def epubcheck(books, tmp_path_factory):
    reports = {}

    def report(name):
        if not reports:
            found = run_epubcheck(list(books.values()), tmp_path_factory.mktemp("epubcheck"))
            reports.update({key: found[path] for key, path in books.items()})
        return reports[name]

    return report


def a11y(opf) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in opf.iter(f"{OPF}meta"):
        if meta.get("property") in A11Y_PROPERTIES:
            found.setdefault(meta.get("property"), []).append(meta.text)
    return found


@pytest.mark.parametrize("name", ["seed", "long", "gfm"])
def test_epubcheck_reports_nothing(name, books, epubcheck):
    report = epubcheck(name)
    assert report.messages == [], report.describe()


@pytest.mark.parametrize("name", ["seed", "long", "gfm"])
def test_ace_reports_no_violation(name, books, tmp_path):
    violations = run_ace(books[name], tmp_path / "ace")
    assert violations == [], describe_ace(violations)


@pytest.mark.parametrize("name", ["seed", "long"])
def test_accessibility_metadata_is_complete_and_claims_conformance(name, books):
    found = a11y(epub_opf(books[name]))
    assert found["schema:accessMode"] == ["textual", "visual"]
    assert found["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert set(found["schema:accessibilityFeature"]) == {
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
        "alternativeText"}
    assert found["schema:accessibilityHazard"] == ["none"]
    assert "WCAG 2.2 Level AA" in found["schema:accessibilitySummary"][0]
    assert found["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert found["a11y:certifiedBy"] == ["Stemedix Inc."]


def _one_book(tmp_path: Path, body: str) -> Path:
    root = make_project(tmp_path / "project", seed=False)
    (root / "source" / "images").mkdir(exist_ok=True)
    Image.new("RGB", (60, 40), (10, 90, 110)).save(root / "source" / "images" / "chart.png")
    write_source(root, "doc", article(body=body))
    _publish_epub(root)
    return root / "dist" / "doc" / "doc.epub"


def test_an_image_without_alt_text_withdraws_the_claims(tmp_path):
    found = a11y(epub_opf(_one_book(tmp_path, "Intro.\n\n![](images/chart.png)\n")))
    assert "alternativeText" not in found["schema:accessibilityFeature"]
    assert found["schema:accessModeSufficient"] == ["textual,visual"]
    assert "dcterms:conformsTo" not in found and "a11y:certifiedBy" not in found
    assert "images/chart.png" in found["schema:accessibilitySummary"][0]


def test_skipped_heading_levels_withdraw_the_conformance_claim(tmp_path):
    found = a11y(epub_opf(_one_book(tmp_path, "## Part\n\nText.\n\n#### Detail\n\nMore.\n")))
    assert "alternativeText" in found["schema:accessibilityFeature"]  # images are fine
    assert "dcterms:conformsTo" not in found
    assert "skips from level 2 to 4" in found["schema:accessibilitySummary"][0]


def test_an_animated_image_format_makes_the_hazard_unknown(tmp_path):
    root = make_project(tmp_path / "project", seed=False)
    (root / "source" / "images").mkdir(exist_ok=True)
    Image.new("RGB", (20, 20), (200, 0, 0)).save(root / "source" / "images" / "spin.gif")
    write_source(root, "doc", article(body="![A red square](images/spin.gif)\n"))
    _publish_epub(root)
    found = a11y(epub_opf(root / "dist" / "doc" / "doc.epub"))
    assert found["schema:accessibilityHazard"] == ["unknown"]


def test_generated_cover_is_a_tall_png_marked_as_the_cover(books):
    entries = epub_entries(books["seed"])
    opf = epub_opf(books["seed"])
    [cover] = [item for item in opf.iter(f"{OPF}item") if item.get("properties") == "cover-image"]
    image = Image.open(io.BytesIO(entries["EPUB/" + cover.get("href")]))
    assert image.format == "PNG" and image.height >= 1600 and image.width < image.height
    cover_page = etree.fromstring(entries["EPUB/cover.xhtml"])
    [img] = cover_page.iter("{http://www.w3.org/1999/xhtml}img")
    assert img.get("alt").startswith("Cover: Can Stem Cell Therapy Cure Multiple Sclerosis?")
    spine = [ref.get("idref") for ref in opf.iter(f"{OPF}itemref")]
    assert spine[0] == "cover"


def test_a_cover_named_in_front_matter_is_used(tmp_path):
    root = make_project(tmp_path / "project", seed=False)
    (root / "source" / "images").mkdir(exist_ok=True)
    Image.new("RGB", (400, 600), (0, 80, 0)).save(root / "source" / "images" / "front.jpg")
    write_source(root, "doc", article("cover: images/front.jpg"))
    _publish_epub(root)
    book = root / "dist" / "doc" / "doc.epub"
    [cover] = [i for i in epub_opf(book).iter(f"{OPF}item")
               if i.get("properties") == "cover-image"]
    assert cover.get("href") == "images/front.jpg"
    assert "EPUB/cover.png" not in epub_entries(book)


def test_navigation_has_contents_and_landmarks_and_an_ncx(books):
    entries = epub_entries(books["long"])
    nav = etree.fromstring(entries["EPUB/nav.xhtml"])
    ns = {"x": "http://www.w3.org/1999/xhtml", "e": "http://www.idpf.org/2007/ops"}
    toc = nav.xpath("//x:nav[@e:type='toc']//x:a", namespaces=ns)
    assert "Glossary" in [a.text for a in toc] and len(toc) > 16
    landmarks = {a.get("{http://www.idpf.org/2007/ops}type")
                 for a in nav.xpath("//x:nav[@e:type='landmarks']//x:a", namespaces=ns)}
    assert {"cover", "bodymatter", "toc"} <= landmarks
    assert "EPUB/toc.ncx" in entries
    package = epub_opf(books["long"])
    assert package.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"


def test_title_page_carries_the_byline_with_photo(books):
    entries = epub_entries(books["long"])
    chapter = etree.fromstring(entries[f"EPUB/{LONG_SLUG}.xhtml"])
    ns = {"x": "http://www.w3.org/1999/xhtml", "e": "http://www.idpf.org/2007/ops"}
    [title_page] = chapter.xpath("//x:section[@e:type='titlepage']", namespaces=ns)
    text = " ".join(" ".join(title_page.itertext()).split())
    assert "Jane Doe" in text and "Neurologist" in text and "Medically reviewed by" in text
    [photo] = title_page.xpath(".//x:img[@class='byline-photo']", namespaces=ns)
    assert photo.get("alt") == "Portrait of Jane Doe"
    assert "About Stemedix Inc." in text


def test_fonts_are_subset_to_the_glyphs_used(books):
    entries = epub_entries(books["long"])
    chapter_text = "".join(etree.fromstring(entries[f"EPUB/{LONG_SLUG}.xhtml"]).itertext())
    fonts = {name: data for name, data in entries.items() if name.endswith(".ttf")
             and not Path(name).name.startswith("fallback-")}  # Noto: test_languages.py
    assert fonts
    for name, data in fonts.items():
        original = (REPO / "themes" / "default" / "fonts" / Path(name).name).read_bytes()
        assert len(data) < len(original) * 0.8, name
        cmap = TTFont(io.BytesIO(data)).getBestCmap()
        if "Next_400Regular.ttf" in name:
            missing = {ch for ch in chapter_text if ch.strip() and ord(ch) not in cmap
                       and ord(ch) in TTFont(io.BytesIO(original)).getBestCmap()}
            assert not missing, missing
            # "Ŵ" (W with circumflex): in the full face, not in the text, so not kept
            assert ord("\u0174") in TTFont(io.BytesIO(original)).getBestCmap()
            assert ord("\u0174") not in cmap and "\u0174" not in chapter_text


def test_rebuilt_epub_is_byte_identical(tmp_path, books):
    root = make_project(tmp_path / "project")
    first = _publish_epub(root) / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub"
    data = first.read_bytes()
    again = run_publish(root, ("epub",), force=True)  # really render again
    assert again.ok and {r.status for r in again.results} == {"built"}
    assert first.read_bytes() == data
    assert books["seed"].read_bytes() == data  # another folder, same bytes
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 25, 0, 0, 0)}
