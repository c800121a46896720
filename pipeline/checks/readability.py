"""How hard a document is to read: its Flesch-Kincaid grade level (textstat), against the
target in site.yml (`readability: target_grade`, grade 8 by default for patient material).

The grade is measured on the body's running text: paragraphs, list items, definitions and
quotes. Headings, tables, code, the table of contents and footnotes are left out.
"""

from __future__ import annotations

import re

import lxml.html

from ..diagnostics import Diagnostic
from .claims import NOT_CHECKED, prose_of
from ..models import Document
from ..read.text import sentences

LEFT_OUT = "//pre | //code | //table | //h1 | //h2 | //h3 | //h4 | //h5 | //h6 " \
           "| //div[@class='footnote'] | //div[@class='toc'] | //sup | //p[@class='admonition-title']"
BLOCKS = ("p", "li", "dt", "dd", "blockquote", "figcaption", "div")


def plain_text(doc: Document) -> str:
    """The running text of the body, one sentence-ending block after another."""
    root = lxml.html.fragment_fromstring(str(doc.body_html), create_parent="div")
    for element in root.xpath(LEFT_OUT):
        element.drop_tree()
    for element in root.iter(*BLOCKS):
        element.tail = "\n\n" + (element.tail or "")
    chunks = []
    for chunk in re.split(r"\n\s*\n", root.text_content()):
        chunk = " ".join(chunk.split())
        if chunk:
            chunks.append(chunk if chunk[-1] in ".!?:;\u2026\"\u201d)" else chunk + ".")
    return " ".join(chunks)


def _textstat_lang(lang: str) -> str:
    """The language to give textstat, written so that it counts syllables with Pyphen's
    hyphenation dictionaries (installed with it). For English, textstat would otherwise
    look words up in NLTK's CMU dictionary, which it downloads from the network on first
    use: "en" becomes "en-US", which Pyphen knows and textstat's dictionary lookup does not."""
    tag = lang.replace("_", "-")
    return "en-US" if tag.lower() == "en" else tag


def grade_level(doc: Document) -> float:
    """The Flesch-Kincaid grade level of the document's running text, to one decimal
    (0.0 for a document without running text)."""
    # textstat takes about a second to import: only when a grade is asked for
    from textstat.textstat import textstatistics

    text = plain_text(doc)
    if not text:
        return 0.0
    meter = textstatistics()
    meter.set_lang(_textstat_lang(doc.lang or "en"))
    return round(max(0.0, meter.flesch_kincaid_grade(text)), 1)


# Spanish: the Fernández Huerta reading ease (0-100, higher is easier; textstat). 60 and
# above is "normal" to "very easy" on its scale, what patient material should reach.
SPANISH_EASE_MINIMUM = 60.0


def language_of(doc: Document) -> str:
    return (doc.lang or "en").replace("_", "-").split("-")[0].lower()


def spanish_ease(doc: Document) -> float:
    """The Fernández Huerta reading ease of a Spanish document's running text."""
    from textstat.textstat import textstatistics

    meter = textstatistics()
    meter.set_lang("es")
    return round(meter.fernandez_huerta(plain_text(doc)), 1)


def readability_findings(doc: Document, target: float | None = None) -> list[Diagnostic]:
    """A warning when the text is harder than the target (site.yml's grade for English,
    the Fernández Huerta ease for Spanish), else one line of information with the score.
    Other languages: not available (an English formula says nothing about them)."""
    target = doc.site.target_grade if target is None else target
    language = language_of(doc)
    if language == "es" and plain_text(doc):
        ease = spanish_ease(doc)
        if ease >= SPANISH_EASE_MINIMUM:
            return [Diagnostic(doc.source_path, None, f"reading ease {ease:.1f} (Fernández "
                               f"Huerta; {SPANISH_EASE_MINIMUM:g} or above)", fix="",
                               severity="info", rule="readability")]
        return [Diagnostic(doc.source_path, None, f"reading ease {ease:.1f} (Fernández Huerta) "
                           f"is below {SPANISH_EASE_MINIMUM:g}: hard for patients",
                           fix="use shorter sentences and everyday words; explain medical "
                           "terms the first time they appear", severity="warning",
                           rule="readability")]
    if language != "en":
        return [Diagnostic(doc.source_path, None, f"reading level not available for "
                           f"'{doc.lang}': Pressroom has no readability formula for this "
                           "language, and English formulas do not apply",
                           fix="have a native speaker check that the text is plain and short",
                           severity="info", rule="readability")]
    grade = grade_level(doc)
    if grade <= target:
        return [Diagnostic(doc.source_path, None, f"reading grade level {grade:.1f} (target {target:g} or "
                        "below)", fix="", severity="info", rule="readability")]
    longest = _longest_sentence(doc)
    hint = (f"; the longest sentence, on line {longest[0]}, has {longest[1]} words"
            if longest else "")
    return [Diagnostic(doc.source_path, longest[0] if longest else None, f"reading grade level {grade:.1f} is above the target "
                    f"{target:g} (site.yml 'readability: target_grade'){hint}", fix="use shorter sentences (15 to 20 words) and everyday words; explain "
                    "medical terms the first time they appear", severity="warning", rule="readability")]


def _longest_sentence(doc: Document) -> tuple[int, int] | None:
    """(line, number of words) of the body's longest sentence (running text only)."""
    best = None
    for block in doc.blocks:
        if block.kind in NOT_CHECKED or block.kind in ("heading", "table_cell"):
            continue
        prose = prose_of(block.source)  # as long as the source: offsets stay true
        for sentence in sentences(prose, doc.lang):
            words = len(re.findall(r"[\w'\u2019-]+", prose[sentence.start:sentence.end]))
            if best is None or words > best[1]:
                best = (block.line + block.source.count("\n", 0, sentence.start), words)
    return best
