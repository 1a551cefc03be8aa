"""eval.compare: paired bootstrap intervals of one system's lead, from per_query.jsonl."""

from __future__ import annotations

import json

import numpy as np

from eval.compare import compare, main, paired_bootstrap, read_scores


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def _row(run, system, qid, mrr, recall=1.0, answerable=True):
    return {"dataset": run, "system": system, "qid": qid, "answerable": answerable,
            "scores": {"MRR@10": mrr, "Recall@10": recall}}  # fmt: skip


def test_a_lead_on_every_question_has_an_interval_above_zero(tmp_path):
    rows = [_row("news", "hybrid", f"q{i}", 1.0) for i in range(30)]
    rows += [_row("news", "bm25", f"q{i}", 0.5) for i in range(30)]
    rows.append(_row("news", "hybrid", "u1", 0.0, answerable=False))  # not counted
    path = tmp_path / "per_query.jsonl"
    _write(path, rows)
    found = compare(read_scores(path), "hybrid", ["bm25", "dense"])
    mrr = next(d for d in found if d.metric == "MRR@10")
    assert (mrr.run, mrr.against, mrr.questions) == ("news", "bm25", 30)
    assert mrr.mean == 0.5 and mrr.low == 0.5 and mrr.high == 0.5
    assert not [d for d in found if d.against == "dense"]  # no such system in the file


def test_an_even_split_straddles_zero():
    diffs = np.array([1.0, -1.0] * 50)
    low, high = paired_bootstrap(diffs)
    assert low < 0 < high
    assert paired_bootstrap(diffs) == (low, high)  # fixed seed: the same interval each time


def test_the_command_prints_a_table_and_refuses_a_missing_file(tmp_path, capsys):
    path = tmp_path / "per_query.jsonl"
    _write(path, [_row("s", "hybrid", "q1", 1.0), _row("s", "dense", "q1", 0.0)])
    assert main([str(path)]) == 0
    assert "| s | dense | MRR@10 | 1 | +1.000 |" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "python -m eval --out" in capsys.readouterr().err


def test_a_baseline_run_is_compared_system_by_system(tmp_path, capsys):
    new, old = tmp_path / "new.jsonl", tmp_path / "old.jsonl"
    _write(new, [_row("s", "hybrid", f"q{i}", 1.0) for i in range(5)])
    _write(old, [_row("s", "hybrid", f"q{i}", 0.8) for i in range(5)]
           + [_row("s", "bm25", f"q{i}", 0.0) for i in range(5)])  # fmt: skip
    assert main([str(new), "--baseline", str(old)]) == 0
    out = capsys.readouterr().out
    assert "| s | MRR@10 | 5 | +0.200 | [+0.200, +0.200] |" in out
    assert main([str(new), "--baseline", str(old), "--system", "dense"]) == 2


def _asked(run, qid, *, answerable, abstained, hit=None, cited=(), gold=()):
    """A per_query row of a question put to Index.ask, as eval.run writes it."""
    return {"dataset": run, "system": "hybrid", "qid": qid, "answerable": answerable,
            "scores": {}, "answer": {"abstained": abstained, "answer_hit": hit,
                                      "gold_answers": list(gold),
                                      "citations": [{"sentence": s} for s in cited]}}  # fmt: skip


def test_answers_of_two_runs_are_compared_with_intervals(tmp_path, capsys):
    new, old = tmp_path / "new.jsonl", tmp_path / "old.jsonl"
    # New: q0-q9 answered right, the gold in the first citation; u0-u9 all refused.
    # Old: q0-q9 answered with the gold in the second citation only; u0-u4 refused.
    right = [_asked("s", f"q{i}", answerable=True, abstained=False, hit=True,
                    cited=["Ten boats sank.", "x"], gold=["ten boats"]) for i in range(10)]
    second = [_asked("s", f"q{i}", answerable=True, abstained=False, hit=True,
                     cited=["x", "Ten boats sank."], gold=["ten boats"]) for i in range(10)]
    refused = [_asked("s", f"u{i}", answerable=False, abstained=True) for i in range(10)]
    half = [_asked("s", f"u{i}", answerable=False, abstained=i < 5) for i in range(10)]
    _write(new, right + refused)
    _write(old, second + half)
    assert main([str(new), "--baseline", str(old), "--answers"]) == 0
    out = capsys.readouterr().out
    assert "| s | Answer hit | 10 | +0.000 | [+0.000, +0.000] |" in out
    assert "| s | First hit | 10 | +1.000 | [+1.000, +1.000] |" in out
    assert "| s | Answered | 10 | +0.000 |" in out
    # F1 of abstaining: new 1.0 (10 of 10), old 2/3 (P 1, R .5): +0.333.
    assert "| s | Abstain F1 | 20 | +0.333 |" in out
    assert main([str(new), "--answers"]) == 2
    assert "--baseline" in capsys.readouterr().err
