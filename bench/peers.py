"""Peers side by side: txtai (dense, hybrid) and bm25s against newsqa on the eval datasets.

    python -m bench peers                                # every eval dataset present
    python -m bench peers --datasets squad2 --timed 50

Same run, same corpus, same model, same questions. For each dataset (``eval.datasets``):
newsqa indexes the articles (load excluded, segment + chunk + embed + store + caches
included) once per embedding backend; the peers index the chunk texts newsqa cut (see
``bench/_peers.py``). Accuracy is Recall@10 and MRR@10 over the answerable questions under
the dataset's own hit rule (``eval.metrics``, as ``python -m eval`` reports them); latency is
``--timed`` questions (evenly spread) asked one at a time, after one warm-up question.
Ratios are newsqa / peer: below 1 means newsqa takes less time. The top-10 overlap compares
each backend's results with torch's (same chunks, so only the vectors differ).
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench._common import load_evalsets, machine, percentiles, table, write_results
from bench._peers import PEERS, make
from bench.ingest import warm_pipeline
from eval import metrics
from eval.run import spread
from qa import Index
from qa.embed import get_embedder

BACKENDS = ("onnx", "onnx-int8", "torch")
MODES = ("hybrid", "dense")
K = 10


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench peers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="*", default=None, help="default: all present")
    parser.add_argument("--backends", nargs="*", default=list(BACKENDS))
    parser.add_argument("--peers", nargs="*", default=list(PEERS))
    parser.add_argument("--timed", type=int, default=100, help="questions timed one by one")
    args = parser.parse_args(argv)

    results = {"machine": machine(), "datasets": {}}
    for evalset in load_evalsets(args.datasets):
        print(f"{evalset.name}: {len(evalset.articles)} articles, "
              f"{len(evalset.answerable)} answerable questions", flush=True)
        results["datasets"][evalset.name] = run_dataset(evalset, args)
        print(_tables(evalset.name, results["datasets"][evalset.name]), flush=True)
    results["summary"] = summary(results["datasets"])
    print("\n" + summary_table(results["summary"]))
    write_results("peers", results)
    return 0


def run_dataset(evalset, args) -> dict:
    answerable = evalset.answerable
    questions = [evalset.queries[q] for q in answerable]
    timed = [evalset.queries[q] for q in spread(answerable, args.timed)]
    rows: dict[str, dict] = {}
    tops: dict[str, list[list[tuple]]] = {}
    chunks = None
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        for backend in args.backends:
            embedder = get_embedder(backend=backend)
            # Model load, ONNX export, the ingest-sized session and one-time imports of the
            # pipeline (tiktoken tables, datasketch) are not indexing: done before timing.
            embedder.embed(["warm up"] * 100)
            warm_pipeline(embedder)
            with Index.open(Path(tmp) / backend, create=True, embedder=embedder) as index:
                started = time.perf_counter()
                report = index.add(evalset.articles)
                index_s = time.perf_counter() - started
                if chunks is None:
                    chunks = _chunks(index)
                for mode in MODES:
                    name = f"newsqa {mode} ({backend})"
                    found = []
                    for i in range(0, len(questions), 128):
                        batch = index.retrieve_many(questions[i : i + 128], K, mode=mode)
                        found += [[(p.text, p.article.id, p.start) for p in ps] for ps in batch]
                    tops[name] = [[(a, s) for _, a, s in hits] for hits in found]
                    latency = _latency(lambda q, m=mode: index.retrieve(q, K, mode=m), timed)
                    rows[name] = {
                        "index_s": round(index_s, 2),
                        "chunks": report.chunks_added,
                        **latency,
                        **_accuracy(evalset, answerable, found),
                    }
            gc.collect()
        assert chunks is not None
        ids, texts, article_of = chunks
        position = {c: i for i, c in enumerate(ids)}
        for peer_name in args.peers:
            peer = make(peer_name)
            index_s = peer.index(ids, texts)
            found = [
                [(texts[position[c]], article_of[c], c) for c in peer.search(q, K)]
                for q in questions
            ]
            rows[peer_name] = {
                "index_s": round(index_s, 2),
                "model_load_s": round(peer.load_s, 2),
                "chunks": len(ids),
                **_latency(lambda q, p=peer: p.search(q, K), timed),
                **_accuracy(evalset, answerable, found),
            }
            del peer
            gc.collect()
    overlap = {}
    for backend in args.backends:
        for mode in MODES:
            name, reference = f"newsqa {mode} ({backend})", f"newsqa {mode} (torch)"
            if backend != "torch" and name in tops and reference in tops:
                overlap[name] = round(_overlap(tops[name], tops[reference]), 4)
    return {
        "articles": len(evalset.articles),
        "answerable": len(answerable),
        "timed": len(timed),
        "hit_rule": evalset.hit_rule_text,
        "credit": evalset.credit,
        "systems": rows,
        "top10_overlap_with_torch": overlap,
    }


def _chunks(index: Index) -> tuple[list[int], list[str], dict[int, str]]:
    ids, texts = index.store.all_chunk_texts()
    owners = index.store.chunks([int(i) for i in ids])
    return [int(i) for i in ids], texts, {int(i): owners[int(i)].article_id for i in ids}


def _latency(search: Callable[[str], object], questions: Sequence[str]) -> dict:
    if not questions:
        return {}
    search(questions[0])  # warm-up
    seconds = []
    for question in questions:
        started = time.perf_counter()
        search(question)
        seconds.append(time.perf_counter() - started)
    return {f"query_{k}_ms": v for k, v in percentiles(seconds, (50, 95)).items()}


def _accuracy(evalset, answerable: Sequence[str], found: Sequence[Sequence[tuple]]) -> dict:
    rankings = {}
    for qid, hits in zip(answerable, found, strict=True):
        golds = evalset.relevant[qid]
        rankings[qid] = [
            frozenset(i for i, g in enumerate(golds) if evalset.hit_rule(g, text, article))
            for text, article, _ in hits
        ]
    n_gold = {qid: len(evalset.relevant[qid]) for qid in rankings}
    scores = metrics.mean(metrics.retrieval_scores(rankings, n_gold, evalset.map_rule),
                          ("Recall@10", "MRR@10"))
    return {"recall@10": round(scores["Recall@10"], 4), "mrr@10": round(scores["MRR@10"], 4)}


def _overlap(a: list[list[tuple]], b: list[list[tuple]]) -> float:
    shares = [len(set(x) & set(y)) / max(len(y), 1) for x, y in zip(a, b, strict=True) if y]
    return sum(shares) / len(shares) if shares else 1.0


def summary(datasets: dict) -> dict:
    """Per dataset: newsqa's default (hybrid, onnx) and int8 against each peer."""
    out = {}
    for name, d in datasets.items():
        rows = d["systems"]
        ours = {b: rows.get(f"newsqa hybrid ({b})") for b in BACKENDS}
        for peer in PEERS:
            if peer not in rows:
                continue
            p = rows[peer]
            entry = {}
            for backend, mine in ours.items():
                if mine:
                    entry[backend] = {
                        "index_time_ratio": round(mine["index_s"] / p["index_s"], 2),
                        "p50_ratio": round(mine["query_p50_ms"] / p["query_p50_ms"], 2),
                        "mrr_diff": round(mine["mrr@10"] - p["mrr@10"], 4),
                        "recall_diff": round(mine["recall@10"] - p["recall@10"], 4),
                    }
            out.setdefault(name, {})[peer] = entry
    return out


def summary_table(s: dict) -> str:
    rows = []
    for dataset, peers in s.items():
        for peer, backends in peers.items():
            for backend, r in backends.items():
                rows.append([dataset, f"newsqa hybrid ({backend}) vs {peer}",
                             r["index_time_ratio"], r["p50_ratio"],
                             round(100 * r["recall_diff"], 1), round(100 * r["mrr_diff"], 1)])
    return "Ratios newsqa / peer (below 1: newsqa takes less time); accuracy in points\n\n" + \
        table(["dataset", "comparison", "index time ratio", "query p50 ratio",
               "Recall@10 diff", "MRR@10 diff"], rows)


def _tables(name: str, d: dict) -> str:
    rows = []
    for system, r in d["systems"].items():
        rows.append([system, r["index_s"], round(r["chunks"] / r["index_s"], 1),
                     r.get("query_p50_ms"), r.get("query_p95_ms"),
                     r["recall@10"], r["mrr@10"]])
    head = (f"### {name}: {d['articles']} articles, {d['answerable']} answerable questions "
            f"({d['timed']} timed)\n\n")
    overlap = ", ".join(f"{k}: {v:.3f}" for k, v in d["top10_overlap_with_torch"].items())
    return head + table(["system", "index s", "chunks/s", "query p50 ms", "query p95 ms",
                         "Recall@10", "MRR@10"], rows) + (
        f"\n\nTop-10 overlap with torch's results: {overlap}" if overlap else "")
