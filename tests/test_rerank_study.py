"""eval.rerank_study's measure on hand-made rankings: the re-scoring formula, the depth, and
each dataset's setting chosen on the others."""

from __future__ import annotations

import numpy as np
import pytest

from eval import rerank_study as study


def row(fused, hits, model, n_gold=1):
    return study.Ranked(np.array(fused, float), [frozenset(h) for h in hits], n_gold,
                        np.array(model, float), np.array(model, float))  # fmt: skip


def test_weight_zero_is_the_first_stage_and_the_model_can_promote_the_answer():
    # The answer is third by fusion; the model reads it best.
    rows = [row([0.9, 0.8, 0.7, 0.1], [(), (), (0,), ()], [0.1, 0.2, 0.9, 0.0])]
    assert study.metrics_of(rows, "sentence", 0.0, 30) == (pytest.approx(1 / 3), 1.0)
    assert study.metrics_of(rows, "sentence", 1.0, 30) == (1.0, 1.0)
    # 0.75 * fused + 0.25 * minmax(model): .703, .656, .775, .075 -> the answer first.
    assert study.metrics_of(rows, "sentence", 0.25, 30)[0] == 1.0
    # The other reading is another column: here it reads the answer worst.
    rows[0].passage = np.array([0.9, 0.8, 0.0, 0.1])
    assert study.metrics_of(rows, "passage", 0.25, 30)[0] == pytest.approx(1 / 3)
    # Past the depth nothing moves: with depth 2 the answer stays third.
    assert study.metrics_of(rows, "sentence", 1.0, 2)[0] == pytest.approx(1 / 3)


def test_each_dataset_is_judged_with_the_setting_the_others_chose():
    helps = row([0.9, 0.8], [(), (0,)], [0.0, 1.0])
    hurts = row([0.9, 0.8], [(0,), ()], [0.0, 1.0])
    data = {"a": [helps], "b": [helps], "c": [hurts]}
    lines = study.report(data)
    c_line = next(line for line in lines if line.startswith("| c |"))
    # a and b gain from reading; c is judged with their choice and loses (1.0 -> 0.5).
    assert "| 1.000 / 1.000 |" in c_line and "| 0.500 / 1.000 |" in c_line
