"""The Markdown conformance suite: examples, GitHub's reference renderer and a comparison.

The examples live in tests/conformance/<feature>.yml (see the README there). Each is
published through the real reader (`read_document`, on a throwaway project) and rendered by
cmark-gfm (`cmarkgfm`, GitHub's own renderer); both HTML fragments are then normalised to
the same plain outline (element names, their nesting, their text and the attributes that
carry meaning) so that presentation choices of our reader do not count as differences while
lost structure does. Used by tests/test_conformance.py and benchmarks/markdown.py.
"""

from __future__ import annotations

import difflib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import cmarkgfm
import lxml.html
import yaml
from lxml import etree
from PIL import Image

from pipeline.diagnostics import InvalidInput
from pipeline.read.config import load_people, load_site
from pipeline.read.document import read_document
from pipeline.render.theme import theme_names

REPO = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = Path(__file__).resolve().parent / "conformance"
# Visible stand-ins in the data files for characters an editor would lose or hide.
VISIBLE = str.maketrans({"\u2192": "\t", "\u2423": " "})  # → is a tab, ␣ a space
DIALECTS = {"commonmark": None, "python-markdown": "python-markdown"}

# --- examples --------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    feature: str  # the data file's name: lists-nesting, tables, ...
    name: str
    markdown: str

    @property
    def id(self) -> str:
        return f"{self.feature}/{self.name}"

    @property
    def is_list(self) -> bool:
        return self.feature.startswith("lists-")


def load_examples(folder: Path = EXAMPLES_DIR) -> list[Example]:
    examples = []
    for path in sorted(folder.glob("*.yml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in entries:
            examples.append(Example(path.stem, entry["name"], entry["markdown"].translate(VISIBLE)))
    return examples


# --- the two renderers -------------------------------------------------------------------


def reference_html(markdown: str) -> str:
    """GitHub's rendering; the unsafe option keeps raw HTML, which its default drops."""
    return cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)


class Reader:
    """Publishes bodies through `read_document` in a throwaway project under `root` (the
    repository's site.yml, authors.yml and themes, plus an image the examples show)."""

    def __init__(self, root: Path):
        self.root = root
        source = root / "source"
        if not source.exists():
            shutil.copytree(REPO / "source", source)
            shutil.copytree(REPO / "themes", root / "themes")
            for path in source.glob("*.md"):
                path.unlink()
            Image.new("RGB", (40, 30), (10, 90, 110)).save(source / "images" / "pill.png")
        self.site = load_site(source)
        self.people = load_people(source)
        self.themes = theme_names(root / "themes")

    def html(self, markdown: str, dialect: str | None = None) -> str:
        """The body_html of a document with `markdown` as its body; InvalidInput when the
        reader refuses it."""
        front = ["---", "title: Conformance example",
                 "description: One Markdown example compared with GitHub's rendering.",
                 "date: 2026-03-04", "authors: [becky-palmer]"]
        if dialect:
            front.append(f"markdown: {dialect}")
        path = self.root / "source" / "example.md"
        path.write_text("\n".join([*front, "---", "", markdown]), encoding="utf-8")
        document = read_document(path, self.site, self.people, self.themes)
        return str(document.body_html)


@dataclass(frozen=True)
class Outcome:
    example: Example
    expected: str  # normalised outline of the reference rendering
    actual: str  # normalised outline of ours, or the reader's refusal

    @property
    def matches(self) -> bool:
        return self.expected == self.actual

    def diff(self, context: int = 1) -> str:
        lines = difflib.unified_diff(self.expected.splitlines(), self.actual.splitlines(),
                                     "cmark-gfm", "pressroom", lineterm="", n=context)
        return "\n".join(list(lines)[2:])


def compare(example: Example, reader: Reader, dialect: str | None = None) -> Outcome:
    expected = outline(reference_html(example.markdown))
    try:
        actual = outline(reader.html(example.markdown, dialect))
    except InvalidInput as refused:
        actual = "refused: " + "; ".join(p.message for p in refused.problems)
    return Outcome(example, expected, actual)


# --- the normaliser ---------------------------------------------------------------------

BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
# Attributes that change what a reader gets; all others (id, class, style but alignment,
# rel, lang, ARIA, data-) are presentation or decoration.
KEPT_ATTRIBUTES = ("href", "src", "alt", "title", "start", "align", "colspan", "rowspan")
ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")  # not U+00A0: a no-break space is real text
# Smart punctuation and typographic replacements, back to what a writer types.
TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                            "\u2013": "--", "\u2014": "---", "\u2026": "...",
                            "\u00ab": "<<", "\u00bb": ">>", "\u00a9": "(c)",
                            "\u00ae": "(r)", "\u2122": "(tm)", "\u00b1": "+-"})
ALIGN = re.compile(r"text-align:\s*(left|right|center)")
HEADING_ANCHOR_TEXT = {"\u00b6", "#", "\u00a7", "\U0001f517"}
TASK_GLYPHS = {"\u2610": "false", "\u2611": "true", "\u2612": "true", "\u2713": "true",
               "\u2714": "true"}


def outline(html: str) -> str:
    """A plain, indented outline of an HTML fragment: one line per block element (with the
    attributes in KEPT_ATTRIBUTES), one line per run of inline content. Typographic quotes,
    dashes, ellipses and symbols ((c), (tm)), whitespace between blocks, ids, classes,
    heading anchors, footnote back-references, <abbr> and <label> wrappers, Pygments spans
    and wrappers, <s> for <del>, and the way a task list's checkbox is written are all
    made the same; nothing else is."""
    root = lxml.html.fragment_fromstring(html or "", create_parent="div")
    _decorations_removed(root)
    lines: list[str] = []
    _outline_children(root, 0, lines)
    return "\n".join(lines)


def _decorations_removed(root) -> None:
    for comment in root.xpath("//comment() | //processing-instruction()"):
        _drop(comment)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        classes = set((element.get("class") or "").split())
        parent = element.getparent()
        if element.tag == "a" and parent is not None and parent.tag in {
                "h1", "h2", "h3", "h4", "h5", "h6"} and (
                classes & {"headerlink", "header-anchor", "anchor", "heading-anchor",
                           "permalink"}
                or (element.text or "").strip() in HEADING_ANCHOR_TEXT):
            _drop(element)
        elif element.tag == "a" and classes & {"footnote-backref", "footnote-backlink"}:
            _drop(element)
        elif element.tag in ("abbr", "label"):  # an expansion; a task box's label
            element.drop_tag()
        elif element.tag in ("s", "strike"):  # struck through, as GitHub's <del> is
            element.tag = "del"
    for pre in root.iter("pre"):
        _pygments_unwrapped(pre)
    for div in list(root.iter("div")):
        children = list(div)
        # A wrapper the renderer adds round a table or highlighted code (scrolling,
        # Pygments): a classed <div> holding that one element and no text.
        if (div is not root and div.get("class") and len(children) == 1
                and children[0].tag in {"table", "pre"} and not (div.text or "").strip()
                and not (children[0].tail or "").strip()):
            div.drop_tag()
    for element in list(root.iter("input", "span")):
        _task_box_marked(element)
    for li in root.iter("li"):
        _task_glyph_marked(li)
    for table in root.iter("table"):
        _rows_in_body(table)
    for tbody in list(root.iter("tbody")):
        if len(tbody) == 0:
            _drop(tbody)


def _drop(node) -> None:
    """Remove a node but keep its tail text."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def _rows_in_body(table) -> None:
    """Rows written straight into a <table> go into a <tbody>, as HTML parsers put them."""
    rows = [child for child in table if child.tag == "tr"]
    if not rows:
        return
    body = etree.Element("tbody")
    rows[0].addprevious(body)
    for row in rows:
        body.append(row)


def _pygments_unwrapped(pre) -> None:
    """<pre> holds one <code> with the code's text: Pygments' spans dissolved."""
    text = pre.text_content()
    for child in list(pre):
        pre.remove(child)
    pre.text = None
    code = etree.SubElement(pre, "code")
    code.text = text


def _task_box_marked(element) -> None:
    """A checkbox written as <input type=checkbox> (GitHub) or as an element with
    role=checkbox and aria-checked becomes <task-box checked=true|false>."""
    if element.tag == "input" and (element.get("type") or "").lower() == "checkbox":
        state = "true" if element.get("checked") is not None else "false"
    elif element.get("role") == "checkbox" and element.get("aria-checked") in ("true", "false"):
        state = element.get("aria-checked")
    else:
        return
    box = etree.Element("task-box", checked=state)
    box.tail = (element.tail or "").lstrip(" ")
    element.getparent().replace(element, box)


def _task_glyph_marked(li) -> None:
    """A task item written with a ballot-box glyph first (☐, ☑) becomes the same
    <task-box> as the checkbox element."""
    holder = li[0] if len(li) and li[0].tag == "p" and not (li.text or "").strip() else li
    text = holder.text or ""
    stripped = text.lstrip()
    if stripped[:1] in TASK_GLYPHS:
        box = etree.Element("task-box", checked=TASK_GLYPHS[stripped[0]])
        box.tail = stripped[1:].lstrip(" ")
        holder.text = None
        holder.insert(0, box)


def _attributes(element) -> str:
    found = {}
    for name in KEPT_ATTRIBUTES:
        value = element.get(name)
        if name == "align" and element.tag not in ("th", "td"):
            continue  # a table column's alignment is meaning; elsewhere, layout
        if name == "align" and value is None:
            match = ALIGN.search(element.get("style") or "")
            value = match[1] if match else None
        if value is None:
            continue
        if name in ("href", "src"):
            value = unquote(value)
        if name == "start":
            value = str(int(value)) if value.strip().lstrip("-").isdigit() else value
            if value == "1":
                continue
        found[name] = value.translate(TYPOGRAPHY) if name in ("title", "alt") else value
    if element.tag == "task-box":
        found["checked"] = element.get("checked")
    return "".join(f' {name}="{value}"' for name, value in found.items())


def _text(text: str) -> str:
    return (ASCII_SPACE.sub(" ", text).translate(TYPOGRAPHY)
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _is_block(node) -> bool:
    return not isinstance(node, str) and (node.tag in BLOCKS or node.tag == "br")


def _outline_children(element, depth: int, lines: list[str]) -> None:
    """Lines for the children of a block element: block children on their own lines,
    runs of text and inline elements joined on one line (a <br> ends a run)."""
    nodes: list = []
    if element.text:
        nodes.append(element.text)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        nodes.append(child)
        if child.tail:
            nodes.append(child.tail)
    run: list = []
    for node in [*nodes, None]:
        if node is not None and not _is_block(node):
            run.append(node)
            continue
        inline = "".join(_inline(part) for part in run).strip(" ")
        if inline:
            lines.append("  " * depth + inline)
        run = []
        if node is None:
            break
        if node.tag == "br":
            lines.append("  " * depth + "<br>")
        elif node.tag == "pre":
            lines.append("  " * depth + f"<pre{_attributes(node)}>")
            lines.append("  " * (depth + 1) + repr(node.text_content().rstrip("\n")))
        else:
            lines.append("  " * depth + f"<{node.tag}{_attributes(node)}>")
            _outline_children(node, depth + 1, lines)


def _inline(node) -> str:
    if isinstance(node, str):
        return _text(node)
    inner = _text(node.text or "")
    for child in node:
        if isinstance(child.tag, str):
            inner += _inline(child)
        inner += _text(child.tail or "")
    if node.tag in {"br", "img", "input", "task-box", "wbr"}:
        return f"<{node.tag}{_attributes(node)}>"
    return f"<{node.tag}{_attributes(node)}>{inner}</{node.tag}>"
