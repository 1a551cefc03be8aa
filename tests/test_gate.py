"""The gate must be able to fail: each way it once passed when it should not, pinned.

The shipped ``eval/expected.toml`` is pinned too (every dataset clean and with distractors,
the answer metrics, the tolerances): deleting a dataset from it, or loosening it, fails here.
"""

from __future__ import annotations

import json
import math

import pytest

from eval import gate, metrics, pool, report
from eval.__main__ import main
from eval.datasets import DATASETS
from eval.metrics import ANSWER_METRICS

from .conftest import FAKE_MODEL

ANSWERED = {
    "Answer hit", "First hit", "Answered", "Citation exact", "Abstain P", "Abstain R", "Abstain F1"
}
DIGESTED = {*metrics.DIGEST_METRICS, "Answered", "Citation exact"}


def expected_with(**scores) -> gate.Expected:
    return gate.Expected(tolerances=dict(gate.DEFAULT_TOLERANCES), scores=scores)


# -- gate.compare ------------------------------------------------------------------------------
def test_citation_floor_holds_even_when_expected_says_less():
    lowered = expected_with(sample={"hybrid": {"Citation exact": 0.90}})
    [failure] = gate.compare(lowered, {"sample": {"hybrid": {"Citation exact": 0.90}}}).failures
    assert (failure.expected, failure.tolerance) == (1.0, 0.0)
    assert "expected 1.000 (tolerance 0.000), got 0.900" in str(failure)
    # A looser tolerance for it in the file does not lower the floor either.
    loose = gate.Expected(
        tolerances={"Citation exact": 0.5}, scores={"s": {"h": {"Citation exact": 1.0}}}
    )
    assert not gate.compare(loose, {"s": {"h": {"Citation exact": 0.99}}}).passed
    assert gate.compare(loose, {"s": {"h": {"Citation exact": 1.0}}}).passed


def test_nan_scores_fail():
    expected = expected_with(sample={"hybrid": {"MRR@10": 0.5}})
    [failure] = gate.compare(expected, {"sample": {"hybrid": {"MRR@10": math.nan}}}).failures
    assert "not a number" in str(failure)
    broken = expected_with(sample={"hybrid": {"MRR@10": math.nan}})
    assert not gate.compare(broken, {"sample": {"hybrid": {"MRR@10": 0.9}}}).passed


def test_a_missing_metric_or_dataset_fails_and_is_named():
    expected = expected_with(
        sample={"hybrid": {"MRR@10": 0.5, "Answer hit": 0.8}},
        squad2={"hybrid": {"MRR@10": 0.5}},
    )
    outcome = gate.compare(expected, {"sample": {"hybrid": {"MRR@10": 0.6}}})
    assert sorted(str(c) for c in outcome.failures) == [
        "sample / hybrid / Answer hit: expected 0.800, not measured in this run",
        "squad2 / hybrid / MRR@10: expected 0.500, not measured in this run",
    ]


# -- the command line --------------------------------------------------------------------------
def _results_file(tmp_path, scores: gate.Scores):
    """A results.json as ``--out`` writes it, holding ``scores``."""
    data = {
        "datasets": {
            name: {"systems": {system: {"scores": values} for system, values in by.items()}}
            for name, by in scores.items()
        }
    }
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    read = report.scores_from_json(json.loads(path.read_text()))
    assert json.dumps(read) == json.dumps(scores)  # the format holds (NaN != NaN, so as text)
    return path


def test_gate_and_update_expected_together_are_refused(tmp_path, capsys):
    expected = tmp_path / "expected.toml"
    gate.write_expected({"sample": {"hybrid": {"MRR@10": 0.9}}}, expected)
    before = expected.read_text()
    lower = _results_file(tmp_path, {"sample": {"hybrid": {"MRR@10": 0.6}}})
    code = main(
        ["--results", str(lower), "--gate", "--update-expected", "--expected", str(expected)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--gate and --update-expected together" in err and "Traceback" not in err
    assert expected.read_text() == before  # nothing written


def test_results_file_is_gated_on_every_expected_dataset(tmp_path, capsys):
    expected = tmp_path / "expected.toml"
    gate.write_expected(
        {"sample": {"hybrid": {"MRR@10": 0.9}}, "squad2": {"hybrid": {"MRR@10": 0.8}}}, expected
    )
    sample_only = _results_file(tmp_path, {"sample": {"hybrid": {"MRR@10": 0.95}}})
    assert main(["--results", str(sample_only), "--gate", "--expected", str(expected)]) == 1
    out = capsys.readouterr().out
    assert "GATE FAILED: 1 of 2" in out
    assert "squad2 / hybrid / MRR@10: expected 0.800, not measured in this run" in out
    # Asking for the sample alone gates the sample alone, and says what it left out.
    only = ["--dataset", "sample", "--expected", str(expected)]
    code = main(["--results", str(sample_only), "--gate", *only])
    assert code == 0
    assert "partial gate: not checked here: squad2" in capsys.readouterr().out


def test_nan_in_a_results_file_fails_the_gate(tmp_path, capsys):
    expected = tmp_path / "expected.toml"
    gate.write_expected({"sample": {"hybrid": {"MRR@10": 0.9}}}, expected)
    nan = _results_file(tmp_path, {"sample": {"hybrid": {"MRR@10": math.nan}}})
    assert main(["--results", str(nan), "--gate", "--expected", str(expected)]) == 1
    assert "not a number" in capsys.readouterr().out


def test_a_missing_dataset_folder_fails_the_gate(tmp_path, capsys):
    """The shared data gone (or one folder of it): the datasets it held are skipped with a
    note, and the gate fails naming each, instead of passing on what is left."""
    expected = tmp_path / "expected.toml"
    gate.write_expected(
        {"sample": {"hybrid": {"Hits@10": 0.0}}, "squad2": {"hybrid": {"Hits@10": 0.5}}}, expected
    )
    empty = tmp_path / "data"
    empty.mkdir()
    code = main(
        [
            "--gate", "--no-distractors", "--no-answers", "--systems", "hybrid",
            "--model", FAKE_MODEL, "--data-dir", str(empty), "--expected", str(expected),
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert "squad2: skipped, no squad2-sample/" in captured.err
    assert "squad2 / hybrid / Hits@10: expected 0.500, not measured in this run" in captured.out


# -- the shipped expectations -------------------------------------------------------------------
def test_shipped_expected_file_is_complete_and_strict():
    expected = gate.load_expected()
    every_run = set()
    for name, spec in DATASETS.items():
        every_run.add(name)
        if spec.folder != pool.POOL_FOLDER:  # news-quiz's corpus is the pool itself
            every_run.add(pool.distractor_name(name))
    assert "news-quiz" in every_run
    assert set(expected.scores) == every_run
    # Tolerances: the documented defaults, no looser.
    assert expected.tolerance == gate.DEFAULT_TOLERANCE == 0.02
    assert expected.tolerances == gate.DEFAULT_TOLERANCES
    assert gate.DEFAULT_TOLERANCES["Citation exact"] == 0.0
    assert max(gate.DEFAULT_TOLERANCES.values()) <= 0.05
    for run_name, by_system in expected.scores.items():
        # bm25, dense and hybrid everywhere (the gate's distractor systems).
        assert {"bm25", "dense", "hybrid"} <= set(by_system), run_name
        for system, values in by_system.items():
            assert set(metrics.RETRIEVAL_METRICS) <= set(values), (run_name, system)
            assert all(0.0 <= v <= 1.0 and not math.isnan(v) for v in values.values())
        # The default system's answers are gated on every run; a digest set's as digests.
        wanted = DIGESTED if run_name == "news-digest" else ANSWERED
        assert set(by_system["hybrid"]) >= wanted, run_name
        assert by_system["hybrid"]["Citation exact"] == 1.0
    assert set(ANSWER_METRICS) | {"Citation exact"} >= ANSWERED
    # Latest values are gated where they are asked: news-quiz's "latest" questions.
    assert "Newest first" in expected.scores["news-quiz"]["hybrid"]


@pytest.mark.parametrize("edit", ["drop news-quiz", "drop answers", "loosen"])
def test_the_pin_catches_a_weakened_file(tmp_path, monkeypatch, edit):
    """The test above fails on each weakening the issue names (run against an edited copy)."""
    text = gate.EXPECTED.read_text()
    if edit == "drop news-quiz":
        text = text.split('[scores."news-quiz"')[0]
    elif edit == "drop answers":
        text = "\n".join(line for line in text.splitlines() if not line.startswith('"Answer hit"'))
    else:
        text = text.replace("tolerance = 0.02", "tolerance = 0.5")
    weakened = tmp_path / "expected.toml"
    weakened.write_text(text)
    monkeypatch.setattr(gate, "EXPECTED", weakened)
    monkeypatch.setattr(gate.load_expected, "__defaults__", (weakened,))
    with pytest.raises(AssertionError):
        test_shipped_expected_file_is_complete_and_strict()
