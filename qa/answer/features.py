"""What the answer step knows about a candidate sentence, as numbers, and how it weighs them.

A candidate is a sentence of a retrieved passage or one of its neighbours (headings never).
Its features, each in [0, 1]:

==================  =========================================================================
similarity          cosine of the question and the sentence (vectors stored at ingest)
overlap             share of the question's terms in the sentence, weighted by rarity
passage_overlap     the same over its passage with the passage's context (title, headings):
                    is the story about what was asked?
passage_score       the passage's retrieval score, over the best passage's
passage_rank        1 / the passage's rank
typed               the question asks for a kind of thing (a person, a place, a date...)
type_match          ... and the sentence names one the question does not (spaCy entities
                    from ingest, ``qa.entities``; patterns when the model is not installed)
length              how long the sentence is (a two-word line rarely answers), capped
lead                the sentence opens its paragraph
==================  =========================================================================

Each candidate's score is the hand-set weighted sum ``HAND_WEIGHTS``. A logistic regression
over the same features (``python -m eval.train_selector``, written to ``selector.json`` beside
this file only on request) was tried and did not beat it on held-out datasets, so the file
is absent and the hand-set weights are used.

Whether to answer at all is a separate, question-level decision: ``Abstainer`` reads
``QUESTION_FEATURES`` (the best score, the best similarity, overlap and passage overlap of any
candidate, whether the best one names the kind of thing asked for, its lead over the
runner-up) and gives the probability that the articles answer; it is learned by
``python -m eval.train_selector --write`` into ``abstain.json`` beside this file, where it
beat a threshold on the best score on every held-out dataset. Without that file the answer
step abstains below ``HAND_THRESHOLD`` on the best score. Before either, the names rule
(``NAMES_REQUIRED``): the names a question asks about (``qa.mentions.question_names``: spaCy's
entities of the question) must mostly appear in the retrieved passages (``names_found``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.entities import ANSWER_LABELS
from qa.errors import StaleModelError
from qa.records import Article, Passage, Sentence
from qa.text import terms

FEATURES = (
    "similarity",
    "overlap",
    "passage_overlap",
    "passage_score",
    "passage_rank",
    "typed",
    "type_match",
    "length",
    "lead",
)
HAND_WEIGHTS = {"similarity": 0.55, "overlap": 0.35, "type_match": 0.10}
HAND_THRESHOLD = 0.44  # calibrated for the hand-set weights (python -m eval.calibrate)
NEIGHBOURS = 1  # sentences either side of a retrieved passage also compete
LONG_SENTENCE = 40  # words: longer counts as long as this for the length feature
MODEL_FILE = Path(__file__).with_name("selector.json")
ABSTAIN_FILE = Path(__file__).with_name("abstain.json")
QUESTION_FEATURES = (
    "best_score",
    "best_similarity",
    "best_overlap",
    "best_passage_overlap",
    "best_type_match",
    "gap",
)
# Before any of that: when the retrieved passages mention fewer than this share of the names
# the question asks about ("the tram that derailed in Zurich", and no passage says Zurich),
# the articles are about something else and the answer says so (``qa.mentions.names_found``).
NAMES_REQUIRED = 0.5

Vectors = Callable[[Sequence[Sentence]], np.ndarray]  # sentences -> their unit vectors

_KINDS = (
    ("number", r"\bhow (?:many|much|old|long|far|large|big|tall|high)\b|"
     r"\bwhat (?:number|percentage|percent|share|proportion|amount|magnitude|toll)\b"),
    ("date", r"\bwhen\b|\b(?:what|which) (?:year|date|day|month|time|decade)\b"),
    ("place", r"\bwhere\b|\b(?:what|which|in which|in what) (?:country|countries|city|cities|"
     r"town|state|province|region|nation|island|capital|place|location|continent|village|"
     r"county|territory|area|port)\b"),
    ("organisation", r"\b(?:what|which) (?:company|companies|organi[sz]ation|party|group|"
     r"agency|team|firm|bank|club|network|newspaper|union|airline|militia|movement|court|"
     r"body|ministry|government|army)\b"),
    ("person", r"\bwho(?:m|se)?\b|\b(?:what|which) (?:person|man|woman|leader|minister|"
     r"president|official|player|politician|candidate|general|chief|actor|singer|author)\b"),
)  # fmt: skip
_KIND_PATTERNS = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _KINDS]

# Fallback type patterns for sentences without entities (no spaCy model installed).
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|twenty|thirty|forty|fifty|hundred|hundreds|thousand|"
    r"thousands|million|millions|billion|dozen|dozens)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|yesterday|today|tomorrow)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_PATTERNS = {"number": _NUMBER, "date": _DATE, "person": _NAME, "place": _NAME,
             "organisation": _NAME}  # fmt: skip


# Lines that say where a story came from, not what happened: never an answer.
_TIME_NAMES = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
    r"April|May|June|July|August|September|October|November|December|Christmas|Easter|"
    r"Then|Now|Today|Tonight|Noon|Midnight)\b"
)
_CREDITS = re.compile(r"^\s*(?:\([^()]*\)[\s,;.]*)+$")  # (Euronews) (The Times of India)
_BYLINE = re.compile(
    r"^\s*(?:(?:Reporting|Writing|Written|Editing|Edited|Additional reporting) by\b"
    r"|(?:Photo|Photograph|Image|Picture|Source|Sources|Credit|Credits)\s*:"
    r"|By\s+(?!" + _TIME_NAMES + r")[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,3}\s*(?:[,|;(]|and\b|$))",
)
_BYLINE_WORDS = 15


def is_source_line(text: str) -> bool:
    """A credit line ("(Euronews) (Elections of Poland)"), a byline ("By Jane Doe,
    Reuters"), a photo or source credit: text that names who reported, not what happened."""
    if _CREDITS.match(text):
        return True
    return len(text.split()) <= _BYLINE_WORDS and bool(_BYLINE.match(text))


def question_kind(question: str) -> str:
    """What a question asks for: "number", "date", "place", "organisation", "person" or
    "other" (the first that fits, in that order: "Who ... how many" counts)."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(question):
            return kind
    return "other"


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    article: Article
    passage: Passage
    features: np.ndarray  # in FEATURES order


def candidates(
    question: str,
    kind: str,
    question_vector: np.ndarray,
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    vectors: Vectors,
) -> list[Candidate]:
    """Every candidate sentence of ``passages`` with its features (see the module
    docstring), in passage order."""
    found: dict[tuple[str, int], tuple[Sentence, Passage]] = {}
    for passage in passages:
        if not passage.sentences:
            continue
        first = max(0, passage.sentences[0].index - NEIGHBOURS)
        last = passage.sentences[-1].index + NEIGHBOURS
        for sentence in sentences_of[passage.article.id][first : last + 1]:
            key = (sentence.article_id, sentence.index)
            if not sentence.heading and key not in found and not is_source_line(sentence.text):
                found[key] = (sentence, passage)
    if not found:
        return []
    items = list(found.values())
    q_terms = set(terms(question))
    sentence_terms = [set(terms(s.text)) for s, _ in items]
    passage_terms = {
        p.chunk_id: set(terms(f"{p.context} {p.text}")) for p in passages if p.sentences
    }
    idf = _idf(sentence_terms, q_terms)
    total = sum(idf.values())

    def share(words: set[str]) -> float:
        return sum(idf[t] for t in q_terms & words) / total if total else 0.0

    similarity = vectors([s for s, _ in items]) @ question_vector
    best_score = max((p.score for p in passages), default=0.0) or 1.0
    lowered = question.lower()
    rows = []
    for (sentence, passage), sim, words in zip(items, similarity, sentence_terms, strict=True):
        match = _type_match(kind, sentence, lowered)
        length = min(len(sentence.text.split()), LONG_SENTENCE) / LONG_SENTENCE
        lead = (
            sentence.index == 0
            or sentences_of[sentence.article_id][sentence.index - 1].paragraph != sentence.paragraph
        )
        rows.append(
            Candidate(
                sentence,
                passage.article,
                passage,
                np.array(
                    [
                        float(sim),
                        share(words),
                        share(passage_terms.get(passage.chunk_id, set())),
                        max(0.0, passage.score) / best_score,
                        1.0 / max(passage.rank, 1),
                        float(kind != "other"),
                        match,
                        length,
                        float(lead),
                    ]
                ),
            )
        )
    return rows


def _idf(documents: list[set[str]], wanted: set[str]) -> dict[str, float]:
    n = len(documents)
    df = {t: sum(1 for d in documents if t in d) for t in wanted}
    return {t: math.log(1 + (n + 1) / (df[t] + 0.5)) for t in wanted}


def _type_match(kind: str, sentence: Sentence, question: str) -> float:
    """1 when the sentence names a thing of the asked kind that the question does not."""
    if kind == "other":
        return 0.0
    labels = ANSWER_LABELS.get(kind, frozenset())
    if sentence.entities:
        return float(
            any(
                label in labels and sentence.text[a:b].lower() not in question
                for a, b, label in sentence.entities
            )
        )
    pattern = _PATTERNS.get(kind)
    return float(bool(pattern and pattern.search(sentence.text)))


@dataclass(frozen=True)
class Selector:
    """A linear scorer over ``FEATURES``: a logistic regression (``probability``) or the
    hand-set weights (its ``score`` is then the plain weighted sum)."""

    weights: np.ndarray
    intercept: float
    logistic: bool
    source: str  # where the weights came from, for reports
    threshold: float  # below this best score, abstain

    def score(self, features: np.ndarray) -> np.ndarray:
        raw = np.atleast_2d(features) @ self.weights + self.intercept
        return 1.0 / (1.0 + np.exp(-raw)) if self.logistic else raw


def hand_selector() -> Selector:
    weights = np.array([HAND_WEIGHTS.get(name, 0.0) for name in FEATURES])
    return Selector(weights, 0.0, False, "hand-set weights", HAND_THRESHOLD)


@lru_cache(maxsize=1)
def learned_selector() -> Selector:
    """The learned weights from ``selector.json``; the hand-set ones if it is missing."""
    stored = _stored_model(MODEL_FILE, {"features": FEATURES}, "--write-selector")
    if stored is None:
        return hand_selector()
    return Selector(
        np.array(stored["coefficients"], dtype=np.float64),
        float(stored["intercept"]),
        True,
        str(stored.get("source", MODEL_FILE.name)),
        float(stored["threshold"]),
    )


def question_features(features: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``QUESTION_FEATURES`` of a question from its candidates' ``features`` (rows in
    ``FEATURES`` order) and their ``scores``: how answerable it looks."""
    if not len(scores):
        return np.zeros(len(QUESTION_FEATURES))
    order = np.argsort(-scores, kind="stable")
    best = int(order[0])
    gap = float(scores[best] - (scores[order[1]] if len(order) > 1 else 0.0))
    column = FEATURES.index
    typed = features[best, column("typed")] > 0
    return np.array(
        [
            float(scores[best]),
            float(features[:, column("similarity")].max()),
            float(features[:, column("overlap")].max()),
            float(features[:, column("passage_overlap")].max()),
            float(features[best, column("type_match")]) if typed else 1.0,
            gap,
        ]
    )


@dataclass(frozen=True)
class Abstainer:
    """Logistic regression over ``QUESTION_FEATURES``: the probability that the retrieved
    articles answer the question; answer when it reaches ``threshold``."""

    weights: np.ndarray
    intercept: float
    threshold: float
    source: str

    def confidence(self, question_features: np.ndarray) -> float:
        raw = float(question_features @ self.weights + self.intercept)
        return 1.0 / (1.0 + math.exp(-raw))


@lru_cache(maxsize=1)
def learned_abstainer() -> Abstainer | None:
    """The model in ``abstain.json``; None when it is missing (abstain on the best score)."""
    stored = _stored_model(
        ABSTAIN_FILE, {"features": QUESTION_FEATURES, "sentence_features": FEATURES}, "--write"
    )
    if stored is None:
        return None
    return Abstainer(
        np.array(stored["coefficients"], dtype=np.float64),
        float(stored["intercept"]),
        float(stored["threshold"]),
        str(stored.get("source", ABSTAIN_FILE.name)),
    )


def _stored_model(path: Path, expected: dict[str, tuple[str, ...]], flag: str) -> dict | None:
    """A model file written by ``python -m eval.train_selector``, checked against the features
    this code computes; None when the file is missing."""
    if not path.exists():
        return None
    stored = json.loads(path.read_text(encoding="utf-8"))
    for key, names in expected.items():
        if tuple(stored.get(key, ())) != names:
            raise StaleModelError(
                f"{path} was trained on {key} {stored.get(key)}, not {list(names)}; retrain "
                f"it with: python -m eval.train_selector {flag}"
            )
    return stored
