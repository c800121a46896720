"""Benchmark: how well the claims check finds unsupported claims, on labelled sentences.

    python3 benchmarks/claims.py [--rules source/claims.yml] [--misses development]
                                 [--no-model]

Reads the parts of tests/claims_eval/: development.yml (what the rules are tuned on) and
held_out.yml (written blind to the rules and kept aside: the honest figures) for English,
and development.<lang>.yml and held_out.<lang>.yml for another language (`.es` Spanish),
runs every sentence through the engine with that language's rules, and prints precision
and recall per category and overall (a sentence is a claim when it has any label, and is
reported when the engine finds any claim in it) for each part found. `--misses PART`
(e.g. `development`, `development.es`) also lists that part's wrong answers (never use it
on a held-out part while writing rules).

Each part is measured three ways: the rules alone (per category and overall), the model
alone (pipeline/checks/claims/model.<lang>.json; on a development part, which it was trained
on, each sentence is scored by the model of the cross-validation fold that did not see it,
as benchmarks/train_claims_model.py does, so the figure is honest: this needs
scikit-learn), and both together, which is what the check reports (a sentence is reported
when a rule or the model finds it).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from pipeline.checks.claims import load_rules, read_unit  # noqa: E402
from pipeline.checks.claims.engine import model_readings  # noqa: E402
from pipeline.checks.claims.model import shipped_model  # noqa: E402
from train_claims_model import evaluation_unit  # noqa: E402  benchmarks/, beside this file

EVALUATION = REPO / "tests" / "claims_eval"
PARTS = ("development", "held_out")
LANGUAGES = ("en", "es")  # en: <part>.yml; another language: <part>.<lang>.yml


def part_file(part: str) -> Path:
    """The file of a part: "development" -> development.yml, "held_out.es" ->
    held_out.es.yml."""
    return EVALUATION / f"{part}.yml"


def part_language(part: str) -> str:
    """The language a part is written in: "development.es" -> "es"; English by default."""
    return part.partition(".")[2] or "en"


def part_names() -> list[str]:
    """Every part name, English first, whether its file exists or not."""
    return [part if lang == "en" else f"{part}.{lang}" for lang in LANGUAGES for part in PARTS]


@dataclass(frozen=True)
class Answer:
    text: str
    labels: frozenset[str]
    found: frozenset[str]


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        reported = self.true_positives + self.false_positives
        return self.true_positives / reported if reported else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def answers(part: str, rules_file: Path = REPO / "source" / "claims.yml") -> list[Answer]:
    """Every sentence of a part with its labels and the categories the engine found."""
    lang = part_language(part)
    language = load_rules(rules_file).language(lang)
    if language is None:
        raise SystemExit(f"{rules_file} has no rules for '{lang}', which {part}.yml is in")
    data = yaml.safe_load(part_file(part).read_text(encoding="utf-8"))
    found = []
    for item in data["sentences"]:
        claims = read_unit(evaluation_unit(item, lang, language), language,
                           item.get("notes") or {})
        found.append(Answer(item["text"], frozenset(item["labels"]),
                            frozenset(claim.rule.id for claim in claims)))
    return found


def model_answers(part: str, rules_file: Path = REPO / "source" / "claims.yml"
                  ) -> list[bool] | None:
    """Per sentence of a part, whether the model reads it as a claim (cross-validated on a
    development part); None when the language has no model or the rules switch it off."""
    lang = part_language(part)
    language = load_rules(rules_file).language(lang)
    model = shipped_model(lang) if language and language.model else None
    if model is None:
        return None
    import train_claims_model as training  # benchmarks/, beside this file
    vetoes = frozenset(model.vetoes)
    if part.partition(".")[0] == "development":
        return [training.item_score(scores, vetoes) >= model.threshold
                for scores in training.cross_validated(lang)]
    data = yaml.safe_load(part_file(part).read_text(encoding="utf-8"))
    found = []
    for item in data["sentences"]:
        unit = evaluation_unit(item, lang, language)
        scores = [(model.score(s.text), s.excuses)
                  for s in model_readings(unit, language, item.get("notes") or {})]
        found.append(training.item_score(scores, vetoes) >= model.threshold)
    return found


def binary(name: str, results: list[Answer], reported: list[bool]) -> str:
    """One line: precision and recall of claim / not claim."""
    score = overall([Answer(a.text, a.labels, frozenset({"claim"} if r else ()))
                     for a, r in zip(results, reported)])
    return (f"  {name:<16} {score.precision:>9.2f} {score.recall:>7.2f}  "
            f"{score.true_positives:>3} {score.false_positives:>3} {score.false_negatives:>3}")


def overall(results: list[Answer]) -> Score:
    """A sentence is a claim when it has a label; reported when anything is found."""
    return Score(sum(bool(a.labels) and bool(a.found) for a in results),
                 sum(not a.labels and bool(a.found) for a in results),
                 sum(bool(a.labels) and not a.found for a in results))


def per_category(results: list[Answer]) -> dict[str, Score]:
    categories = sorted({c for a in results for c in a.labels | a.found})
    return {c: Score(sum(c in a.labels and c in a.found for a in results),
                     sum(c not in a.labels and c in a.found for a in results),
                     sum(c in a.labels and c not in a.found for a in results))
            for c in categories}


def report(part: str, results: list[Answer]) -> str:
    claims = sum(bool(a.labels) for a in results)
    lines = [f"{part}: {len(results)} sentences ({claims} claims, "
             f"{len(results) - claims} acceptable)",
             f"  {'category':<16} {'precision':>9} {'recall':>7}   tp  fp  fn"]
    for name, score in [*per_category(results).items(), ("OVERALL", overall(results))]:
        lines.append(f"  {name:<16} {score.precision:>9.2f} {score.recall:>7.2f}  "
                     f"{score.true_positives:>3} {score.false_positives:>3} "
                     f"{score.false_negatives:>3}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, default=REPO / "source" / "claims.yml",
                        help="the claims.yml to measure (default: the project's)")
    parser.add_argument("--misses", choices=part_names(),
                        help="also list this part's wrong answers")
    parser.add_argument("--no-model", action="store_true",
                        help="measure the rules only (no scikit-learn needed)")
    arguments = parser.parse_args()
    for part in part_names():
        if not part_file(part).exists():
            print(f"{part}: no {part_file(part).relative_to(REPO)} here\n")
            continue
        results = answers(part, arguments.rules)
        print(report(part, results).replace("category        ", "rules: category ", 1))
        model = None if arguments.no_model else model_answers(part, arguments.rules)
        if model is None:
            print("  (no model for this part's language, or measured without it)")
        else:
            print(binary("MODEL ONLY", results, model))
            print(binary("RULES + MODEL", results,
                         [bool(a.found) or m for a, m in zip(results, model)]))
        if arguments.misses == part:
            for answer in results:
                if answer.labels != answer.found:
                    print(f"    expected {sorted(answer.labels)} found {sorted(answer.found)}: "
                          f"{answer.text}")
        print()


if __name__ == "__main__":
    main()
