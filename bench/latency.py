"""Latency: retrieve and ask, p50/p95/p99 at 1k, 10k and 100k chunks; FAISS alone at 1M.

    python -m bench latency                          # 200 questions, 1k/10k/100k, 1 and 4 callers
    python -m bench latency --sizes 1000 --questions 200 --no-faiss

Questions: real ones, alternating SQuAD 2.0 and MultiHop-RAG (``bench._common.real_questions``).
Corpora: ``bench/_corpus.py`` (real dataset articles, current-events pages and items, then
re-dated copies with their vectors replayed; built once and cached). Each measurement opens
the index afresh (so no run inherits another's sentence-vector cache), answers 5 warm-up
questions, then times every question: one caller asking them in turn, or 4 threads sharing
one ``Index`` (as the app's workers do) asking them all; throughput is questions / wall time.

FAISS alone: the shipped HNSW settings (``qa.vectors``) and exact search on 1,000,000
synthetic vectors, each a random mix of two real chunk vectors of the 100k corpus plus a
little noise, re-normalised (so they lie where real embeddings lie); queries are the real
questions' vectors, one at a time.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bench._common import CACHE, machine, percentiles, real_questions, table, write_results
from bench._corpus import ensure

SIZES = (1_000, 10_000, 100_000)
WARM_UP = 5


def time_calls(call: Callable[[str], object], questions: Sequence[str], callers: int) -> dict:
    """Per-call seconds (each call timed by the thread that makes it) and throughput."""

    def one(question: str) -> float:
        started = time.perf_counter()
        call(question)
        return time.perf_counter() - started

    started = time.perf_counter()
    if callers == 1:
        seconds = [one(q) for q in questions]
    else:
        with ThreadPoolExecutor(callers) as pool:
            seconds = list(pool.map(one, questions))
    wall = time.perf_counter() - started
    return {**percentiles(seconds), "per_s": round(len(questions) / wall, 2)}


def measure(folder, questions: Sequence[str], callers: int) -> dict:
    from qa import Index

    out = {}
    for name in ("retrieve", "ask"):
        with Index.open(folder) as index:
            call = (lambda q, ix=index: ix.retrieve(q, 10)) if name == "retrieve" else index.ask
            for question in questions[:WARM_UP]:
                call(question)
            out[name] = time_calls(call, questions, callers)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--callers", type=int, nargs="*", default=[1, 4])
    parser.add_argument("--backend", default="onnx", help="embedding backend of the corpora")
    parser.add_argument("--no-faiss", action="store_true", help="skip FAISS at 1M vectors")
    parser.add_argument("--faiss-vectors", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    questions = real_questions(args.questions)
    results: dict = {"machine": machine(), "questions": len(questions), "sizes": {}}
    for size in args.sizes:
        folder, built = ensure(size, args.backend)
        entry = {"corpus": built, "callers": {}}
        for callers in args.callers:
            entry["callers"][str(callers)] = measure(folder, questions, callers)
            print(f"{size:,} chunks, {callers} caller(s): {entry['callers'][str(callers)]}",
                  flush=True)
        results["sizes"][str(size)] = entry
    if not args.no_faiss:
        results["faiss"] = faiss_alone(args.faiss_vectors, questions, args.backend)
    write_results("latency", results)
    print(report_tables(results))
    return 0


def faiss_alone(n: int, questions: Sequence[str], backend: str) -> dict:
    import faiss

    from qa import Index, vectors

    folder, _ = ensure(max(SIZES), backend)
    with Index.open(folder) as index:
        _, real = index.store.all_vectors(index.embedder.dimension)
        queries = index.embedder.embed(list(questions))
    real = np.unique(real, axis=0)
    out: dict = {"vectors": n, "distinct_real_vectors": len(real), "queries": len(queries)}
    path = CACHE / f"faiss-{n}-hnsw.index"
    rng = np.random.default_rng(20260101)
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
        synthetic = _synthetic(real, n, np.random.default_rng(20260101))
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


def report_tables(r: dict) -> str:
    rows = []
    for entry in r["sizes"].values():
        c = entry["corpus"]
        for callers, runs in entry["callers"].items():
            for name, t in runs.items():
                rows.append([f"{c['chunks']:,}", c["articles"], callers, name, t["p50"],
                             t["p95"], t["p99"], t["per_s"]])
    out = [f"Latency over {r['questions']} real questions (ms; per_s = questions per second)",
           "", table(["chunks", "articles", "callers", "call", "p50", "p95", "p99", "per s"],
                     rows)]
    if "faiss" in r:
        f = r["faiss"]
        out += ["", f"FAISS alone, {f['vectors']:,} synthetic vectors (mixes of "
                f"{f['distinct_real_vectors']:,} real ones), {f['queries']} real question "
                f"vectors one at a time; HNSW build {f['hnsw_build_s']} s, HNSW recall@10 "
                f"{f['hnsw_recall@10']}", "",
                table(["index", "p50 ms", "p95 ms", "p99 ms"],
                      [[k, f[k]["p50"], f[k]["p95"], f[k]["p99"]] for k in ("hnsw",
                                                                             "flat (exact)")])]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
