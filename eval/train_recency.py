"""Learn the recency prior of questions asked on a date from questions asked on their dates.

    python -m eval.train_recency            # fit, cross-fit, print; writes nothing
    python -m eval.train_recency --write    # ... and store the weight in qa/models/recency.json

A question asked on a date that names no time ("Which baseball team is facing criticism
over its off-season spending spree?") is usually about that week's news, and an index of
several years holds older stories with the same words. ``qa.fusion.recency_prior`` lowers
each candidate's fused score by ``weight * ln(1 + age in days)``. The weight is learned
here, not set by hand: ``news-quiz-asked`` (news-quiz's questions asked undated on the Sunday
after their story, ``eval.datasets.news_quiz_asked``) is retrieved without the prior (no date
is passed, and the suite's indexes are never live, so none applies), and a logistic
regression on every candidate of the first 50 — is it a gold item? from its fused score and
``ln(1 + age)`` — gives how much score a day's age is worth: ``weight = -coef_age /
coef_score``.

Cross-fitted first: the weight fitted on half the questions is tested on the other half
(and the other way round), MRR@10 and Recall@10 against no prior, so the figure reported is
not fitted on the questions it is measured on. ``--write`` stores the weight fitted on all
of them, with those figures and this command, in ``qa/models/recency.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from eval.__main__ import UsageError, resolve_data_dir
from eval.pool import datasets_with_distractors
from qa.fusion import RECENCY_FILE, recency_prior
from qa.records import published_day

DATASET = "news-quiz-asked"
DEPTH = 50  # candidates a question's prior re-ranks (the fused list's depth)
CUTOFF = 10


@dataclass(frozen=True)
class Candidates:
    """One question's first-stage candidates: (chunk id, fused score, date, is gold)."""

    qid: str
    asked_on: str
    rows: list[tuple[int, float, str, bool]]


def collect(data_dir: Path, index_root: Path | None) -> list[Candidates]:
    """Retrieve every question of ``news-quiz-asked`` without the prior (no date passed)."""
    collected: list[Candidates] = []
    with datasets_with_distractors([DATASET], data_dir, index_root) as each:
        for evalset, _variant, index in each:
            own = {a.id for a in evalset.articles}
            for i, qid in enumerate(evalset.answerable, start=1):
                asked = date.fromisoformat(evalset.asked_on[qid])
                text, filters, _ = index.interpret_time(evalset.queries[qid], today=asked)
                passages = index.retrieve(text, DEPTH, filters=filters)
                rows = [
                    (
                        p.chunk_id,
                        p.score,
                        p.article.published[:10],
                        p.article.id in own
                        and any(
                            evalset.hit_rule(g, p.text, p.article.id)
                            for g in evalset.relevant[qid]
                        ),
                    )
                    for p in passages
                ]
                collected.append(Candidates(qid, asked.isoformat(), rows))
                if i % 50 == 0:
                    print(f"{i}/{len(evalset.answerable)} retrieved", file=sys.stderr)
    return collected


def _ages(item: Candidates) -> list[float]:
    """ln(1 + age in days) of each candidate, as ``recency_prior`` counts it (undated or
    after the date asked: as old as the oldest dated one)."""
    day = date.fromisoformat(item.asked_on)
    written = [published_day(when) for _, _, when, _ in item.rows]
    ages = [(day - w).days if w is not None and w <= day else None for w in written]
    oldest = max((a for a in ages if a is not None), default=0)
    return [math.log1p(oldest if a is None else a) for a in ages]


def fit_weight(items: list[Candidates]) -> float:
    """``-coef_age / coef_score`` of a logistic regression of "is gold" on the candidates'
    fused score and ln(1 + age)."""
    from sklearn.linear_model import LogisticRegression

    features, labels = [], []
    for item in items:
        for (_, score, _, gold), age in zip(item.rows, _ages(item), strict=True):
            features.append([score, age])
            labels.append(gold)
    model = LogisticRegression(max_iter=1000).fit(np.array(features), np.array(labels))
    coef_score, coef_age = model.coef_[0]
    if coef_score <= 0:
        raise ValueError("the fused score does not predict gold items here; no prior to learn")
    return max(0.0, float(-coef_age / coef_score))


def scores(items: list[Candidates], weight: float) -> dict[str, float]:
    """MRR@10 and Recall@10 (a gold item in the first 10) with the prior at ``weight``."""
    mrr = recall = 0.0
    for item in items:
        ranking = [(chunk_id, score) for chunk_id, score, _, _ in item.rows]
        published = {chunk_id: written for chunk_id, _, written, _ in item.rows}
        gold = {chunk_id for chunk_id, _, _, is_gold in item.rows if is_gold}
        reranked = recency_prior(ranking, published, item.asked_on, weight)
        first = next(
            (rank for rank, (c, _) in enumerate(reranked[:CUTOFF], start=1) if c in gold), None
        )
        if first is not None:
            mrr += 1 / first
            recall += 1
    n = len(items) or 1
    return {"MRR@10": round(mrr / n, 4), "Recall@10": round(recall / n, 4)}


def cross_fit(items: list[Candidates]) -> dict:
    """Two folds (questions alternately): each half scored with the weight fitted on the
    other, against no prior on the same half."""
    halves = [items[0::2], items[1::2]]
    with_prior, without = [], []
    weights = []
    for test, train in ((halves[0], halves[1]), (halves[1], halves[0])):
        weight = fit_weight(train)
        weights.append(round(weight, 4))
        with_prior.append((scores(test, weight), len(test)))
        without.append((scores(test, 0.0), len(test)))

    def pooled(parts: list[tuple[dict[str, float], int]]) -> dict[str, float]:
        total = sum(n for _, n in parts)
        return {m: round(sum(s[m] * n for s, n in parts) / total, 4) for m in parts[0][0]}

    return {"weights": weights, "with_prior": pooled(with_prior), "without": pooled(without)}


def _commit() -> str:
    """The commit the weight was fitted at ("" outside a git checkout)."""
    import subprocess

    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parent,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return ""
    return found.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.train_recency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="datasets folder")
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="keep and reuse the indexes here (as python -m eval --index-dir)",
    )
    parser.add_argument(
        "--write", action="store_true", help=f"store the weight in {RECENCY_FILE}"
    )
    args = parser.parse_args(argv)
    try:
        data_dir = resolve_data_dir(args.data_dir)
    except UsageError as error:
        parser.error(str(error))
    if data_dir is None:
        parser.error("no datasets folder: pass --data-dir (the folder of ../shared/datasets)")
    items = collect(data_dir, args.index_dir)
    crossed = cross_fit(items)
    weight = round(fit_weight(items), 4)
    report = {
        "weight": weight,
        "form": "fused score - weight * ln(1 + age in days), age on the date asked",
        "fitted_on": f"{DATASET}: {len(items)} questions, their first {DEPTH} candidates",
        "data": "eval/data/news-quiz.jsonl over ../shared/datasets/wikipedia-current-events"
        " (CC BY-SA 4.0), read in place",
        "cross_fitted": crossed,
        "command": "python -m eval.train_recency --write",
        "commit": _commit(),
    }
    print(json.dumps(report, indent=2))
    if args.write:
        RECENCY_FILE.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"written to {RECENCY_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
