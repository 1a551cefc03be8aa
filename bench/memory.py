"""Memory: peak RSS while ingesting and while serving, and bytes per chunk on disk.

    python -m bench memory                        # 1k, 10k, 100k chunks
    python -m bench memory --sizes 1000 --serve-backends onnx torch

Ingesting: the peak resident set of the process that built the cached corpus
(``bench/_corpus.py``): model loaded, the whole pipeline, plus the replay cache of distinct
vectors (up to 17k x 384 floats, ~26 MB). Serving: a fresh process per index and backend
opens the index and answers ``--questions`` real questions with ``Index.ask`` (FAISS and
BM25 loaded, sentence-vector cache filling), then reports its own peak RSS. On disk: the
index folder (SQLite with texts and vectors, the FAISS file, the BM25 folder) per chunk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from bench._common import ROOT, machine, real_questions, table, write_results
from bench._corpus import ensure

SIZES = (1_000, 10_000, 100_000)


def serve_child(folder: str, questions: int) -> None:
    from qa import Index

    with Index.open(folder) as index:
        for question in real_questions(questions):
            index.ask(question)
        backend = index.embedder.backend
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": round(peak, 1), "backend": backend}))


def on_disk(folder: Path) -> dict:
    parts = {"sqlite": 0, "faiss": 0, "bm25": 0, "other": 0}
    for path in folder.rglob("*"):
        if not path.is_file() or path.name == "built.json":
            continue
        size = path.stat().st_size
        name = path.relative_to(folder).parts[0]
        key = ("sqlite" if name.startswith("newsqa.sqlite") else "faiss"
               if name.endswith(".faiss") else "bm25" if name.startswith("bm25-") else "other")
        parts[key] += size
    return parts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--serve-backends", nargs="*", default=["onnx", "torch"])
    parser.add_argument("--serve-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_child:
        serve_child(args.serve_child, args.questions)
        return 0

    results: dict = {"machine": machine(), "questions": args.questions, "sizes": {}}
    for size in args.sizes:
        folder, built = ensure(size, "onnx")
        serving = {}
        for backend in args.serve_backends:
            env = {**os.environ, "NEWSQA_BACKEND": backend, "HF_HUB_OFFLINE": "1"}
            out = subprocess.run(
                [sys.executable, "-m", "bench", "memory", "--serve-child", str(folder),
                 "--questions", str(args.questions)],
                cwd=ROOT, env=env, capture_output=True, text=True, check=True,
            ).stdout.strip().splitlines()[-1]
            serving[backend] = json.loads(out)["peak_rss_mb"]
        disk = on_disk(folder)
        total = sum(disk.values())
        results["sizes"][str(size)] = {
            "chunks": built["chunks"],
            "articles": built["articles"],
            "ingest_peak_rss_mb": built["peak_rss_mb"],
            "serve_peak_rss_mb": serving,
            "disk_bytes": disk,
            "bytes_per_chunk": round(total / built["chunks"]),
            "bytes_per_chunk_parts": {k: round(v / built["chunks"]) for k, v in disk.items()},
        }
        print(f"{size:,}: {results['sizes'][str(size)]}", flush=True)
    write_results("memory", results)
    print(report_tables(results))
    return 0


def report_tables(r: dict) -> str:
    rows = []
    backends = sorted({b for s in r["sizes"].values() for b in s["serve_peak_rss_mb"]})
    for s in r["sizes"].values():
        parts = s["bytes_per_chunk_parts"]
        rows.append([f"{s['chunks']:,}", s["ingest_peak_rss_mb"],
                     *[s["serve_peak_rss_mb"].get(b) for b in backends],
                     s["bytes_per_chunk"], parts["sqlite"], parts["faiss"], parts["bm25"]])
    return (f"Peak RSS (MB) and bytes per chunk on disk; serving = {r['questions']} "
            "questions answered\n\n" + table(
                ["chunks", "ingest peak MB (onnx)", *[f"serve peak MB ({b})" for b in backends],
                 "bytes/chunk", "sqlite", "faiss", "bm25"], rows))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
