"""pipeline.render.pdf: the tagged PDF of a document (rich-features build, default and classic)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from helpers import RICH_SLUG, SEED_SLUG, embedded_font_file, pdf_fonts
from pipeline.render import pdf
from pipeline.render.fonts import release_fonts
from pipeline.build.publish import Project, gather
from pipeline.render.theme import Theme


@pytest.fixture(scope="module")
def rich_pdf(feature_build):
    return PdfReader(feature_build.file(RICH_SLUG, "pdf"))


def _families(theme: Theme) -> set[str]:
    """The font families a theme ships, as PDF base-font names write them."""
    css = theme.stylesheet("print")
    return {name.replace(" ", "-")
            for name in re.findall(r'font-family:\s*"([^"]+)"', css.split("@page")[0])}


def _family_of(base_font: str) -> str:
    name = base_font.lstrip("/").split("+", 1)[-1]  # drop the subset tag ABCDEF+
    return re.sub(r"-(Bold|Italic|BoldItalic|Regular)$", "", re.sub(r"-Bold-Italic$", "", name))


def test_metadata_comes_from_the_front_matter(rich_pdf):
    meta = rich_pdf.metadata
    assert meta.title.startswith("Rich features")
    assert meta.author == "Jane Doe, MD, PhD"
    assert meta["/Subject"] == "What the article says."
    assert meta["/Keywords"] == "testing, markdown"


def test_code_font_is_embedded_when_the_document_has_code(rich_pdf, feature_build):
    fonts = pdf_fonts(rich_pdf)
    assert any("Atkinson-Hyperlegible-Mono" in name for name in fonts), sorted(fonts)
    assert all(embedded_font_file(font) for font in fonts.values())
    # The seed has no code: its PDF does not carry the mono face.
    seed = pdf_fonts(PdfReader(feature_build.file(SEED_SLUG, "pdf")))
    assert not any("Mono" in name for name in seed), sorted(seed)


def test_pdf_uses_only_the_theme_fonts(feature_build):
    """No text falls back to a font of the build machine (say DejaVu): that would make
    the PDF depend on where it was built, and break the theme's design. (The seed's
    logo asks for Atkinson Hyperlegible Next, which the default theme ships.)"""
    families = _families(Theme.load(feature_build.root / "themes", "default"))
    for slug in (SEED_SLUG, RICH_SLUG):
        used = {_family_of(name) for name in pdf_fonts(PdfReader(feature_build.file(slug, "pdf")))}
        assert used <= families, f"{slug}: {sorted(used - families)} not in the theme"


def test_pdf_does_not_depend_on_what_was_rendered_before(project_root, tmp_path, monkeypatch):
    """The same document and theme give the same PDF, whether or not another theme was
    rendered earlier in the same process (invoke publish renders many documents)."""
    documents, _ = gather(Project(project_root))
    [doc] = documents
    themes = project_root / "themes"
    classic, default = Theme.load(themes, "classic"), Theme.load(themes, "default")

    release_fonts()  # as in a new process
    alone = pdf.render(doc, classic, _mkdir(tmp_path / "alone")).read_bytes()

    release_fonts()
    pdf.render(doc, default, _mkdir(tmp_path / "default"))
    after_default = pdf.render(doc, classic, _mkdir(tmp_path / "after")).read_bytes()

    fonts_alone = sorted(pdf_fonts(PdfReader(io.BytesIO(alone))))
    fonts_after = sorted(pdf_fonts(PdfReader(io.BytesIO(after_default))))
    assert fonts_after == fonts_alone
    assert after_default == alone


def _mkdir(path):
    path.mkdir(parents=True)
    return path


def test_images_are_embedded(rich_pdf):
    images = [
        xobject.get_object()
        for page in rich_pdf.pages
        for xobject in (page["/Resources"].get_object().get("/XObject") or {}).values()
        if xobject.get_object().get("/Subtype") == "/Image"
    ]
    assert images  # the author photo and the body image (the same PNG)


def test_headings_become_bookmarks(rich_pdf):
    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title
    assert {"Treatment options", "Terms", "Photo"} <= set(titles(rich_pdf.outline))


def test_footnote_text_is_printed(rich_pdf):
    text = "".join(page.extract_text() for page in rich_pdf.pages)
    assert "Footnote text." in text
    assert "\u201cquoted\u201d" in text  # smart quotes survive into the PDF text layer


def test_classic_pdf_embeds_literata(classic_build):
    for slug in (SEED_SLUG, RICH_SLUG):
        fonts = pdf_fonts(PdfReader(classic_build.file(slug, "pdf")))
        assert any("Literata" in name for name in fonts), sorted(fonts)
        assert all(embedded_font_file(font) for font in fonts.values())
