"""``python -m eval.compare DIR/per_query.jsonl``: is one system's lead real?

For each run (dataset, clean or with distractors) in a ``per_query.jsonl`` written by
``python -m eval --out DIR``, the difference between ``--system`` (default: hybrid) and each
system of ``--against`` (default: bm25, dense) on the same answerable questions, per metric,
with a paired bootstrap 95% interval: questions are resampled with replacement (fixed seed)
and the mean difference recomputed each time. An interval that excludes 0 is a lead (or a
loss) that the questions support; one that straddles 0 is within what the sample of questions
can tell apart.

    python -m eval --distractors --out eval/reports/
    python -m eval.compare eval/reports/per_query.jsonl

With ``--baseline OTHER/per_query.jsonl`` it compares the same system across two runs of the
suite instead (a setting changed, or the commit before a change):

    python -m eval --distractors --no-answers --chunk-tokens 64 --out /tmp/c64/
    python -m eval.compare /tmp/c64/per_query.jsonl --baseline eval/reports/per_query.jsonl

With ``--answers`` it compares the answers instead of the retrieval: answer hit and first
hit (over answerable questions with a gold answer), answered (over answerable questions) and
abstention F1 (recomputed on each resample, every question asked counting), for the
questions both runs asked:

    NEWSQA_ANSWER_SCORER=hand python -m eval --gate --out /tmp/hand/
    python -m eval --gate --out /tmp/reader/
    python -m eval.compare /tmp/reader/per_query.jsonl --baseline /tmp/hand/per_query.jsonl \
        --answers
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

METRICS = ("MRR@10", "Recall@10")
RESAMPLES = 10_000
SEED = 0


@dataclass(frozen=True)
class Difference:
    run: str
    against: str
    metric: str
    questions: int
    mean: float  # system minus the other, averaged over the questions
    low: float  # 2.5th percentile of the bootstrap means
    high: float  # 97.5th percentile


def read_scores(path: Path) -> dict[tuple[str, str], dict[str, dict[str, float]]]:
    """(run, system) -> question id -> scores, answerable questions only."""
    table: dict[tuple[str, str], dict[str, dict[str, float]]] = defaultdict(dict)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("answerable"):
                table[(row["dataset"], row["system"])][row["qid"]] = row["scores"]
    return table


ANSWER_METRICS = ("Answer hit", "First hit", "Answered", "Abstain F1")


def read_answers(path: Path) -> dict[tuple[str, str], dict[str, dict]]:
    """(run, system) -> question id -> how its answer went, for every question asked:
    ``answerable``, ``judged`` (has a gold answer to look for), ``hit``, ``first``
    (the first citation holds it) and ``abstained``."""
    from eval.metrics import contains_answer

    table: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            answer = row.get("answer")
            if not answer:
                continue
            golds = answer.get("gold_answers") or []
            judged = answer.get("answer_hit") is not None
            cited = [c["sentence"] for c in answer.get("citations", [])]
            table[(row["dataset"], row["system"])][row["qid"]] = {
                "answerable": bool(row.get("answerable")),
                "judged": judged,
                "hit": bool(answer.get("answer_hit")),
                "first": judged
                and not answer["abstained"]
                and bool(cited)
                and contains_answer(cited[:1], golds),
                "abstained": bool(answer["abstained"]),
            }
    return table


def _abstain_f1(abstained: np.ndarray, unanswerable: np.ndarray) -> float:
    right = float((abstained & unanswerable).sum())
    precision = right / abstained.sum() if abstained.sum() else 0.0
    recall = right / unanswerable.sum() if unanswerable.sum() else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def compare_answers(
    table: dict[tuple[str, str], dict[str, dict]],
    baseline: dict[tuple[str, str], dict[str, dict]],
    system: str,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> list[Difference]:
    """``system``'s answers in ``table`` minus those in ``baseline``, run by run, on the
    questions both asked, with paired bootstrap intervals."""
    out = []
    for run in sorted({run for run, name in table if name == system}):
        mine, theirs = table.get((run, system), {}), baseline.get((run, system), {})
        shared = sorted(set(mine) & set(theirs))
        if not shared:
            continue
        for metric, key, rows in (
            ("Answer hit", "hit", [q for q in shared if mine[q]["judged"]]),
            ("First hit", "first", [q for q in shared if mine[q]["judged"]]),
            ("Answered", "abstained", [q for q in shared if mine[q]["answerable"]]),
        ):
            if not rows:
                continue
            diffs = np.array([float(mine[q][key]) - float(theirs[q][key]) for q in rows])
            if key == "abstained":
                diffs = -diffs  # answered = not abstained
            low, high = paired_bootstrap(diffs, resamples, seed)
            out.append(Difference(run, "baseline", metric, len(rows), float(diffs.mean()), low,
                                  high))  # fmt: skip
        unanswerable = np.array([not mine[q]["answerable"] for q in shared])
        if unanswerable.any():
            a = np.array([mine[q]["abstained"] for q in shared])
            b = np.array([theirs[q]["abstained"] for q in shared])
            rng = np.random.default_rng(seed)
            picks = rng.integers(0, len(shared), size=(resamples, len(shared)))
            boot = [_abstain_f1(a[p], unanswerable[p]) - _abstain_f1(b[p], unanswerable[p])
                    for p in picks]  # fmt: skip
            mean = _abstain_f1(a, unanswerable) - _abstain_f1(b, unanswerable)
            out.append(Difference(run, "baseline", "Abstain F1", len(shared), mean,
                                  float(np.percentile(boot, 2.5)),
                                  float(np.percentile(boot, 97.5))))  # fmt: skip
    return out


def paired_bootstrap(
    diffs: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED
) -> tuple[float, float]:
    """The 95% interval of the mean of ``diffs`` under resampling of its items."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(diffs), size=(resamples, len(diffs)))
    means = diffs[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def compare(
    table: dict[tuple[str, str], dict[str, dict[str, float]]],
    system: str,
    against: Sequence[str],
    metrics: Sequence[str] = METRICS,
) -> list[Difference]:
    out = []
    for run in sorted({run for run, _ in table}):
        mine = table.get((run, system))
        if not mine:
            continue
        for other in against:
            theirs = table.get((run, other))
            if not theirs:
                continue
            shared = sorted(set(mine) & set(theirs))
            if not shared:
                continue
            for metric in metrics:
                diffs = np.array([mine[q][metric] - theirs[q][metric] for q in shared])
                low, high = paired_bootstrap(diffs)
                out.append(Difference(run, other, metric, len(shared), float(diffs.mean()), low,
                                      high))  # fmt: skip
    return out


def compare_runs(
    table: dict[tuple[str, str], dict[str, dict[str, float]]],
    baseline: dict[tuple[str, str], dict[str, dict[str, float]]],
    system: str,
    metrics: Sequence[str] = METRICS,
) -> list[Difference]:
    """``system`` in ``table`` minus ``system`` in ``baseline``, run by run."""
    merged = {(run, "new"): scores for (run, name), scores in table.items() if name == system}
    merged |= {(run, "baseline"): scores for (run, name), scores in baseline.items()
               if name == system}  # fmt: skip
    return compare(merged, "new", ["baseline"], metrics)


def table_markdown(system: str, differences: Sequence[Difference], against: bool = True) -> str:
    """A Markdown table; ``against=False`` for a comparison with a baseline run (one other)."""
    if against:
        lines = [f"| run | {system} minus | metric | questions | difference | 95% interval |",
                 "|---|---|---|---:|---:|---|"]  # fmt: skip
    else:
        lines = [f"| run | metric | questions | {system} minus baseline | 95% interval |",
                 "|---|---|---:|---:|---|"]  # fmt: skip
    for d in differences:
        other = f" {d.against} |" if against else ""
        lines.append(
            f"| {d.run} |{other} {d.metric} | {d.questions} | {d.mean:+.3f} | "
            f"[{d.low:+.3f}, {d.high:+.3f}] |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.compare",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("per_query", type=Path, help="per_query.jsonl from python -m eval --out")
    parser.add_argument("--system", default="hybrid", help="the system judged (default: hybrid)")
    parser.add_argument(
        "--against", default="bm25,dense", help="comma-separated systems (default: bm25,dense)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another run's per_query.jsonl: compare --system across the two runs instead",
    )
    parser.add_argument(
        "--answers",
        action="store_true",
        help="with --baseline: compare the answers (answer hit, first hit, answered, "
        "abstention F1) instead of retrieval",
    )
    args = parser.parse_args(argv)
    if args.answers and args.baseline is None:
        print("error: --answers compares two runs; give the other one with --baseline FILE",
              file=sys.stderr)  # fmt: skip
        return 2
    for path in (args.per_query, args.baseline):
        if path is not None and not path.is_file():
            print(f"error: no file {path}; write one with: python -m eval --out DIR",
                  file=sys.stderr)  # fmt: skip
            return 2
    if args.answers:
        differences = compare_answers(
            read_answers(args.per_query), read_answers(args.baseline), args.system
        )
        if not differences:
            print(f"error: no answers of {args.system} are in both files", file=sys.stderr)
            return 2
        print(table_markdown(args.system, differences, against=False))
        return 0
    table = read_scores(args.per_query)
    if args.baseline is not None:
        differences = compare_runs(table, read_scores(args.baseline), args.system)
        if not differences:
            print(f"error: no run of {args.system} is in both files", file=sys.stderr)
            return 2
        print(table_markdown(args.system, differences, against=False))
        return 0
    against = [name.strip() for name in args.against.split(",") if name.strip()]
    differences = compare(table, args.system, against)
    if not differences:
        print(f"error: {args.per_query} has no runs of {args.system} and {', '.join(against)}",
              file=sys.stderr)  # fmt: skip
        return 2
    print(table_markdown(args.system, differences))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
