"""claims.yml's patterns: checked one by one, as written, even though they are compiled
together (pipeline/checks/claims/rules.py: one compile checks and builds a rule's pattern
when it can show every pattern valid); accents optional; and the false alarms and slips
the last blind measurement noticed."""

from __future__ import annotations

import pytest

from pipeline.checks.claims import DEFAULT_RULES, Unit, load_rules, read_unit
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


@pytest.mark.parametrize("lang, sentence, found", [
    # waiting is the risk only when it keeps a reader from their own clinician
    ("en", "Don't wait: talk to your neurologist if your symptoms change suddenly.", []),
    ("en", "Don't wait: call us today.", ["urgency"]),
    ("es", "No espere: hable con su neurólogo si sus síntomas cambian de repente.", []),
    ("es", "No espere: llame hoy.", ["urgency"]),
    # what approved medicines do, said as a fact, is no claim; the same words of ours are
    ("en", "Disease-modifying drugs lower the number of relapses in many people with "
           "relapsing MS.", []),
    ("es", "Los medicamentos modificadores de la enfermedad reducen las recaídas en muchas "
           "personas con EM remitente.", []),
    ("es", "Nuestras células madre reducen las recaídas.", ["efficacy"]),
    # a post without accents reads as one with them
    ("es", "Regenera tu cartilago sin operacion, agenda tu cita", ["cure", "superiority"]),
    ("es", "Tratamos esclerosis multiple, parkinson y autismo con celulas madre", ["disease"]),
])
def test_the_known_false_alarms_and_slips(lang, sentence, found):
    language = load_rules(DEFAULT_RULES).language(lang)
    claims = read_unit(Unit(sentence, sentence, language=lang), language)
    assert sorted({claim.rule.id for claim in claims}) == found
