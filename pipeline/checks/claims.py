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


# Blocks whose text is not the article's own prose: code, raw HTML, and the footnotes,
# which cite sources rather than make claims.
NOT_CHECKED = {"code", "html", "footnote"}


def claim_findings(doc: Document, rules: tuple[Rule, ...] | list[Rule]) -> list[Diagnostic]:
    """Unsupported claims in the document's body, title, subtitle and description."""
    if not rules:
        return []
    findings = []
    for text, start, line in _regions(doc):
        for sentence in sentences(text, start, len(text)):
            findings += _sentence_findings(doc, text, line, sentence, rules)
    findings.sort(key=lambda f: (f.line or 0, f.column or 0, f.rule))
    return findings


def _regions(doc: Document) -> list[tuple[str, int, int]]:
    """(text, where its prose starts, its first line) of every region to check: the front
    matter's title, subtitle and description, written 'field: text', then each block of
    the body's source map, as written."""
    regions = []
    for field in FRONT_MATTER_TEXT:
        value, line = getattr(doc, field), doc.front_line(field)
        if value and line is not None:
            regions.append((f"{field}: {value}", len(field) + 2, line))
    regions += [(block.source, 0, block.line) for block in doc.blocks
                if block.kind not in NOT_CHECKED]
    return regions


def _sentence_findings(doc: Document, text: str, first_line: int, sentence: Sentence,
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
        line = first_line + text.count("\n", 0, offset)
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
