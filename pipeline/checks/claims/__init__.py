"""Claims a patient-information article must not make unsupported, from `source/claims.yml`
(the built-in rules when the project has none).

The engine (`engine.py`) reads each unit of a document, sentence by sentence and clause by
clause; the rules and every word it reads with come from claims.yml (`rules.py`), per
language. A unit is a paragraph, heading, list item, table cell, definition, admonition, or
the title, subtitle and description; footnotes are not read for claims, but decide whether
a sentence citing them names a source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...diagnostics import Diagnostic
from ...models import Document
from .engine import Claim, LikelyClaim, Unit, likely_claims, read_unit, split_sentences
from .markdown import prose_of
from .model import shipped_model
from .rules import (CLAIMS_FILE, DEFAULT_RULES, ClaimRules, Language, Rule, load_rules,
                    project_rules, rules_note)

__all__ = ["CLAIMS_FILE", "DEFAULT_RULES", "LIKELY_CLAIM_FIX", "LIKELY_CLAIM_RULE",
           "NOT_CHECKED", "Claim", "ClaimRules", "Language", "LikelyClaim", "LocatedClaim",
           "LocatedLikelyClaim", "Rule", "Unit", "claim_findings", "footnotes", "lead_in_of",
           "likely_claim_message", "load_rules", "located_claims", "located_likely_claims",
           "project_rules", "prose_of", "read_unit", "refuse_unsupported_claims",
           "rules_note", "split_sentences"]

# Blocks whose text is not the article's own prose: code, raw HTML, and the footnotes,
# which cite sources rather than make claims.
NOT_CHECKED = {"code", "html", "footnote"}
READ_KINDS = ("paragraph", "heading", "list_item", "table_cell", "term", "definition",
              "admonition", "blockquote")
FRONT_MATTER_TEXT = ("title", "subtitle", "description")  # read as well as the body


@dataclass(frozen=True)
class LocatedClaim:
    """A claim and where its first words stand in the source file (1-based; line None for a
    front-matter field whose line is not known)."""

    claim: Claim
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None  # just after the words
    # (line, column, end line, end column) of each of its words, the first included
    pieces: tuple[tuple[int | None, int | None, int | None, int | None], ...] = ()


@dataclass(frozen=True)
class LocatedLikelyClaim:
    """A sentence no rule reports that the model reads as a claim, and where it stands in
    the source file (as LocatedClaim; its one piece is the whole sentence)."""

    likely: LikelyClaim
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None


@dataclass(frozen=True)
class _Placed:
    """A unit and where its raw text starts in the file."""

    unit: Unit
    line: int | None
    column_known: bool = True


def located_claims(doc: Document, rules: ClaimRules | tuple = ()) -> list[LocatedClaim]:
    """Every claim of the document's body and front matter, in source order."""
    language = rules.language(doc.lang) if rules else None
    if language is None:
        return []
    return sorted((claim for placed, claims in _read(doc, language) for claim in claims),
                  key=lambda c: (c.line or 0, c.column or 0, c.claim.rule.id))


def claim_findings(doc: Document, rules: ClaimRules | tuple = ()) -> list[Diagnostic]:
    """Unsupported claims in the document's body, title, subtitle and description, and the
    sentences no rule reports that the language's model reads as claims; a note when the
    rules have nothing for its language."""
    if not rules:
        return []
    language = rules.language(doc.lang)
    if language is None:
        return [Diagnostic(doc.source_path, doc.front_line("lang"),
                           f"claims are not checked: {rules.file.name} has no rules for "
                           f"language '{doc.lang}'",
                           f"add a section '{doc.lang.split('-')[0].lower()}:' to "
                           f"{rules.file.name} (copy the 'en:' section and translate its words)",
                           severity="info", rule="claims-rules")]
    read = _read(doc, language)
    findings = [(claim.line or 0, claim.column or 0, _finding(doc, claim))
                for _, claims in read for claim in claims]
    findings += [(located.line or 0, located.column or 0, _likely_finding(doc, located))
                 for located in _likely(doc, language, read)]
    return [finding for *_, finding in
            sorted(findings, key=lambda f: (f[0] or 0, f[1] or 0, f[2].rule))]


def located_likely_claims(doc: Document, rules: ClaimRules | tuple = ()
                          ) -> list[LocatedLikelyClaim]:
    """The sentences of the document's body and front matter no rule reports that the
    language's model reads as claims (the `likely-claim` warnings), in source order."""
    language = rules.language(doc.lang) if rules else None
    if language is None:
        return []
    return _likely(doc, language, _read(doc, language))


def _likely(doc: Document, language: Language,
            read: list[tuple[_Placed, list[LocatedClaim]]]) -> list[LocatedLikelyClaim]:
    model = shipped_model(language.code) if language.model else None
    if model is None:
        return []
    notes = footnotes(doc)
    return [LocatedLikelyClaim(likely, *_position(placed, likely.start),
                               *_position(placed, likely.end))
            for placed, claims in read
            for likely in likely_claims(placed.unit, language, model,
                                        [c.claim for c in claims], notes)]


def _read(doc: Document, language: Language) -> list[tuple[_Placed, list[LocatedClaim]]]:
    """Each unit of the document with its rules' claims, located."""
    notes = footnotes(doc)
    read = []
    for placed in _units(doc, language):
        found = []
        for claim in read_unit(placed.unit, language, notes):
            start = _position(placed, claim.start)
            end = _position(placed, claim.end)
            pieces = tuple((*_position(placed, a), *_position(placed, b))
                           for a, b in claim.spans or ((claim.start, claim.end),))
            found.append(LocatedClaim(claim, *start, *end, pieces))
        read.append((placed, found))
    return read


LIKELY_CLAIM_RULE = "likely-claim"
LIKELY_CLAIM_FIX = ("cite a source with a footnote in this sentence ([^name]), hedge it "
                    "('may help some people'), or send the reader to their clinician; if it "
                    "is fine as it stands, ask the medical reviewer")


def likely_claim_message(likely: LikelyClaim) -> str:
    """What a `likely-claim` warning says: the words that made the sentence read as a claim."""
    words = ", ".join(f"'{word}'" for word in likely.words) or "its wording as a whole"
    return (f"reads like an unsupported claim, though no rule names it: {words} (the claims "
            f"model scores it {likely.score:.2f}): \"{likely.sentence}\"")


def _likely_finding(doc: Document, located: LocatedLikelyClaim) -> Diagnostic:
    return Diagnostic(doc.source_path, located.line, likely_claim_message(located.likely),
                      fix=LIKELY_CLAIM_FIX, severity="warning", rule=LIKELY_CLAIM_RULE,
                      column=located.column)


def _finding(doc: Document, located: LocatedClaim) -> Diagnostic:
    claim, rule = located.claim, located.claim.rule
    quoted = ", ".join(f"'{word}'" for word in claim.words)
    fix = rule.suggestion.rstrip(".")
    if rule.passes_when_cited and "[^" not in fix:
        fix += "; or, if a study supports it, cite it with a footnote in this sentence ([^name])"
    return Diagnostic(doc.source_path, located.line,
                      f'{rule.message} ({quoted}): "{claim.sentence}"', fix=fix,
                      severity=rule.severity, rule=rule.name, column=located.column)


def _position(placed: _Placed, offset: int) -> tuple[int | None, int | None]:
    raw = placed.unit.raw
    if placed.line is None:
        return None, None
    line = placed.line + raw.count("\n", 0, offset)
    column = offset - (raw.rfind("\n", 0, offset) + 1) + 1
    return line, column if placed.column_known else None


def _units(doc: Document, language: Language) -> list[_Placed]:
    """The units of the front matter and the body, a list item after a lead-in carrying it."""
    placed = []
    for field in FRONT_MATTER_TEXT:
        value, line = getattr(doc, field), doc.front_line(field)
        if value:  # read as written on its line, 'field: value' (column from the value)
            raw = f"{field}: {value}"
            placed.append(_Placed(Unit(" " * (len(field) + 2) + value, raw, field,
                                       language=doc.lang), line, "\n" not in value))
    lead_in = ""
    for block in doc.blocks:
        if block.kind not in READ_KINDS:
            continue
        prose = prose_of(block.source)
        if block.kind == "list_item":
            placed.append(_Placed(Unit(prose, block.source, block.kind, lead_in, doc.lang),
                                  block.line))
            continue
        placed.append(_Placed(Unit(prose, block.source, block.kind, language=doc.lang),
                              block.line))
        lead_in = lead_in_of(prose, doc.lang, language)
    return placed


def lead_in_of(prose: str, lang: str, language: Language) -> str:
    """The last sentence of a paragraph when it introduces a list ("Patients report:")."""
    text = prose.rstrip()
    if not text.endswith(":"):
        return ""
    spans = split_sentences(text, lang)
    last = text[spans[-1][0]:] if spans else text
    return " ".join(last.split()) if language.reading.lead_ins.search(last) else ""


def footnotes(doc: Document) -> dict[str, str]:
    """The document's footnotes, label: text (a note of several paragraphs joined)."""
    notes: dict[str, str] = {}
    for block in doc.blocks:
        if block.kind == "footnote":
            notes[block.label] = f"{notes.get(block.label, '')} {block.text}".strip()
    return notes


def refuse_unsupported_claims(source_dir: Path, documents: list[Document]
                              ) -> tuple[list[Document], list[Diagnostic]]:
    """For `invoke publish --strict`, where warnings fail as in `invoke check --strict`: the
    documents free of claim errors and warnings, and one Diagnostic for each such claim of
    the others (which are then not published)."""
    rules = project_rules(source_dir)
    kept, problems = [], []
    for doc in documents:
        failing = [f for f in claim_findings(doc, rules) if f.severity in ("error", "warning")]
        if not failing:
            kept.append(doc)
            continue
        problems += [Diagnostic(doc.source_path, f.line,
                                f"unsupported claim (column {f.column}, {f.rule}): {f.message}",
                                f.fix) for f in failing]
    return kept, problems
