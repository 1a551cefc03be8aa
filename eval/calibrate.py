"""Calibrate the abstention threshold on real answerable and unanswerable questions.

    python -m eval.calibrate                      # every dataset found
    python -m eval.calibrate --distractors        # ... and each again with the distractor pool
    python -m eval.calibrate --per-dataset 120    # questions asked per dataset

Every question is answered once with abstention switched off (``abstain_below=0``), which
gives its best answer score (``Answer.confidence``) and the answer it would give. Abstaining
below a threshold t is then judged for each t: precision and recall of abstaining
(unanswerable questions are the positive class: SQuAD 2.0 ``is_impossible``, MultiHop-RAG
``null_query``, the sample set's unanswerable questions), and the share of answerable
questions still answered with a gold answer in the cited sentences. Both matter to a reader
(a wrong "not found" costs as much as a wrong answer), so the threshold recommended is the one
with the best mean, over the datasets, of (abstention F1 + answered share) / 2. With the
abstention model shipped (``qa/answer/abstain.json``), ``Answer.confidence`` is its
probability and its threshold is chosen by ``python -m eval.train_selector`` with the same
objective; this command shows how that threshold fares per dataset and per run.

With ``--distractors`` every dataset is also run with the Wikipedia current-events pages
indexed beside it (``eval.pool``: the pool is embedded once, each dataset gets a copy), as
``<name>+distractors``; the recommendation is then given for the clean runs, the distractor
runs and all of them. A dataset whose corpus is the pool (news-quiz) has one run, counted in
both.

Questions answered by quoting a named person ("What did X say?") abstain on their own rule
(X is not in the articles), not on this threshold; their scores are 1.0 here.

With ``--from-run DIR/per_query.jsonl --system NAME`` nothing is asked: the answers a run of
``python -m eval`` recorded are judged again at higher thresholds of the answer model (the
questions it reads; the others keep their recorded outcome). A question refused at the run's
threshold has no answer to judge, so only thresholds from the run's upward can be judged;
each run's figures are printed, and the threshold best on all runs but one is shown for each
(held out by dataset, as ``eval.train_selector`` holds them out):

    python -m eval --systems hybrid+reader --answer-systems hybrid+reader --distractors \
        --distractor-systems hybrid+reader --ask gate --out DIR
    python -m eval.calibrate --from-run DIR/per_query.jsonl --system hybrid+reader
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from eval import pool
from eval.__main__ import UsageError, load_datasets, pool_data_dir
from eval.datasets.base import EvalSet
from eval.embedcache import CachingEmbedder
from eval.metrics import contains_answer
from eval.pool import Pool, PoolIndex, Variant, plan_variants, pool_index_for, variant_index
from qa.answer import ABSTAIN_BELOW
from qa.embed import Embedder, get_embedder


@dataclass(frozen=True)
class Scored:
    dataset: str  # the run's name: "squad2" or "squad2+distractors"
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
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="datasets folder (default: ../shared/datasets when it exists)",
    )
    parser.add_argument(
        "--datasets",
        default=None,
        help="comma-separated dataset names (default: every dataset found)",
    )
    parser.add_argument(
        "--distractors",
        action="store_true",
        help="also run each dataset with the distractor pool indexed beside it",
    )
    parser.add_argument(
        "--per-dataset",
        type=int,
        default=160,
        help="questions per dataset, half unanswerable where possible (default: 160)",
    )
    parser.add_argument(
        "--from-run",
        type=Path,
        default=None,
        metavar="PER_QUERY",
        help="judge the answers recorded in a per_query.jsonl of python -m eval instead of "
        "asking (thresholds of the answer model from the run's own upward)",
    )
    parser.add_argument(
        "--system", default="hybrid", help="with --from-run: the system judged (hybrid)"
    )
    parser.add_argument("--low", type=float, default=0.30, help="lowest threshold (0.30)")
    parser.add_argument("--high", type=float, default=0.70, help="highest threshold (0.70)")
    parser.add_argument("--step", type=float, default=0.02, help="threshold step (0.02)")
    args = parser.parse_args(argv)
    if args.step <= 0 or args.low > args.high:
        parser.error("thresholds need --step > 0 and --low <= --high")

    if args.from_run is not None:
        try:
            scored, floor = recorded(args.from_run, args.system)
        except (OSError, ValueError) as error:
            parser.error(str(error))
        thresholds = _thresholds(max(args.low, floor), args.high, args.step)
        if not thresholds:
            parser.error(
                f"no threshold to judge: recorded answers can be judged from the answer "
                f"model's own threshold ({floor:.2f}) up; give --high {floor:.2f} or more"
            )
        return _report_recorded(scored, thresholds)
    names = [n.strip() for n in args.datasets.split(",")] if args.datasets else None
    try:
        evalsets = load_datasets(names, args.data_dir)
        distractors = pool.load_pool(pool_data_dir(args.data_dir)) if args.distractors else None
    except (UsageError, FileNotFoundError) as error:
        parser.error(str(error))
    scored = score_runs(evalsets, distractors, args.per_dataset, get_embedder())

    thresholds = _thresholds(args.low, args.high, args.step)
    runs = list(dict.fromkeys(s.dataset for s in scored))
    print(_table(scored, runs, thresholds))
    print()
    for label, group in _groups(runs, distractors is not None):
        best = max(thresholds, key=lambda th: _objective(scored, group, th))
        print(
            f"recommended ABSTAIN_BELOW{label} = {best:.2f} (objective "
            f"{_objective(scored, group, best):.3f}); current qa.answer.ABSTAIN_BELOW = "
            f"{ABSTAIN_BELOW:.2f} (objective {_objective(scored, group, ABSTAIN_BELOW):.3f})"
        )
    if distractors is not None:
        print(distractors.credit)
    return 0


def _thresholds(low: float, high: float, step: float) -> list[float]:
    values, t = [], low
    while t <= high + 1e-9:
        values.append(round(t, 4))
        t += step
    return values


def recorded(per_query: Path, system: str) -> tuple[list[Scored], float]:
    """The answers ``system`` gave in a run of ``python -m eval`` as ``Scored`` items, and the
    lowest threshold they can be judged at (the answer model's own: below it a refused
    question's answer is unknown). Questions the answer model does not read (longer than
    its questions, or ``NEWSQA_ANSWER_SCORER=hand``) keep their recorded outcome. The run
    must be of the answer model installed now (its threshold is the floor)."""
    from qa.answer.select import _reading
    from qa.reader import get_reader

    floor = get_reader().threshold
    scored: list[Scored] = []
    with per_query.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            answer = row.get("answer")
            if row.get("system") != system or not answer:
                continue
            if "question" not in row or "confidence" not in answer:
                raise ValueError(
                    f"{per_query}: a row without its question or confidence; is it a "
                    "per_query.jsonl of python -m eval?"
                )
            read = _reading(row["question"])
            scored.append(
                Scored(
                    row["dataset"],
                    not row.get("answerable"),
                    answer["confidence"] if read and not answer["abstained"] else 1.0,
                    bool(answer["abstained"]),
                    answer.get("answer_hit"),
                )
            )
    if not scored:
        raise ValueError(f"{per_query} holds no answers of system {system!r}")
    return scored, floor


def _report_recorded(scored: list[Scored], thresholds: list[float]) -> int:
    # A run with nothing to judge (news-digest: no unanswerable question, no short answer)
    # would add a constant to every threshold's objective.
    runs = [
        run
        for run in dict.fromkeys(s.dataset for s in scored)
        if any(s.unanswerable or s.answer_hit is not None for s in scored if s.dataset == run)
    ]
    scored = [s for s in scored if s.dataset in runs]
    print(_table(scored, runs, thresholds))
    print()
    best = max(thresholds, key=lambda th: _objective(scored, runs, th))
    print(f"best on all runs: {best:.2f} (objective {_objective(scored, runs, best):.3f})")
    bases = list(dict.fromkeys(pool.base_name(r) for r in runs))
    for base in bases:
        others = [r for r in runs if pool.base_name(r) != base]
        mine = [r for r in runs if pool.base_name(r) == base]
        if not others:
            continue
        chosen = max(thresholds, key=lambda th: _objective(scored, others, th))
        cells = []
        for run in mine:
            _, _, f1, answered = _rates([s for s in scored if s.dataset == run], chosen)
            _, _, f1_floor, answered_floor = _rates(
                [s for s in scored if s.dataset == run], thresholds[0]
            )
            cells.append(
                f"{run}: F1 {f1_floor:.3f} -> {f1:.3f}, answered right "
                f"{answered_floor:.3f} -> {answered:.3f}"
            )
        print(f"held out {base}: threshold {chosen:.2f} (chosen on the others); {'; '.join(cells)}")
    return 0


def score_runs(
    evalsets: list[EvalSet], distractors: Pool | None, per_dataset: int, embedder: Embedder
) -> list[Scored]:
    """Ask ``per_dataset`` questions of each dataset with abstention off, and again with the
    distractor pool beside it when one is given (one pool index, copied per dataset: the
    mechanism of ``python -m eval --distractors``)."""
    scored: list[Scored] = []
    # Nothing is timed here: every vector is remembered across the runs (eval.embedcache).
    cached = CachingEmbedder(embedder)
    if distractors is not None:
        print(f"indexing {len(distractors.articles)} distractor articles ...", file=sys.stderr)
    with pool_index_for(distractors, embedder=cached) as pooled:
        for evalset in evalsets:
            ids = {a.id for a in evalset.articles}
            variants, _ = plan_variants(evalset.name, ids, evalset.corpus_is_pool, pooled)
            for variant in variants:
                scored += _score(evalset, variant, pooled, per_dataset, cached)
    return scored


def _groups(runs: list[str], distractors: bool) -> list[tuple[str, list[str]]]:
    """The sets of runs a threshold is recommended for: all of them, and with distractors
    the clean runs and the distractor runs apart (a run over the pool itself is in both)."""
    if not distractors:
        return [("", runs)]
    noisy = {pool.base_name(r) for r in runs if r.endswith(pool.SUFFIX)}
    clean = [r for r in runs if not r.endswith(pool.SUFFIX)]
    with_pool = [r for r in runs if r.endswith(pool.SUFFIX) or r not in noisy]
    return [(" (clean runs)", clean), (" (with distractors)", with_pool), (" (all runs)", runs)]


def _score(
    evalset: EvalSet,
    variant: Variant,
    pooled: PoolIndex | None,
    per_dataset: int,
    embedder: CachingEmbedder,
) -> list[Scored]:
    unanswerable = [q for q in evalset.queries if q in evalset.unanswerable]
    answerable = [q for q in evalset.queries if q not in evalset.unanswerable]
    n_un = min(len(unanswerable), per_dataset // 2)
    chosen = unanswerable[:n_un] + answerable[: per_dataset - n_un]
    results = []
    with variant_index(variant, pooled, embedder=embedder) as index:
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
                Scored(
                    variant.name,
                    qid in evalset.unanswerable,
                    answer.confidence,
                    answer.abstained,
                    hit,
                )
            )
            if i % 40 == 0:
                print(f"{variant.name}: {i}/{len(chosen)} asked", file=sys.stderr)
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
        f"answerable questions answered with a gold answer cited. {counts}.\n\n" + "\n".join(lines)
    )


if __name__ == "__main__":
    raise SystemExit(main())
