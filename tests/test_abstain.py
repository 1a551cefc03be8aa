"""The question-level abstention model (qa.answer.features.Abstainer, abstain.json)."""

from __future__ import annotations

import numpy as np
import pytest

from qa.answer.features import (
    FEATURES,
    QUESTION_FEATURES,
    Abstainer,
    learned_abstainer,
    question_features,
)
from qa.answer.select import ABSTAIN_BELOW


def _rows(*rows: dict[str, float]) -> np.ndarray:
    return np.array([[row.get(name, 0.0) for name in FEATURES] for row in rows])


def test_question_features_describe_the_best_candidate_and_its_lead():
    features = _rows(
        {"similarity": 0.2, "overlap": 0.9, "passage_overlap": 0.1, "typed": 1, "type_match": 0},
        {"similarity": 0.7, "overlap": 0.3, "passage_overlap": 0.6, "typed": 1, "type_match": 1},
    )
    scores = np.array([0.3, 0.5])
    described = dict(zip(QUESTION_FEATURES, question_features(features, scores), strict=True))
    assert described["best_score"] == 0.5
    assert described["best_similarity"] == 0.7  # of any candidate
    assert described["best_overlap"] == 0.9
    assert described["best_passage_overlap"] == 0.6
    assert described["best_type_match"] == 1.0  # the best-scored one names the asked type
    assert described["gap"] == pytest.approx(0.2)


def test_an_untyped_question_counts_as_a_type_match_and_no_candidates_as_zeros():
    features = _rows({"similarity": 0.5, "typed": 0, "type_match": 0})
    scores = np.array([0.4])
    described = dict(zip(QUESTION_FEATURES, question_features(features, scores), strict=True))
    assert described["best_type_match"] == 1.0
    assert described["gap"] == pytest.approx(0.4)  # no runner-up
    assert not question_features(np.zeros((0, len(FEATURES))), np.zeros(0)).any()


def test_the_shipped_model_is_used_and_more_evidence_means_more_confidence():
    model = learned_abstainer()
    assert model is not None, "qa/answer/abstain.json is missing"
    assert model.threshold == ABSTAIN_BELOW
    assert 0.0 < model.threshold < 1.0
    weak = np.array([0.30, 0.30, 0.3, 0.3, 1.0, 0.01])
    strong = np.array([0.70, 0.75, 0.3, 0.3, 1.0, 0.20])
    assert model.confidence(weak) < model.threshold <= model.confidence(strong)


def test_confidence_is_a_logistic_of_the_weighted_sum():
    model = Abstainer(np.array([2.0, 0, 0, 0, 0, 0]), -1.0, 0.5, "test")
    assert model.confidence(np.array([0.5, 0, 0, 0, 0, 0])) == pytest.approx(0.5)
    assert model.confidence(np.array([1.0, 0, 0, 0, 0, 0])) == pytest.approx(1 / (1 + np.exp(-1)))
