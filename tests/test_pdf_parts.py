"""pipeline.render.pdf_parts: a big document's PDF laid out in parts and merged into one
tagged PDF holds what the single-pass PDF holds.

The document is rendered twice with the same theme: in one pass, and forced into several
parts (`part_blocks`, the renderer's part size). The theme starts every section on a new
page, as a part does, so both must paginate alike: same pages, same text on each page
(footers, contents' page numbers, footnote numbers), same outline, same links. The merged
file is then checked on its own: one structure tree covering every marked-content id of
every page exactly once, the catalogue's language and metadata, embedded fonts.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from helpers import make_project
from pipeline.build.publish import Project, gather
from pipeline.render import pdf
from pipeline.render.pdf_parts import PART_LINK, body_parts
from pipeline.render.theme import Theme

PART_BLOCKS = 12
SECTIONS = 14

SECTION = """## Living well, part {n}

Talk with your care team before you change a treatment.[^n{n}] Many people find that
rest helps them manage **fatigue**. Back to [the first section](#living-well-part-1).

### Questions for part {n}

- Keep a diary of symptoms.
- Ask your nurse about [local services](https://www.example.org/services/{n}).

| Organisation | Phone |
|---|---|
| Support group {n} | 0800 {n:03d} |

Section {n} ends here.[^m{n}]

[^n{n}]: National guidance, section {n}.
[^m{n}]: Local guidance, section {n}.

"""


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """(single-pass PDF, PDF in parts, the parts' count) of one document."""
    root = make_project(tmp_path_factory.mktemp("parts") / "project", seed=False)
    with (root / "themes" / "default" / "css" / "paged.css").open("a") as css:
        css.write("\nh2 { break-before: page; }\n")
    front = ("---\ntitle: Support & resources for people with MS\ndescription: Services.\n"
             "date: 2026-03-04\nauthors: [becky-palmer]\n---\n\n")
    (root / "source" / "big.md").write_text(
        front + "".join(SECTION.format(n=n) for n in range(1, SECTIONS + 1)), encoding="utf-8")
    [doc], _ = gather(Project(root))
    theme = Theme.load(root / "themes", "default")
    parts = body_parts(pdf.page_footnotes(pdf.print_blocks(doc, doc.body_html)), PART_BLOCKS)
    out = {}
    for name, blocks in (("single", 10**6), ("parts", PART_BLOCKS), ("again", PART_BLOCKS)):
        (root / name).mkdir()
        out[name] = pdf.render(doc, theme, root / name, part_blocks=blocks)
    return out["single"], out["parts"], out["again"], len(parts)


def _pages_text(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_the_document_is_laid_out_in_several_parts(renders):
    assert renders[3] >= 3


def test_every_page_reads_as_in_a_single_pass(renders):
    """Same page count, same text page by page: the footers' page numbers, the contents'
    page numbers and the footnotes' numbers run on across the parts."""
    single, parts = _pages_text(renders[0]), _pages_text(renders[1])
    assert len(parts) == len(single) > SECTIONS
    assert parts == single


def test_footers_number_the_pages_continuously(renders):
    pages = _pages_text(renders[1])
    for number, text in enumerate(pages[1:], start=2):  # page 1 has no footer
        assert f"Page {number} of {len(pages)}" in text


def test_contents_list_the_pages_the_headings_are_on(renders):
    pages = _pages_text(renders[1])
    contents = pages[0] + pages[1]
    for n in range(1, SECTIONS + 1):
        [number] = re.findall(rf"Living well, part {n}\b[ .]*(\d+)", contents)
        assert f"Living well, part {n}\n" in pages[int(number) - 1] + "\n"


def _outline(pdf_file: pikepdf.Pdf) -> list:
    pages = {page.objgen: index for index, page in enumerate(pdf_file.pages)}

    def items(item):
        return [(child.title, pages[child.destination[0].objgen], items(child))
                for child in item.children]

    with pdf_file.open_outline() as outline:
        return [(item.title, pages[item.destination[0].objgen], items(item))
                for item in outline.root]


def test_bookmarks_are_all_there_nested_and_on_their_pages(renders):
    with pikepdf.open(renders[0]) as single, pikepdf.open(renders[1]) as parts:
        outline = _outline(parts)
        assert outline == _outline(single)
    [(title, page, sections)] = outline
    assert title == "Support & resources for people with MS" and page == 0
    assert [section[0] for section in sections] == [
        f"Living well, part {n}" for n in range(1, SECTIONS + 1)]
    assert all(section[2] and section[2][0][0].startswith("Questions") for section in sections)


def _destinations(pdf_file: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.objgen: index for index, page in enumerate(pdf_file.pages)}
    names = pdf_file.Root.Names.Dests.Names
    return {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}


def _links(pdf_file: pikepdf.Pdf) -> list[tuple[int, str]]:
    """Every link annotation: (its page, the page its named destination is on, or its URI)."""
    destinations = _destinations(pdf_file)
    links = []
    for index, page in enumerate(pdf_file.pages):
        for annotation in page.obj.get("/Annots", []):
            if "/Dest" in annotation:
                links.append((index, destinations[str(annotation.Dest)]))
            else:
                links.append((index, str(annotation.A.URI)))
    return links


def test_every_link_resolves_as_in_a_single_pass(renders):
    """The contents' links to headings of later parts and the body's links back to the
    first section land where the single pass's do; no link is left between parts."""
    with pikepdf.open(renders[0]) as single, pikepdf.open(renders[1]) as parts:
        links = _links(parts)
        assert links == _links(single)
        assert not [link for link in links if str(link[1]).startswith(PART_LINK)]
        assert sum(1 for _, target in links if target == 1 or target == 2) >= SECTIONS
        assert set(_destinations(parts)) == set(_destinations(single))


def _marked_content_ids(page: pikepdf.Page) -> list[int]:
    return [int(operands[1].MCID)
            for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
            and "/MCID" in operands[1]]


def _structure(pdf_file: pikepdf.Pdf) -> tuple[list, dict, dict]:
    """Walk the structure tree from its one Document element: every marked content it
    claims as (page index, MCID) in order, the element owning each, the element owning
    each annotation; checking each element's parent and page on the way."""
    root = pdf_file.Root.StructTreeRoot
    [document] = list(root.K)
    assert document.S == "/Document" and document.P.objgen == root.objgen
    pages = {page.objgen: index for index, page in enumerate(pdf_file.pages)}
    in_tree: list[tuple[int, int]] = []
    owner: dict[tuple[int, int], tuple] = {}
    objects: dict[tuple, tuple] = {}

    def walk(element, parent):
        assert element.P.objgen == parent.objgen
        page = element.get("/Pg")
        assert page is None or page.objgen in pages  # /Pg is a page of this file
        kids = element.get("/K", [])
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, int):
                in_tree.append((pages[page.objgen], kid))
                owner[in_tree[-1]] = element.objgen
            elif kid.get("/Type") == "/MCR":
                in_tree.append((pages[kid.Pg.objgen], int(kid.MCID)))
                owner[in_tree[-1]] = element.objgen
            elif kid.get("/Type") == "/OBJR":
                objects[kid.Obj.objgen] = element.objgen
            else:
                walk(kid, element)

    walk(document, root)
    return in_tree, owner, objects


def test_one_structure_tree_covers_every_marked_content_once(renders):
    """Every MCID of every page is in the one tree once, as in a single pass. (WeasyPrint
    70 leaves the footnote area's spans out of its tree, single pass or not: the
    marked content outside the tree is the single pass's, exactly.)"""
    with pikepdf.open(renders[0]) as single, pikepdf.open(renders[1]) as merged:
        in_tree, owner, objects = _structure(merged)
        in_content = {(index, mcid) for index, page in enumerate(merged.pages)
                      for mcid in _marked_content_ids(page)}
        assert len(in_tree) == len(set(in_tree)) > 1000
        single_tree = _structure(single)[0]
        single_content = {(index, mcid) for index, page in enumerate(single.pages)
                          for mcid in _marked_content_ids(page)}
        assert in_tree == single_tree
        assert in_content - set(in_tree) == single_content - set(single_tree)
        assert set(in_tree) <= in_content

        root = merged.Root.StructTreeRoot
        nums = root.ParentTree.Nums
        parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        assert len(parent_tree) == len(nums) // 2
        for index, page in enumerate(merged.pages):
            assert int(page.obj.StructParents) == index
            entry = parent_tree[index]
            for mcid in {mcid for page_index, mcid in in_tree if page_index == index}:
                assert entry[mcid].objgen == owner[(index, mcid)]
        annotations = [annotation for page in merged.pages
                       for annotation in page.obj.get("/Annots", [])]
        assert annotations and len(objects) == len(annotations)
        keys = [int(annotation.StructParent) for annotation in annotations]
        assert sorted(keys) == list(range(len(merged.pages), len(merged.pages) + len(keys)))
        for annotation in annotations:
            assert (parent_tree[int(annotation.StructParent)].objgen
                    == objects[annotation.objgen])


def test_catalogue_and_metadata_are_the_single_pass_ones(renders):
    with pikepdf.open(renders[0]) as single, pikepdf.open(renders[1]) as parts:
        assert str(parts.Root.Lang) == str(single.Root.Lang) == "en-US"
        assert bool(parts.Root.MarkInfo.Marked)
        assert bool(parts.Root.ViewerPreferences.DisplayDocTitle)
        assert str(parts.docinfo.Title) == "Support & resources for people with MS"
        assert {key: str(value) for key, value in parts.docinfo.items()} == {
            key: str(value) for key, value in single.docinfo.items()}
        with parts.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert xmp.get("dc:title") == "Support & resources for people with MS"


def test_fonts_are_embedded(renders):
    rows = subprocess.run(["pdffonts", str(renders[1])], capture_output=True, text=True,
                          check=True).stdout.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+$", row) for row in rows)


def test_parts_give_the_same_bytes_each_time_and_leave_nothing_behind(renders):
    assert renders[1].read_bytes() == renders[2].read_bytes()
    assert [path.name for path in renders[1].parent.iterdir()] == ["big.pdf"]


def test_parts_are_cut_before_headings_and_never_inside_a_block():
    blocks = (["<h2 id='a'>A</h2>"] + ["<p>x</p>"] * 5 + ["<ul><li>a</li><li>b</li></ul>"]
              + ["<h2 id='b'>B</h2>", "<p><a href='#b'>to B</a> <a href='#a'>to A</a></p>"]
              + ["<table><tr><td>c</td></tr></table>"] * 14)
    parts = body_parts("".join(blocks), part_blocks=5)
    assert len(parts) == 3
    assert parts[0].html.endswith("<ul><li>a</li><li>b</li></ul>")  # at the heading, not at 5
    assert parts[1].html.startswith('<h2 id="b">')
    assert 'href="#b"' in parts[1].html and f'href="{PART_LINK}a"' in parts[1].html
    assert [part.html.count("<table>") for part in parts] == [0, 8, 6]  # no heading: at 10
    assert body_parts("".join(blocks), part_blocks=100)[0].html == "".join(blocks)
