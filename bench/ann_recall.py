"""Recall@10 of the HNSW index against exact search, on real sentence embeddings.

    python -m bench.ann_recall [--n 19000] [--queries 500] [--scale 200000]

Texts are real news and encyclopedia sentences from ``/work/shared/datasets`` (Wikipedia
"Portal:Current events" items, CC BY-SA 4.0; SQuAD 2.0 contexts, CC BY-SA 4.0; MultiHop-RAG
evidence facts, ODC-BY 1.0), embedded with the bundled model. ``--n`` of them are indexed and
``--queries`` other ones are the queries, so no query is its own nearest neighbour.

Both indexes come from ``qa.dense.build`` (so the benchmark measures the shipped settings);
the flat index is exact and is the ground truth. Recall counts a returned hit as correct when
it is in the exact top 10 or scores at least the exact 10th score (ties between equal vectors
are not misses). Latency is one query at a time, as a user asks them, on one thread, best
of 3 runs per query; builds use all cores.

``--scale N`` adds a synthetic run on N vectors (0 to skip): each is a random mix of two real
vectors plus a little noise, re-normalised, so the set stays in the region real embeddings
occupy instead of being uniform noise (on which HNSW behaves very differently). Queries are
still the held-out real sentences. Embeddings are cached in ``/tmp`` between runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from qa import dense
from qa.embed import DEFAULT_MODEL, get_embedder

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
RESULTS = Path(__file__).resolve().parent / "results" / "ann_recall.json"
CACHE = Path("/tmp/newsqa-bench")
K = 10
EF_SWEEP = (16, 32, 64, 128, 256)
M_SWEEP = (16, 32, 48)
SEED = 20250305
REPEATS = 3

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # [text](url "title") -> text
_SOURCE = re.compile(r"\s*\[\(([^\]]*)\)\]\([^)]*\)")  # " [(BBC News)](url)" -> ""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


@dataclass(frozen=True)
class Measured:
    name: str
    recall_at_10: float
    p50_ms: float
    p95_ms: float
    build_s: float = 0.0
    bytes_per_vector: float = 0.0


def clean_bullet(line: str) -> str:
    text = _SOURCE.sub("", line.strip().lstrip("*-").strip())
    text = _LINK.sub(r"\1", text)
    return text.replace("*", "").replace("_", " ").strip()


def split_sentences(text: str) -> list[str]:
    # Rough on purpose: the benchmark needs realistic short texts, not exact sentences.
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= 20]


def collect_texts(limit: int) -> list[str]:
    """Unique real sentences, shuffled with a fixed seed, at most ``limit`` of them."""
    texts: list[str] = []
    for path in sorted((DATASETS / "wikipedia-current-events" / "days").glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith(("* ", "- ")):
                texts.extend(split_sentences(clean_bullet(line)) or [clean_bullet(line)])
    squad = json.loads((DATASETS / "squad2-sample" / "queries.json").read_text())
    for query in squad["queries"]:
        texts.extend(split_sentences(query["context"]))
        texts.append(query["question"])
    multihop = DATASETS / "multihop-rag-sample"
    for truth in json.loads((multihop / "ground_truth.json").read_text()).values():
        texts.extend(e["fact"] for e in truth["evidence_list"])
        texts.extend(e["title"] for e in truth["evidence_list"])
    questions = json.loads((multihop / "queries.json").read_text())["queries"]
    texts.extend(q["question"] for q in questions)
    # Exact duplicates would make ties that say nothing about the index.
    unique = sorted({t for t in texts if len(t) >= 12})
    np.random.default_rng(SEED).shuffle(unique)
    return unique[:limit]


def embed_cached(texts: list[str]) -> np.ndarray:
    digest = hashlib.sha256(("\n".join(texts) + DEFAULT_MODEL).encode()).hexdigest()[:16]
    path = CACHE / f"embeddings-{digest}.npy"
    if path.exists():
        return np.load(path)
    matrix = get_embedder().embed(texts, progress=sys.stderr.isatty())
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix)
    return matrix


def recall(
    exact_scores: np.ndarray, exact_ids: np.ndarray, scores: np.ndarray, ids: np.ndarray
) -> float:
    hits = 0
    for row in range(len(ids)):
        truth = set(exact_ids[row, :K].tolist())
        kth = exact_scores[row, K - 1]
        hits += sum(
            1
            for i, s in zip(ids[row, :K], scores[row, :K], strict=True)
            if i >= 0 and (i in truth or s >= kth - 1e-6)
        )
    return hits / (K * len(ids))


def timed_search(index, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Search one query at a time on one thread; returns (scores, ids, latencies in ms).

    One thread because a single HNSW query uses one anyway, and on a busy machine OpenMP
    hand-offs, not the index, dominate a multi-threaded single query. Each query runs
    ``REPEATS`` times and keeps its fastest run, so other processes inflate the numbers less.
    """
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        dense.search(index, queries[:20], K)  # warm caches
        scores = np.zeros((len(queries), K), dtype=np.float32)
        ids = np.zeros((len(queries), K), dtype=np.int64)
        latencies = np.full(len(queries), np.inf)
        for _ in range(REPEATS):
            for row in range(len(queries)):
                start = time.perf_counter()
                s, i = dense.search(index, queries[row : row + 1], K)
                latencies[row] = min(latencies[row], (time.perf_counter() - start) * 1000)
                scores[row], ids[row] = s[0], i[0]
    finally:
        faiss.omp_set_num_threads(threads)
    return scores, ids, latencies


def set_ef_search(index, ef: int) -> None:
    faiss.downcast_index(index.index).hnsw.efSearch = ef


def measure_all(base: np.ndarray, queries: np.ndarray, label: str, sweep_m: bool) -> dict:
    n, dim = base.shape
    ids = np.arange(n, dtype=np.int64)
    runs: dict[str, object] = {"n_vectors": n, "dimension": dim, "n_queries": len(queries)}

    start = time.perf_counter()
    flat = dense.build(ids, base, dim, kind="flat")
    flat_build = time.perf_counter() - start
    exact_scores, exact_ids, flat_ms = timed_search(flat, queries)
    flat_bytes = len(faiss.serialize_index(flat)) / n
    del flat

    start = time.perf_counter()
    hnsw = dense.build(ids, base, dim, kind="hnsw")
    hnsw_build = time.perf_counter() - start
    hnsw_bytes = len(faiss.serialize_index(hnsw)) / n
    print(f"[{label}] built flat in {flat_build:.1f}s, hnsw in {hnsw_build:.1f}s", flush=True)

    def one(name: str, build_s: float, size: float, scores, found, ms) -> Measured:
        return Measured(
            name,
            round(recall(exact_scores, exact_ids, scores, found), 4),
            round(float(np.percentile(ms, 50)), 3),
            round(float(np.percentile(ms, 95)), 3),
            round(build_s, 2),
            round(size, 1),
        )

    main_rows = [one("flat (exact)", flat_build, flat_bytes, exact_scores, exact_ids, flat_ms)]
    main_rows.append(
        one(
            f"hnsw M={dense.HNSW_M} ef={dense.HNSW_EF_SEARCH}",
            hnsw_build,
            hnsw_bytes,
            *timed_search(hnsw, queries),
        )
    )
    runs["main"] = [asdict(r) for r in main_rows]

    sweep = []
    for ef in EF_SWEEP:
        set_ef_search(hnsw, ef)
        sweep.append(one(f"efSearch={ef}", 0.0, 0.0, *timed_search(hnsw, queries)))
    set_ef_search(hnsw, dense.HNSW_EF_SEARCH)
    runs["ef_sweep"] = [asdict(r) for r in sweep]
    del hnsw

    if sweep_m:
        rows = []
        for m in M_SWEEP:
            inner = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = dense.HNSW_EF_CONSTRUCTION
            inner.hnsw.efSearch = dense.HNSW_EF_SEARCH
            index = faiss.IndexIDMap2(inner)
            start = time.perf_counter()
            index.add_with_ids(base, ids)
            build_s = time.perf_counter() - start
            size = len(faiss.serialize_index(index)) / n
            rows.append(
                one(
                    f"M={m} ef={dense.HNSW_EF_SEARCH}",
                    build_s,
                    size,
                    *timed_search(index, queries),
                )
            )
        runs["m_sweep"] = [asdict(r) for r in rows]
    return runs


def synthetic(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` vectors, each a random mix of two real ones plus noise, re-normalised."""
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    step = 100_000
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        a = base[rng.integers(0, len(base), hi - lo)]
        b = base[rng.integers(0, len(base), hi - lo)]
        weight = rng.uniform(0.55, 1.0, (hi - lo, 1)).astype(np.float32)
        noise = rng.normal(0, 0.02, a.shape).astype(np.float32)
        mixed = weight * a + (1 - weight) * b + noise
        out[lo:hi] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
    return out


def table(rows: list[dict], with_build: bool) -> str:
    head = "| index | recall@10 | p50 ms | p95 ms |"
    rule = "|---|---:|---:|---:|"
    if with_build:
        head += " build s | bytes/vector |"
        rule += "---:|---:|"
    lines = [head, rule]
    for r in rows:
        line = f"| {r['name']} | {r['recall_at_10']:.4f} | {r['p50_ms']:.3f} | {r['p95_ms']:.3f} |"
        if with_build:
            line += f" {r['build_s']:.2f} | {r['bytes_per_vector']:.0f} |"
        lines.append(line)
    return "\n".join(lines)


def report(name: str, runs: dict) -> str:
    parts = [
        f"### {name}: {runs['n_vectors']:,} vectors x {runs['dimension']}, "
        f"{runs['n_queries']} held-out queries",
        table(runs["main"], with_build=True),
        "",
        f"efSearch sweep (M={dense.HNSW_M}):",
        table(runs["ef_sweep"], with_build=False),
    ]
    if "m_sweep" in runs:
        parts += ["", "M sweep:", table(runs["m_sweep"], with_build=True)]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ann_recall",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=19_000, help="real vectors to index")
    parser.add_argument("--queries", type=int, default=500, help="held-out real queries")
    parser.add_argument(
        "--scale", type=int, default=0, help="also run on this many synthetic vectors (0 = skip)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    texts = collect_texts(args.n + args.queries)
    if len(texts) < args.n + args.queries:
        raise SystemExit(
            f"only {len(texts)} unique texts in {DATASETS}; ask for --n {len(texts) - args.queries}"
        )
    start = time.perf_counter()
    matrix = embed_cached(texts)
    print(
        f"embedded {len(texts):,} texts in {time.perf_counter() - start:.1f}s (cached in {CACHE})",
        flush=True,
    )
    queries, base = matrix[: args.queries], matrix[args.queries :]

    results: dict[str, object] = {
        "environment": {
            "cpus": os.cpu_count(),
            "faiss_threads": faiss.omp_get_max_threads(),
            "faiss": faiss.__version__,
            "machine": platform.machine(),
            # Latencies on a busy machine are inflated; this says how busy it was.
            "load_average_1m": round(os.getloadavg()[0], 2),
            "latency": f"one query at a time, 1 thread, best of {REPEATS} runs per query",
            "model": DEFAULT_MODEL,
            "settings": {
                "HNSW_M": dense.HNSW_M,
                "HNSW_EF_CONSTRUCTION": dense.HNSW_EF_CONSTRUCTION,
                "HNSW_EF_SEARCH": dense.HNSW_EF_SEARCH,
            },
        },
        "real": measure_all(base, queries, "real", sweep_m=True),
    }
    print(report("Real embeddings", results["real"]), flush=True)  # type: ignore[arg-type]
    if args.scale:
        big = synthetic(base, args.scale, np.random.default_rng(SEED))
        results["synthetic"] = measure_all(big, queries, "synthetic", sweep_m=False)
        print()
        print(report("Synthetic scale-up", results["synthetic"]))  # type: ignore[arg-type]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
