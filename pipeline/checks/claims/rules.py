"""Reading `claims.yml`: per language, the words sentences are read with and the rules.

Every fault in the file is reported at once, each with its line and a fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...diagnostics import SEVERITIES, Diagnostic, InvalidInput
from ...read.config import read_yaml_file
from ...read.schema import Field, YamlText, check_fields

CLAIMS_FILE = "claims.yml"
DEFAULT_RULES = Path(__file__).with_name(CLAIMS_FILE)  # shipped; `invoke new` copies it
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
LANGUAGE_FIELDS = [
    Field("reading", "mapping", required=True,
          hint="add 'reading:' with the negations, hedges... sentences are read with"),
    Field("words", "mapping"),
    Field("rules", "mapping", required=True, hint="add 'rules:' with one rule per category"),
    Field("model", "bool"),
]
READING_FIELDS = [Field(name, "list", required=True, hint=f"add '{name}: [...]'") for name in (
    "negations", "not_negations", "negations_after", "clause_breaks", "contrasts", "hedges",
    "absolutes",
    "suppositions", "claiming_questions", "referrals", "lead_ins", "citations")]
RULE_FIELDS = [
    Field("message", required=True, hint="add 'message:' saying what is wrong with the claim"),
    Field("severity", required=True, hint="add 'severity: error' (or warning, or info)"),
    Field("suggestion", required=True, hint="add 'suggestion:' with a better way to say it"),
    Field("phrases", "list"),
    Field("patterns", "list"),
    Field("slogans", "list"),
    Field("ignore", "list"),
    Field("requires", "list"),
    Field("passes_with", "list"),
    Field("passes_when_hedged", "bool"),
    Field("passes_when_cited", "bool"),
]
_WORDS_REFERENCE = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Rule:
    """One category of claim: what to look for, why it is a problem, what to say instead."""

    id: str
    message: str
    severity: str
    suggestion: str
    pattern: re.Pattern | None  # phrases and patterns, as whole words, any case
    slogan: re.Pattern | None = None  # what a whole short sentence must be
    ignore: re.Pattern | None = None  # phrases in which a match is not a claim
    requires: re.Pattern | None = None  # the sentence must also say one of these
    passes_with: re.Pattern | None = None  # the paragraph saying one of these excuses it
    passes_when_hedged: bool = True
    passes_when_cited: bool = True

    @property
    def name(self) -> str:
        """The rule's name in findings."""
        return f"claim-{self.id}"


@dataclass(frozen=True)
class Reading:
    """The words a language's sentences are read with, each list as one pattern."""

    negations: re.Pattern
    not_negations: re.Pattern
    negations_after: re.Pattern
    clause_breaks: re.Pattern
    contrasts: re.Pattern
    hedges: re.Pattern
    absolutes: re.Pattern
    suppositions: re.Pattern
    claiming_questions: re.Pattern
    referrals: re.Pattern
    lead_ins: re.Pattern
    citations: re.Pattern


@dataclass(frozen=True)
class Language:
    code: str  # "en": documents in en, en-US, en-GB... are read with it
    reading: Reading
    rules: tuple[Rule, ...]
    model: bool = True  # whether the shipped model gives its second opinion ('model: false')


@dataclass(frozen=True)
class ClaimRules:
    """Everything claims.yml says, and where it came from."""

    file: Path
    languages: tuple[Language, ...]
    built_in: bool = False  # the project has no claims.yml: the shipped rules are used

    def language(self, tag: str) -> Language | None:
        """The rules for a document in language `tag` (en-US reads `en`)."""
        code = (tag or "en").replace("_", "-").split("-")[0].lower()
        return next((language for language in self.languages if language.code == code), None)

    def __bool__(self) -> bool:
        return bool(self.languages)


# --- Patterns ---------------------------------------------------------------------------


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


def loose(pattern: str) -> str:
    """A written pattern as matched: a space matches any run of white space (a claim may
    wrap across lines), an apostrophe also the typographic one."""
    pattern = re.sub(r" (?=[?*+{])", r"\\s", pattern)  # "100 ?%": an optional space
    return pattern.replace(" ", r"\s+").replace("'", "['\u2019]")


# An accented vowel also matches the bare one: posts and messages often drop accents
# ("celulas", "sesion"), and a rule written "células" must still find them.
_BARE = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ü": "u"}


def accent_tolerant(pattern: str) -> str:
    """A pattern in which each accented vowel also matches its bare vowel, inside a
    character class too ("[áa]" stays one class)."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        bare = _BARE.get(char.lower())
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class and char == "]":
            in_class = False
        elif not in_class and char == "[":
            in_class = True
        elif bare:
            char = char + bare if in_class else f"[{char}{bare}]"
        out.append(char)
    return "".join(out)


def whole_words(alternatives: list[str]) -> re.Pattern:
    """One pattern for all, as whole words in any case and with or without accents; the
    longest first, so that the fullest wording wins where several match."""
    alternatives = sorted(alternatives, key=len, reverse=True)
    joined = "|".join(f"(?:{accent_tolerant(alternative)})" for alternative in alternatives)
    return re.compile(rf"(?<![\w])(?:{joined})(?![\w])", re.IGNORECASE)


def _compile(pattern: str, where: str, file: Path, line: int | None,
             problems: list[Diagnostic], written: str | None = None) -> str | None:
    """Check one pattern (`written` so in the file); a fault becomes a Diagnostic and None."""
    written = pattern if written is None else written
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        problems.append(Diagnostic(file, line, f"{where}: the pattern {written!r} is not a "
                                   f"valid regular expression ({error.msg})",
                                   "check its brackets and escape special characters with a "
                                   "backslash, e.g. '100 ?\\%'"))
        return None
    if compiled.search(""):
        problems.append(Diagnostic(file, line, f"{where}: the pattern {written!r} matches empty "
                                   "text, so it would match everywhere",
                                   "make every part of it required"))
        return None
    return pattern


# A backreference or conditional may refer to a group of another pattern once they are
# joined, so a list holding one is checked pattern by pattern
_GROUP_REFERENCE = re.compile(r"\\\d|\(\?\(|\(\?P=")


def _self_contained(pattern: str) -> bool:
    """Whether the pattern's groups and character classes all close inside it, so that
    joined with others as (?:a)|(?:b) it is parsed as it is alone."""
    depth, index = 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index += 1
            if pattern.startswith("^", index):
                index += 1
            if pattern.startswith("]", index):
                index += 1
            while index < len(pattern) and pattern[index] != "]":
                index += 2 if pattern[index] == "\\" else 1
            if index >= len(pattern):
                return False
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
        index += 1
    return depth == 0 and index == len(pattern)


def _compile_all(candidates: list[tuple[str, str, int | None, str]], file: Path,
                 problems: list[Diagnostic]) -> list[str | None]:
    """_compile for each (pattern, where, line, written), in one compile of them all when it
    shows every one valid; otherwise one by one, for the messages."""
    patterns = [pattern for pattern, *_ in candidates]
    if _joinable(patterns):
        try:
            joined = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
        except re.error:
            joined = None
        if joined is not None and not joined.search(""):
            return list(patterns)
    return [_compile(pattern, where, file, line, problems, written)
            for pattern, where, line, written in candidates]


def _checked_whole_words(candidates: list[tuple[str, str, int | None, str]], file: Path,
                         problems: list[Diagnostic], phrases: list[str] = ()
                         ) -> re.Pattern | None:
    """whole_words(phrases and the valid patterns of `candidates`), each pattern checked as
    _compile does. claims.yml has some 1,500 patterns: compiling each alone to check it,
    and then all of them together to match, cost a cold publish a tenth of a second, so
    the one compile that matches is the check when it shows every pattern valid."""
    patterns = [pattern for pattern, *_ in candidates]
    if _joinable(patterns):
        try:
            joined = whole_words([*phrases, *patterns])
        except re.error:
            joined = None
        if joined is not None and not joined.search(""):
            return joined
    valid = [c for c in _compile_all(candidates, file, problems) if c]
    return whole_words([*phrases, *valid]) if phrases or valid else None


def _joinable(patterns: list[str]) -> bool:
    """Whether patterns joined as alternatives parse as each alone does."""
    return bool(patterns) and all(_self_contained(p) and not _GROUP_REFERENCE.search(p)
                                  for p in patterns)


# --- Reading the file ---------------------------------------------------------------------


def load_rules(path: Path, built_in: bool = False) -> ClaimRules:
    """Read and check claims.yml; raise InvalidInput listing every problem in it."""
    parsed, problems = read_yaml_file(path)
    if parsed is None:
        raise InvalidInput(problems)
    if not isinstance(parsed.data, dict) or not parsed.data:
        raise InvalidInput([Diagnostic(
            path, 1, f"{path.name} must map language codes to their rules",
            "start with a line 'en:', then indent 'reading:', 'words:' and 'rules:' under it "
            "(copy the layout of the file `invoke new` writes)")])
    languages = []
    for code, entry in parsed.data.items():
        if not LANGUAGE.match(str(code)):
            problems.append(Diagnostic(path, parsed.line(code),
                                       f"'{code}' is not a language code",
                                       "use a two- or three-letter code such as 'en' or 'es'"))
            continue
        language = _language(parsed, str(code), entry, problems)
        if language:
            languages.append(language)
    if problems:
        raise InvalidInput(problems)
    return ClaimRules(path, tuple(languages), built_in)


def _language(parsed: YamlText, code: str, entry, problems: list[Diagnostic]
              ) -> Language | None:
    path = parsed.file
    values, found = check_fields(parsed, entry, (code,), LANGUAGE_FIELDS, f"language '{code}'",
                                 path.parent, path.parent)
    problems += found
    if found:
        return None
    reading_values, found = check_fields(parsed, values["reading"], (code, "reading"),
                                         READING_FIELDS, f"'{code}: reading'", path.parent,
                                         path.parent)
    problems += found
    words: dict[str, str] = {}
    for name, items in values.get("words", {}).items():
        line = parsed.line(code, "words", name)
        if not isinstance(items, list) or not items:
            problems.append(Diagnostic(path, line, f"'{code}: words: {name}' must be a list of "
                                       "patterns", "write a list, e.g. [first, second]"))
            continue
        compiled = _compile_all([(loose(str(item)), f"'{code}: words: {name}'",
                                  parsed.line(code, "words", name, index), str(item))
                                 for index, item in enumerate(items)], path, problems)
        words[name] = "|".join(f"(?:{c})" for c in compiled if c)
    reading = {}
    for name, items in reading_values.items():
        reading[name] = _checked_whole_words(
            [(loose(item), f"'{code}: reading: {name}'",
              parsed.line(code, "reading", name, index), item)
             for index, item in enumerate(items)], path, problems) or whole_words([])
    rules = [_rule(parsed, code, str(rule_id), entry, words, problems)
             for rule_id, entry in values["rules"].items()]
    if len(reading) != len(READING_FIELDS) or None in rules:
        return None
    return Language(code, Reading(**reading), tuple(rules), values.get("model", True))


def _rule(parsed: YamlText, code: str, rule_id: str, entry, words: dict[str, str],
          problems: list[Diagnostic]) -> Rule | None:
    path = parsed.file
    keys = (code, "rules", rule_id)
    where = f"rule '{rule_id}'"
    before = len(problems)
    if not NAME.match(rule_id):
        problems.append(Diagnostic(path, parsed.line(*keys),
                                   f"rule name '{rule_id}' is not a lowercase, hyphenated name",
                                   "name the rule like 'absolute-safety'"))
    values, found = check_fields(parsed, entry, keys, RULE_FIELDS, where, path.parent,
                                 path.parent)
    problems += found
    severity = values.get("severity")
    if severity is not None and severity not in SEVERITIES:
        problems.append(Diagnostic(path, parsed.line(*keys, "severity"),
                                   f"{where}: unknown severity '{severity}'",
                                   f"use one of: {', '.join(SEVERITIES)}"))

    def candidates(field: str) -> list[tuple[str, str, int | None, str]]:
        found = []
        for index, written in enumerate(values.get(field, ())):
            line = parsed.line(*keys, field, index)
            expanded = _expand(loose(written), words, where, path, line, problems)
            if expanded is not None:
                found.append((expanded, where, line, written))
        return found

    def patterns(field: str) -> list[str]:
        return [c for c in _compile_all(candidates(field), path, problems) if c]

    def lists(field: str) -> re.Pattern | None:
        names = values.get(field, ())
        for index, name in enumerate(names):
            if name not in words:
                problems.append(Diagnostic(path, parsed.line(*keys, field, index),
                                           f"{where}: '{field}' names '{name}', which is not "
                                           f"a list of '{code}: words'",
                                           f"add '{name}: [...]' under 'words:', or use one "
                                           f"of: {', '.join(sorted(words)) or 'none'}"))
        known = [words[name] for name in names if name in words]
        return whole_words(known) if known else None

    pattern = _checked_whole_words(candidates("patterns"), path, problems,
                                   [phrase_pattern(p) for p in values.get("phrases", ())])
    slogans = patterns("slogans")
    requires, passes_with = lists("requires"), lists("passes_with")
    if isinstance(entry, dict) and pattern is None and not slogans and not found:
        problems.append(Diagnostic(path, parsed.line(*keys),
                                   f"{where} has no phrases, patterns or slogans to look for",
                                   "add 'phrases: [word, other words]'"))
    if len(problems) > before:
        return None
    ignore = [phrase_pattern(p) for p in values.get("ignore", ())]
    return Rule(rule_id, values["message"], severity, values["suggestion"],
                pattern,
                re.compile("|".join(f"(?:{accent_tolerant(s)})" for s in slogans),
                           re.IGNORECASE)
                if slogans else None,
                whole_words(ignore) if ignore else None, requires, passes_with,
                values.get("passes_when_hedged", True), values.get("passes_when_cited", True))


def _expand(pattern: str, words: dict[str, str], where: str, file: Path, line: int | None,
            problems: list[Diagnostic]) -> str | None:
    """A pattern with each {name} replaced by the list of words of that name."""
    unknown = [name for name in _WORDS_REFERENCE.findall(pattern) if name not in words]
    if unknown:
        problems.append(Diagnostic(file, line, f"{where}: the pattern {pattern!r} names "
                                   f"'{{{unknown[0]}}}', which is not a list of 'words'",
                                   f"use one of: {', '.join(sorted(words)) or 'none'}, or add "
                                   f"'{unknown[0]}: [...]' under 'words:'"))
        return None
    return _WORDS_REFERENCE.sub(lambda m: f"(?:{words[m[1]]})", pattern)


def project_rules(source_dir: Path) -> ClaimRules:
    """The rules of `source/claims.yml`; the shipped rules when the project has none."""
    path = source_dir / CLAIMS_FILE
    if path.exists():
        return load_rules(path)
    return load_rules(DEFAULT_RULES, built_in=True)


def rules_note(rules: ClaimRules, source_dir: Path) -> list[Diagnostic]:
    """A note when the project is checked with the built-in rules, so that is never silent."""
    if not rules.built_in:
        return []
    return [Diagnostic(source_dir / CLAIMS_FILE, None,
                       "no claims.yml: claims are checked with Pressroom's built-in rules",
                       "to change what is checked, copy the built-in rules into your project "
                       "(`invoke new` does it) and edit source/claims.yml", severity="info",
                       rule="claims-rules")]
