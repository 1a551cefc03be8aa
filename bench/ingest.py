"""Ingest: articles/s and chunks/s of the whole pipeline next to the raw encode rate.

    python -m bench ingest                       # first 60 current-events day pages
    python -m bench ingest --pages 50 --repeat 3 --backends onnx-int8

For each embedding backend: ``Index.ingest`` of the day pages into a new index (load,
normalise, segment, chunk, fit to the model's tokens, embed, near-duplicate check, SQLite,
FAISS and BM25 caches), then the embedder alone on exactly the texts the pipeline embedded,
in the same calls: the raw encode rate, the model's own limit on this CPU. The ratio is
pipeline chunks/s / raw chunks/s. Each is timed ``--repeat`` times; the best run counts
(other processes only ever add time). txtai indexes the same chunk texts for comparison (the
pipeline's sentence vectors come from the same forward pass, ``qa.embed.embed_with_spans``).

Also, for the ONNX backends: encode with and without sorting texts by length (less
padding), batch sizes, and 1 vs 2 threads, all on the same texts.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections.abc import Sequence

import numpy as np

from bench._common import CURRENT_EVENTS, machine, table, write_results
from qa import Index
from qa.embed import embed_with_spans, get_embedder

BACKENDS = ("onnx", "onnx-int8", "torch")


class Recording:
    """Passes calls to an embedder and remembers each call's texts and seconds."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        self.max_tokens, self.backend = inner.max_tokens, getattr(inner, "backend", "")
        self.calls: list[list[str]] = []
        self.seconds = 0.0

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        started = time.perf_counter()
        out = self.inner.embed(texts)
        self.seconds += time.perf_counter() - started
        self.calls.append(list(texts))
        return out

    def embed_spans(self, texts: Sequence[str], spans, progress: bool = False):
        """The pipeline's own call: chunk vectors and their sentences' from one forward pass
        (``qa.embed.embed_with_spans``). Without it here the pipeline embedded every sentence
        again on its own, which it never does with the shipped embedders."""
        started = time.perf_counter()
        out = embed_with_spans(self.inner, texts, spans, progress=progress)
        self.seconds += time.perf_counter() - started
        self.calls.append(list(texts))
        return out

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def warm_pipeline(embedder) -> None:
    """Ingest one page into a throwaway index: one-time imports (datasketch, trafilatura),
    tiktoken's tables and the sentence splitter load outside the timed runs."""
    first = sorted(CURRENT_EVENTS.glob("*.md"))[:1]
    with tempfile.TemporaryDirectory() as tmp, Index.open(tmp, create=True,
                                                          embedder=embedder) as index:
        index.ingest(first)


def encode_seconds(embedder, calls: Sequence[Sequence[str]]) -> float:
    started = time.perf_counter()
    for texts in calls:
        embedder.embed(texts)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=60, help="day pages to ingest")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--backends", nargs="*", default=list(BACKENDS))
    parser.add_argument("--no-txtai", action="store_true")
    parser.add_argument("--no-sweeps", action="store_true", help="skip sort/batch/thread runs")
    parser.add_argument("--only-sweeps", action="store_true",
                        help="only the sort/batch/thread runs, added to bench/results/ingest.json")
    args = parser.parse_args(argv)
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    files = sorted(CURRENT_EVENTS.glob("*.md"))[: args.pages]
    from qa.load import load_paths

    if args.only_sweeps:
        return only_sweeps(files, args)

    started = time.perf_counter()
    n_articles = len(load_paths(files).articles)
    load_s = time.perf_counter() - started
    results: dict = {"machine": machine(), "pages": len(files), "articles": n_articles,
                     "load_s": round(load_s, 2), "repeat": args.repeat, "backends": {}}
    calls: list[list[str]] = []
    for backend in args.backends:
        embedder = get_embedder(backend=backend)
        embedder.embed(["warm up"] * 100)  # load, export, and the ingest-sized session
        warm_pipeline(embedder)
        runs = []
        for _ in range(args.repeat):
            recording = Recording(embedder)
            with (
                tempfile.TemporaryDirectory() as tmp,
                Index.open(tmp, create=True, embedder=recording) as index,
            ):
                started = time.perf_counter()
                report = index.ingest(files)
                pipeline_s = time.perf_counter() - started
            calls = recording.calls
            raw_s = encode_seconds(embedder, calls)
            runs.append({"pipeline_s": round(pipeline_s, 2), "embed_in_pipeline_s":
                         round(recording.seconds, 2), "raw_encode_s": round(raw_s, 2),
                         "chunks": report.chunks_added})
        chunks = runs[0]["chunks"]
        best_pipeline = min(r["pipeline_s"] for r in runs)
        best_raw = min(r["raw_encode_s"] for r in runs)
        best_embed = min(r["embed_in_pipeline_s"] for r in runs)
        results["backends"][backend] = {
            "runs": runs,
            "chunks": chunks,
            "pipeline_s": best_pipeline,
            "articles_per_s": round(n_articles / best_pipeline, 2),
            "chunks_per_s": round(chunks / best_pipeline, 1),
            "raw_chunks_per_s": round(chunks / best_raw, 1),
            "ratio_to_raw": round(best_raw / best_pipeline, 3),
            "breakdown_s": {"embed": best_embed, "load": round(load_s, 2),
                            "rest": round(best_pipeline - best_embed - load_s, 2)},
        }
        print(f"{backend}: {results['backends'][backend]}", flush=True)
    texts = [t for c in calls for t in c]
    if not args.no_txtai and texts:
        from bench._peers import make

        peer = make("txtai")
        seconds = min(peer.index(list(range(len(texts))), texts) for _ in range(args.repeat))
        results["txtai"] = {"chunks": len(texts), "index_s": round(seconds, 2),
                            "articles_per_s": round(n_articles / seconds, 2),
                            "chunks_per_s": round(len(texts) / seconds, 1),
                            "model_load_s": round(peer.load_s, 2)}
    if not args.no_sweeps and calls:
        results["sweeps"] = sweeps(calls, [b for b in args.backends if b != "torch"],
                                   args.repeat)
    write_results("ingest", results)
    print(report_tables(results))
    return 0


SWEEP = (  # label, sort by length, batch size, threads (None: all cores)
    ("unsorted", False, 64, None),
    ("sorted", True, 64, None),
    ("batch 16", True, 16, None),
    ("batch 32", True, 32, None),
    ("batch 128", True, 128, None),
    ("1 thread", True, 64, 1),
)


def sweeps(calls: list[list[str]], backends: Sequence[str], repeat: int) -> dict:
    """Encode rate of the same texts by setting (length sorting, batch size, threads).
    Settings take turns within each round, so a busy spell on a shared machine slows all of
    them alike; the best round counts."""
    import os

    from qa.embed import OnnxEmbedder

    n = sum(len(c) for c in calls)
    out: dict = {}
    for backend in backends:
        model = OnnxEmbedder(backend=backend)
        model.embed(["warm up"] * 100)
        best: dict[str, float] = {}
        saved = os.environ.get("NEWSQA_THREADS")
        try:
            for _ in range(repeat):
                for label, sort, batch, threads in SWEEP:
                    model.sort_by_length, model.batch_size = sort, batch
                    if threads:
                        os.environ["NEWSQA_THREADS"] = str(threads)
                    else:
                        os.environ.pop("NEWSQA_THREADS", None)
                    rate = n / encode_seconds(model, calls)
                    best[label] = round(max(best.get(label, 0.0), rate), 1)
        finally:
            if saved is None:
                os.environ.pop("NEWSQA_THREADS", None)
            else:
                os.environ["NEWSQA_THREADS"] = saved
        out[backend] = best
    return out


def only_sweeps(files, args) -> int:
    import json

    from bench._common import RESULTS

    recording = Recording(get_embedder(backend="onnx-int8"))
    with tempfile.TemporaryDirectory() as tmp, Index.open(tmp, create=True,
                                                          embedder=recording) as index:
        index.ingest(files)  # untimed: only to get the texts, in the pipeline's calls
    path = RESULTS / "ingest.json"
    results = json.loads(path.read_text()) if path.exists() else {"backends": {}}
    results["sweeps"] = sweeps(recording.calls, ["onnx", "onnx-int8"], args.repeat)
    results["sweeps_machine"] = machine()
    write_results("ingest", results)
    print(report_tables(results) if results.get("backends") else results["sweeps"])
    return 0


def report_tables(r: dict) -> str:
    rows = []
    for backend, b in r["backends"].items():
        rows.append([backend, b["chunks"], b["pipeline_s"], b["articles_per_s"],
                     b["chunks_per_s"], b["raw_chunks_per_s"], f"{100 * b['ratio_to_raw']:.0f}%",
                     b["breakdown_s"]["embed"], b["breakdown_s"]["load"],
                     b["breakdown_s"]["rest"]])
    if "txtai" in r:
        t = r["txtai"]
        rows.append(["txtai (the same chunk texts, torch)", t["chunks"], t["index_s"],
                     t["articles_per_s"], t["chunks_per_s"], None, None, None, None, None])
    out = [f"Ingest of {r['pages']} current-events day pages ({r['articles']} articles), "
           f"best of {r['repeat']}",
           "",
           table(["backend", "chunks", "pipeline s", "articles/s", "chunks/s",
                  "raw encode chunks/s", "pipeline / raw", "embed s", "load s", "rest s"], rows)]
    if "txtai" in r:
        # Whole process against txtai embedding and indexing the same chunk texts: the same
        # articles either way (newsqa also gets its sentence vectors from that pass).
        ratios = [f"{b}: {v['pipeline_s'] / r['txtai']['index_s']:.2f}x"
                  for b, v in r["backends"].items()]
        out.append(f"\nnewsqa whole ingest time / txtai index time, same articles: "
                   f"{', '.join(ratios)}")
    if r.get("sweeps"):
        names = list(next(iter(r["sweeps"].values())))
        out += ["", "Encode rate (texts/s) of the same texts, by setting", "",
                table(["backend", *names], [[b, *s.values()] for b, s in r["sweeps"].items()])]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
