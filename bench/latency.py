"""Latency: retrieve and ask, p50/p95/p99 at 1k, 10k and 100k chunks, 1 and 4 callers.

    python -m bench latency                          # 200 questions, 1k/10k/100k, 1 and 4 callers
    python -m bench latency --sizes 1000 --questions 300

Questions: real ones, alternating SQuAD 2.0 and MultiHop-RAG (``bench._common.real_questions``).
Corpora: ``bench/_corpus.py`` (real dataset articles, current-events pages and items, then
re-dated copies with their vectors replayed; built once and cached). Each measurement opens
the index afresh (so no run inherits another's sentence-vector cache), answers 5 warm-up
questions, then times every question: one caller asking them in turn, or 4 threads sharing
one ``Index`` (as the app's workers do) asking them all; throughput is questions / wall time.

FAISS alone at 1M vectors is ``python -m bench faiss_1m``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from bench._common import machine, percentiles, real_questions, table, write_results
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


def measure(folder, questions: Sequence[str], callers: int, mode: str = "hybrid") -> dict:
    from qa import Index

    out = {}
    for name in ("retrieve", "ask"):
        with Index.open(folder) as index:
            call = (
                (lambda q, ix=index: ix.retrieve(q, 10, mode=mode))
                if name == "retrieve"
                else (lambda q, ix=index: ix.ask(q, mode=mode))
            )
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
    parser.add_argument(
        "--mode",
        default="hybrid",
        help="retrieval mode timed (default: hybrid; hybrid+reader times the second stage; "
        "NEWSQA_ANSWER_SCORER=reader times the answer model in ask)",
    )
    args = parser.parse_args(argv)

    questions = real_questions(args.questions)
    import os

    results: dict = {
        "machine": machine(),
        "questions": len(questions),
        "mode": args.mode,
        "answer_scorer": os.environ.get("NEWSQA_ANSWER_SCORER", "reader"),
        "sizes": {},
    }
    # The default configuration's results are bench/results/latency.json; others beside it.
    variant = [v for v in (args.mode, results["answer_scorer"]) if v not in ("hybrid", "reader")]
    name = "-".join(["latency", *variant]).replace("+", "-")
    for size in args.sizes:
        folder, built = ensure(size, args.backend)
        entry = {"corpus": built, "callers": {}}
        for callers in args.callers:
            entry["callers"][str(callers)] = measure(folder, questions, callers, args.mode)
            print(f"{size:,} chunks, {callers} caller(s): {entry['callers'][str(callers)]}",
                  flush=True)
            results["sizes"][str(size)] = entry
            write_results(name, results)  # after each run: a long run keeps what it has
    write_results(name, results)
    print(report_tables(results))
    return 0


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
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
