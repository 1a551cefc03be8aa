"""Calibrate the abstention threshold on real answerable and unanswerable questions.

    python -m eval.calibrate                      # sample, squad2, multihop-rag
    python -m eval.calibrate --per-dataset 120    # questions asked per dataset

Every question is answered once with abstention switched off (``abstain_below=0``), which
gives its best answer score (``Answer.confidence``) and the answer it would give. Abstaining
below a threshold t is then judged for each t: precision and recall of abstaining
(unanswerable questions are the positive class: SQuAD 2.0 ``is_impossible``, MultiHop-RAG
``null_query``, the sample set's unanswerable questions), and the share of answerable
questions still answered with a gold answer in the cited sentences. Both matter to a reader
(a wrong "not found" costs as much as a wrong answer), so the threshold recommended is the one
with the best mean, over the datasets, of (abstention F1 + answered share) / 2;
``qa.answer.ABSTAIN_BELOW`` is set from it by hand (a deliberate edit).

Questions answered by quoting a named person ("What did X say?") abstain on their own rule
(X is not in the articles), not on this threshold; their scores are 1.0 here.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eval.__main__ import UsageError, load_datasets
from eval.metrics import contains_answer
from qa import Index
from qa.answer import ABSTAIN_BELOW


@dataclass(frozen=True)
class Scored:
    dataset: str
    unanswerable: bool
    confidence: float
    hard_abstain: bool  # abstained whatever the threshold (e.g. the person is not in the articles)
    answer_hit: bool | None  # gold answer in the cited sentences; None without gold answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.calibrate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="datasets folder "
                        "(default: ../shared/datasets when it exists)")
    parser.add_argument("--datasets", default="sample,squad2,multihop-rag",
                        help="comma-separated dataset names (default: all three)")
    parser.add_argument("--per-dataset", type=int, default=160,
                        help="questions per dataset, half unanswerable where possible "
                        "(default: 160)")
    parser.add_argument("--low", type=float, default=0.30, help="lowest threshold (0.30)")
    parser.add_argument("--high", type=float, default=0.70, help="highest threshold (0.70)")
    parser.add_argument("--step", type=float, default=0.02, help="threshold step (0.02)")
    args = parser.parse_args(argv)
    if args.step <= 0 or args.low > args.high:
        parser.error("thresholds need --step > 0 and --low <= --high")

    try:
        evalsets = load_datasets([n.strip() for n in args.datasets.split(",")], args.data_dir)
    except UsageError as error:
        parser.error(str(error))
    scored: list[Scored] = []
    for evalset in evalsets:
        scored += _score(evalset, args.per_dataset)

    thresholds = []
    t = args.low
    while t <= args.high + 1e-9:
        thresholds.append(round(t, 4))
        t += args.step
    names = list(dict.fromkeys(s.dataset for s in scored))
    print(_table(scored, names, thresholds))
    best = max(thresholds, key=lambda th: _objective(scored, names, th))
    print(
        f"\nrecommended ABSTAIN_BELOW = {best:.2f} (objective "
        f"{_objective(scored, names, best):.3f}); current qa.answer.ABSTAIN_BELOW = "
        f"{ABSTAIN_BELOW:.2f} (objective {_objective(scored, names, ABSTAIN_BELOW):.3f})"
    )
    return 0


def _score(evalset, per_dataset: int) -> list[Scored]:
    unanswerable = [q for q in evalset.queries if q in evalset.unanswerable]
    answerable = [q for q in evalset.queries if q not in evalset.unanswerable]
    n_un = min(len(unanswerable), per_dataset // 2)
    chosen = unanswerable[:n_un] + answerable[: per_dataset - n_un]
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="calibrate-") as folder,
        Index.open(folder, create=True) as index,
    ):
        index.add(evalset.articles)
        for i, qid in enumerate(chosen, start=1):
            answer = index.ask(evalset.queries[qid], abstain_below=0.0)
            golds = evalset.answers.get(qid) or []
            hit = (
                contains_answer([c.sentence for c in answer.citations], golds)
                if golds and qid not in evalset.unanswerable
                else None
            )
            results.append(
                Scored(evalset.name, qid in evalset.unanswerable, answer.confidence,
                       answer.abstained, hit)
            )
            if i % 40 == 0:
                print(f"{evalset.name}: {i}/{len(chosen)} asked", file=sys.stderr)
    return results


def _abstains(s: Scored, threshold: float) -> bool:
    return s.hard_abstain or s.confidence < threshold


def _rates(items: list[Scored], threshold: float) -> tuple[float, float, float, float]:
    abstained = [s for s in items if _abstains(s, threshold)]
    right = sum(s.unanswerable for s in abstained)
    should = sum(s.unanswerable for s in items)
    precision = right / len(abstained) if abstained else 0.0
    recall = right / should if should else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    judged = [s for s in items if s.answer_hit is not None]
    answered_right = sum(1 for s in judged if s.answer_hit and not _abstains(s, threshold))
    return precision, recall, f1, (answered_right / len(judged) if judged else 0.0)


def _objective(scored: list[Scored], names: list[str], threshold: float) -> float:
    """Mean over datasets of (abstention F1 + share of answerable questions answered right)/2."""
    values = []
    for name in names:
        _, _, f1, answered = _rates([s for s in scored if s.dataset == name], threshold)
        values.append((f1 + answered) / 2)
    return sum(values) / len(values) if values else 0.0


def _table(scored: list[Scored], names: list[str], thresholds: list[float]) -> str:
    head = "| threshold | " + " | ".join(f"{n} P / R / F1 / answered" for n in names) + " |"
    lines = [head, "|---:|" + "---|" * len(names)]
    for th in thresholds:
        cells = []
        for name in names:
            p, r, f1, hit = _rates([s for s in scored if s.dataset == name], th)
            cells.append(f"{p:.2f} / {r:.2f} / {f1:.2f} / {hit:.2f}")
        lines.append(f"| {th:.2f} | " + " | ".join(cells) + " |")
    counts = ", ".join(
        f"{n}: {sum(s.dataset == n for s in scored)} questions "
        f"({sum(s.dataset == n and s.unanswerable for s in scored)} unanswerable)"
        for n in names
    )
    return (
        "Abstention precision / recall / F1 (unanswerable = positive) and the share of "
        f"answerable questions answered with a gold answer cited. {counts}.\n\n"
        + "\n".join(lines)
    )


if __name__ == "__main__":
    raise SystemExit(main())
