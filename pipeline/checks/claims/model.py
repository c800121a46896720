"""A learned second opinion on claims: a logistic regression over TF-IDF features (word 1-2
grams and character 2-5 grams inside words, accents folded where the language's model
says so), trained on the development sentences by
`benchmarks/train_claims_model.py` and shipped as `model.<lang>.json` beside this file.

This scorer is pure Python on purpose: publishing must not pay for importing scikit-learn.
It reproduces scikit-learn's transform exactly (its token pattern, lowercasing, n-grams,
`char_wb` padding, accent stripping, sublinear tf, idf, l2 norm per vectorizer, the
vectorizers side by side) and the logistic score; tests/test_claims_model.py holds it to
`predict_proba`.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

MODEL_DIRECTORY = Path(__file__).parent
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
_WHITE_SPACES = re.compile(r"\s\s+")
_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = "\"'“”‘’«»¿¡.,;:!?()[]*_`"


def model_file(code: str) -> Path:
    """Where the model of a language is shipped: model.en.json."""
    return MODEL_DIRECTORY / f"model.{code}.json"


@dataclass(frozen=True)
class Vectorizer:
    """One TF-IDF vectorizer: what it cuts a text into, and per kept feature its idf and
    the regression's weight."""

    analyzer: str  # "word" or "char_wb", as scikit-learn names them
    ngram_range: tuple[int, int]
    features: Mapping[str, tuple[float, float]]  # n-gram: (idf, weight)
    strip_accents: bool = False  # "día" and "dia" read alike (social posts drop accents)

    def grams(self, text: str) -> list[tuple[str, int]]:
        """Every n-gram of the text with the index of the whitespace-separated word it
        stands in (the first word of a word n-gram), in scikit-learn's way."""
        text = text.lower()
        if self.strip_accents:
            text = strip_accents(text)
        low, high = self.ngram_range
        if self.analyzer == "word":
            tokens = [(m[0], _word_index(text, m.start())) for m in TOKEN.finditer(text)]
            return [(" ".join(t for t, _ in tokens[i:i + n]), tokens[i][1])
                    for n in range(low, high + 1) for i in range(len(tokens) - n + 1)]
        grams = []
        for index, word in enumerate(_WHITE_SPACES.sub(" ", text).split()):
            padded = f" {word} "
            for n in range(low, high + 1):
                if len(padded) <= n:  # a short word is counted once, as itself
                    grams.append((padded, index))
                    break
                grams += [(padded[i:i + n], index) for i in range(len(padded) - n + 1)]
        return grams

    def vector(self, text: str) -> dict[str, float]:
        """The text's l2-normalised sublinear TF-IDF values, by feature."""
        counts = Counter(gram for gram, _ in self.grams(text) if gram in self.features)
        values = {gram: (1 + math.log(count)) * self.features[gram][0]
                  for gram, count in counts.items()}
        norm = math.sqrt(sum(value * value for value in values.values()))
        return {gram: value / norm for gram, value in values.items()} if norm else {}


def strip_accents(text: str) -> str:
    """scikit-learn's strip_accents_unicode: the text decomposed, without combining marks."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _word_index(text: str, offset: int) -> int:
    return len(text[:offset].split()) - (0 if offset == 0 or text[offset - 1].isspace() else 1)


@dataclass(frozen=True)
class ClaimModel:
    """A language's model: score a text, and say which of its words made the score."""

    language: str
    vectorizers: tuple[Vectorizer, ...]
    intercept: float
    threshold: float  # a sentence scoring at least this reads as a claim
    vetoes: frozenset[str]  # what the engine knows excuses a sentence: question, referral, cited

    def decision(self, text: str) -> float:
        return self.intercept + sum(value * vectorizer.features[gram][1]
                                    for vectorizer in self.vectorizers
                                    for gram, value in vectorizer.vector(text).items())

    def score(self, text: str) -> float:
        """The probability that the text is an unsupported claim (predict_proba's)."""
        decision = self.decision(text)
        if decision >= 0:
            return 1 / (1 + math.exp(-decision))
        return math.exp(decision) / (1 + math.exp(decision))

    def explain(self, text: str, start: int = 0, count: int = 3) -> tuple[str, ...]:
        """The words of text[start:] that pushed its score up most (up to `count`, neighbours
        joined into one phrase), in the order they are written: what a writer should look at."""
        words = list(_WORD.finditer(text))
        pushes = [0.0] * len(words)
        for vectorizer in self.vectorizers:
            values = vectorizer.vector(text)
            places: dict[str, list[int]] = {}
            for gram, index in vectorizer.grams(text):
                if gram in values:
                    places.setdefault(gram, []).append(index)
            for gram, indexes in places.items():
                share = values[gram] * vectorizer.features[gram][1] / len(indexes)
                for index in indexes:
                    if index < len(pushes):
                        pushes[index] += share
        chosen = sorted((i for i, word in enumerate(words)
                         if word.start() >= start and pushes[i] > 0
                         and word[0].strip(_EDGE_PUNCTUATION)),
                        key=lambda i: -pushes[i])[:count]
        phrases: list[list[int]] = []
        for index in sorted(chosen):
            if phrases and phrases[-1][-1] == index - 1:
                phrases[-1].append(index)
            else:
                phrases.append([index])
        return tuple(" ".join(words[i][0] for i in phrase).strip(_EDGE_PUNCTUATION)
                     for phrase in phrases)


def model_from_json(data: Mapping) -> ClaimModel:
    """A model from what the training script writes (or an equal dictionary)."""
    return ClaimModel(
        data["language"],
        tuple(Vectorizer(v["analyzer"], tuple(v["ngram_range"]),
                         MappingProxyType({gram: (idf, weight)
                                           for gram, (idf, weight) in v["features"].items()}),
                         v.get("strip_accents") == "unicode")
              for v in data["vectorizers"]),
        data["intercept"], data["threshold"], frozenset(data.get("vetoes", ())))


@cache
def shipped_model(code: str) -> ClaimModel | None:
    """The model shipped for a language ("en"), or None when there is none."""
    path = model_file(code)
    if not path.exists():
        return None
    return model_from_json(json.loads(path.read_text(encoding="utf-8")))
