"""The text toolkit: where sentences begin and end, in any language a document is written in.

One splitter serves every stage that counts or quotes sentences: the claims check, the
readability check (its longest sentence) and the disclaimer's first sentence, which is the
footer line of every PDF page. It is pySBD (rule-based, after the Golden Rules of sentence
boundary detection), which knows abbreviations ("Dr.", "e.g.", "z. B."), decimals, initials,
ellipses and quotations, in 22 languages; other languages are split with the English rules,
which end sentences at '.', '!' and '?' as most scripts do. pySBD reads abbreviations in any
case, so "about MS. It" would stay one sentence ("Ms." is a title): a word in capitals
followed by a full stop and a capital ends a sentence here.
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
        flat = paragraph[0].replace("\n", " ")
        spans += [Span(offset + span.start, offset + span.end)
                  for span in _join_titles(flat, _paragraph_sentences(flat, segmenter))]
    return spans


# Titles before a name, which pySBD's Spanish rules end a sentence at when the title follows
# a capitalised word ("La Dra. Ruiz", "El Sr. López"); "Ms" is not one here ("about MS.").
_TITLES = {"dr", "dra", "dres", "sr", "sra", "sres", "srta", "lic", "ing", "prof", "profa",
           "mr", "mrs"}
_LAST_WORD = re.compile(r"(\w+)\.$")


def _join_titles(text: str, spans: list[Span]) -> list[Span]:
    """The spans, a span that ends in a title ("Dra.") joined to the name after it."""
    joined: list[Span] = []
    for span in spans:
        if joined and text[span.start:span.start + 1].isupper():
            title = _LAST_WORD.search(text, joined[-1].start, joined[-1].end)
            if title and title[1].lower() in _TITLES:
                joined[-1] = Span(joined[-1].start, span.end)
                continue
        joined.append(span)
    return joined


_PARAGRAPH = re.compile(r"\S.*?(?=\n[^\S\n]*\n|\Z)", re.S)
# "MS. It", "ALS. The": a word of capitals, a full stop, a capital (after an opening quote)
_CAPITALS_THEN_STOP = re.compile(r"(?<![\w.])(\w{2,})\.(?=\s+[\"'\u201c\u2018(\u00bf\u00a1]?(\w))")


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
        spans += _split_after_capitals(text, start, cursor)
    rest = text[cursor:]
    if rest.strip():
        begin = cursor + len(rest) - len(rest.lstrip())
        spans += _split_after_capitals(text, begin if opened is None else opened,
                                       cursor + len(rest.rstrip()))
    elif opened is not None:
        spans += _split_after_capitals(text, opened, cursor)
    return spans


def _split_after_capitals(text: str, start: int, end: int) -> list[Span]:
    """text[start:end] split after each word in capitals that ends a sentence ("MS.")."""
    spans = []
    for match in _CAPITALS_THEN_STOP.finditer(text, start, end):
        word, next_letter = match[1], match[2]
        if word.isalpha() and word.isupper() and next_letter.isupper():
            spans.append(Span(start, match.end()))
            start = match.end() + len(text[match.end():end]) - len(text[match.end():end].lstrip())
    return spans + [Span(start, end)]


def first_sentence(text: str, lang: str = FALLBACK_LANGUAGE) -> str:
    """The first sentence of `text`, its spaces and line breaks collapsed (all of it when it
    has no sentence end; "" for a blank text)."""
    text = " ".join(text.split())
    found = sentences(text, lang)
    return text[found[0].start:found[0].end] if found else ""
