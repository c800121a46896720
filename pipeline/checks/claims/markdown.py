"""The Markdown scanner the claims check used before the source map: prose blocks of a body
and their sentences, with what is not prose blanked out. The readability check still counts
sentences with it, and the claims check reads a Document made without a source map with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


# --- Diagnostic sentences ------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets in the text the sentence was found in
    end: int
    prose: str  # the sentence with what is not prose (URLs, code, markup) blanked out
    question: bool


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_SKIPPED_LINE = re.compile(  # footnote, link and abbreviation definitions; [TOC]
    r"^\s{0,3}(\[\^[^\]]+\]:|\[[^\]]+\]:\s*\S|\*\[[^\]]+\]:|\[TOC\]\s*$)")
_FOOTNOTE_DEFINITION = re.compile(r"^\s{0,3}\[\^[^\]]+\]:")
_BLOCK_START = re.compile(  # a line that starts a block of its own
    r"^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\||!!!|:\s|>\s*(#|[-*+]\s|\d+[.)]\s))")
_SINGLE_LINE = re.compile(r"^\s*(#{1,6}\s|\||!!!)")  # headings, table rows, admonition titles
_NOT_PROSE = re.compile(
    r"`[^`\n]*`"                                  # inline code
    r"|<!--.*?-->"                                # comments
    r"|</?[A-Za-z][^<>]*>"                        # HTML tags and autolinks
    r"|\]\([^)\s]*(\s+\"[^\"]*\")?\)"             # link and image destinations
    r"|\]\[[^\]]*\]"                              # reference-style link labels
    r"|\[\^[^\]]+\]"                              # footnote references
    r"|https?://\S+|www\.\S+"                     # bare URLs
    r"|\{[:#.][^}\n]*\}"                          # attribute lists
    r"|^\s*(#{1,6}|>|[-*+]|\d+[.)]|!!!\s*\w+|:)(?=\s)"  # block markers
    r"|[*~\\]|(?<!\w)_|_(?!\w)"                   # emphasis and escapes
    r"|^\s*[=\-]{3,}\s*$",                        # setext underlines
    re.S | re.M)
_TABLE_PIPE = re.compile(r"\|")
_ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "vs", "dr", "mr", "mrs", "prof", "fig", "al",
                  "approx", "cf", "no", "st"}
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*")
_NEXT_STARTS = re.compile(r"\s+([\"'\u201c\u2018(\[]*)[A-Z0-9]")
_FOOTNOTE_REFS = re.compile(r"(\[\^[^\]\s]+\])+")


def blank(match: re.Match) -> str:
    """Blank out a match, keeping its length and line breaks."""
    return re.sub(r"[^\n]", " ", match[0])


def prose_of(text: str) -> str:
    """`text` (Markdown) with everything that is not prose blanked out, same length."""
    text = _NOT_PROSE.sub(blank, text)
    return _TABLE_PIPE.sub(";", text)  # table cells are clauses


def body_blocks(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the prose blocks of a Markdown body: paragraphs, headings,
    list items, table rows, quotes. Code, footnote definitions and other definitions are
    left out; a sentence never crosses a block's end."""
    blocks: list[tuple[int, int]] = []
    start = None
    previous_end = 0
    fence = None
    in_definition = False
    offset = 0
    for line in body.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        line_end = line_start + len(line)
        if fence:
            if line.strip().startswith(fence):
                fence = None
            continue
        opened = _FENCE.match(line)
        blank_line = not line.strip()
        if in_definition and (blank_line or line.startswith(("    ", "\t"))):
            continue  # a footnote's continuation lines
        in_definition = False
        if opened or blank_line or _SKIPPED_LINE.match(line) or _BLOCK_START.match(line):
            if start is not None:
                blocks.append((start, previous_end))
                start = None
        if opened:
            fence = opened[1]
            continue
        if blank_line:
            continue
        if _SKIPPED_LINE.match(line):
            in_definition = bool(_FOOTNOTE_DEFINITION.match(line))
            continue
        if start is None:
            start = line_start
        previous_end = line_end
        if _SINGLE_LINE.match(line):
            blocks.append((start, line_end))
            start = None
    if start is not None:
        blocks.append((start, previous_end))
    return blocks


def sentences(text: str, start: int, end: int) -> list[Sentence]:
    """The sentences of the block text[start:end]; footnote references right after a
    sentence's full stop belong to it."""
    prose = prose_of(text[start:end])
    found = []
    begin = 0
    for match in _END.finditer(prose):
        stop = match.end()
        following = _NEXT_STARTS.match(prose, stop)
        if stop < len(prose.rstrip()) and not following:
            continue
        if match[0][0] == "." and len(match[0].rstrip("\"'\u201d\u2019)]")) == 1:
            word = re.search(r"([\w.]+)\.$", prose[begin:match.start() + 1])
            if word and (word[1].lower() in _ABBREVIATIONS or len(word[1]) == 1
                         or "." in word[1]):  # "Dr.", initials, "U.S."
                continue
        refs = _FOOTNOTE_REFS.match(text, start + stop)
        if refs:
            stop = refs.end() - start
        found.append(_sentence(text, prose, start, begin, stop, "?" in match[0]))
        begin = stop
    if prose[begin:].strip():
        found.append(_sentence(text, prose, start, begin, len(prose),
                               prose[begin:].rstrip().endswith("?")))
    return found


def _sentence(text: str, prose: str, offset: int, begin: int, stop: int,
              question: bool) -> Sentence:
    while begin < stop and prose[begin].isspace():
        begin += 1
    return Sentence(offset + begin, offset + stop, prose[begin:stop], question)


def footnote_definitions(body: str) -> dict[str, str]:
    """The footnotes a Markdown body defines, label: text (continuation lines included)."""
    notes: dict[str, str] = {}
    label = None
    for line in body.split("\n"):
        opened = re.match(r"^\s{0,3}\[\^([^\]]+)\]:\s*(.*)$", line)
        if opened:
            label = opened[1]
            notes[label] = opened[2]
        elif label and (not line.strip() or line.startswith(("    ", "\t"))):
            notes[label] += " " + line.strip()
        else:
            label = None
    return {name: " ".join(text.split()) for name, text in notes.items()}
