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
    args = parser.parse_args(argv)
    for path in (args.per_query, args.baseline):
        if path is not None and not path.is_file():
            print(f"error: no file {path}; write one with: python -m eval --out DIR",
                  file=sys.stderr)  # fmt: skip
            return 2
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
