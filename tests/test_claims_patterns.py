"""claims.yml's patterns are checked one by one, as written, even though they are compiled
together (pipeline/checks/claims/rules.py: one compile checks and builds a rule's pattern
when it can show every pattern valid)."""

from __future__ import annotations

import pytest

from pipeline.checks.claims import load_rules
from pipeline.checks.claims.rules import accent_tolerant
from pipeline.diagnostics import InvalidInput

RULES = """\
en:
  reading:
    negations: [not]
    not_negations: [not only]
    negations_after: [is not]
    clause_breaks: [but]
    contrasts: [but]
    hedges: [may]
    absolutes: [always]
    suppositions: [if]
    claiming_questions: [why suffer]
    referrals: [ask your doctor]
    lead_ins: [patients report]
    citations: ['doi:']
  rules:
    cure:
      message: promises a cure
      severity: error
      suggestion: say what it may do
      patterns: [{first}, {second}]
"""


@pytest.mark.parametrize("first, second, reported", [
    # each invalid alone, though joined as (?:a)|(?:b) they would parse
    ("'cures? )(?:MS'", "heals", "cures? )(?:MS"),
    ("'cur[es'", "'heal]s'", "cur[es"),
    ("'(cure)'", "'\\1 again'", "\\1 again"),
    # valid alone, empty once joined: still one by one
    ("cures", "'x?'", "x?"),
])
def test_a_pattern_invalid_alone_is_reported_though_joined_it_would_parse(
        tmp_path, first, second, reported):
    path = tmp_path / "claims.yml"
    path.write_text(RULES.format(first=first, second=second), encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        load_rules(path)
    assert f"the pattern {reported!r}" in str(raised.value)


def test_valid_patterns_make_one_pattern_that_finds_each(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text(RULES.format(first="'cures? (ms|it)'", second="'[(]heals[)]'"),
                    encoding="utf-8")
    pattern = load_rules(path).language("en").rules[0].pattern
    assert pattern.search("It cures MS.") and pattern.search("It (heals) you.")
    assert not pattern.search("It helps.")


def test_an_accented_vowel_also_matches_the_bare_one():
    assert accent_tolerant("células") == "c[ée]lulas"
    assert accent_tolerant("[áa]nimo") == "[áaa]nimo"  # inside a class: one class still
    assert accent_tolerant("\\é") == "\\é"  # escaped: left as written
