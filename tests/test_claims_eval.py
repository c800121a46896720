"""The claims engine on whole documents and on the labelled evaluation set: the examples of
issue 13 behave as a reviewer wants, and the development part stays above a floor (the
held-out part is measured by benchmarks/claims.py, never asserted on while tuning)."""

from __future__ import annotations

import sys
import textwrap

import pytest

from helpers import REPO, article, write_source
from pipeline.build.publish import Project, gather
from pipeline.checks.claims import claim_findings, project_rules

sys.path.insert(0, str(REPO / "benchmarks"))
import claims as benchmark  # noqa: E402  benchmarks/claims.py

# The rules score precision 0.99 and recall 0.98 on the English development part and 0.97
# and 0.92 on the Spanish one today (both hold sentences the rules were not tuned on before
# 2026-12-06: the former blind parts and fresh batches); the floors leave room for rules that
# trade a development sentence for a better general reading, not for regressions.
DEVELOPMENT_FLOORS = {"development": (0.95, 0.95), "development.es": (0.95, 0.90)}


@pytest.fixture(scope="module")
def rules():
    return project_rules(REPO / "source")


def findings_for(root, body: str, rules):
    write_source(root, "claims", article(body=textwrap.dedent(body)))
    documents, problems = gather(Project(root), only="claims")
    assert problems == []
    return claim_findings(documents[0], rules)


def rules_found(root, body: str, rules) -> list[str]:
    return sorted({f.rule.removeprefix("claim-") for f in findings_for(root, body, rules)})


# --- Issue 13's examples, each in a document ------------------------------------------------


@pytest.mark.parametrize("sentence, category", [
    ("Our infusions rebuild the protective coating around your nerves.", "cure"),
    ("You'll feel the difference in your energy within days.", "efficacy"),
    ("Join the hundreds of families who have trusted us with their care.", "social-proof"),
    ("Science is on our side.", "authority"),
    ("Stem cells succeed where medication fails.", "superiority"),
    ("Leading neurologists recommend our approach.", "authority"),
    ("MS doesn't have to be forever.", "cure"),
    ("\u201cAfter my treatment I threw away my walker,\u201d one patient told us.", "testimonial"),
    ("Why settle for managing symptoms when you could reverse them?", "cure"),
    ("Why suffer when our therapy can halt MS?", "cure"),
])
def test_the_claims_the_phrase_lists_missed_are_reported(empty_project, rules, sentence,
                                                         category):
    assert category in rules_found(empty_project, sentence, rules)


@pytest.mark.parametrize("sentence", [
    "Ask your neurologist how safe this treatment would be for you.",
    "Many patients say they noticed no change at all.",
    "Can stem cells cure MS?",
    "Stem cells may help some people manage their symptoms.",
    "Early studies suggest stem cells may reduce relapses in some people.",
])
def test_the_false_alarms_are_gone(empty_project, rules, sentence):
    assert findings_for(empty_project, sentence, rules) == []


def test_an_anecdote_in_a_footnote_is_no_source(empty_project, rules):
    body = """
    Our results are 100% safe and effective.[^story]

    Stem cells reduce relapses.[^story]

    In one trial, fewer people had new lesions.[^trial]

    [^story]: My sister had the treatment and loved it.
    [^trial]: Petrou P et al. Brain. 2020;143(12):3574-3588. PMID: 33253391
    """
    findings = findings_for(empty_project, body, rules)
    assert [(f.rule, f.line) for f in findings] == [("claim-absolute-safety", 8),
                                                   ("claim-efficacy", 10)]


def test_a_source_does_not_excuse_absolute_safety_or_approval(empty_project, rules):
    body = """
    The treatment is safe.[^trial] It is completely safe.[^trial] It is FDA approved.[^trial]

    [^trial]: Uccelli A et al. Lancet Neurol. 2021. doi:10.1016/S1474-4422(21)00301-X
    """
    assert rules_found(empty_project, body, rules) == ["absolute-safety", "regulatory"]


def test_each_item_after_a_lead_in_is_a_claim(empty_project, rules):
    body = """
    After treatment, patients report:

    - better balance
    - no more relapses
    - a follow-up call from our nurse

    In a small study, some people reported:

    - less fatigue
    """
    findings = [f for f in findings_for(empty_project, body, rules) if f.rule != "likely-claim"]
    assert {(f.rule, f.line) for f in findings} == {
        ("claim-efficacy", 10), ("claim-testimonial", 10),
        ("claim-efficacy", 11), ("claim-testimonial", 11)}
    assert all(f.column == 3 for f in findings)  # the item's words, after "- "


def test_headings_slogans_and_table_cells_are_read(empty_project, rules):
    body = """
    ## Rebuild your myelin

    Repair. Renew. Restore.

    | Option | What it does |
    |---|---|
    | Our infusions | Halts progression |
    | Physiotherapy | Not known |
    """
    findings = findings_for(empty_project, body, rules)
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("claim-cure", 8, 4), ("claim-cure", 10, 1), ("claim-cure", 10, 9),
        ("claim-cure", 10, 16), ("claim-cure", 14, 19)]


def test_a_testimonial_with_a_typical_results_statement_passes(empty_project, rules):
    body = """
    \u201cI am walking without my cane,\u201d Mark said.

    \u201cI am walking without my cane,\u201d Mark said. This is one person's experience:
    results vary, and many people notice no change.
    """
    findings = findings_for(empty_project, body, rules)
    assert [f.line for f in findings if f.rule == "claim-testimonial"] == [8]
    # the outcome it quotes is still the clinic's claim, to be supported
    assert [f.line for f in findings if f.rule == "claim-efficacy"] == [8, 10]


def test_a_quote_in_a_blockquote_is_read(empty_project, rules):
    body = """
    > After my second infusion I was hiking again.
    """
    # the story, and the outcome it tells, which is the clinic's claim too (as in a paragraph)
    assert rules_found(empty_project, body, rules) == ["efficacy", "testimonial"]


# --- The evaluation set -------------------------------------------------------------------------


@pytest.mark.parametrize("lang, minimum", [("en", 1100), ("es", 600)])
def test_the_evaluation_set_is_large_balanced_and_kept_apart(lang, minimum):
    suffix = "" if lang == "en" else f".{lang}"
    development = benchmark.answers(f"development{suffix}")
    assert len(development) >= minimum
    parts = [development]
    held_out_part = f"held_out{suffix}"
    if benchmark.part_file(held_out_part).exists():  # written blind, added by the lead
        held_out = benchmark.answers(held_out_part)
        assert not {a.text for a in development} & {a.text for a in held_out}
        parts.append(held_out)
    for part in parts:
        claims = sum(bool(a.labels) for a in part)
        assert 0.4 <= claims / len(part) <= 0.6


@pytest.mark.parametrize("part", sorted(DEVELOPMENT_FLOORS))
def test_the_engine_stays_above_its_floor_on_the_development_part(part):
    score = benchmark.overall(benchmark.answers(part))
    precision, recall = DEVELOPMENT_FLOORS[part]
    assert score.precision >= precision
    assert score.recall >= recall
