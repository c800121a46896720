"""What reading a Markdown body gives, whichever dialect read it (read/commonmark.py, the
default, or read/pymarkdown.py): the HTML, the table of contents and the source map.

Both dialects give the same block kinds and the same HTML conventions (Python-Markdown's
footnote, admonition, table-of-contents and code-highlighting markup), so nothing after the
parse knows which one ran.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markupsafe import escape

from ..models import Block, SourceLink, TocEntry

DIALECTS = ("commonmark", "python-markdown")  # the first is the default
# Every block element the parser writes carries the line it starts on, so that a problem
# found in the HTML (nesting, a refused attribute) is reported on its line; the attribute
# is removed before the HTML goes anywhere.
SOURCE_LINE = "data-source-line"
TOC_LEVELS = (2, 4)  # the table of contents lists h2 to h4 (the title is the h1)
BACKLINK = "\u21a9"  # ↩, as a character: the EPUB is XHTML, which has no named entities


@dataclass(frozen=True)
class RawHtml:
    """One piece of raw HTML typed in the body, where it stands."""

    html: str
    line: int
    column: int  # 1-based
    block: bool  # an HTML block (else a tag inside a paragraph)
    end_line: int  # last line of the block
    to_the_end: bool = False  # an HTML block that runs to the end of the body, unclosed


@dataclass(frozen=True)
class ParsedBody:
    html: str  # the body as HTML, raw HTML included, block elements with SOURCE_LINE
    markup_html: str  # the same without the raw HTML: only what Markdown syntax wrote
    toc: tuple[TocEntry, ...]
    blocks: tuple[Block, ...]
    links: tuple[SourceLink, ...]
    raw_html: tuple[RawHtml, ...]


def slugify(text: str) -> str:
    """A heading's id: its words in lower case joined by hyphens (letters of every script
    kept, so a heading in Greek or Chinese gets an id too)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text) or "section"


def footnote_id(label: str) -> str:
    """A footnote label as part of an id: no character that CSS selectors or
    target-counter() would need escaped."""
    return re.sub(r"[^\w-]", "-", label)


def nest_toc(headings: list[tuple[int, str, str]]) -> tuple[TocEntry, ...]:
    """(level, id, title) of each heading, in order, as the nested table of contents."""
    low, high = TOC_LEVELS
    root: list = []
    stack: list[tuple[int, list]] = [(low - 1, root)]
    for level, ident, title in headings:
        if not low <= level <= high:
            continue
        while stack[-1][0] >= level:
            stack.pop()
        children: list = []
        stack[-1][1].append((level, ident, title, children))
        stack.append((level, children))

    def freeze(entries: list) -> tuple[TocEntry, ...]:
        return tuple(TocEntry(level, ident, title, freeze(children))
                     for level, ident, title, children in entries)
    return freeze(root)


def toc_html(toc: tuple[TocEntry, ...]) -> str:
    """The table of contents a `[TOC]` paragraph becomes (Python-Markdown's markup)."""
    def items(entries: tuple[TocEntry, ...]) -> str:
        return "<ul>\n" + "".join(
            f'<li><a href="#{escape(e.id)}">{escape(e.title)}</a>'
            + (items(e.children) if e.children else "") + "</li>\n"
            for e in entries) + "</ul>\n"
    return '<div class="toc">\n' + (items(toc) if toc else "") + "</div>\n"
