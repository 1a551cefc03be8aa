"""eval.train_selector's abstention model on synthetic candidates (no index, no model)."""

from __future__ import annotations

import numpy as np

from eval.train_selector import (
    Question,
    abstention,
    abstention_by,
    compare_abstention,
    fit_abstainer,
)
from qa.answer.features import FEATURES, hand_selector

COLUMN = {name: i for i, name in enumerate(FEATURES)}


def _question(dataset: str, n: int, answerable: bool, strength: float) -> Question:
    """Two candidates; an answerable question's first one is strong and holds the answer."""
    rows = np.zeros((2, len(FEATURES)))
    rows[0, COLUMN["similarity"]] = strength
    rows[0, COLUMN["overlap"]] = strength
    rows[1, COLUMN["similarity"]] = strength / 3
    labels = np.array([1.0 if answerable else 0.0, 0.0])
    return Question(dataset, f"{dataset}-{n}", answerable, rows, labels)


def _datasets(seed: int = 0) -> dict[str, list[Question]]:
    rng = np.random.default_rng(seed)
    out = {}
    for name in ("a", "b", "c"):
        out[name] = [_question(name, i, True, rng.uniform(0.6, 0.9)) for i in range(30)]
        out[name] += [_question(name, 30 + i, False, rng.uniform(0.1, 0.45)) for i in range(20)]
    return out


def test_abstention_counts_precision_recall_and_answered_right():
    questions = _datasets()["a"]
    scores = abstention(hand_selector(), questions, threshold=0.9)  # abstains on everything
    assert scores["R"] == 1.0 and scores["answered"] == 0.0
    assert scores["P"] == 20 / 50
    never = abstention_by(lambda q: 1.0, questions, threshold=0.5)
    assert never["R"] == 0.0 and never["answered"] == 1.0  # the strong candidate holds it


def test_the_model_separates_answerable_from_not_held_out():
    by_dataset = _datasets()
    model = fit_abstainer([q for qs in by_dataset.values() for q in qs], by_dataset)
    assert 0.0 < model.threshold < 1.0
    scores = abstention_by(
        lambda q: model.confidence(_features(q)), by_dataset["a"], model.threshold
    )
    assert scores["F1"] > 0.9 and scores["answered"] > 0.9
    rows = compare_abstention(by_dataset)
    assert len(rows) == 2 + 3 and rows[2].startswith("| a |")


def _features(question: Question) -> np.ndarray:
    from qa.answer.features import question_features

    return question_features(question.features, hand_selector().score(question.features).ravel())


def test_reader_study_judges_the_answer_model_held_out():
    """A reader that puts the answer second everywhere loses to the hand-set weights, and
    the blend chosen on the other datasets keeps the hand-set choice (weight 0)."""
    from dataclasses import replace

    from eval.train_selector import _blend, _top1_by, reader_study

    by_dataset = {
        name: [replace(q, reader=np.array([0.1, 0.9])) for q in qs]
        for name, qs in _datasets().items()
    }
    questions = by_dataset["a"]
    assert _top1_by(lambda q: _blend(q, 0.0), questions) == 1.0  # hand-set: first holds it
    assert _top1_by(lambda q: _blend(q, None), questions) == 0.0  # the reader: the second
    rows = reader_study(by_dataset)
    assert len(rows) == 2 + 3  # header, rule, a row per held-out dataset
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == "30" and cells[2] == "1.000" and cells[3] == "0.000"
        assert cells[4] == "1.000 (0)"
