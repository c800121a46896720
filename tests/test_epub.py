"""pipeline.render.epub: the EPUB 3 archive (rich-features build) and its identifier."""

from __future__ import annotations

import dataclasses
import posixpath
import shutil
import zipfile

import pytest
from lxml import etree

from helpers import (DC_NS, OPF_NS, REPO, RICH_SLUG, SEED_SLUG, XHTML_NS, epub_chapter,
                     epub_entries, epub_opf)
from pipeline.render import epub
from pipeline.build.publish import Project, gather
from pipeline.diagnostics import PressroomError
from pipeline.render.theme import Theme

NS = {"opf": OPF_NS, "dc": DC_NS, "h": XHTML_NS, "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture(scope="module")
def book(feature_build):
    return feature_build.file(RICH_SLUG, "epub")


@pytest.fixture(scope="module")
def rich_doc(feature_build):
    documents, _ = gather(Project(feature_build.root), only=RICH_SLUG)
    return documents[0]


def _manifest(book):
    opf = epub_opf(book)
    return {item.get("href"): item for item in opf.iterfind(".//opf:manifest/opf:item", NS)}


def test_mimetype_is_the_first_entry_and_stored(book):
    with zipfile.ZipFile(book) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


def test_entries_are_stamped_with_the_documents_modified_date(book, rich_doc):
    with zipfile.ZipFile(book) as archive:
        stamps = {info.date_time[:3] for info in archive.infolist()}
    assert stamps == {rich_doc.modified.timetuple()[:3]}
    assert rich_doc.modified == rich_doc.byline.reviewed  # the latest of the three dates


def test_manifest_and_archive_agree(book):
    entries = epub_entries(book)
    manifest = _manifest(book)
    base = "EPUB/"
    for href in manifest:
        assert base + href in entries, href
    packaged = {n[len(base):] for n in entries if n.startswith(base) and not n.endswith(".opf")}
    assert packaged == set(manifest)


def test_media_types(book):
    manifest = _manifest(book)
    assert manifest["images/jane.png"].get("media-type") == "image/png"
    assert manifest["images/stemedix-logo.svg"].get("media-type") == "image/svg+xml"
    fonts = [href for href in manifest if href.startswith("theme/fonts/")]
    assert fonts and all(manifest[f].get("media-type") == "font/ttf" for f in fonts)
    assert manifest["theme/css/epub.css"].get("media-type") == "text/css"


def test_cover_image_is_marked(book):
    manifest = _manifest(book)
    assert "cover-image" in (manifest["images/jane.png"].get("properties") or "").split()


def test_stylesheet_fonts_are_packaged(book):
    entries = epub_entries(book)
    css = entries["EPUB/theme/css/epub.css"].decode("utf-8")
    assert "@import" not in css
    for url in (u.split(")")[0].strip("'\" ") for u in css.split("url(")[1:]):
        target = posixpath.normpath(posixpath.join("EPUB/theme/css", url))
        assert target in entries, url


def test_chapter_is_xhtml_with_the_language(book, rich_doc):
    chapter = epub_chapter(book, RICH_SLUG)
    assert chapter.tag == f"{{{XHTML_NS}}}html"
    assert chapter.get("{http://www.w3.org/XML/1998/namespace}lang") == rich_doc.lang
    assert chapter.get("lang") == rich_doc.lang
    assert chapter.xpath("//h:link[@rel='stylesheet']/@href", namespaces=NS) == \
        ["theme/css/epub.css"]
    assert chapter.xpath("//h:section[@epub:type='bodymatter chapter']", namespaces=NS)


def test_every_image_in_the_chapter_is_packaged_with_alt(book):
    chapter = epub_chapter(book, RICH_SLUG)
    entries = epub_entries(book)
    images = chapter.xpath("//h:img", namespaces=NS)
    assert len(images) >= 3  # logo, author photo, body image
    for img in images:
        assert "EPUB/" + img.get("src") in entries
        assert img.get("alt") is not None


def test_navigation_lists_the_sections(book):
    entries = epub_entries(book)
    nav = etree.fromstring(entries["EPUB/nav.xhtml"])
    links = nav.xpath("//h:nav[@epub:type='toc']//h:a/@href", namespaces=NS)
    assert f"{RICH_SLUG}.xhtml#options" in links
    assert f"{RICH_SLUG}.xhtml#terms" in links
    chapter = epub_chapter(book, RICH_SLUG)
    ids = set(chapter.xpath("//@id"))
    for link in links:
        if "#" in link:
            assert link.split("#", 1)[1] in ids, link


def test_opf_metadata(book, rich_doc):
    opf = epub_opf(book)
    metadata = opf.find("opf:metadata", NS)
    assert metadata.findtext("dc:title", namespaces=NS) == rich_doc.title
    assert [c.text for c in metadata.findall("dc:creator", NS)] == ["Jane Doe"]
    assert {s.text for s in metadata.findall("dc:subject", NS)} == {"testing", "markdown"}
    assert metadata.findtext("dc:publisher", namespaces=NS) == "Stemedix Inc."
    identifier = metadata.findtext("dc:identifier", namespaces=NS)
    assert identifier == epub.book_identifier(rich_doc)


def test_book_identifier_is_stable_and_distinct(rich_doc):
    same = epub.book_identifier(rich_doc)
    assert same == epub.book_identifier(dataclasses.replace(rich_doc, title="Renamed"))
    assert same.startswith("urn:uuid:")
    assert same != epub.book_identifier(dataclasses.replace(rich_doc, slug=SEED_SLUG))
    other_site = dataclasses.replace(rich_doc.site, base_url="https://other.example/")
    assert same != epub.book_identifier(dataclasses.replace(rich_doc, site=other_site))


def test_a_theme_whose_epub_page_is_not_xhtml_is_refused(feature_build, tmp_path, rich_doc):
    broken = tmp_path / "themes"
    shutil.copytree(feature_build.root / "themes" / "default", broken / "default")
    (broken / "sloppy" / "templates").mkdir(parents=True)
    (broken / "sloppy" / "theme.yml").write_text("extends: default\n")
    (broken / "sloppy" / "templates" / "epub.xhtml").write_text(
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Unclosed<br></body></html>')
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PressroomError, match="not well-formed XHTML"):
        epub.render(rich_doc, Theme.load(broken, "sloppy"), out)
    assert not (out / f"{RICH_SLUG}.epub").exists()


def test_a_subset_keeps_what_reading_the_font_needs():
    """The subset a book carries (HarfBuzz's subsetter) has the glyphs, the layout
    features (kerning; Arabic's joining forms), the names (the licence an OFL font must
    carry) and the hinting that fontTools' subsetter keeps with every feature and name."""
    import io
    import string

    from fontTools import subset as reference
    from fontTools.ttLib import TTFont

    from pipeline.render import fonts

    for path, text in ((REPO / "themes/default/fonts/AtkinsonHyperlegibleNext_400Regular.ttf",
                        "Kerning: AV To Wa ↩"),
                       (fonts.NOTO / "NotoSansArabic-Regular.ttf", "مرحبا بالعالم")):
        ours = TTFont(io.BytesIO(fonts.subset_face(path, 0, text)))
        options = reference.Options(layout_features=["*"], name_IDs=["*"],
                                    name_languages=["*"], notdef_outline=True)
        theirs = TTFont(path)
        subsetter = reference.Subsetter(options)
        subsetter.populate(text=text + string.printable)
        subsetter.subset(theirs)
        saved = io.BytesIO()
        theirs.save(saved)  # (maxp counts the glyphs when the font is written)
        theirs = TTFont(io.BytesIO(saved.getvalue()))
        assert ours.getBestCmap() == theirs.getBestCmap()
        assert ours["maxp"].numGlyphs == theirs["maxp"].numGlyphs < TTFont(path)["maxp"].numGlyphs
        for table in ("GPOS", "GSUB"):
            tags = [{r.FeatureTag for r in font[table].table.FeatureList.FeatureRecord}
                    for font in (ours, theirs) if table in font]
            assert len(tags) in (0, 2) and (not tags or tags[0] == tags[1])
        assert {(n.nameID, n.langID) for n in ours["name"].names} >= \
            {(n.nameID, n.langID) for n in theirs["name"].names}
        assert 13 in {n.nameID for n in ours["name"].names}  # the licence
        assert sorted(ours.keys()) == sorted(theirs.keys())  # hinting (fpgm, prep) too


def test_a_fonts_characters_are_those_of_its_character_map():
    """fonts.coverage (HarfBuzz) reads the characters fontTools finds in the best
    character map, for a TrueType face and for faces of a CJK collection."""
    from fontTools.ttLib import TTFont

    from pipeline.render import fonts

    faces = [(REPO / "themes/default/fonts/AtkinsonHyperlegibleNext_700Bold.ttf", 0),
             (fonts.NOTO / "NotoSansMath-Regular.ttf", 0), (fonts.CJK_REGULAR, 2),
             (fonts.CJK_REGULAR, 4)]
    for path, index in faces:
        expected = TTFont(path, fontNumber=index, lazy=True).getBestCmap()
        assert fonts.coverage(path, index) == frozenset(map(chr, expected))
