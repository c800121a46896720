"""pipeline.checks.claims: unsupported claims in the body and front matter, the rules in
source/claims.yml, and `publish --strict`."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from helpers import REPO, SEED_SLUG, article, run_publish, write_source
from pipeline.build.publish import Project, gather
from pipeline.checks.claims import (DEFAULT_RULES, claim_findings, load_rules, project_rules,
                                    rules_note)
from pipeline.diagnostics import InvalidInput
from pipeline.scaffold import new_source

SEED_FILE = REPO / "source" / f"{SEED_SLUG}.md"


@pytest.fixture(scope="module")
def rules():
    return project_rules(REPO / "source")


def position(path: Path, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based (line, column) of `needle` in a file."""
    found = -1
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        start = line.find(needle)
        while start >= 0:
            found += 1
            if found == occurrence:
                return number, start + 1
            start = line.find(needle, start + 1)
    raise AssertionError(f"{needle!r} not in {path}")


def findings_for(root: Path, body: str, rules, front: str = "", **fields):
    write_source(root, "claims", article(front, body, **fields))
    documents, problems = gather(Project(root), only="claims")
    assert problems == []
    return claim_findings(documents[0], rules)


# --- The seed article ----------------------------------------------------------------------


def test_seed_reports_the_unsupported_safety_and_evidence_claims(rules):
    documents, _ = gather(Project(REPO), only=SEED_SLUG)
    findings = claim_findings(documents[0], rules)
    by_rule = {f.rule: f for f in findings}
    safety = by_rule["claim-safety"]
    assert safety.severity == "error"
    assert (safety.file, safety.line, safety.column) == (documents[0].source_path,
                                                         *position(SEED_FILE, "safe, noninvasive"))
    assert "'safe', 'noninvasive'" in safety.message
    assert ('"The treatment is safe, noninvasive, and well-tolerated in most patients with little '
            'recovery time needed."') in safety.message
    assert safety.fix  # the suggested rewording
    evidence = by_rule["claim-evidence"]
    assert (evidence.line, evidence.column) == position(SEED_FILE, "Studies have shown")
    assert evidence.message.count('"Studies have shown that mesenchymal') == 1


def test_seed_does_not_report_that_stem_cell_therapy_is_not_a_cure(rules):
    documents, _ = gather(Project(REPO), only=SEED_SLUG)
    findings = claim_findings(documents[0], rules)
    assert not [f for f in findings if "is not a cure" in f.message]  # rules nor model
    assert not [f for f in findings if f.rule == "claim-cure"]  # nor its title's question
    assert sorted({f.rule for f in findings} - {"likely-claim"}) == [
        "claim-efficacy", "claim-evidence", "claim-safety"]
    # the model's second opinion only warns, and never on a sentence a rule reports
    model = [f for f in findings if f.rule == "likely-claim"]
    assert {f.severity for f in model} <= {"warning"}
    assert not {f.line for f in model} & {f.line for f in findings if f.rule != "likely-claim"}


# --- What passes and what does not -----------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "Stem cell therapy is not a cure for MS.",
    "There is no cure for MS.",
    "No treatment is risk-free.",
    "It cannot cure MS, and it isn't safe for everyone.",
    "The treatment has never been shown to be safe.",
    "Can stem cells cure MS?",
    "Ask your doctor whether the treatment is safe for you.",
    "The treatment is safe.[^trial]",
    "Studies[^trial] have shown that it helps some people.",
    "Keep your medicines in a safe place.",
    "Use `safe_mode` in the [settings](https://example.org/cure-safe).",
])
def test_negated_asked_cited_or_not_prose_passes(empty_project, rules, sentence):
    body = f"{sentence}\n\n[^trial]: Smith J. A trial. 2024. <https://example.org/trial>"
    assert findings_for(empty_project, body, rules) == []


@pytest.mark.parametrize("sentence, rule, words", [
    ("Stem cells cure MS.", "claim-cure", "'cure'"),
    ("Stem cells do not cure MS, but the treatment is safe.", "claim-safety", "'safe'"),
    ("There is no doubt the treatment is safe.", "claim-safety", "'safe'"),
    ("It is a risk free option.", "claim-absolute-safety", "'risk free'"),
    ("It is a non-invasive option.", "claim-safety", "'non-invasive'"),
    ("The therapy is FDA-approved.", "claim-regulatory", "'FDA-approved'"),
    ("Our treatment is clinically proven.", "claim-regulatory", "'clinically proven'"),
    ("Results are guaranteed.", "claim-efficacy", "'guaranteed'"),
    ("Our patients say it changed their lives.", "claim-testimonial",
     "'patients say', 'changed their lives'"),
    ("Research shows that it repairs myelin.", "claim-evidence", "'Research shows'"),
])
def test_unsupported_claims_are_reported(empty_project, rules, sentence, rule, words):
    [finding] = [f for f in findings_for(empty_project, sentence, rules) if f.rule == rule]
    assert finding.rule == rule
    assert f"({words})" in finding.message
    assert f'"{sentence}"' in finding.message


def test_a_cited_sentence_does_not_cover_the_next_one(empty_project, rules):
    body = ("The treatment is safe.[^a] It is also risk-free.\n\n"
            "[^a]: A study of 40 people. <https://example.org/a>")
    [finding] = findings_for(empty_project, body, rules)
    path = empty_project / "source" / "claims.md"
    assert (finding.line, finding.column) == position(path, "risk-free")
    assert '"It is also risk-free."' in finding.message


def test_line_and_column_in_a_wrapped_paragraph_and_a_list(empty_project, rules):
    body = """
    Stem cells are studied for multiple sclerosis. Some clinics
    say the treatment is safe
    for everyone.

    - It helps some people.
    - It is a miracle.
    """
    findings = findings_for(empty_project, textwrap.dedent(body), rules)
    path = empty_project / "source" / "claims.md"
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("claim-absolute-safety", *position(path, "safe")),
        ("claim-testimonial", *position(path, "miracle")),
    ]
    assert '"say the treatment is safe for everyone."' not in findings[0].message
    assert '"Some clinics say the treatment is safe for everyone."' in findings[0].message


def test_code_and_footnote_definitions_are_not_checked(empty_project, rules):
    body = """
    A plain sentence.[^n]

    ```text
    This cure is safe and guaranteed.
    ```

    [^n]: Some say it is a cure; this note is a source, not a claim.
        Its second paragraph says it is safe.
    """
    findings = findings_for(empty_project, textwrap.dedent(body), rules)
    # (the model may find "A plain sentence." telling: it reads nothing else either)
    assert [f for f in findings if '"A plain sentence."' not in f.message] == []


def test_title_subtitle_and_description_are_checked(empty_project, rules):
    findings = findings_for(empty_project, "Plain text.", rules,
                            front="subtitle: A guaranteed result",
                            title="A safe treatment for MS",
                            description="Is it a cure? We explain.")
    path = empty_project / "source" / "claims.md"
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("claim-safety", *position(path, "safe")),
        ("claim-efficacy", *position(path, "guaranteed")),
    ]


# --- claims.yml --------------------------------------------------------------------------------


def test_the_shipped_rules(rules):
    english = rules.language("en-US")
    assert [r.id for r in english.rules] == [
        "cure", "efficacy", "absolute-safety", "safety", "regulatory", "testimonial",
        "social-proof", "evidence", "superiority", "authority", "urgency", "disease"]
    severities = {r.id: r.severity for r in english.rules}
    assert {severities[r] for r in ("cure", "efficacy", "absolute-safety", "regulatory",
                                    "superiority", "disease")} == {"error"}
    assert all(r.message and r.suggestion for r in english.rules)
    # a source never excuses a regulatory falsehood or an absolute-safety promise
    cited = {r.id for r in english.rules if not r.passes_when_cited}
    assert {"regulatory", "absolute-safety"} <= cited
    # Spanish: the same categories, the same severities, its own words
    spanish = rules.language("es-MX")
    assert spanish.code == "es"
    assert [(r.id, r.severity, r.passes_when_cited) for r in spanish.rules] == [
        (r.id, r.severity, r.passes_when_cited) for r in english.rules]
    assert spanish.rules[0].message != english.rules[0].message
    assert rules.language("fr") is None


def test_the_seed_projects_rules_are_the_built_in_ones():
    """`invoke new` copies the built-in file; the seed project ships the same one."""
    assert (REPO / "source" / "claims.yml").read_bytes() == DEFAULT_RULES.read_bytes()


BAD_RULES = """\
en:
  reading:
    negations: [not]
    not_negations: [no doubt]
    negations_after: [is a myth]
    clause_breaks: [but]
    contrasts: [but]
    hedges: [may]
    absolutes: [all]
    suppositions: [whether]
    claiming_questions: [why suffer]
    referrals: [ask your doctor]
    lead_ins: [patients report]
    citations: ['https?://']
  words:
    conditions: [ms]
  rules:
    cure:
      message: promises a cure
      severity: eror
      suggestion: say what it may do
      phrases: [cure]
    regex:
      message: broken
      severity: error
      suggestion: fix it
      patterns:
        - 'cures? (MS'
    empty:
      message: nothing to look for
      severity: warning
      suggestion: add phrases
    Bad Name:
      mesage: typo
      severity: info
      suggestion: x
      phrases: [x]
    unknown-words:
      message: names a list that is not there
      severity: error
      suggestion: x
      patterns: ['treats {diseases}']
      requires: [benefits]
"""


def test_a_bad_claims_file_is_reported_with_lines(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text(BAD_RULES, encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        load_rules(path)
    text = str(raised.value)
    assert "claims.yml:20: rule 'cure': unknown severity 'eror'" in text
    assert "claims.yml:28: rule 'regex': the pattern 'cures? (MS' is not a valid regular " \
           "expression" in text
    assert "claims.yml:29: rule 'empty' has no phrases, patterns or slogans" in text
    assert "claims.yml:33: rule name 'Bad Name' is not a lowercase, hyphenated name" in text
    assert "claims.yml:34: unknown field 'mesage' in rule 'Bad Name'" in text
    assert "did you mean 'message'?" in text
    assert "claims.yml:33: rule 'Bad Name' is missing the required field 'message'" in text
    assert "claims.yml:42: rule 'unknown-words': the pattern" in text
    assert "names '{diseases}', which is not a list of 'words'" in text
    assert "fix: use one of: conditions" in text
    assert "claims.yml:43: rule 'unknown-words': 'requires' names 'benefits'" in text


def test_a_language_section_missing_its_reading_is_reported(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text("en:\n  rules: {}\nEnglish:\n  rules: {}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        load_rules(path)
    text = str(raised.value)
    assert "claims.yml:1: language 'en' is missing the required field 'reading'" in text
    assert "claims.yml:3: 'English' is not a language code" in text


def test_malformed_claims_yaml_and_a_missing_file(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text("en:\n  rules: [cure\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"claims\.yml:\d+: malformed YAML"):
        load_rules(path)
    built_in = project_rules(tmp_path / "elsewhere")  # a project without claims.yml
    assert built_in.built_in and built_in.file == DEFAULT_RULES
    [note] = rules_note(built_in, tmp_path)
    assert note.severity == "info" and "built-in rules" in note.message
    assert "invoke new" in note.fix
    assert rules_note(project_rules(REPO / "source"), REPO / "source") == []


def test_a_document_in_a_language_without_rules_gets_a_note(empty_project, rules):
    # English rules are never read on it: "safe", "cure" and "FDA approved" are English too
    [note] = findings_for(empty_project, "Les cellules souches sont safe et FDA approved: "
                          "une cure.", rules, front="lang: fr-CA")
    assert note.severity == "info" and note.rule == "claims-rules"
    assert "no rules for language 'fr-CA'" in note.message
    assert "add a section 'fr:'" in note.fix


@pytest.mark.parametrize("lang", ["es", "es-MX", "es-419"])
def test_a_spanish_document_is_read_with_the_spanish_rules(empty_project, rules, lang):
    body = """
    Nuestras infusiones reparan la mielina. Es 100% seguro y está aprobado por la FDA.

    La terapia con células madre no es una cura. Pregunte a su neurólogo qué tan segura sería
    para usted. Stem cells cure MS.
    """
    findings = findings_for(empty_project, body, rules, front=f"lang: {lang}")
    path = empty_project / "source" / "claims.md"
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("claim-cure", *position(path, "reparan la mielina")),
        ("claim-absolute-safety", *position(path, "100% seguro")),
        ("claim-regulatory", *position(path, "aprobado por la FDA"))]
    assert findings[0].message.startswith("promete una cura")  # the Spanish rules' words


def test_the_spanish_seed_reports_what_the_english_seed_reports(project_root, rules):
    source = project_root / "source"
    spanish = source / f"{SEED_SLUG}.es.md"
    spanish.write_bytes((REPO / "tests" / "fixtures" / "languages" / spanish.name).read_bytes())
    documents, problems = gather(Project(project_root))
    assert problems == []
    everything = {doc.lang.split("-")[0]: claim_findings(doc, rules) for doc in documents}
    assert not [f for f in everything["es"] if "no es una cura" in f.message]  # model too
    findings = {lang: [f for f in found if f.rule != "likely-claim"]
                for lang, found in everything.items()}
    assert [f.rule for f in findings["es"]] == [f.rule for f in findings["en"]] == [
        "claim-evidence", "claim-efficacy", "claim-safety", "claim-efficacy"]
    by_rule = {f.rule: f for f in findings["es"]}
    assert (by_rule["claim-safety"].line, by_rule["claim-safety"].column) == position(
        spanish, "seguro, no invasivo")
    assert "'seguro', 'no invasivo'" in by_rule["claim-safety"].message
    assert (by_rule["claim-evidence"].line, by_rule["claim-evidence"].column) == position(
        spanish, "estudios han mostrado")
    assert not [f for f in findings["es"] if "no es una cura" in f.message]


# --- publish --strict --------------------------------------------------------------------------


def test_strict_publish_refuses_a_document_with_claim_errors_or_warnings(project_root):
    write_source(project_root, "careful", article(body="Stem cell therapy is not a cure."))
    write_source(project_root, "likely", article(
        body="This approach works with your body rather than against it."))
    outcome = run_publish(project_root, ("html",), strict=True)
    assert outcome.failed == sorted(["likely", SEED_SLUG])
    messages = "\n".join(str(p) for p in outcome.problems)
    assert f"{SEED_SLUG}.md:{position(SEED_FILE, 'safe, non')[0]}: unsupported claim " \
           f"(column {position(SEED_FILE, 'safe, non')[1]}, claim-safety)" in messages
    # Warnings fail under --strict, in publish as in check: the model's guess too.
    assert "likely-claim" in messages
    assert not (project_root / "dist" / "likely").exists()
    assert not (project_root / "dist" / SEED_SLUG).exists()
    assert (project_root / "dist" / "careful" / "index.html").is_file()
    assert run_publish(project_root, ("html",)).ok  # without --strict: published


# --- invoke new ----------------------------------------------------------------------------------


def test_new_copies_the_built_in_rules_into_a_project_without_them(empty_project):
    source = empty_project / "source"
    (source / "claims.yml").unlink(missing_ok=True)
    created = new_source(source, "Fatigue and MS", "becky-palmer", dt.date(2026, 12, 1))
    assert [p.name for p in created] == ["fatigue-and-ms.md", "claims.yml"]
    assert (source / "claims.yml").read_bytes() == DEFAULT_RULES.read_bytes()
    assert not project_rules(source).built_in
    (source / "claims.yml").write_text("# ours\n" + DEFAULT_RULES.read_text(), encoding="utf-8")
    again = new_source(source, "Sleep and MS", "becky-palmer", dt.date(2026, 12, 1))
    assert [p.name for p in again] == ["sleep-and-ms.md"]  # the project's own file is kept
    assert (source / "claims.yml").read_text(encoding="utf-8").startswith("# ours\n")


# --- Shapes a second blind writer showed (2026-12-06) ----------------------------------------


@pytest.mark.parametrize("body, expected", [
    # a referral to the reader's own clinician excuses the hurry; a hurry to book does not
    ("Don't wait for your next appointment if a new symptom lasts more than a day; "
     "call your MS nurse.", []),
    ("Si de repente pierde la vista o la fuerza, no espere: vaya a urgencias.", []),
    ("Don't wait: book your infusion today.", ["claim-urgency"]),
    # a short quotation named as a warning, or denied after it, is no claim; said, it is
    ("Words like “clinically proven” and “100% safe” are warning signs in any health ad.", []),
    ("Calling stem cells “100% safe” is not true of any medical procedure.", []),
    ("Our infusions are “100% safe”.", ["claim-absolute-safety"]),
    # the FDA's disclaimer names a cure only to deny it
    ("These products are not intended to diagnose, treat, cure or prevent any disease.", []),
    # each item of a list of the conditions a clinic treats is a disease claim
    ("Conditions we treat with stem cells include:\n\n- lupus\n- Parkinson's disease",
     ["claim-disease", "claim-disease"]),
    ("Conditions we do not treat:\n\n- lupus", []),
])
def test_shapes_of_a_second_writer(empty_project, rules, body, expected):
    lang = "es" if "espere" in body else "en"
    found = findings_for(empty_project, body, rules, front=f"lang: {lang}\n")
    assert sorted(f.rule for f in found if f.rule != "likely-claim") == expected
