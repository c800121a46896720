"""The `python-markdown` dialect, for sources written for MkDocs or Python-Markdown
(`markdown: python-markdown` in site.yml's defaults or a document's front matter).

Python-Markdown gives no source positions, so this module finds them, once, after the
conversion: it walks the HTML's blocks in order with a cursor over the source lines,
each block found on the first line at or after the previous block's that holds its first
words. The result is the same ParsedBody the default dialect gives.
"""

from __future__ import annotations

import re

import lxml.html
import markdown
from lxml import etree

from ..models import Block, SourceLink, TocEntry
from .typography import quotes_for
from .markdown import BACKLINK, SOURCE_LINE, ParsedBody, RawHtml, slugify

EXTENSIONS = [
    "tables", "footnotes", "attr_list", "def_list", "abbr", "toc", "smarty",
    "admonition", "fenced_code", "codehilite", "sane_lists",
]
CONFIG = {
    # Footnote ids with ':' need escaping in CSS selectors and target-counter().
    # Numbered in the order they are cited, as the PDF's page footnotes are.
    "footnotes": {"SEPARATOR": "-", "BACKLINK_TITLE": "Back to reference %d",
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
_WORD = re.compile(r"[^\W_]{2,}")


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
    marked = "".join(etree.tostring(child, encoding="unicode", method="html")
                     for child in root)
    marked = (root.text or "") + marked
    return ParsedBody(html=marked, markup_html=marked,
                      toc=tuple(_toc_entry(token) for token in converter.toc_tokens),
                      blocks=tuple(blocks), links=tuple(links), raw_html=raw_html)


def _toc_entry(token: dict) -> TocEntry:
    return TocEntry(level=token["level"], id=token["id"], title=token["name"],
                    children=tuple(_toc_entry(child) for child in token["children"]))


class _LineFinder:
    """Lines of the HTML's blocks, found in order with one cursor over the source."""

    def __init__(self, lines: list[str], body_line: int):
        self.lines = lines
        self.body_line = body_line
        self.cursor = 0

    def find(self, text: str) -> int:
        """The index of the first line at or after the cursor holding `text`'s first
        words (the cursor when none does); the cursor moves there."""
        words = _WORD.findall(text)
        for probe in (words[:3], words[:1]):  # a wrapped line may hold only the first
            for index in range(self.cursor, len(self.lines) if probe else 0):
                if all(word in self.lines[index] for word in probe):
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
                index = self.find(own)
                element.set(SOURCE_LINE, str(self.body_line + index))
                if element.tag in KINDS and not (element.tag == "li" and (
                        element.find("p") is not None or _ancestor(element, "div") is not None
                        and "footnote" in (_ancestor(element, "div").get("class") or ""))):
                    starts.append((index, element))
            if element.tag in ("a", "img"):
                target = element.get("href" if element.tag == "a" else "src") or ""
                index = self._line_of_target(target)
                column = self.lines[index].find(target) + 1 if target else 0
                text = element.get("alt", "") if element.tag == "img" else \
                    element.text_content()
                links.append(SourceLink("image" if element.tag == "img" else "link", target,
                                        text, self.body_line + index, max(column, 1)))
        for number, (index, element) in enumerate(starts):
            following = [i for i, _ in starts[number + 1:] if i > index]
            end = (following[0] - 1) if following else index
            while end > index and not self.lines[end].strip():
                end -= 1
            kind = KINDS[element.tag]
            note = _ancestor(element, "div")
            if kind == "paragraph" and note is not None and \
                    "footnote" in (note.get("class") or ""):
                kind = "footnote"
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
        for index in range(self.cursor, len(self.lines)):
            if target and target in self.lines[index]:
                return index
        return self.cursor

    def raw_html(self, block: str) -> RawHtml:
        first = block.strip().split("\n")[0]
        index = next((i for i in range(len(self.lines)) if first in self.lines[i]), 0)
        return RawHtml(block, self.body_line + index,
                       self.lines[index].find(first) + 1 if first in self.lines[index] else 1,
                       True, self.body_line + index + block.strip().count("\n"))


def _ancestor(element, tag: str):
    return next((a for a in element.iterancestors() if a.tag == tag), None)


def _inside(element, *tags: str) -> str:
    parent = element.getparent()
    return parent.tag if parent is not None and parent.tag in tags else ""
