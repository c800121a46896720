"""The print PDFs: handout (tagged PDF/UA-1) and press (PDF/X-4, CMYK, bleed, crop marks).

Checked on the seed article and on the long fixture (tests/fixtures/long), each built
once per session with the press variant.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from helpers import (REPO, SEED_SLUG, article, embedded_font_file, make_project, pages_text,
                     pdf_fonts, run_publish, write_source)
from pipeline.proof import write_proofs

LONG_SOURCE = REPO / "tests" / "fixtures" / "long" / "source"
LONG_SLUG = "living-with-ms-a-patient-guide"
LETTER = (612.0, 792.0)
A4 = (595.28, 841.89)
INCH = 72.0
MM = 72.0 / 25.4


def long_project(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(LONG_SOURCE, root / "source")
    shutil.copytree(REPO / "themes", root / "themes")
    return root


def publish_ok(root: Path, **kwargs):
    outcome = run_publish(root, ("pdf",), press=True, **kwargs)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return outcome


@pytest.fixture(scope="session")
def long_root(tmp_path_factory) -> Path:
    root = long_project(tmp_path_factory.mktemp("long") / "project")
    publish_ok(root)
    return root


@pytest.fixture(scope="session")
def seed_root(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("seedprint") / "project")
    publish_ok(root)
    return root


@pytest.fixture(scope="session")
def long_a4_root(tmp_path_factory) -> Path:
    root = long_project(tmp_path_factory.mktemp("longa4") / "project")
    publish_ok(root, paper="a4")
    return root


def pdf_path(root: Path, slug: str, press: bool = False) -> Path:
    return root / "dist" / slug / f"{slug}{'-press' if press else ''}.pdf"


def box(page, name: str) -> tuple[float, ...]:
    return tuple(round(float(v), 2) for v in page[name])


BOTH = [("seed_root", SEED_SLUG), ("long_root", LONG_SLUG)]


# --- Page size and boxes --------------------------------------------------------------


@pytest.mark.parametrize("root_fixture, slug", BOTH)
def test_handout_is_us_letter_with_trim_equal_to_the_page(root_fixture, slug, request):
    reader = PdfReader(pdf_path(request.getfixturevalue(root_fixture), slug))
    for page in reader.pages:
        assert box(page, "/MediaBox") == (0, 0, *LETTER)
        assert box(page, "/TrimBox") == (0, 0, *LETTER)


def test_a4_handout_when_asked(long_a4_root):
    for page in PdfReader(pdf_path(long_a4_root, LONG_SLUG)).pages:
        assert box(page, "/MediaBox") == (0, 0, *A4)


@pytest.mark.parametrize("root_fixture, slug", BOTH)
def test_press_has_letter_trim_and_an_eighth_inch_bleed(root_fixture, slug, request):
    reader = PdfReader(pdf_path(request.getfixturevalue(root_fixture), slug, press=True))
    bleed = 0.125 * INCH
    for page in reader.pages:
        assert box(page, "/TrimBox") == (0, 0, *LETTER)
        assert box(page, "/BleedBox") == (-bleed, -bleed, LETTER[0] + bleed, LETTER[1] + bleed)
        media = box(page, "/MediaBox")
        assert media[0] <= -bleed and media[2] >= LETTER[0] + bleed


def test_press_on_a4_has_a_3_mm_bleed(long_a4_root):
    page = PdfReader(pdf_path(long_a4_root, LONG_SLUG, press=True)).pages[0]
    assert box(page, "/TrimBox") == (0, 0, *A4)
    bleed = round(3 * MM, 2)
    assert box(page, "/BleedBox") == pytest.approx((-bleed, -bleed, A4[0] + bleed, A4[1] + bleed),
                                                   abs=0.02)


def _ink_outside_trim(path: Path) -> int:
    """Dark pixels in the band between the media edge and the trim edge of page 1."""
    document = pypdfium2.PdfDocument(path)
    try:
        page = document[0]
        scale = 3
        image = page.render(scale=scale).to_pil().convert("L")
    finally:
        document.close()
    reader_page = PdfReader(path).pages[0]
    media, trim = box(reader_page, "/MediaBox"), box(reader_page, "/TrimBox")
    margin = int((trim[0] - media[0]) * scale)
    if margin <= 0:
        return 0
    width, height = image.size
    band = [image.crop((0, 0, width, margin)), image.crop((0, height - margin, width, height)),
            image.crop((0, 0, margin, height)), image.crop((width - margin, 0, width, height))]
    return sum(sum(part.histogram()[:128]) for part in band)  # grey levels below 128


def test_press_has_crop_marks_outside_the_trim(long_root):
    assert _ink_outside_trim(pdf_path(long_root, LONG_SLUG, press=True)) > 50
    # the handout has no bleed, so no marks
    assert _ink_outside_trim(pdf_path(long_root, LONG_SLUG)) == 0


# --- Fonts, tags, metadata ------------------------------------------------------------


@pytest.mark.parametrize("press", [False, True])
@pytest.mark.parametrize("root_fixture, slug", BOTH)
def test_every_font_is_embedded(root_fixture, slug, press, request):
    fonts = pdf_fonts(PdfReader(pdf_path(request.getfixturevalue(root_fixture), slug, press)))
    assert fonts
    assert {name: embedded_font_file(font) for name, font in fonts.items()} == \
        {name: True for name in fonts}
    assert all("Atkinson" in name for name in fonts), sorted(fonts)


@pytest.mark.parametrize("press", [False, True])
@pytest.mark.parametrize("root_fixture, slug", BOTH)
def test_tagged_with_language_and_title_in_the_title_bar(root_fixture, slug, press, request):
    root = PdfReader(pdf_path(request.getfixturevalue(root_fixture), slug, press)).trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def _structure_elements(node, found):
    node = node.get_object()
    if isinstance(node, dict) or hasattr(node, "get"):
        if node.get("/S") is not None:
            found.append(node)
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                    _structure_elements(kid, found)
    return found


def test_figures_carry_their_alt_text_in_the_structure_tree(long_root):
    reader = PdfReader(pdf_path(long_root, LONG_SLUG))
    elements = _structure_elements(reader.trailer["/Root"]["/StructTreeRoot"], [])
    alts = [str(e.get("/Alt")) for e in elements if e.get("/S") == "/Figure"]
    source = (LONG_SOURCE / f"{LONG_SLUG}.md").read_text(encoding="utf-8")
    for alt in re.findall(r"!\[([^\]]+)\]\(images/", source):
        assert alt in alts
    headings = [e.get("/S") for e in elements if str(e.get("/S")) in ("/H1", "/H2", "/H3")]
    assert headings[0] == "/H1" and "/H2" in headings


def test_metadata_of_the_long_document(long_root):
    reader = PdfReader(pdf_path(long_root, LONG_SLUG))
    info = reader.metadata
    # title and subtitle, as in the HTML <title> the PDF viewer shows
    assert info["/Title"].startswith("Living with Multiple Sclerosis: A Patient Guide: ")
    assert "Jane Doe" in info["/Author"]
    source = (LONG_SOURCE / f"{LONG_SLUG}.md").read_text(encoding="utf-8")
    description = re.search(r"^description: (.+)$", source, re.M)
    assert description is None or info["/Subject"].startswith(description[1].strip(">- ")[:20])
    assert info["/Subject"]
    assert "multiple sclerosis" in info["/Keywords"].lower()
    assert info["/CreationDate"].startswith("D:20260115")  # front matter date
    assert info["/ModDate"].startswith("D:20260601")        # latest of updated and reviewed


def test_press_declares_pdf_x4_with_a_cmyk_output_intent(long_root, long_a4_root):
    for root, expected in ((long_root, "GRACoL"), (long_a4_root, "FOGRA39")):
        path = pdf_path(root, LONG_SLUG, press=True)
        reader = PdfReader(path)
        catalog = reader.trailer["/Root"]
        [intent] = [i.get_object() for i in catalog["/OutputIntents"]]
        assert intent["/S"] == "/GTS_PDFX"
        assert expected in str(intent["/OutputConditionIdentifier"])
        profile = intent["/DestOutputProfile"].get_object().get_data()
        assert profile[16:20] == b"CMYK"  # the ICC header's colour space
        xmp = catalog["/Metadata"].get_object().get_data().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert reader.pdf_header.startswith("%PDF-1.6")
        assert reader.metadata["/Trapped"] == "/False"


def test_press_uses_cmyk_brand_colours(long_root):
    """The press stylesheet swaps the RGB tokens for their device-cmyk equivalents."""
    def streams(path):
        reader = PdfReader(path)
        for page in reader.pages:
            yield page.get_contents().get_data()
            for xobject in (page["/Resources"].get("/XObject") or {}).values():
                xobject = xobject.get_object()
                if xobject.get("/Subtype") == "/Form":
                    yield xobject.get_data()

    cmyk = re.compile(rb"/DeviceCMYK (cs|CS)\s+0\.85 0\.17 0 0\.6 (scn|SCN)")  # --cmyk-brand
    assert any(cmyk.search(data) for data in streams(pdf_path(long_root, LONG_SLUG, True)))
    assert not any(cmyk.search(data) for data in streams(pdf_path(long_root, LONG_SLUG)))


# --- Layout ---------------------------------------------------------------------------


@pytest.mark.parametrize("root_fixture, slug", BOTH)
def test_page_one_opens_with_title_and_byline_and_later_pages_number_themselves(
        root_fixture, slug, request):
    texts = pages_text(pdf_path(request.getfixturevalue(root_fixture), slug))
    total = len(texts)
    assert total >= 2
    assert "Page 1 of" not in texts[0]  # no header or footer on the title page
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "Stemedix Inc." in text  # running header: the publisher


def test_long_document_page_one(long_root):
    first = pages_text(pdf_path(long_root, LONG_SLUG))[0]
    assert first.index("Living with Multiple Sclerosis") < first.index("Jane Doe")
    for part in ("Jane Doe, MD, PhD", "Neurologist", "Example Clinic Group",
                 "Medically reviewed by Sam Lee, RN on May 20, 2026",
                 "Published January 15, 2026, updated June 1, 2026"):
        assert part in first
    second = pages_text(pdf_path(long_root, LONG_SLUG))[1]
    assert "Living with Multiple Sclerosis: A Patient Guide" in second  # running header


def test_seed_byline_on_page_one(seed_root):
    first = pages_text(pdf_path(seed_root, SEED_SLUG))[0]
    for part in ("Can Stem Cell Therapy Cure Multiple Sclerosis?", "By Becky Palmer",
                 "Medical professional, Stemedix Inc.", "About Stemedix Inc."):
        assert part in first
    assert "Contents" not in first  # no sections, so no table of contents


def test_contents_gives_the_page_of_each_section(long_root):
    texts = pages_text(pdf_path(long_root, LONG_SLUG))
    source = (LONG_SOURCE / f"{LONG_SLUG}.md").read_text(encoding="utf-8")
    sections = [re.sub(r"\s*\{#.*\}$", "", s) for s in re.findall(r"^## (.+)$", source, re.M)]
    contents = " ".join(texts[:3])
    assert "Contents" in contents
    checked = 0
    for title in sections:
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\b", contents.split("Contents", 1)[1])
        assert match, title
        page = int(match[1])
        assert title in texts[page - 1], (title, page)
        checked += 1
    assert checked >= 10


def test_bookmarks_follow_the_headings(long_root):
    reader = PdfReader(pdf_path(long_root, LONG_SLUG))
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    assert titles[0] == "Living with Multiple Sclerosis: A Patient Guide"
    assert "Glossary" in titles and "Types of MS" in titles
    assert "Contents" not in titles


def _notes_document(root: Path, filler_repeats: int) -> list[str]:
    filler = " ".join(["Plain words fill this paragraph to push later text onward."]
                      * filler_repeats)
    words = ("zebra", "quokka", "narwhal")
    body = "\n\n".join(
        [f"{filler}\n\nThe {word} sentence cites a note.[^{word}]\n\n{filler}\n\n{filler}"
         for word in words]
        + [f"[^{word}]: A note about the {word} only." for word in words])
    write_source(root, "notes", article(body=body))
    publish_ok(root)
    return pages_text(pdf_path(root, "notes"))


def _note_pages(texts: list[str], word: str) -> tuple[list[int], list[int]]:
    cited = [i for i, t in enumerate(texts) if f"The {word} sentence" in t]
    noted = [i for i, t in enumerate(texts) if f"A note about the {word} only." in t]
    return cited, noted


def test_footnotes_print_at_the_foot_of_their_pages_not_at_the_end(tmp_path):
    """Each note is printed once, on its call's page or (WeasyPrint 70 bug, see below)
    the next one, never before its call and never collected at the end."""
    texts = _notes_document(make_project(tmp_path / "project", seed=False), 10)
    for word in ("zebra", "quokka", "narwhal"):
        cited, noted = _note_pages(texts, word)
        assert len(cited) == 1 and len(noted) == 1, (word, cited, noted)
        assert noted[0] in (cited[0], cited[0] + 1), (word, cited, noted)
    assert len({i for i, t in enumerate(texts) if "A note about" in t}) >= 2


@pytest.mark.xfail(strict=True, reason=(
    "WeasyPrint 70 bug: when a later paragraph cannot be broken (orphans) even after "
    "moving this page's footnotes to the next page, layout/block.py leaves them moved"))
def test_footnote_stays_with_its_call_when_the_next_paragraph_cannot_break(tmp_path):
    texts = _notes_document(make_project(tmp_path / "project", seed=False), 12)
    for word in ("zebra", "quokka", "narwhal"):
        assert _note_pages(texts, word)[1] == _note_pages(texts, word)[0], word


def test_long_document_footnotes_are_on_their_citing_pages(long_root):
    texts = pages_text(pdf_path(long_root, LONG_SLUG))
    source = (LONG_SOURCE / f"{LONG_SLUG}.md").read_text(encoding="utf-8")
    notes = dict(re.findall(r"^\[\^([\w-]+)\]: (.+)$", source, re.M))
    checked = 0
    for note_id, note in notes.items():
        line = next(l for l in source.splitlines() if f"[^{note_id}]" in l and
                    not l.startswith(f"[^{note_id}]:"))
        before = re.sub(r"[*_`]|\[\^[\w-]+\]|\[([^\]]*)\]\([^)]*\)", r"\1",
                        line.split(f"[^{note_id}]")[0]).strip()
        cited = [i for i, t in enumerate(texts) if before[-25:] in t.replace('"', "")]
        start = re.sub(r"[*_<>]", "", note)[:45].replace('"', "")
        before = before.replace('"', "")
        noted = [i for i, t in enumerate(texts) if start in t.replace('"', "")]
        assert cited and noted, (note_id, before[-25:], start)
        assert set(noted) & set(cited), (note_id, cited, noted)
        checked += 1
    assert checked == len(notes) >= 8


# --- Reproducible ---------------------------------------------------------------------


def test_rebuilds_are_byte_identical(tmp_path):
    root = long_project(tmp_path / "project")
    publish_ok(root)
    first = {p.name: p.read_bytes() for p in (root / "dist" / LONG_SLUG).glob("*.pdf")}
    again = publish_ok(root, force=True)  # really render again, not "up to date"
    assert {r.status for r in again.results} == {"built"}
    second = {p.name: p.read_bytes() for p in (root / "dist" / LONG_SLUG).glob("*.pdf")}
    assert sorted(first) == [f"{LONG_SLUG}-press.pdf", f"{LONG_SLUG}.pdf"]
    assert first == second


def test_press_pdf_document_id_is_stable(long_root):
    xmp = PdfReader(pdf_path(long_root, LONG_SLUG, press=True)).trailer["/Root"]["/Metadata"]
    text = xmp.get_object().get_data().decode()
    [document_id] = re.findall(r"xmp\.did:([0-9a-f-]{36})", text)
    import uuid
    assert document_id == str(uuid.uuid5(uuid.NAMESPACE_URL,
                                          "https://www.example-clinic.org/guides/" + LONG_SLUG))


def test_press_pdf_only_when_asked(tmp_path):
    root = make_project(tmp_path / "project")
    outcome = run_publish(root, ("pdf",))
    assert outcome.ok
    assert not pdf_path(root, SEED_SLUG, press=True).exists()
    site = root / "source" / "site.yml"
    site.write_text(site.read_text().replace("  paper: letter", "  paper: letter\n  press: true"))
    assert run_publish(root, ("pdf",)).ok
    assert pdf_path(root, SEED_SLUG, press=True).exists()


# --- Proofs ---------------------------------------------------------------------------


def test_proofs_are_one_png_per_page(seed_root, tmp_path):
    pdf = pdf_path(seed_root, SEED_SLUG)
    proof_dir = tmp_path / "proof"
    (proof_dir).mkdir()
    (proof_dir / f"{SEED_SLUG}-9.png").write_bytes(b"stale")
    pages = write_proofs(pdf, proof_dir, dpi=50)
    assert [p.name for p in pages] == [f"{SEED_SLUG}-{n}.png"
                                       for n in range(1, len(PdfReader(pdf).pages) + 1)]
    assert not (proof_dir / f"{SEED_SLUG}-9.png").exists()
    from PIL import Image
    width, height = Image.open(pages[0]).size
    assert (width, height) == (round(8.5 * 50), round(11 * 50))
