"""A block's Markdown as the prose a reader reads: markup, code, URLs and footnote references
blanked out, the length kept, so that an offset in the prose is an offset in the source."""

from __future__ import annotations

import re


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


def blank(match: re.Match) -> str:
    """Blank out a match, keeping its length and line breaks."""
    return re.sub(r"[^\n]", " ", match[0])


def prose_of(text: str) -> str:
    """`text` (Markdown) with everything that is not prose blanked out, same length."""
    text = _NOT_PROSE.sub(blank, text)
    return _TABLE_PIPE.sub(";", text)  # table cells are clauses
