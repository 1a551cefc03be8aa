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
from qa.errors import StaleModelError


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


def test_a_speaker_question_falls_back_to_the_best_remaining_sentence_score():
    """The model never saw filtered candidates: when the speaker filter drops the strong
    sentence, a weak one naming the speaker must not be answered with high confidence
    (found in review: 'Traffic on Smith Street was slow.' at 0.94)."""
    from qa.answer.select import parse_question, select_answer
    from qa.records import Article, Passage, Sentence

    texts = ["The bridge over the river reopened on Monday after repairs to the deck.",
             "Traffic on Smith Street was slow."]  # fmt: skip
    text = " ".join(texts)
    article = Article(id="a1", title="Bridge reopens", text=text)
    sentences, at = [], 0
    for i, sentence in enumerate(texts):
        start = text.index(sentence, at)
        sentences.append(Sentence("a1", i, start, start + len(sentence), sentence, paragraph=0))
        at = start + len(sentence)
    passage = Passage(score=1.0, chunk_id=1, text=text, start=0, end=len(text), article=article,
                      sentences=tuple(sentences), rank=1)  # fmt: skip

    def embed(chosen):
        return np.array([[0.9, 0.436] if "bridge" in s.text else [0.1, 0.995] for s in chosen])

    question = parse_question("What did Smith say about the bridge reopening?")
    assert question.speaker == "Smith"
    answer = select_answer(question, np.array([1.0, 0.0]), [passage], {"a1": sentences}, embed)
    assert answer.abstained
    assert answer.confidence < 0.44


def test_a_model_file_of_other_features_is_refused_with_how_to_retrain(tmp_path):
    import json

    from qa.answer.features import _stored_model

    path = tmp_path / "abstain.json"
    assert _stored_model(path, {"features": QUESTION_FEATURES}, "--write") is None  # missing
    path.write_text(json.dumps({"features": ["best_score"], "coefficients": [1.0]}))
    with pytest.raises(StaleModelError, match="retrain it with: python -m eval.train_selector"):
        _stored_model(path, {"features": QUESTION_FEATURES}, "--write")
