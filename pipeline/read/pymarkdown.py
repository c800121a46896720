"""The `python-markdown` dialect, for sources written for MkDocs or Python-Markdown
(`markdown: python-markdown` in site.yml's defaults or a document's front matter).

Python-Markdown gives no source positions, so this module finds them, once, after the
conversion: it walks the HTML's blocks in order with a cursor over the source lines,
each block found on the first line at or after the previous block's that holds its first
words. The result is the same ParsedBody the default dialect gives.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape as unescape_html

import lxml.html
import markdown
from lxml import etree

from ..models import Block, SourceLink, TocEntry
from .typography import quotes_for
from .markdown import BACKLINK, SOURCE_LINE, ParsedBody, RawHtml, slugify

EXTENSIONS = [
    "tables", "footnotes", "attr_list", "def_list", "abbr", "toc", "smarty",
    "admonition", "fenced_code", "codehilite", "sane_lists", "md_in_html",
]
CONFIG = {
    # Footnote ids with ':' need escaping in CSS selectors and target-counter().
    # Numbered in the order they are cited, as the PDF's page footnotes are.
    "footnotes": {"SEPARATOR": "-", "BACKLINK_TITLE": "",  # given by the renderers, translated
                  "BACKLINK_TEXT": BACKLINK, "USE_DEFINITION_ORDER": False},
    "toc": {"toc_depth": "2-4", "slugify": lambda text, separator: slugify(text)},
    # Characters rather than named entities, which XHTML (the EPUB) does not know.
    "smarty": {"substitutions": {
        "left-single-quote": "\u2018", "right-single-quote": "\u2019",
        "left-double-quote": "\u201c", "right-double-quote": "\u201d",
        "left-angle-quote": "\u00ab", "right-angle-quote": "\u00bb",
        "ellipsis": "\u2026", "ndash": "\u2013", "mdash": "\u2014",
    }},
    "codehilite": {"css_class": "highlight", "guess_lang": False},
}
KINDS = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading",
         "h5": "heading", "h6": "heading", "p": "paragraph", "li": "list_item",
         "td": "table_cell", "th": "table_cell", "dt": "term", "dd": "definition",
         "pre": "code"}


def _words(text: str) -> list[str]:
    """The words of `text` of two characters or more: runs of letters, marks and digits.
    Marks count (a regular expression's \\w stops at them), or a word of an Indic script
    falls apart into fragments that match any line."""
    runs = "".join(char if unicodedata.category(char)[0] in "LMN" else " " for char in text)
    return [word for word in runs.split() if len(word) >= 2]


def parse_body(body: str, body_line: int, lang: str = "en") -> ParsedBody:
    """Read the Markdown `body` (whose first line is line `body_line` of its file) as
    Python-Markdown does, with the quotation marks of `lang`."""
    double_open, double_close, single_open, single_close = quotes_for(lang)
    substitutions = {**CONFIG["smarty"]["substitutions"],
                     "left-double-quote": double_open, "right-double-quote": double_close,
                     "left-single-quote": single_open, "right-single-quote": single_close}
    converter = markdown.Markdown(extensions=EXTENSIONS,
                                  extension_configs={**CONFIG,
                                                     "smarty": {"substitutions": substitutions}},
                                  output_format="xhtml")
    html = converter.convert(body)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    finder = _LineFinder(body.split("\n"), body_line)
    blocks, links = finder.walk(root)
    raw_html = tuple(finder.raw_html(block) for block in converter.htmlStash.rawHtmlBlocks
                     if isinstance(block, str) and "\n" in block.strip())
    raw_html += _markdown_element_tags(body.split("\n"), body_line)
    marked = "".join(etree.tostring(child, encoding="unicode", method="html")
                     for child in root)
    marked = (root.text or "") + marked
    return ParsedBody(html=marked, markup_html=marked,
                      toc=tuple(_toc_entry(token) for token in converter.toc_tokens),
                      blocks=tuple(blocks), links=tuple(links), raw_html=raw_html)


# A start tag alone on its line whose content md_in_html reads as Markdown, and end tags.
_MARKDOWN_START = re.compile(r"""^\s*<([A-Za-z][\w-]*)\b[^<>]*\bmarkdown=(["']?)(?:1|block|span)\2[^<>]*>\s*$""")
_END_TAG = re.compile(r"^\s*</([A-Za-z][\w-]*)\s*>\s*$")


def _markdown_element_tags(lines: list[str], body_line: int) -> tuple[RawHtml, ...]:
    """The start and end tags of elements marked markdown="1": md_in_html reads them
    itself, so they are not among the stashed raw HTML; as pieces of raw HTML, an element
    never closed is reported like any other (a translator translated '</details>')."""
    pieces, open_names, fenced = [], [], False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        start, end = _MARKDOWN_START.match(line), _END_TAG.match(line)
        if start:
            open_names.append(start[1].lower())
        elif end and end[1].lower() in open_names:
            open_names.remove(end[1].lower())
        else:
            continue
        pieces.append(RawHtml(line.strip(), body_line + index,
                              len(line) - len(line.lstrip()) + 1, True, body_line + index))
    return tuple(pieces)


def _toc_entry(token: dict) -> TocEntry:
    # The toc extension gives the heading's text as HTML ('&amp;'); the models hold text,
    # which each output escapes once.
    return TocEntry(level=token["level"], id=token["id"], title=unescape_html(token["name"]),
                    children=tuple(_toc_entry(child) for child in token["children"]))


class _LineFinder:
    """Lines of the HTML's blocks, found in order with one cursor over the source."""

    def __init__(self, lines: list[str], body_line: int):
        self.lines = lines
        self.body_line = body_line
        self.cursor = 0
        self.block = 0  # the first line of the block being walked

    def find(self, text: str) -> int:
        """The index of the first line at or after the cursor holding `text`'s first
        words (the cursor when none does); the cursor moves there."""
        words = _words(text)
        for probe in (words[:3], words[:1]):  # a wrapped line may hold only the first
            for index in range(self.cursor, len(self.lines) if probe else 0):
                if all(word in self.lines[index] for word in probe):
                    self.cursor = index
                    return index
        return self.cursor

    def definition(self, label: str) -> int:
        """The line of the footnote definition `[^label]:` (Python-Markdown moves the
        notes to the end; their definitions may stand anywhere)."""
        for index, line in enumerate(self.lines):
            if line.lstrip().startswith(f"[^{label}]:"):
                self.cursor = index
                return index
        return self.cursor

    def walk(self, root) -> tuple[list[Block], list[SourceLink]]:
        blocks, links = [], []
        starts: list[tuple[int, object]] = []
        for element in root.iter():
            if not isinstance(element.tag, str) or element is root:
                continue
            if element.tag in ("div", "blockquote", "ul", "ol", "dl", "table", "tr",
                               *KINDS):
                own = element.text_content() if element.tag != "pre" else \
                    element.text_content().split("\n", 1)[0]
                if not own.strip():  # an image alone: found by its file name
                    own = " ".join(img.get("src", "") for img in element.iter("img"))
                note = element.get("id", "")[3:] if element.tag == "li" and \
                    element.get("id", "").startswith("fn-") else ""
                index = self.definition(note) if note else self.find(own)
                if element.tag == "pre" and index and \
                        self.lines[index - 1].lstrip().startswith(("```", "~~~")):
                    index -= 1  # a fenced block starts at its fence, as in the default dialect
                element.set(SOURCE_LINE, str(self.body_line + index))
                leaf = element.tag in KINDS and not (
                    element.tag == "li" and (element.find("p") is not None or note))
                if leaf:
                    starts.append((index, element))
                    self.block = index
                if leaf and element.tag not in ("td", "th"):
                    # the next block starts below this one's first line (below a code
                    # block's last); cells of a table row share their line
                    lines = element.text_content().count("\n") if element.tag == "pre" else 0
                    self.cursor = min(index + 1 + lines, len(self.lines) - 1)
            if element.tag in ("a", "img") and not _generated(element):
                target = element.get("href" if element.tag == "a" else "src") or ""
                index = self._line_of_target(target)
                column = _column(self.lines[index], target, element.tag == "img")
                text = element.get("alt", "") if element.tag == "img" else \
                    element.text_content()
                links.append(SourceLink("image" if element.tag == "img" else "link", target,
                                        text, self.body_line + index, max(column, 1)))
        for number, (index, element) in enumerate(starts):
            following = [i for i, _ in starts[number + 1:] if i > index]
            end = (following[0] - 1) if following else len(self.lines) - 1
            if element.tag == "pre":  # its lines and the closing fence
                end = min(end, index + element.text_content().count("\n") + 1)
            elif element.tag in ("td", "th") or element.tag[0] == "h":
                end = index  # one row, one line
            else:  # a paragraph ends at the first blank line (in a quote: '>' alone)
                end = next((i - 1 for i in range(index + 1, end + 1)
                            if not self.lines[i].strip(" \t>")), end)
            while end > index and not self.lines[end].strip(" \t>"):
                end -= 1
            kind = KINDS[element.tag]
            note = _ancestor(element, "div")
            if kind == "paragraph" and note is not None and \
                    "footnote" in (note.get("class") or ""):
                kind = "footnote"
            elif kind == "paragraph" and note is not None and \
                    "admonition" in (note.get("class") or ""):
                kind = "admonition"
            elif kind == "paragraph" and _inside(element, "li", "dd", "blockquote"):
                kind = {"li": "list_item", "dd": "definition",
                        "blockquote": "blockquote"}[_inside(element, "li", "dd", "blockquote")]
            text = "" if kind == "code" else " ".join(element.text_content().split())
            level = int(element.tag[1]) if kind == "heading" else 0
            blocks.append(Block(kind, self.body_line + index, self.body_line + end,
                                "\n".join(self.lines[index:end + 1]), text, level,
                                element.get("id", "") if kind == "heading" else ""))
        return blocks, links

    def _line_of_target(self, target: str) -> int:
        """The first line from the current block's that holds a link's target."""
        for index in range(self.block, len(self.lines)):
            if target and target in self.lines[index]:
                return index
        return self.block

    def raw_html(self, block: str) -> RawHtml:
        first = block.strip().split("\n")[0]
        index = next((i for i in range(len(self.lines)) if first in self.lines[i]), 0)
        return RawHtml(block, self.body_line + index,
                       self.lines[index].find(first) + 1 if first in self.lines[index] else 1,
                       True, self.body_line + index + block.strip().count("\n"))


def _column(line: str, target: str, image: bool) -> int:
    """Where a link or image whose target is on `line` starts: its '[' (or '![', or the
    '<' of an autolink), else the target itself."""
    found = line.find(target) if target else -1
    if found >= 1 and line[found - 1] == "<":
        return found
    if found >= 2 and line[found - 2:found] == "](":
        return line.rfind("![" if image else "[", 0, found) + 1
    return max(found, 0) + 1


def _generated(element) -> bool:
    """A link the extensions wrote: footnote calls and back links, the [TOC]'s entries."""
    return ((element.get("class") or "") in ("footnote-ref", "footnote-backref")
            or any(a.tag == "div" and a.get("class") == "toc" for a in element.iterancestors()))


def _ancestor(element, tag: str):
    return next((a for a in element.iterancestors() if a.tag == tag), None)


def _inside(element, *tags: str) -> str:
    parent = element.getparent()
    return parent.tag if parent is not None and parent.tag in tags else ""
