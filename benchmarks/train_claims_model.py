"""Train the claims check's second opinion: one binary model per language (claim or not),
from the development sentences, written to pipeline/checks/claims/model.<lang>.json.

    python benchmarks/train_claims_model.py [--language en]

Run it after editing tests/claims_eval/development*.yml (tests/test_claims_model.py fails
until the shipped models are retrained). Development time only: it needs scikit-learn (the
`test` extra); the check itself scores with the pure-Python pipeline/checks/claims/model.py.

What it does, deterministically (fixed folds and seeds):
1. the text of each sentence is what the engine reads: its prose, after its list's lead-in;
2. TF-IDF of word 1-2 grams and character 2-5 grams inside words (sublinear tf), side by
   side, into a logistic regression (C=10, balanced classes);
3. features whose weight is tiny are dropped and the model is fitted again on the rest, so
   the file stays small and the shipped model is exactly what scikit-learn fitted;
4. stratified 5-fold cross-validation on the development set only, scoring each held-out
   fold sentence by sentence as the check does, chooses which of the rules' excuses (a
   question that only asks, a referral to a clinician, a cited source) veto the model, and
   the threshold: the highest recall whose cross-validated precision is at least 0.9.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.checks.claims import DEFAULT_RULES, Unit, lead_in_of, load_rules  # noqa: E402
from pipeline.checks.claims.engine import model_readings  # noqa: E402
from pipeline.checks.claims.markdown import prose_of  # noqa: E402
from pipeline.checks.claims.model import ClaimModel, model_file, model_from_json  # noqa: E402

EVALUATION = REPO / "tests" / "claims_eval"
LANGUAGES = ("en", "es")
FOLDS = 5
SEED = 0
MIN_PRECISION = 0.9  # the threshold keeps cross-validated precision at least this
PRUNE_BELOW = 0.3  # features with a smaller absolute weight are dropped, then refitted
EXCUSES = ("question", "referral", "cited")
VECTORIZERS = (("word", (1, 2)), ("char_wb", (2, 5)))


@dataclass(frozen=True)
class Example:
    """A development sentence: what the model is trained on, how the check reads it."""

    text: str  # the lead-in's words, then the prose
    claim: bool
    unit: Unit
    notes: dict


def development_file(lang: str) -> Path:
    return EVALUATION / ("development.yml" if lang == "en" else f"development.{lang}.yml")


def evaluation_unit(item: dict, lang: str, language) -> Unit:
    """An evaluation set's item as the engine reads it in a document: its prose, its kind,
    and its lead-in counted as the document reader counts it."""
    lead_in = lead_in_of(prose_of(item.get("lead_in", "")), lang, language)
    return Unit(prose_of(item["text"]), item["text"], item.get("kind", "paragraph"),
                lead_in, lang)


def examples(lang: str) -> list[Example]:
    """The development sentences of a language, as the benchmark gives them to the engine."""
    language = load_rules(DEFAULT_RULES).language(lang)
    data = yaml.safe_load(development_file(lang).read_text(encoding="utf-8"))
    found = []
    for item in data["sentences"]:
        unit = evaluation_unit(item, lang, language)
        context = unit.lead_in.rstrip(" :") + " " if unit.lead_in else ""
        found.append(Example(context + unit.prose, bool(item["labels"]), unit,
                             item.get("notes") or {}))
    return found


def _pipeline(vocabularies=None):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    union = make_union(*(TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams,
                                         sublinear_tf=True,
                                         vocabulary=vocabularies[i] if vocabularies else None)
                         for i, (analyzer, ngrams) in enumerate(VECTORIZERS)))
    # no intercept: a sentence with no telling words is no claim (with one, every short
    # sentence of words unseen in training read as one, as the claims there are shorter)
    return make_pipeline(union, LogisticRegression(C=10, class_weight="balanced", fit_intercept=False,
                                                   max_iter=10000, random_state=SEED))


def fit(texts: list[str], labels: list[bool], prune: bool = True):
    """The fitted scikit-learn pipeline: all features, then (pruned) only the weighty ones."""
    pipeline = _pipeline().fit(texts, labels)
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
    return _pipeline(kept).fit(texts, labels)


def as_json(pipeline, lang: str) -> dict:
    """What model.<lang>.json holds of a fitted pipeline (threshold and figures added later)."""
    weights = pipeline[-1].coef_[0]
    vectorizers, offset = [], 0
    for (analyzer, ngrams), (_, vectorizer) in zip(VECTORIZERS, pipeline[0].transformer_list):
        names = vectorizer.get_feature_names_out()
        features = {str(name): [float(idf), float(weight)] for name, idf, weight in
                    zip(names, vectorizer.idf_, weights[offset:offset + len(names)])}
        vectorizers.append({"analyzer": analyzer, "ngram_range": list(ngrams),
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


def cross_validated(lang: str, prune: bool = True) -> list[list[tuple[float, frozenset]]]:
    """Per development example, its sentences' scores by the model of the fold that did not
    see it, and their excuses."""
    from sklearn.model_selection import StratifiedKFold
    found = examples(lang)
    language = load_rules(DEFAULT_RULES).language(lang)
    texts, labels = [e.text for e in found], [e.claim for e in found]
    scores: list = [None] * len(found)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(texts, labels)
    for train, test in folds:
        model = model_from_json(as_json(fit([texts[i] for i in train],
                                            [labels[i] for i in train], prune), lang))
        for i in test:
            scores[i] = sentence_scores(model, found[i], language)
    return scores


def figures(claims: list[bool], reported: list[bool]) -> tuple[float, float]:
    """Precision and recall."""
    tp = sum(c and r for c, r in zip(claims, reported))
    fp = sum(r and not c for c, r in zip(claims, reported))
    fn = sum(c and not r for c, r in zip(claims, reported))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def choose(claims: list[bool], scores: list) -> tuple[float, frozenset, float, float]:
    """The vetoes and threshold (above 0.5) with the highest recall at precision >=
    MIN_PRECISION (then the higher precision, then fewer vetoes, then the higher threshold)."""
    best = None
    for size in range(len(EXCUSES) + 1):
        for vetoes in map(frozenset, itertools.combinations(EXCUSES, size)):
            items = [item_score(s, vetoes) for s in scores]
            for threshold in sorted(set(items)):
                if threshold <= 0.5:  # no more likely a claim than not (no telling words: 0.5)
                    continue
                precision, recall = figures(claims, [x >= threshold for x in items])
                if precision < MIN_PRECISION:
                    continue
                key = (recall, precision, -len(vetoes), threshold)
                if best is None or key > best[0]:
                    best = (key, threshold, vetoes, precision, recall)
    if best is None:
        raise SystemExit(f"no threshold reaches cross-validated precision {MIN_PRECISION}")
    return best[1], best[2], best[3], best[4]


def train(lang: str) -> tuple[dict, object, list[str]]:
    """The model file's content, the fitted scikit-learn pipeline it holds, and the texts it
    was trained on."""
    import sklearn
    found = examples(lang)
    claims = [e.claim for e in found]
    threshold, vetoes, precision, recall = choose(claims, cross_validated(lang))
    pipeline = fit([e.text for e in found], claims)
    data = as_json(pipeline, lang)
    training = development_file(lang)
    data.update(threshold=threshold, vetoes=sorted(vetoes),
                cross_validated={"folds": FOLDS, "precision": round(precision, 4),
                                 "recall": round(recall, 4)},
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
              f"{data['vetoes'] or 'none'}: {FOLDS}-fold CV precision {cv['precision']:.2f} "
              f"recall {cv['recall']:.2f}")
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
