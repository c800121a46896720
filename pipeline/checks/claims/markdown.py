"""Claims a patient-information article must not make unsupported, from `source/claims.yml`.

A rule names phrases (or regular expressions) such as "cure", "safe" or "FDA approved".
Every sentence of a document's body, title, subtitle and description that matches one is
reported, unless the sentence

- negates the claim before it, in the same clause ("stem cell therapy is not a cure",
  "no treatment is risk-free");
- asks or supposes it ("Can stem cells cure MS?", "ask your doctor whether it is safe");
- cites a source: a footnote reference `[^name]` in the same sentence.

Findings point at the file, line and column of the claim and quote the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..read.config import read_yaml_file
from ..diagnostics import SEVERITIES, Diagnostic, InvalidInput
from ..models import Document
from ..read.schema import Field, check_fields

CLAIMS_FILE = "claims.yml"
RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RULE_FIELDS = [
    Field("message", required=True, hint="add 'message:' saying what is wrong with the claim"),
    Field("severity", required=True, hint="add 'severity: error' (or warning, or info)"),
    Field("suggestion", required=True,
          hint="add 'suggestion:' with a better way to say it"),
    Field("phrases", "list"),
    Field("patterns", "list"),
    Field("ignore", "list"),
]
FRONT_MATTER_TEXT = ("title", "subtitle", "description")  # checked as well as the body


@dataclass(frozen=True)
class Rule:
    """One rule of claims.yml: what to look for, why it is a problem, what to say instead."""

    id: str
    message: str
    severity: str
    suggestion: str
    pattern: re.Pattern  # every phrase and pattern of the rule, as whole words, any case
    ignore: re.Pattern | None = None  # phrases in which a match is not a claim ("stay safe")

    @property
    def name(self) -> str:
        """The rule's name in findings."""
        return f"claim-{self.id}"


# --- Reading the rules --------------------------------------------------------------------


def phrase_pattern(phrase: str) -> str:
    """A phrase as a regular expression: a space matches any run of spaces, hyphens and line
    breaks, a hyphen also matches nothing ("non-invasive" finds "noninvasive"), and an
    apostrophe matches the typographic one."""
    parts = []
    for token in re.split(r"(\s+|-+)", phrase.strip()):
        if not token:
            continue
        if token.isspace():
            parts.append(r"[\s\-\u2010\u2011]+")
        elif set(token) == {"-"}:
            parts.append(r"[\s\-\u2010\u2011]*")
        else:
            parts.append(re.escape(token).replace("'", "['\u2019]"))
    return "".join(parts)


def load_rules(path: Path) -> tuple[Rule, ...]:
    """Read and check claims.yml; raise InvalidInput listing every problem in it.

    A project without the file has no rules.
    """
    if not path.exists():
        return ()
    parsed, problems = read_yaml_file(path)
    if parsed is None:
        raise InvalidInput(problems)
    if not isinstance(parsed.data, dict):
        raise InvalidInput([Diagnostic(path, 1, f"{path.name} must map rule names to rules",
                                    "start each rule with a line 'rule-name:', then indent "
                                    "its message, severity, suggestion and phrases")])
    rules = []
    for rule_id, entry in parsed.data.items():
        where = f"rule '{rule_id}'"
        if not RULE_ID.match(str(rule_id)):
            problems.append(Diagnostic(path, parsed.line(rule_id),
                                    f"rule name '{rule_id}' is not a lowercase, hyphenated name",
                                    "name the rule like 'absolute-safety'"))
        values, found = check_fields(parsed, entry, (rule_id,), RULE_FIELDS, where,
                                     path.parent, path.parent)
        problems += found
        severity = values.get("severity")
        if severity is not None and severity not in SEVERITIES:
            problems.append(Diagnostic(path, parsed.line(rule_id, "severity"),
                                    f"{where}: unknown severity '{severity}'",
                                    f"use one of: {', '.join(SEVERITIES)}"))
        alternatives = [phrase_pattern(p) for p in values.get("phrases", ())]
        for index, pattern in enumerate(values.get("patterns", ())):
            line = parsed.line(rule_id, "patterns", index)
            try:
                compiled = re.compile(pattern, re.IGNORECASE)
            except re.error as error:
                problems.append(Diagnostic(path, line, f"{where}: the pattern {pattern!r} is not a "
                                        f"valid regular expression ({error.msg})",
                                        "check its brackets and escape special characters "
                                        "with a backslash, e.g. '100 ?\\%'"))
                continue
            if compiled.search(""):
                problems.append(Diagnostic(path, line, f"{where}: the pattern {pattern!r} matches "
                                        "empty text, so it would match everywhere",
                                        "make every part of it required"))
                continue
            alternatives.append(pattern)
        if isinstance(entry, dict) and not alternatives and not found:
            problems.append(Diagnostic(path, parsed.line(rule_id),
                                    f"{where} has no phrases or patterns to look for",
                                    "add 'phrases: [word, other words]'"))
        if found or not alternatives or problems:
            continue
        ignore = [phrase_pattern(p) for p in values.get("ignore", ())]
        rules.append(Rule(str(rule_id), values["message"], severity, values["suggestion"],
                          _whole_words(alternatives), _whole_words(ignore) if ignore else None))
    if problems:
        raise InvalidInput(problems)
    return tuple(rules)


def _whole_words(alternatives: list[str]) -> re.Pattern:
    """One pattern for all; the longest first, so that "promise to cure or reverse" wins
    over "promise to cure" where both match."""
    alternatives = sorted(alternatives, key=len, reverse=True)
    joined = "|".join(f"(?:{alternative})" for alternative in alternatives)
    return re.compile(rf"(?<![\w])(?:{joined})(?![\w])", re.IGNORECASE)


def project_rules(source_dir: Path) -> tuple[Rule, ...]:
    """The rules of `source/claims.yml` (none when the project has no such file)."""
    return load_rules(source_dir / CLAIMS_FILE)


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


# --- Negation ---------------------------------------------------------------------------


_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014]|\s-\s|\b(but|however|although|though|whereas|yet|while|unlike)\b",
    re.IGNORECASE)
_FALSE_NEGATIONS = re.compile(
    r"\b(no doubt|no question|not only|not just|no wonder|no matter|no longer have to)\b",
    re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(not|no|never|cannot|nor|neither|none|nothing|nobody|\w+n['\u2019]t)\b", re.IGNORECASE)
_SUPPOSITION = re.compile(r"\b(if|whether)\b", re.IGNORECASE)
NEGATION_REACH = 8  # words before the claim that a negation may stand in


def negated(clause_before: str) -> bool:
    """Whether the words before a claim, in its clause, negate or suppose it."""
    clause = _CLAUSE_BREAK.split(clause_before)[-1] or ""
    clause = _FALSE_NEGATIONS.sub(" ", clause)
    words = re.findall(r"[\w'\u2019]+", clause)[-NEGATION_REACH:]
    near = " ".join(words)
    return bool(_NEGATION.search(near) or _SUPPOSITION.search(near))


# --- Findings ---------------------------------------------------------------------------


def claim_findings(doc: Document, rules: tuple[Rule, ...] | list[Rule]) -> list[Diagnostic]:
    """Unsupported claims in the document's body, title, subtitle and description."""
    if not rules:
        return []
    text = _source_text(doc)
    findings = []
    for start, end in _regions(doc, text):
        for sentence in sentences(text, start, end):
            findings += _sentence_findings(doc, text, sentence, rules)
    findings.sort(key=lambda f: (f.line or 0, f.column or 0, f.rule))
    return findings


def _source_text(doc: Document) -> str:
    """The source file as read (front matter and body); the body alone when the file is
    not at hand (a Document made in memory)."""
    try:
        text = doc.source_path.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
    except (OSError, UnicodeDecodeError):
        text = ""
    lines = text.split("\n")
    if doc.body_source and "\n".join(lines[doc.body_line - 1:]) == doc.body_source:
        return text
    return "\n" * (doc.body_line - 1) + doc.body_source


def _regions(doc: Document, text: str) -> list[tuple[int, int]]:
    """Blocks of prose in the file: the front matter's title, subtitle and description,
    then the body's blocks."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    regions = []
    front = lines[1:doc.body_line - 2] if doc.body_line > 2 else []
    for index, line in enumerate(front, start=1):
        key = re.match(r"^(\w+):[ \t]*([>|][-+]?[ \t]*)?", line)
        if not key or key[1] not in FRONT_MATTER_TEXT:
            continue
        stop = index + 1
        while stop <= len(front) and (not lines[stop].strip() or lines[stop][:1].isspace()):
            stop += 1
        regions.append((starts[index] + key.end(), starts[stop] - 1))
    body_start = starts[doc.body_line - 1] if doc.body_line - 1 < len(starts) else len(text)
    regions += [(body_start + s, body_start + e) for s, e in body_blocks(text[body_start:])]
    return regions


def _sentence_findings(doc: Document, text: str, sentence: Sentence,
                       rules) -> list[Diagnostic]:
    if sentence.question or _FOOTNOTE_REFS.search(text, sentence.start, sentence.end):
        return []
    findings = []
    for rule in rules:
        ignored = [m.span() for m in rule.ignore.finditer(sentence.prose)] if rule.ignore else []
        claims = [m for m in rule.pattern.finditer(sentence.prose)
                  if not negated(sentence.prose[:m.start()])
                  and not any(a <= m.start() < b for a, b in ignored)]
        if not claims:
            continue
        offset = sentence.start + claims[0].start()
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        words = []
        for claim in claims:
            word = " ".join(claim[0].split())
            if word.lower() not in (w.lower() for w in words):
                words.append(word)
        quoted = ", ".join(f"'{w}'" for w in words)
        quote = " ".join(text[sentence.start:sentence.end].split())
        fix = rule.suggestion.rstrip(".")
        if "[^" not in fix:
            fix += "; or, if a study supports it, cite it with a footnote in this sentence ([^name])"
        findings.append(Diagnostic(doc.source_path, line, f'{rule.message} ({quoted}): "{quote}"', fix=fix, severity=rule.severity, rule=rule.name, column=column))
    return findings


def refuse_unsupported_claims(source_dir: Path, documents: list[Document]
                              ) -> tuple[list[Document], list[Diagnostic]]:
    """For `invoke publish --strict`: the documents free of error-severity claims, and one
    Diagnostic for each claim of the others (which are then not published)."""
    rules = project_rules(source_dir)
    kept, problems = [], []
    for doc in documents:
        errors = [f for f in claim_findings(doc, rules) if f.severity == "error"]
        if not errors:
            kept.append(doc)
            continue
        problems += [Diagnostic(doc.source_path, f.line,
                             f"unsupported claim (column {f.column}, {f.rule}): {f.message}",
                             f.fix) for f in errors]
    return kept, problems
