"""A big document's handout PDF, laid out in parts and merged into one tagged PDF.

WeasyPrint 70 keeps the boxes of every laid-out page until it writes the file: about
1.4 GB of memory per MB of Markdown. A body of more than two parts' worth of top-level
blocks is therefore laid out one part at a time, each part written and its boxes freed
before the next, and the parts are merged with pikepdf into one PDF/UA-1 file holding what
the single-pass file holds: one structure tree (the parts' elements in order under one
Document element, one parent tree renumbered for the merged pages and annotations), one
outline nested as WeasyPrint nests it, a named destination for every anchor, and the
front part's catalogue (language, XMP metadata with the PDF/UA identifier, mark info,
viewer preferences) and document information.

What crosses parts is handed to each part: its first page's number and the document's
page count (the footers), how many footnotes come before it (their numbers), and, in the
front part (title block and contents), the page each contents entry's heading lands on.
A link whose target lies in another part is written as a `pressroom-part:` link and made
a link to that named destination when the parts are merged. The body is laid out twice:
once to count its pages and find where its anchors land, once to write it.

Each part starts on a new page: a part boundary may leave the rest of a page empty
(parts split only before a heading, never inside a list, table or footnote, which are
inside one top-level block).
"""

from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pikepdf
from weasyprint.anchors import make_page_bookmark_tree
from weasyprint.matrix import Matrix

from ..diagnostics import PressroomError
from ..read.document import polyglot_markup

# Top-level blocks of the body per part. benchmarks/bigpage.py's page (prose, lists,
# footnotes, tables) has about 3,300 per MB of Markdown and 5 per page: a part is about
# 200 pages, 0.3 MB, whose single pass peaks near 600 MB. Parts are used from twice
# that (about 0.6 MB), where a single pass would need about 1 GB.
PART_BLOCKS = 1000
# Where a part's body goes in the page template's output (the template is given it as body).
PART_BODY = "<!--pressroom-part-body-->"
PART_LINK = "pressroom-part:"  # a link to an anchor of another part, until the merge
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_POINTS_PER_PX = 0.75  # WeasyPrint's PDF scale at zoom 1


@dataclass(frozen=True)
class BodyPart:
    """A run of the body's top-level blocks, laid out on its own."""

    html: str
    footnotes_before: int  # footnotes of the body's earlier parts (their numbers go on)


def body_parts(body_html: str, part_blocks: int = PART_BLOCKS) -> list[BodyPart]:
    """The print body cut before a heading once a part has `part_blocks` top-level blocks
    (or before any block at twice that, for a long run without headings). A body of at
    most two parts' worth of blocks stays one part: today's single pass."""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    blocks = list(root)
    if len(blocks) <= 2 * part_blocks:
        return [BodyPart(body_html, 0)]
    runs: list[list] = [[]]
    for block in blocks:
        run = runs[-1]
        if run and (len(run) >= 2 * part_blocks
                    or (len(run) >= part_blocks and block.tag in _HEADINGS)):
            runs.append(run := [])
        run.append(block)
    parts, footnotes = [], 0
    for number, run in enumerate(runs):
        holder = lxml.html.Element("div")
        holder.text = root.text if number == 0 else None
        ids = {element.get("id") for block in run for element in block.iter()
               if isinstance(element.tag, str) and element.get("id")}
        for block in run:
            for anchor in block.iter("a"):
                href = anchor.get("href") or ""
                if href.startswith("#") and unquote(href[1:]) not in ids:
                    anchor.set("href", PART_LINK + href[1:])
            holder.append(block)
        parts.append(BodyPart(polyglot_markup(holder), footnotes))
        footnotes += len(holder.find_class("page-footnote"))
    return parts


def write_in_parts(target: Path, parts: list[BodyPart], skeleton: Callable[[int, int], str],
                   lay_out: Callable[[str], object],
                   write: Callable[[object, Path], None]) -> None:
    """Lay out and write the document part by part, then merge the parts into `target`.

    `skeleton(first_page, total_pages)` is the print page with PART_BODY as its body,
    `lay_out` makes a laid-out WeasyPrint document of a page and `write` writes one."""
    files = [target.with_name(f".{target.stem}.part{number}.pdf")
             for number in range(len(parts) + 1)]
    try:
        counts, landed = _count_pages(parts, skeleton(2, 2), lay_out)
        front_pages, tries = 1, 0
        while True:  # the contents' numbers depend on the front's length: until it holds
            total = front_pages + sum(counts)
            starts = [front_pages + 1 + sum(counts[:number]) for number in range(len(parts))]
            numbers = {name: starts[number] + index for name, (number, index) in landed.items()}
            document = lay_out(front_page(skeleton(1, total), numbers))
            if len(document.pages) == front_pages:
                break
            front_pages, tries = len(document.pages), tries + 1
            if tries > 4:
                raise PressroomError(f"{target.name}: the contents do not settle on a length")
        bookmarks = _Bookmarks()
        bookmarks.add(document, 0)
        write(document, files[0])
        del document
        gc.collect()  # WeasyPrint's boxes hold cycles: free them before the next part
        for number, part in enumerate(parts):
            document = lay_out(part_page(skeleton(starts[number], total), part,
                                         last=number == len(parts) - 1))
            if len(document.pages) != counts[number]:
                raise PressroomError(f"{target.name}: part {number + 1} was laid out on "
                                     f"{counts[number]} pages, then on {len(document.pages)}")
            bookmarks.add(document, starts[number] - 1)
            write(document, files[number + 1])
            del document
            gc.collect()
        merge(files, target, bookmarks.tree)
    finally:
        for path in files:
            path.unlink(missing_ok=True)


def _count_pages(parts: list[BodyPart], skeleton: str, lay_out) -> tuple[list[int], dict]:
    """Each body part's page count, and where each anchor lands: (part, page index)."""
    counts, landed = [], {}
    for number, part in enumerate(parts):
        document = lay_out(part_page(skeleton, part, last=number == len(parts) - 1))
        counts.append(len(document.pages))
        for index, page in enumerate(document.pages):
            for name in page.anchors:
                landed.setdefault(name, (number, index))
        del document
        gc.collect()
    return counts, landed


def front_page(skeleton: str, numbers: dict[str, int]) -> str:
    """The title block and the contents, each entry with the page its heading lands on."""
    root = lxml.html.document_fromstring(skeleton)
    for closing in root.find_class("closing"):
        closing.drop_tree()
    ids = {element.get("id") for element in root.iter()
           if isinstance(element.tag, str) and element.get("id")}
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        name = unquote(href[1:])
        if href.startswith("#") and name not in ids:
            anchor.set("href", PART_LINK + href[1:])
            if name in numbers:
                anchor.set("data-page", str(numbers[name]))
    return _serialised(root)


def part_page(skeleton: str, part: BodyPart, last: bool) -> str:
    """A part of the body on its own page: no title block or contents, the closing only
    after the last part, its footnotes numbered on from the earlier parts'."""
    root = lxml.html.document_fromstring(skeleton)
    for name in ("title-block", "toc") + (() if last else ("closing",)):
        for element in root.find_class(name):
            element.drop_tree()
    _add_style(root, f".article-body {{ counter-reset: footnote {part.footnotes_before}; }}")
    return _serialised(root).replace(PART_BODY, part.html, 1)


def _add_style(root, css: str) -> None:
    style = lxml.html.Element("style")
    style.text = css
    root.find("head").append(style)


def _serialised(root) -> str:
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


class _Bookmarks:
    """The document's outline, nested as WeasyPrint nests a single pass's, gathered one
    part at a time (a bookmark's level may nest it under one of an earlier part)."""

    def __init__(self) -> None:
        self.tree: list = []
        self._skipped_levels: list[int] = []
        self._last_by_depth: list[list] = [self.tree]
        self._previous_level = 0

    def add(self, document, first_index: int) -> None:
        for index, page in enumerate(document.pages):
            matrix = Matrix(a=_POINTS_PER_PX, d=-_POINTS_PER_PX, f=page.height * _POINTS_PER_PX)
            self._previous_level = make_page_bookmark_tree(
                page, self._skipped_levels, self._last_by_depth, self._previous_level,
                first_index + index, matrix)


def merge(files: list[Path], target: Path, bookmarks: list) -> None:
    """The parts' PDFs as one: the first part's catalogue and information, every part's
    pages, structure elements, annotations and named destinations."""
    with contextlib.ExitStack() as stack:
        merged = stack.enter_context(pikepdf.open(files[0]))
        tree = merged.Root.StructTreeRoot
        page_entries: list = []  # the parent tree's value for each merged page
        annotations: list = []  # (annotation, its parent tree value)
        part_links: list = []  # (annotation, the anchor it links to in another part)
        destinations: dict[str, pikepdf.Object] = {}
        for path in files:
            source = merged if path == files[0] else stack.enter_context(pikepdf.open(path))
            _take_part(merged, source, page_entries, annotations, part_links, destinations)
        for annotation, name in part_links:
            del annotation["/A"]
            annotation.Contents = pikepdf.String(name)
            if name in destinations:  # (a link to no anchor stays inert, as in one pass)
                annotation.Dest = pikepdf.String(name)
        nums = []
        for key, entry in enumerate(page_entries):
            merged.pages[key].obj.StructParents = key
            nums += [key, entry]
        for key, (annotation, entry) in enumerate(annotations, start=len(page_entries)):
            annotation.StructParent = key
            nums += [key, entry]
        tree.ParentTree = merged.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
        if "/Names" not in merged.Root:
            merged.Root.Names = pikepdf.Dictionary()
        merged.Root.Names.Dests = pikepdf.Dictionary(Names=pikepdf.Array(
            [item for name in sorted(destinations)
             for item in (pikepdf.String(name), destinations[name])]))
        if "/Outlines" in merged.Root:
            del merged.Root["/Outlines"]
        if bookmarks:
            merged.Root.Outlines = _outlines(merged, bookmarks)
        # The parts' objects are new in the merged file: packed into object streams as
        # WeasyPrint packs its own (a quarter of the size written one by one).
        merged.save(target, deterministic_id=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _take_part(merged: pikepdf.Pdf, source: pikepdf.Pdf, page_entries: list,
               annotations: list, part_links: list, destinations: dict) -> None:
    """Append `source`'s pages (unless it is `merged` itself), structure elements,
    parent tree entries, links to other parts and named destinations to `merged`'s."""
    first_index = len(page_entries)
    root = source.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    entries = {int(nums[index]): nums[index + 1] for index in range(0, len(nums), 2)}
    document = merged.Root.StructTreeRoot.K[0]
    if source is not merged:
        with warnings.catch_warnings():  # (named destinations: merged below, all parts')
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            merged.pages.extend(source.pages)
        for element in root.K[0].K:
            element = _copied(merged, source, element)
            element.P = document
            document.K.append(element)
        for name in ("/RoleMap", "/ClassMap"):
            if name not in root:
                continue
            if name not in merged.Root.StructTreeRoot:
                merged.Root.StructTreeRoot[name] = pikepdf.Dictionary()
            mapping = merged.Root.StructTreeRoot[name]
            for key, value in root[name].items():
                if key not in mapping:
                    mapping[key] = _copied(merged, source, value)
    for index in range(len(source.pages)):
        page = merged.pages[first_index + index].obj
        page_entries.append(_copied(merged, source, entries[int(page.StructParents)]))
        for annotation in page.get("/Annots", pikepdf.Array()):
            if "/StructParent" in annotation:
                annotations.append((annotation, _copied(
                    merged, source, entries[int(annotation.StructParent)])))
            uri = str(annotation.get("/A", {}).get("/URI", ""))
            if uri.startswith(PART_LINK):
                part_links.append((annotation, unquote(uri[len(PART_LINK):])))
    if "/Names" in source.Root and "/Dests" in source.Root.Names:
        names = source.Root.Names.Dests.Names
        for index in range(0, len(names), 2):
            destinations.setdefault(str(names[index]), _copied(merged, source, names[index + 1]))


def _copied(merged: pikepdf.Pdf, source: pikepdf.Pdf, value):
    """`value` of `source` in `merged`: another part's objects copied (a page already
    copied is that copy: pikepdf remembers what it copied from each file), direct
    containers rebuilt around them."""
    if source is merged or not isinstance(value, pikepdf.Object):  # (numbers come as int)
        return value
    if value.is_indirect:
        return merged.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(merged, source, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copied(merged, source, item)
                                   for key, item in value.items()})
    return value


def _outlines(merged: pikepdf.Pdf, bookmarks: list) -> pikepdf.Object:
    """The outline dictionary of WeasyPrint's bookmark tree (as weasyprint.pdf.anchors
    writes it: open entries count their visible descendants)."""
    outlines = merged.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    items, count = _outline_items(merged, bookmarks, outlines)
    outlines.First, outlines.Last, outlines.Count = items[0], items[-1], count
    return outlines


def _outline_items(merged: pikepdf.Pdf, bookmarks: list, parent) -> tuple[list, int]:
    items, count = [], len(bookmarks)
    for label, (page_index, x, y), children, state in bookmarks:
        item = merged.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(label), Parent=parent,
            Dest=pikepdf.Array([merged.pages[page_index].obj, pikepdf.Name.XYZ, x, y, 0])))
        child_items, child_count = _outline_items(merged, children, item)
        item.Count = -child_count if state == "closed" else child_count
        if state != "closed":
            count += child_count
        if child_items:
            item.First, item.Last = child_items[0], child_items[-1]
        if items:
            item.Prev, items[-1].Next = items[-1], item
        items.append(item)
    return items, count
