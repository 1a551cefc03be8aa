"""FAISS alone at 1M vectors: the shipped HNSW settings and exact search, one query at a time.

    python -m bench faiss_1m                        # 1,000,000 vectors, 200 real questions
    python -m bench faiss_1m --vectors 200000

The vectors are synthetic, each a random mix of two real chunk vectors of the 100k-chunk
benchmark corpus plus a little noise, re-normalised, so they lie where real embeddings lie
(uniform noise would flatter or hurt HNSW unpredictably). The queries are the vectors of
real questions (``bench._common.real_questions``). The HNSW index is built with
``qa.vectors.build`` (M=32, efConstruction=80, efSearch=128) and cached in bench/.cache/;
its build time is from the run that built it. Recall@10 is against the exact search.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

from bench._common import CACHE, machine, percentiles, real_questions, table, write_results
from bench._corpus import ensure

SEED = 20260101


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench faiss_1m", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args(argv)
    results = {"machine": machine(), **faiss_alone(args.vectors, real_questions(args.questions))}
    write_results("faiss_1m", results)
    print(report_tables(results))
    return 0


def faiss_alone(n: int, questions: Sequence[str], backend: str = "onnx") -> dict:
    import faiss

    from qa import Index, vectors

    folder, _ = ensure(100_000, backend)
    with Index.open(folder) as index:
        _, real = index.store.all_vectors(index.embedder.dimension)
        queries = index.embedder.embed(list(questions))
    real = np.unique(real, axis=0)
    out: dict = {"vectors": n, "distinct_real_vectors": len(real), "queries": len(queries)}
    path = CACHE / f"faiss-{n}-hnsw.index"
    rng = np.random.default_rng(SEED)
    synthetic = None
    if path.exists():
        hnsw = faiss.read_index(str(path))
        out["hnsw_build_s"] = float((CACHE / f"faiss-{n}-hnsw.build_s").read_text())
    else:
        synthetic = _synthetic(real, n, rng)
        started = time.perf_counter()
        hnsw = vectors.build(np.arange(n, dtype=np.int64), synthetic, real.shape[1], "hnsw")
        out["hnsw_build_s"] = round(time.perf_counter() - started, 1)
        faiss.write_index(hnsw, str(path))
        (CACHE / f"faiss-{n}-hnsw.build_s").write_text(str(out["hnsw_build_s"]))
    if synthetic is None:
        synthetic = _synthetic(real, n, np.random.default_rng(SEED))
    flat = vectors.build(np.arange(n, dtype=np.int64), synthetic, real.shape[1], "flat")
    del synthetic
    for name, index in (("hnsw", hnsw), ("flat (exact)", flat)):
        seconds = []
        for row in queries:
            started = time.perf_counter()
            vectors.search(index, row[None, :], 10)
            seconds.append(time.perf_counter() - started)
        out[name] = percentiles(seconds)
    exact = vectors.search(flat, queries, 10)[1]
    approx = vectors.search(hnsw, queries, 10)[1]
    out["hnsw_recall@10"] = round(
        float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])),
        4)
    out["faiss_threads"] = faiss.omp_get_max_threads()
    return out


def _synthetic(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        a = real[rng.integers(0, len(real), m)]
        b = real[rng.integers(0, len(real), m)]
        w = rng.uniform(0.5, 1.0, (m, 1)).astype(np.float32)
        mix = w * a + (1 - w) * b + rng.normal(0, 0.02, (m, real.shape[1])).astype(np.float32)
        out[start : start + m] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


def report_tables(f: dict) -> str:
    return (f"FAISS alone, {f['vectors']:,} synthetic vectors (mixes of "
            f"{f['distinct_real_vectors']:,} real ones), {f['queries']} real question vectors "
            f"one at a time; HNSW build {f['hnsw_build_s']} s, HNSW recall@10 "
            f"{f['hnsw_recall@10']}\n\n"
            + table(["index", "p50 ms", "p95 ms", "p99 ms"],
                    [[k, f[k]["p50"], f[k]["p95"], f[k]["p99"]] for k in ("hnsw",
                                                                          "flat (exact)")]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
