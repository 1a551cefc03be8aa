"""Ingest throughput, index size and query latency on a real news corpus.

Corpus: Wikipedia's "Portal:Current events" daily pages (../shared/datasets/wikipedia-
current-events, CC BY-SA 4.0), Markdown with dated front matter: ~600 articles, ~10k items.

    python -m bench throughput                 # the whole corpus
    python -m bench throughput --limit 100     # the first 100 days

Prints a Markdown table and writes bench/results/throughput.json. Peak memory is the
process's maximum resident set size (model and libraries included).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from qa import Index
from qa.load import load_paths

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "datasets" / "wikipedia-current-events" / "days"
RESULTS = Path(__file__).parent / "results" / "throughput.json"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of articles")
    parser.add_argument("--limit", type=int, default=None, help="only the first N files")
    parser.add_argument("--queries", type=int, default=100, help="questions to time")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"{args.corpus} is not a folder; pass --corpus DIR")

    files = sorted(p for p in args.corpus.iterdir() if p.suffix == ".md")[: args.limit]
    folder = Path(tempfile.mkdtemp(prefix="newsqa-bench-"))
    try:
        started = time.perf_counter()
        loaded = load_paths(files)
        load_s = time.perf_counter() - started
        index = Index.open(folder, create=True)
        started = time.perf_counter()
        report = index.add(loaded.articles, progress=True)
        ingest_s = time.perf_counter() - started
        info = index.info()

        questions = _questions(index, args.queries)
        timings = {}
        for mode in ("bm25", "dense", "hybrid"):
            timings[f"retrieve {mode}"] = _time(lambda q, m=mode: index.retrieve(q, 10, mode=m),
                                                questions)
        timings["ask"] = _time(index.ask, questions)
        index.close()
        results = {
            "corpus": str(args.corpus.name),
            "articles": info.articles,
            "sentences": info.sentences,
            "chunks": info.chunks,
            "load_s": round(load_s, 2),
            "ingest_s": round(ingest_s, 2),
            "chunks_per_s": round(report.chunks_added / ingest_s, 1),
            "index_mb": round(int(info.size_bytes) / 1e6, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "latency_ms": timings,
            "machine": f"{platform.machine()}, {_cores()} cores",
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(_table(results))
    return 0


def _questions(index: Index, n: int) -> list[str]:
    """Questions made from random stored sentences: their first words plus a question mark."""
    rng = random.Random(13)
    articles = index.articles()
    questions = []
    while len(questions) < n and articles:
        sentences = index.sentences(rng.choice(articles).id)
        words = rng.choice(sentences).text.split()
        if len(words) >= 6:
            questions.append("What happened when " + " ".join(words[:8]).rstrip(".,") + "?")
    return questions


def _time(function, questions: list[str]) -> dict[str, float]:
    function(questions[0])  # warm up caches outside the measurement
    seconds = []
    for question in questions:
        started = time.perf_counter()
        function(question)
        seconds.append(time.perf_counter() - started)
    ordered = sorted(seconds)
    return {
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
    }


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _table(r: dict) -> str:
    lines = [
        f"Corpus {r['corpus']}: {r['articles']} articles, {r['sentences']} sentences, "
        f"{r['chunks']} chunks ({r['machine']})",
        "",
        "| step | result |",
        "|---|---:|",
        f"| load + normalise | {r['load_s']} s |",
        f"| ingest (segment, chunk, embed, store) | {r['ingest_s']} s "
        f"({r['chunks_per_s']} chunks/s) |",
        f"| index on disk | {r['index_mb']} MB |",
        f"| peak memory (RSS) | {r['peak_rss_mb']} MB |",
    ]
    for name, t in r["latency_ms"].items():
        lines.append(f"| {name}, p50 / p95 | {t['p50']} / {t['p95']} ms |")
    return "\n".join(lines)
