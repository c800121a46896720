"""The text toolkit: where sentences begin and end, in any language a document is written in.

One splitter serves every stage that counts or quotes sentences: the claims check, the
readability check (its longest sentence) and the disclaimer's first sentence, which is the
footer line of every PDF page. It is pySBD (rule-based, after the Golden Rules of sentence
boundary detection), which knows abbreviations ("Dr.", "e.g.", "z. B."), decimals, initials,
ellipses and quotations, in 22 languages; other languages are split with the English rules,
which end sentences at '.', '!' and '?' as most scripts do.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pysbd
from pysbd.languages import LANGUAGE_CODES

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Span:
    """One sentence of a text: text[start:end], without the spaces around it."""

    start: int
    end: int


@functools.lru_cache(maxsize=None)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def splitter_language(lang: str) -> str:
    """The pySBD language for a language tag ("fr-CA" -> "fr"); English for the others."""
    primary = (lang or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGE_CODES else FALLBACK_LANGUAGE


def sentences(text: str, lang: str = FALLBACK_LANGUAGE) -> list[Span]:
    """The sentences of `text` (plain text, not Markdown), in order, as offsets into it.

    A line break is a space (a paragraph's lines wrap); a blank line always ends a
    sentence. Every non-space character of `text` belongs to exactly one sentence; a text
    without a sentence end is one sentence, and a blank text has none.
    """
    spans: list[Span] = []
    segmenter = _segmenter(splitter_language(lang))
    # One paragraph at a time: pySBD's time grows faster than its input's length.
    for paragraph in _PARAGRAPH.finditer(text):
        offset = paragraph.start()
        spans += [Span(offset + span.start, offset + span.end)
                  for span in _paragraph_sentences(paragraph[0].replace("\n", " "), segmenter)]
    return spans


_PARAGRAPH = re.compile(r"\S.*?(?=\n[^\S\n]*\n|\Z)", re.S)


# pySBD's Arabic and Persian rules end a sentence at a colon (and Arabic's at a comma, ،):
# "معلومات عامة: يُرجى استشارة طبيبك." is one sentence, as its English is.
_NOT_AN_END = (":", ",", "\u060c", "\u061b")  # colon, comma, Arabic comma and semicolon


def _paragraph_sentences(text: str, segmenter: pysbd.Segmenter) -> list[Span]:
    spans: list[Span] = []
    cursor = 0
    opened = None  # where a sentence that a piece ending in _NOT_AN_END left open starts
    for piece in segmenter.segment(text):
        stripped = piece.strip()
        if not stripped:
            continue
        # pySBD (without cleaning) returns the text's own characters in order; find each
        # piece from where the previous one ended, so offsets stay exact and linear.
        start = text.find(stripped, cursor)
        if start < 0:  # a piece pySBD rewrote: the rest is one sentence rather than lost
            break
        skipped = text[cursor:start]
        if skipped.strip():  # characters pySBD left out belong to the sentence they precede
            start = cursor + len(skipped) - len(skipped.lstrip())
        cursor = start + len(stripped)
        start = start if opened is None else opened
        if stripped.endswith(_NOT_AN_END):
            opened = start
            continue
        opened = None
        spans.append(Span(start, cursor))
    rest = text[cursor:]
    if rest.strip():
        begin = cursor + len(rest) - len(rest.lstrip())
        spans.append(Span(begin if opened is None else opened, cursor + len(rest.rstrip())))
    elif opened is not None:
        spans.append(Span(opened, cursor))
    return spans


def first_sentence(text: str, lang: str = FALLBACK_LANGUAGE) -> str:
    """The first sentence of `text`, its spaces and line breaks collapsed (all of it when it
    has no sentence end; "" for a blank text)."""
    text = " ".join(text.split())
    found = sentences(text, lang)
    return text[found[0].start:found[0].end] if found else ""
