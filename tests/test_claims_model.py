"""The claims model (pipeline/checks/claims/model.py): the pure-Python scorer equals
scikit-learn's, the shipped model files are what training writes, and the engine's
`likely-claim` warnings name the words that made a sentence read as a claim."""

from __future__ import annotations

import json
import math
import os
import re
import sys
import textwrap

import pytest

from helpers import REPO, article, write_source
from pipeline.build.publish import Project, gather
from pipeline.checks.claims import DEFAULT_RULES, claim_findings, load_rules, project_rules
from pipeline.checks.claims.engine import model_readings
from pipeline.checks.claims.model import model_file, model_from_json, shipped_model

sys.path.insert(0, str(REPO / "benchmarks"))
import train_claims_model as training  # noqa: E402  benchmarks/train_claims_model.py

LANGUAGES = ("en", "es")


@pytest.fixture(scope="module")
def trained():
    """Each language's model trained afresh: (file content, scikit-learn pipeline)."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise  # scikit-learn is in the test extra: on CI the model must be checked
        pytest.skip("scikit-learn is not installed (pip install -e '.[test]')")
    return {lang: training.train(lang)[:2] for lang in LANGUAGES}


@pytest.fixture(scope="module")
def rules():
    return project_rules(REPO / "source")


def same(shipped, fresh, where="") -> None:
    """Equal structures, floats to 1e-12 relative (the same fit on another BLAS)."""
    if isinstance(shipped, float) or isinstance(fresh, float):
        assert math.isclose(shipped, fresh, rel_tol=1e-12, abs_tol=1e-15), where
    elif isinstance(shipped, dict):
        assert isinstance(fresh, dict) and shipped.keys() == fresh.keys(), where
        for key in shipped:
            same(shipped[key], fresh[key], f"{where}/{key}")
    elif isinstance(shipped, list):
        assert isinstance(fresh, list) and len(shipped) == len(fresh), where
        for index, (a, b) in enumerate(zip(shipped, fresh)):
            same(a, b, f"{where}[{index}]")
    else:
        assert shipped == fresh, where


@pytest.mark.parametrize("lang", LANGUAGES)
def test_retraining_reproduces_the_shipped_model(trained, lang):
    data, _ = trained[lang]
    shipped = json.loads(model_file(lang).read_text(encoding="utf-8"))
    same(shipped, json.loads(training.serialise(data)), lang)
    assert shipped["training_sha256"] == data["training_sha256"]  # trained on today's set
    assert shipped["cross_validated"]["precision"] >= training.MIN_PRECISION
    assert model_file(lang).stat().st_size < 400_000  # pruned: the file stays small


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pure_scorer_equals_scikit_learn(trained, lang):
    data, pipeline = trained[lang]
    model = model_from_json(data)
    language = load_rules(DEFAULT_RULES).language(lang)
    texts = []
    for example in training.examples(lang):  # every item, and every sentence as read
        texts += [example.text, *(s.text for s in
                                  model_readings(example.unit, language, example.notes))]
    expected = pipeline.predict_proba(texts)[:, list(pipeline.classes_).index(True)]
    differences = [abs(model.score(text) - p) for text, p in zip(texts, expected)]
    assert len(texts) > 150 and max(differences) < 1e-9
    # and the scorer says which words count
    assert all(any(word in example.text for word in model.explain(example.text))
               for example in training.examples(lang)
               if example.claim and model.score(example.text) >= model.threshold)


def findings_for(root, body: str, rules, lang: str = "en"):
    write_source(root, "claims", article(f"lang: {lang}", textwrap.dedent(body)))
    documents, problems = gather(Project(root), only="claims")
    assert problems == []
    return claim_findings(documents[0], rules)


UNSEEN = "This approach works with your body rather than against it."


def test_a_sentence_no_rule_reports_gets_a_likely_claim_warning(empty_project, rules):
    findings = findings_for(empty_project, f"MS is a long illness.\n\n{UNSEEN}\n", rules)
    assert [(f.rule, f.severity) for f in findings] == [("likely-claim", "warning")]
    finding = findings[0]
    assert (finding.line, finding.column) == (
        next(i for i, line in enumerate((empty_project / "source" / "claims.md")
                                        .read_text().splitlines(), 1) if UNSEEN in line), 1)
    assert f'"{UNSEEN}"' in finding.message
    named = re.findall(r"'([^']+)'", finding.message.split(" (the claims model")[0])
    assert named and all(word in UNSEEN for word in named)  # the words that made it a claim
    assert "cite a source" in finding.fix and "medical reviewer" in finding.fix


def test_the_model_does_not_repeat_the_rules_nor_read_what_they_excuse(empty_project, rules):
    body = """
    Our infusions restore lost function within weeks.

    Stem cell therapy is not a cure for multiple sclerosis.

    Could this approach work with your body rather than against it?

    Ask your neurologist how safe this treatment would be for you.

    Many patients say they noticed no change at all.

    Our team
    """
    findings = findings_for(empty_project, body, rules)
    assert findings and all(f.rule.startswith("claim-") for f in findings)
    assert {f.message.rsplit('"', 2)[1] for f in findings} == {
        "Our infusions restore lost function within weeks."}


def test_model_false_in_claims_yml_switches_the_model_off(empty_project, tmp_path):
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    path = tmp_path / "claims.yml"
    path.write_text(text.replace("\nen:\n", "\nen:\n  model: false\n", 1), encoding="utf-8")
    rules = load_rules(path)
    assert rules.language("en").model is False and rules.language("es").model is True
    assert findings_for(empty_project, UNSEEN, rules) == []
    assert [f.rule for f in findings_for(empty_project, UNSEEN, load_rules(DEFAULT_RULES))] \
        == ["likely-claim"]


def test_a_language_without_a_model_gets_no_model_findings(empty_project, tmp_path):
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    path = tmp_path / "claims.yml"
    path.write_text(text.replace("\nes:\n", "\nxx:\n", 1), encoding="utf-8")
    assert shipped_model("xx") is None
    # the Spanish rules under another code: only their own findings
    sentence = "Nuestro método trabaja con su cuerpo, no contra él."
    with_model = findings_for(empty_project, sentence, load_rules(DEFAULT_RULES), "es")
    without = findings_for(empty_project, sentence, load_rules(path), "xx")
    assert "likely-claim" in [f.rule for f in with_model]
    assert [f.rule for f in without] == [f.rule for f in with_model
                                         if f.rule != "likely-claim"]
