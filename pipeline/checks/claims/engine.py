"""Reading a unit of text (a paragraph, heading, list item, table cell) sentence by sentence,
and clause by clause, for the claims of a language's rules.

A rule's words found in a sentence make a claim unless, in the same clause,

- a negation stands before them ("is not a cure") or a denial after ("has not been shown"),
  NegEx-style: an imperative such as "don't wait" negates nothing;
- they are supposed ("whether it is safe", "if it helps");
- they are hedged ("may help some people", "early studies suggest"), where the rule allows
  it and no absolute ("every patient", "always") undoes the hedge;

or the sentence is a question that asks rather than asserts ("Can stem cells cure MS?"; but
"Why suffer when our therapy can halt MS?" asserts), sends the reader to a clinician ("Ask
your neurologist how safe it is"), or cites a source where the rule allows it. A list item
after a lead-in ("After treatment, patients report:") is read with its lead-in; a short
sentence, heading or item that is only a slogan ("Repair. Renew.") is read against the
rules' slogans. The engine knows no words of its own: they all come from claims.yml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from dataclasses import dataclass

from ...read.text import sentences
from .model import ClaimModel
from .rules import Language, Rule

NEGATION_REACH = 8  # words before a claim that a negation or supposition may stand in
SLOGAN_WORDS = 6  # a sentence of at most this many words may be a slogan
# the model reads no shorter sentence (lead-in included): "Our team", "Further reading" have
# too few words to judge by, and the rules' slogans read short claims
MODEL_MIN_WORDS = 3
_STRONG_BREAK = re.compile(r"[;:()\u2013\u2014]|\s-\s")  # and the language's contrasts
# and quotation marks, Spanish ones too: « » and the opening ¿ ¡
_CLAUSE_PUNCTUATION = re.compile(r"[,;:()\u2013\u2014\u201c\u201d\"\u00ab\u00bb\u00bf\u00a1]|\s-\s")
# a short quotation in a sentence: a claim named, not made, when a supposition stands
# before it ("words like “100% safe”", "ads that promise “no risk”")
_SHORT_QUOTATION = re.compile(r"[\u201c\u00ab\"][^\u201c\u201d\u00ab\u00bb\"]{1,60}[\u201d\u00bb\"]")
_QUESTION_END = re.compile(r"\?[\s\"'\u201d\u2019)\]]*$")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
# A source named in the sentence itself: a link to it, a DOI or PMID, "Smith et al."
_INLINE_CITATION = re.compile(r"https?://|\bdoi:|\b10\.\d{4,9}/|\bpmid:?\s*\d|\bet al\b",
                              re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """A piece of text read on its own: a paragraph, a heading, a list item, a table cell,
    a title. `prose` is what a reader reads, with everything else (markup, URLs, footnote
    references) blanked out, the same length as `raw`, the text as written."""

    prose: str
    raw: str
    kind: str = "paragraph"
    lead_in: str = ""  # the prose of the lead-in paragraph a list item follows
    language: str = "en"  # the document's language tag, for the sentence splitter


@dataclass(frozen=True)
class Claim:
    """A rule's claim in a unit: where its first words stand, all its words, its sentence."""

    rule: Rule
    start: int  # offsets in the unit's text
    end: int
    words: tuple[str, ...]
    sentence: str
    spans: tuple[tuple[int, int], ...] = ()  # offsets of every match of its words


@dataclass(frozen=True)
class LikelyClaim:
    """A sentence no rule reports that the language's model reads as a claim."""

    start: int  # offsets of the sentence in the unit's text
    end: int
    score: float
    words: tuple[str, ...]  # the words that made it read as a claim
    sentence: str


@dataclass(frozen=True)
class ModelReading:
    """A sentence as the model reads it: with its lead-in before it, and what the rules'
    logic knows excuses it (a question that only asks, a referral to a clinician, a cited
    source)."""

    start: int
    end: int
    text: str  # the lead-in's words, then the sentence's
    context_length: int  # where the sentence starts in `text`
    excuses: frozenset[str]


@lru_cache(maxsize=4096)
def split_sentences(text: str, lang: str = "en") -> tuple[tuple[int, int], ...]:
    """(start, end) offsets of the sentences of `text`: the project's one splitter. Cached:
    the rules and the model read the same units, and pySBD is the check's costliest step."""
    return tuple((span.start, span.end) for span in sentences(text, lang))


def read_unit(unit: Unit, language: Language, notes: Mapping[str, str] = {}) -> list[Claim]:
    """The claims a unit makes. `notes` are the document's footnotes (label: text), which
    decide whether a footnote reference cites a source."""
    claims: list[Claim] = []
    spans = split_sentences(unit.prose, unit.language)
    for index, (start, end) in enumerate(spans):
        # a footnote reference after the full stop belongs to the sentence before it
        raw_end = spans[index + 1][0] if index + 1 < len(spans) else len(unit.raw)
        claims += _read_sentence(unit, start, end, raw_end, language, notes)
    return claims


def model_readings(unit: Unit, language: Language, notes: Mapping[str, str] = {}
                   ) -> list[ModelReading]:
    """Each sentence of a unit as the model reads it (none shorter than MODEL_MIN_WORDS)."""
    reading = language.reading
    context = unit.lead_in.rstrip(" :") + " " if unit.lead_in else ""
    spans = split_sentences(unit.prose, unit.language)
    readings = []
    for index, (start, end) in enumerate(spans):
        raw_end = spans[index + 1][0] if index + 1 < len(spans) else len(unit.raw)
        text = context + unit.prose[start:end]
        if len(re.findall(r"\w+", text)) < MODEL_MIN_WORDS:
            continue
        question = bool(_QUESTION_END.search(unit.prose[start:end]))
        excuses = {"question"} if question and not reading.claiming_questions.search(text) \
            else set()
        if reading.referrals.search(text):
            excuses.add("referral")
        if _cites_source(unit.raw[start:raw_end], notes, reading.citations):
            excuses.add("cited")
        readings.append(ModelReading(start, end, text, len(context), frozenset(excuses)))
    return readings


def likely_claims(unit: Unit, language: Language, model: ClaimModel, claims: list[Claim],
                  notes: Mapping[str, str] = {}) -> list[LikelyClaim]:
    """The sentences of a unit that the rules' `claims` leave alone but the model reads as
    claims (unless what the model was trained to trust excuses them)."""
    found = []
    for sentence in model_readings(unit, language, notes):
        if sentence.excuses & model.vetoes or any(
                sentence.start <= claim.start < sentence.end for claim in claims):
            continue
        score = model.score(sentence.text)
        if score >= model.threshold:
            found.append(LikelyClaim(sentence.start, sentence.end, score,
                                     model.explain(sentence.text, sentence.context_length),
                                     " ".join(unit.prose[sentence.start:sentence.end].split())))
    return found


def _read_sentence(unit: Unit, start: int, end: int, raw_end: int, language: Language,
                   notes: Mapping[str, str]) -> list[Claim]:
    reading = language.reading
    sentence = unit.prose[start:end]
    # a lead-in's hedges and speakers reach its items: read it as the start of the sentence
    context = unit.lead_in.rstrip(" :") + " " if unit.lead_in else ""
    text = context + sentence  # what is read; only claims in the sentence itself count
    shift = len(context)
    question = bool(_QUESTION_END.search(sentence))
    asserting_question = question and bool(reading.claiming_questions.search(text))
    if question and not asserting_question:
        return []
    masked = _mask(text, reading.not_negations)
    cited = _cites_source(unit.raw[start:raw_end], notes, reading.citations)
    referral = bool(reading.referrals.search(text))
    words_only = re.findall(r"[\w'\u2019%-]+", sentence)
    claims = []
    taken: list[tuple[int, int]] = []  # words an earlier rule claimed ("100% safe")
    for rule in language.rules:
        if (cited and rule.passes_when_cited) or (referral and rule.passes_when_referred):
            continue
        if rule.passes_with and (rule.passes_with.search(unit.prose)
                                 or rule.passes_with.search(context)):
            continue
        found = [(m.start(), m.end(), m[0])
                 for m in (rule.pattern.finditer(text) if rule.pattern else ())
                 if (m.end() > shift or rule.requires) and not _ignored(rule, text, m)
                 and not any(a <= m.start() and m.end() <= b for a, b in taken)
                 and not _excused(rule, masked, m.start(), m.end(), language,
                                  asserting_question)]
        if not found and rule.slogan and len(words_only) <= SLOGAN_WORDS:
            found = [(begin, finish, words)
                     for begin, finish, words in _slogan(rule.slogan, sentence, shift)
                     if not _excused(rule, masked, begin, finish, language,
                                     asserting_question)]
        if not found:
            continue
        # what a rule requires must be in the sentence itself, not only in its lead-in
        if rule.requires and not any(
                m.end() > shift and not _excused(rule, masked, m.start(), m.end(), language,
                                                 True)
                for m in rule.requires.finditer(text)):
            continue
        taken += [(begin, finish) for begin, finish, _ in found]
        words = tuple(dict.fromkeys(" ".join(words.split()) for _, _, words in found))
        # words found in a lead-in stand for the whole item they introduce
        spans = tuple((start + begin - shift, start + finish - shift) if begin >= shift
                      else (start, end) for begin, finish, _ in found)
        claims.append(Claim(rule, *spans[0], words, " ".join(sentence.split()), spans))
    return claims


def _slogan(slogan: re.Pattern, sentence: str, shift: int) -> list[tuple[int, int, str]]:
    """The whole short sentence as a slogan's match ("Repair. Renew. Restore."), if it is."""
    core = sentence.strip(" .!\u2026\"'\u201c\u201d\u00ab\u00bb\u00a1*")
    if not core or not slogan.fullmatch(core):
        return []
    begin = shift + sentence.index(core)
    return [(begin, begin + len(core), core)]


def _mask(text: str, pattern: re.Pattern) -> str:
    """`text` with the matches of `pattern` blanked out (same length)."""
    return pattern.sub(lambda m: " " * len(m[0]), text)


def _ignored(rule: Rule, text: str, match: re.Match) -> bool:
    return bool(rule.ignore) and any(m.start() <= match.start() < m.end()
                                     for m in rule.ignore.finditer(text))


def _excused(rule: Rule, masked: str, start: int, end: int, language: Language,
             asserting: bool) -> bool:
    """Whether the words at text[start:end] are negated, supposed or hedged in their
    clause. `masked` is the text with what only looks negative blanked out."""
    reading = language.reading
    clause_start = max([m.end() for m in _CLAUSE_PUNCTUATION.finditer(masked, 0, start)]
                       + [m.end() for m in reading.clause_breaks.finditer(masked, 0, start)]
                       + [0])
    before = masked[clause_start:start]
    near = " ".join(re.findall(r"[\w'\u2019]+", before)[-NEGATION_REACH:])
    if reading.negations.search(near):
        return True
    # a question that asserts a benefit supposes nothing ("why settle ... if you can reverse
    # them?"): its "if" is rhetorical
    if not asserting and reading.suppositions.search(near + " " + masked[start:end]):
        return True
    if not asserting and _named_in_quotation(masked, start, end, reading):
        return True
    clause_end = min([m.start() for m in _CLAUSE_PUNCTUATION.finditer(masked, end)]
                     + [m.start() for m in reading.clause_breaks.finditer(masked, end)]
                     + [len(masked)])
    if reading.negations_after.search(masked, end, clause_end):
        return True
    if asserting or not rule.passes_when_hedged:
        return False
    scope_start = max([m.end() for m in _STRONG_BREAK.finditer(masked, 0, start)]
                      + [m.end() for m in reading.contrasts.finditer(masked, 0, start)] + [0])
    scope = masked[scope_start:clause_end]
    return bool(reading.hedges.search(scope)) and not reading.absolutes.search(scope)


def _named_in_quotation(masked: str, start: int, end: int, reading) -> bool:
    """Whether the words at masked[start:end] stand in a short quotation that is named, not
    said: a supposition stands before it ("Words like “clinically proven” are warning
    signs") or a denial after it ("Calling stem cells “100% safe” is not true"). Quotation
    marks end a clause, so the words either side of the quotation are read here."""
    quotation = next((m for m in _SHORT_QUOTATION.finditer(masked)
                      if m.start() < start and end <= m.end()), None)
    if quotation is None:
        return False
    before = _CLAUSE_PUNCTUATION.sub(" ", masked[:quotation.start()])
    near = " ".join(re.findall(r"[\w'\u2019]+", before)[-NEGATION_REACH:])
    if reading.suppositions.search(near):
        return True
    clause_end = min([m.start() for m in _CLAUSE_PUNCTUATION.finditer(masked, quotation.end())]
                     + [m.start() for m in reading.clause_breaks.finditer(masked, quotation.end())]
                     + [len(masked)])
    return bool(reading.negations_after.search(masked, quotation.end(), clause_end))


def _cites_source(raw: str, notes: Mapping[str, str], citations: re.Pattern) -> bool:
    """Whether a sentence as written cites a source: a footnote whose text names one (a
    URL, DOI, PMID, journal or guideline), a link to a web page, or a citation in the text.
    A footnote that tells a story, or says nothing, does not; nor does a bare year."""
    for match in _FOOTNOTE_REFERENCE.finditer(raw):
        if citations.search(notes.get(match[1], "")):
            return True
    return bool(_INLINE_CITATION.search(_FOOTNOTE_REFERENCE.sub(" ", raw)))
