"""How to fuse the dense and BM25 searches: the comparison behind ``qa.retrieve``'s choice.

    python -m bench fusion                       # sample, squad2, multihop-rag
    python -m bench fusion --dataset squad2      # one of them

Each dataset (``eval.datasets``) is indexed once, in a temporary folder, with the bundled
model. Every answerable question gets its top ``FUSION_DEPTH`` dense and BM25 candidates
from the library (``Index.retrieve_many``); each method below fuses those two lists, and the
first 10 are scored with the eval suite's hit rules and metrics (``eval.metrics``), so
MRR@10 and Hits@1 mean what ``python -m eval`` reports. The chosen method is the library's
own ``convex_fusion``, and its top 10 is checked against ``mode="hybrid"`` (a mismatch, e.g.
from duplicate articles, which ``retrieve_many`` collapses, is reported as a warning).

Alternatives: reciprocal rank fusion, sum_i w_i / (k + rank_i); sums of scaled scores, a
candidate missing from a list counting as its lowest (z-scores; cosine + 0.2 x min-max BM25).
Also: a paired bootstrap 95% interval (fixed seed) of the chosen method's gain over the better
single search. Prints a Markdown table; writes bench/results/fusion.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from eval import metrics
from eval.__main__ import load_datasets
from eval.datasets import DATASETS, EvalSet
from eval.run import _hits  # the suite's own hit-rule application
from qa import Index
from qa.fusion import FUSION_DEPTH, Hits, convex_fusion, minmax
from qa.records import Passage

RESULTS = Path(__file__).parent / "results" / "fusion.json"
CHOSEN = "min-max convex, alpha=0.5 (chosen)"
SEED = 20250305
Method = Callable[[Hits, Hits], list[int]]  # (dense, bm25) -> chunk ids, best first
Scale = Callable[[np.ndarray], np.ndarray]


def _best_first(scores: dict[int, float]) -> list[int]:
    return [i for i, _ in sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))]


def rrf(k: int, weights: tuple[float, float] = (1.0, 1.0)) -> Method:
    def fuse(dense: Hits, bm25: Hits) -> list[int]:
        scores: dict[int, float] = {}
        for (_, ids), weight in zip((dense, bm25), weights, strict=True):
            for rank, item in enumerate(ids, start=1):
                scores[int(item)] = scores.get(int(item), 0.0) + weight / (k + rank)
        return _best_first(scores)

    return fuse


def scaled_sum(scales: tuple[Scale, Scale], weights: tuple[float, float]) -> Method:
    """sum_i w_i * scale_i(list_i), a missing candidate counting as the list's lowest value;
    that adds the same constant to every candidate, so each list adds w * (scaled - min)."""

    def fuse(dense: Hits, bm25: Hits) -> list[int]:
        scores: dict[int, float] = {}
        for (raw, ids), scale, weight in zip((dense, bm25), scales, weights, strict=True):
            if len(ids):
                values = scale(np.asarray(raw, dtype=np.float64))
                for item, value in zip(ids, values - values.min(), strict=True):
                    scores[int(item)] = scores.get(int(item), 0.0) + weight * float(value)
        return _best_first(scores)

    return fuse


def zscore(scores: np.ndarray) -> np.ndarray:
    spread = scores.std()
    return (scores - scores.mean()) / spread if spread > 0 else np.zeros_like(scores)


def convex(alpha: float) -> Method:
    return lambda dense, bm25: [i for i, _ in convex_fusion([dense, bm25], (alpha, 1 - alpha))]


METHODS: dict[str, Method] = {
    "bm25": lambda dense, bm25: [int(i) for i in bm25[1]],
    "dense": lambda dense, bm25: [int(i) for i in dense[1]],
    "RRF, k=60": rrf(60),
    "weighted RRF, k=10, bm25 x2": rrf(10, (1.0, 2.0)),
    "z-score convex, alpha=0.5": scaled_sum((zscore, zscore), (0.5, 0.5)),
    "dense cosine + 0.2 * min-max bm25": scaled_sum((lambda s: s, minmax), (1.0, 0.2)),
    "min-max convex, alpha=0.4": convex(0.4),
    CHOSEN: convex(0.5),
    "min-max convex, alpha=0.6": convex(0.6),
}
SINGLE = ("bm25", "dense")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench fusion",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dataset", default=",".join(DATASETS), help="comma-separated names")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: ../shared/datasets")
    parser.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    evalsets = load_datasets([n.strip() for n in args.dataset.split(",")], args.data_dir)
    results = {e.name: run_dataset(e, args.resamples) for e in evalsets}
    seconds = round(time.perf_counter() - started, 1)
    machine = f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores"
    report = {"depth": FUSION_DEPTH, "seed": SEED, "resamples": args.resamples}
    report |= {"seconds": seconds, "machine": machine, "datasets": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(_table(results))
    print(f"\n{seconds} s in all; results in bench/results/{RESULTS.name}")
    return 0


def run_dataset(evalset: EvalSet, resamples: int) -> dict:
    qids = evalset.answerable
    questions = [evalset.queries[q] for q in qids]
    with tempfile.TemporaryDirectory(prefix="newsqa-fusion-") as folder:
        index = Index.open(folder, create=True)
        index.add(evalset.articles)
        n_chunks = index.info().chunks
        dense = index.retrieve_many(questions, FUSION_DEPTH, mode="dense")
        bm25 = index.retrieve_many(questions, FUSION_DEPTH, mode="bm25")
        hybrid = index.retrieve_many(questions, metrics.CUTOFF, mode="hybrid")
        index.close()
    candidates: list[list[Hits]] = []
    hits: list[dict[int, frozenset[int]]] = []  # per question: chunk id -> gold items it hits
    for qid, *found in zip(qids, dense, bm25, strict=True):
        candidates.append([_scored(f) for f in found])
        golds = evalset.relevant[qid]
        hits.append({p.chunk_id: _hits(evalset, golds, p) for f in found for p in f})
    n_gold = {qid: len(evalset.relevant[qid]) for qid in qids}
    scores: dict[str, dict[str, float]] = {}
    per_query: dict[str, np.ndarray] = {}  # method -> MRR@10 of each question
    rankings: dict[str, list[list[int]]] = {}
    for name, method in METHODS.items():
        rankings[name] = [method(d, b)[: metrics.CUTOFF] for d, b in candidates]
        ranked = {
            qid: [hit[c] for c in ranking]
            for qid, hit, ranking in zip(qids, hits, rankings[name], strict=True)
        }
        per_q = metrics.retrieval_scores(ranked, n_gold, evalset.map_rule)
        per_query[name] = np.array([per_q[q]["MRR@10"] for q in qids])
        means = metrics.mean(per_q, ("MRR@10", "Hits@1"))
        scores[name] = {metric: round(value, 4) for metric, value in means.items()}
    library = [[p.chunk_id for p in ps] for ps in hybrid]
    differ = sum(ours != lib for ours, lib in zip(rankings[CHOSEN], library, strict=True))
    best = max(SINGLE, key=lambda name: per_query[name].mean())
    return {
        "questions": len(qids),
        "chunks": n_chunks,
        "scores": scores,
        "gain": _bootstrap(per_query[CHOSEN] - per_query[best], best, resamples),
        "hybrid_mode_disagreements": differ,
    }


def _bootstrap(diff: np.ndarray, baseline: str, resamples: int) -> dict:
    """Paired bootstrap of the mean per-question MRR@10 gain: a 95% percentile interval."""
    rng = np.random.default_rng(SEED)
    means = diff[rng.integers(0, len(diff), (resamples, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    interval = {"mean": diff.mean(), "low": low, "high": high}
    rounded = {name: round(float(value), 4) for name, value in interval.items()}
    return {
        "over": baseline,
        **rounded,
        "won": int((diff > 0).sum()),
        "lost": int((diff < 0).sum()),
    }


def _table(results: dict[str, dict]) -> str:
    names = list(results)
    rows = [
        _row("method", [f"{n} ({results[n]['questions']} q)" for n in names]),
        "|---|" + "---:|" * len(names),
    ]
    for method in METHODS:
        cells = [results[n]["scores"][method] for n in names]
        rows.append(_row(method, [f"{c['MRR@10']:.3f} ({c['Hits@1']:.3f})" for c in cells]))
    gains = [results[n]["gain"] for n in names]
    cells = [f"{g['mean']:+.3f} [{g['low']:+.3f}, {g['high']:+.3f}] vs {g['over']}" for g in gains]
    rows.append(_row("MRR@10 gain of chosen over better single, 95% CI", cells))
    rows += [
        f"warning: {n}: {r['hybrid_mode_disagreements']} questions' top 10 differ from "
        "Index.retrieve_many(mode='hybrid')"
        for n, r in results.items()
        if r["hybrid_mode_disagreements"]
    ]
    title = f"MRR@10 (Hits@1) of the fused top 10; candidates: top {FUSION_DEPTH} of each search"
    return "\n".join([title, "", *rows])


def _scored(passages: list[Passage]) -> Hits:
    return np.array([p.score for p in passages]), np.array([p.chunk_id for p in passages])


def _row(label: str, cells: list[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"
