"""Train the claims check's second opinion: one binary model per language (claim or not),
from the development sentences, written to pipeline/checks/claims/model.<lang>.json.

    python benchmarks/train_claims_model.py [--language en]

Run it after editing tests/claims_eval/development*.yml (tests/test_claims_model.py fails
until the shipped models are retrained). Development time only: it needs scikit-learn (the
`test` extra); the check itself scores with the pure-Python pipeline/checks/claims/model.py.

What it does, deterministically (fixed folds and seeds):
1. the text of each sentence is what the engine reads: its prose, after its list's lead-in;
2. TF-IDF of word 1-2 grams and character 2-5 grams inside words (sublinear tf; accents
   folded for Spanish, whose social posts drop them), side by side, into a logistic
   regression (C=10, balanced classes);
3. n-grams whose weight is tiny are dropped and the model is fitted again on the rest, so
   the file stays small and the shipped model is exactly what scikit-learn fitted;
4. 5-fold cross-validation on the development set only, grouped by writer: the sentences a
   blind writer wrote (the sections marked "(held out until 2026-12-06)") are one fold,
   scored by a model that never saw that writer, the best proxy for a new one; the rest
   make four stratified folds. Scoring each fold sentence by sentence as the check does, it
   chooses whether a cited source vetoes the model (a question that only asks and a
   referral to a clinician always do), and the threshold: the highest recall of
   what the check reports (the rules' findings and the model's) whose cross-validated
   precision is at least 0.9.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.checks.claims import DEFAULT_RULES, Unit, lead_in_of, load_rules, read_unit  # noqa: E402
from pipeline.checks.claims.engine import model_readings  # noqa: E402
from pipeline.checks.claims.markdown import prose_of  # noqa: E402
from pipeline.checks.claims.model import ClaimModel, model_file, model_from_json  # noqa: E402

EVALUATION = REPO / "tests" / "claims_eval"
LANGUAGES = ("en", "es")
FOLDS = 5
SEED = 0
MIN_PRECISION = 0.9  # the threshold keeps cross-validated precision at least this
PRUNE_BELOW = 0.3  # features with a smaller absolute weight are dropped, then refitted
# what the rules know excuses a sentence: a question that only asks and a referral to a
# clinician are no claims by the labelling rules, so they always veto the model; a cited
# source excuses only some categories, so cross-validation decides whether it vetoes
ALWAYS_VETOED = ("question", "referral")
EXCUSES = ("cited",)
ACCENTS_FOLDED = {"es"}  # languages whose model reads "día" and "dia" alike
BLIND_MARK = "(held out until 2026-12-06)"  # the sections a blind writer wrote
BLIND_GROUP, REST = "blind", "rest"
VECTORIZERS = (("word", (1, 2)), ("char_wb", (2, 5)))


@dataclass(frozen=True)
class Example:
    """A development sentence: what the model is trained on, how the check reads it."""

    text: str  # the lead-in's words, then the prose
    claim: bool
    unit: Unit
    notes: dict
    reported: bool  # whether the rules report it
    group: str  # the writer's batch it belongs to, for grouped cross-validation


def development_file(lang: str) -> Path:
    return EVALUATION / ("development.yml" if lang == "en" else f"development.{lang}.yml")


def evaluation_unit(item: dict, lang: str, language) -> Unit:
    """An evaluation set's item as the engine reads it in a document: its prose, its kind,
    and its lead-in counted as the document reader counts it."""
    lead_in = lead_in_of(prose_of(item.get("lead_in", "")), lang, language)
    return Unit(prose_of(item["text"]), item["text"], item.get("kind", "paragraph"),
                lead_in, lang)


def batch_groups(path: Path) -> list[str]:
    """Per item of an evaluation file, its writer's batch: BLIND_GROUP for the sections a
    blind writer wrote ("(held out until 2026-12-06)" in their comment line), REST else."""
    groups, group = [], REST
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("  # ---", "  # ===")):
            group = BLIND_GROUP if BLIND_MARK in line else REST
        elif line.startswith("  - "):
            groups.append(group)
    return groups


@cache
def examples(lang: str) -> tuple[Example, ...]:
    """The development sentences of a language, as the benchmark gives them to the engine."""
    language = load_rules(DEFAULT_RULES).language(lang)
    path = development_file(lang)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = batch_groups(path)
    assert len(groups) == len(data["sentences"]), path
    found = []
    for item, group in zip(data["sentences"], groups):
        unit = evaluation_unit(item, lang, language)
        notes = item.get("notes") or {}
        context = unit.lead_in.rstrip(" :") + " " if unit.lead_in else ""
        found.append(Example(context + unit.prose, bool(item["labels"]), unit, notes,
                             bool(read_unit(unit, language, notes)), group))
    return tuple(found)


def _pipeline(lang: str, vocabularies=None):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    accents = "unicode" if lang in ACCENTS_FOLDED else None
    union = make_union(*(TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams,
                                         sublinear_tf=True, strip_accents=accents,
                                         vocabulary=vocabularies[i] if vocabularies else None)
                         for i, (analyzer, ngrams) in enumerate(VECTORIZERS)))
    # no intercept: a sentence with no telling words is no claim (with one, every short
    # sentence of words unseen in training read as one, as the claims there are shorter)
    return make_pipeline(union, LogisticRegression(C=10, class_weight="balanced", fit_intercept=False,
                                                   max_iter=10000, random_state=SEED))


def fit(lang: str, texts: list[str], labels: list[bool], prune: bool = True):
    """The fitted scikit-learn pipeline: all features, then (pruned) only the weighty ones."""
    pipeline = _pipeline(lang).fit(texts, labels)
    if not prune:
        return pipeline
    weights = pipeline[-1].coef_[0]
    kept, offset = [], 0
    for vectorizer in pipeline[0].transformer_list:
        names = vectorizer[1].get_feature_names_out()
        kept.append(sorted(str(name) for name, weight in
                           zip(names, weights[offset:offset + len(names)])
                           if abs(weight) >= PRUNE_BELOW))
        offset += len(names)
    return _pipeline(lang, kept).fit(texts, labels)


def as_json(pipeline, lang: str) -> dict:
    """What model.<lang>.json holds of a fitted pipeline (threshold and figures added later)."""
    weights = pipeline[-1].coef_[0]
    vectorizers, offset = [], 0
    for (analyzer, ngrams), (_, vectorizer) in zip(VECTORIZERS, pipeline[0].transformer_list):
        names = vectorizer.get_feature_names_out()
        features = {str(name): [float(idf), float(weight)] for name, idf, weight in
                    zip(names, vectorizer.idf_, weights[offset:offset + len(names)])}
        vectorizers.append({"analyzer": analyzer, "ngram_range": list(ngrams),
                            "strip_accents": vectorizer.strip_accents,
                            "features": dict(sorted(features.items()))})
        offset += len(names)
    return {"language": lang, "intercept": float(pipeline[-1].intercept_[0]),
            "threshold": 0.5, "vetoes": [], "vectorizers": vectorizers}


def sentence_scores(model: ClaimModel, example: Example, language) -> list[tuple[float, frozenset]]:
    """Each sentence's score and excuses, as the check reads the example."""
    return [(model.score(s.text), s.excuses)
            for s in model_readings(example.unit, language, example.notes)]


def item_score(sentences: list[tuple[float, frozenset]], vetoes: frozenset) -> float:
    """An example reads as a claim when any sentence not vetoed scores high enough."""
    return max([score for score, excuses in sentences if not excuses & vetoes] + [0.0])


def folds(found) -> list[tuple[list[int], list[int]]]:
    """(train, test) indexes: the blind writer's sentences as one fold (the best proxy for a
    new writer), the rest in FOLDS - 1 stratified folds."""
    from sklearn.model_selection import StratifiedKFold
    blind = [i for i, e in enumerate(found) if e.group == BLIND_GROUP]
    rest = [i for i, e in enumerate(found) if e.group != BLIND_GROUP]
    split = [] if not blind else [(rest, blind)]
    parts = StratifiedKFold(FOLDS - len(split), shuffle=True, random_state=SEED).split(
        rest, [found[i].claim for i in rest])
    return split + [([rest[i] for i in train] + blind, [rest[i] for i in test])
                    for train, test in parts]


@cache
def cross_validated(lang: str, prune: bool = True) -> tuple[list[tuple[float, frozenset]], ...]:
    """Per development example, its sentences' scores by the model of the fold that did not
    see it, and their excuses."""
    found = examples(lang)
    language = load_rules(DEFAULT_RULES).language(lang)
    scores: list = [None] * len(found)
    for train, test in folds(found):
        model = model_from_json(as_json(fit(lang, [found[i].text for i in train],
                                            [found[i].claim for i in train], prune), lang))
        for i in test:
            scores[i] = sentence_scores(model, found[i], language)
    return tuple(scores)


def figures(claims: list[bool], reported: list[bool]) -> tuple[float, float]:
    """Precision and recall."""
    tp = sum(c and r for c, r in zip(claims, reported))
    fp = sum(r and not c for c, r in zip(claims, reported))
    fn = sum(c and not r for c, r in zip(claims, reported))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def choose(claims: list[bool], reported: list[bool], scores: list
           ) -> tuple[float, frozenset, float, float]:
    """The vetoes and threshold (above 0.5) with which what the check reports (the rules'
    claims, and the sentences they leave that the model scores at least the threshold) has
    the highest recall at precision >= MIN_PRECISION (then the higher precision, then fewer
    vetoes, then the higher threshold). Choosing on the model alone, and then adding the
    rules' findings, cost the check its precision. The rules are tuned on these sentences,
    so the figure is optimistic for a new writer: see the blind writer's fold."""
    best = None
    for size in range(len(EXCUSES) + 1):
        for chosen in itertools.combinations(EXCUSES, size):
            vetoes = frozenset(ALWAYS_VETOED + chosen)
            items = [item_score(s, vetoes) for s in scores]
            for threshold in sorted(set(items)):
                if threshold <= 0.5:  # no more likely a claim than not (no telling words: 0.5)
                    continue
                precision, recall = figures(claims, [r or x >= threshold
                                                     for r, x in zip(reported, items)])
                if precision < MIN_PRECISION:
                    continue
                key = (recall, precision, -len(vetoes), threshold)
                if best is None or key > best[0]:
                    best = (key, threshold, vetoes, precision, recall)
    if best is None:
        raise SystemExit(f"no threshold reaches cross-validated precision {MIN_PRECISION}")
    return best[1], best[2], best[3], best[4]


def group_figures(found, scores, threshold: float, vetoes: frozenset, group: str | None
                  ) -> dict[str, float]:
    """Cross-validated precision and recall of the model alone and of the check (rules and
    model) on a group of examples (all of them for None)."""
    chosen = [(e, s) for e, s in zip(found, scores) if group is None or e.group == group]
    claims = [e.claim for e, _ in chosen]
    model = [item_score(s, vetoes) >= threshold for _, s in chosen]
    check = [e.reported or m for (e, _), m in zip(chosen, model)]
    figures_of = {"model": figures(claims, model), "check": figures(claims, check)}
    return {f"{name}_{kind}": round(value, 4) for name, (p, r) in figures_of.items()
            for kind, value in (("precision", p), ("recall", r))} | {"examples": len(chosen)}


def train(lang: str) -> tuple[dict, object, list[str]]:
    """The model file's content, the fitted scikit-learn pipeline it holds, and the texts it
    was trained on."""
    import sklearn
    found = examples(lang)
    claims = [e.claim for e in found]
    scores = cross_validated(lang)
    threshold, vetoes, precision, recall = choose(claims, [e.reported for e in found], scores)
    pipeline = fit(lang, [e.text for e in found], claims)
    data = as_json(pipeline, lang)
    training = development_file(lang)
    data.update(threshold=threshold, vetoes=sorted(vetoes),
                cross_validated={"folds": FOLDS, "precision": round(precision, 4),
                                 "recall": round(recall, 4),
                                 "all": group_figures(found, scores, threshold, vetoes, None),
                                 "blind": group_figures(found, scores, threshold, vetoes,
                                                        BLIND_GROUP)},
                trained_on=str(training.relative_to(REPO)),
                training_sha256=hashlib.sha256(training.read_bytes()).hexdigest(),
                sklearn=sklearn.__version__)
    return data, pipeline, [e.text for e in found]


def serialise(data: dict) -> str:
    """The file's text: one line per feature, so a retrained model diffs readably."""
    head = {k: v for k, v in data.items() if k != "vectorizers"}
    lines = ["{", *(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in
                    head.items()), '  "vectorizers": [']
    for index, vectorizer in enumerate(data["vectorizers"]):
        lines.append(f'    {{"analyzer": {json.dumps(vectorizer["analyzer"])}, '
                     f'"ngram_range": {json.dumps(vectorizer["ngram_range"])}, "features": {{')
        items = list(vectorizer["features"].items())
        lines += [f"      {json.dumps(gram, ensure_ascii=False)}: {json.dumps(values)}"
                  + ("," if i + 1 < len(items) else "") for i, (gram, values) in enumerate(items)]
        lines.append("    }}" + ("," if index + 1 < len(data["vectorizers"]) else ""))
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--language", choices=LANGUAGES, action="append",
                        help="train only this language (default: every language)")
    parser.add_argument("--compare-unpruned", action="store_true",
                        help="also print the cross-validated figures of the unpruned model")
    arguments = parser.parse_args()
    for lang in arguments.language or LANGUAGES:
        data, _, _ = train(lang)
        path = model_file(lang)
        path.write_text(serialise(data), encoding="utf-8")
        cv = data["cross_validated"]
        size = sum(len(v["features"]) for v in data["vectorizers"])
        print(f"{lang}: {size} features, {path.stat().st_size // 1024} KB -> "
              f"{path.relative_to(REPO)}\n  threshold {data['threshold']:.4f}, vetoes "
              f"{data['vetoes'] or 'none'}: {FOLDS}-fold CV of rules + model: precision "
              f"{cv['precision']:.2f} recall {cv['recall']:.2f}\n  model alone "
              f"{cv['all']['model_precision']:.2f} / {cv['all']['model_recall']:.2f}; on the "
              f"blind writer's {cv['blind']['examples']} (one fold): rules + model "
              f"{cv['blind']['check_precision']:.2f} / {cv['blind']['check_recall']:.2f}, "
              f"model alone {cv['blind']['model_precision']:.2f} / "
              f"{cv['blind']['model_recall']:.2f}")
        if arguments.compare_unpruned:
            claims = [e.claim for e in examples(lang)]
            vetoes = frozenset(data["vetoes"])
            for name, prune in (("pruned", True), ("unpruned", False)):
                items = [item_score(s, vetoes) for s in cross_validated(lang, prune)]
                precision, recall = figures(claims, [x >= data["threshold"] for x in items])
                print(f"  {name:<9} at that threshold: CV precision {precision:.2f} "
                      f"recall {recall:.2f}")


if __name__ == "__main__":
    main()
