"""Scale-out numbers for docs/scale.md: Ray ingest throughput, and the sharded dense index's
recall, memory and latency by type.

    python -m bench scale ingest [--limit 120] [--repeat 2]
    python -m bench scale index [--scale 1000000] [--queries 300]

``ingest``: the first ``--limit`` day pages of Wikipedia "Portal:Current events" (CC BY-SA
4.0, ../shared/datasets/wikipedia-current-events/days) ingested with the real model by the
local engine (one process, torch on all cores) and by the Ray engine with 1 and 2 embedding
actors (half a core and one torch thread each), each into a fresh index, ``--repeat`` times
in turn. Ray's start is timed apart; each Ray run includes its pipeline and actor start-up.

``index``: recall@10 against exact search, build time, bytes per vector and query latency
of ``qa.distributed.shards`` types. Real: the chunk vectors of the whole current-events
corpus (built once with the local engine, cached in /tmp/newsqa-bench/) searched with the
news-quiz questions (eval/data/news-quiz.jsonl, real questions about that corpus).
Synthetic: ``--scale`` vectors, each a random mix of two real chunk vectors plus a little
noise (``bench.ann_recall.synthetic``), searched with the same real questions. nprobe is the
calibrated one (``ShardedIndex.calibrate``); latency is one question at a time, one thread,
best of 3.

Results go to bench/results/scale.json; a Markdown summary is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "datasets" / "wikipedia-current-events" / "days"
QUIZ = ROOT / "eval" / "data" / "news-quiz.jsonl"
RESULTS = Path(__file__).parent / "results" / "scale.json"
CACHE = Path("/tmp/newsqa-bench")
K = 10


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench scale", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    sub = parser.add_subparsers(dest="what")  # none: both (``python -m bench`` runs it so)
    ingest = sub.add_parser("ingest", help="local vs Ray ingest throughput")
    ingest.add_argument("--limit", type=int, default=120, help="day pages to ingest")
    ingest.add_argument("--repeat", type=int, default=2, help="runs of each engine")
    index = sub.add_parser("index", help="sharded index recall, memory, latency")
    index.add_argument("--scale", type=int, default=1_000_000, help="synthetic vectors (0: skip)")
    index.add_argument("--queries", type=int, default=300, help="news-quiz questions to use")
    index.add_argument("--shards", type=int, default=2)
    args = parser.parse_args(argv)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["environment"] = environment()
    if args.what in ("ingest", None):
        results["ingest"] = bench_ingest(getattr(args, "limit", 120), getattr(args, "repeat", 2))
        print(ingest_table(results["ingest"]))
    if args.what in ("index", None):
        results["index"] = bench_index(
            getattr(args, "scale", 1_000_000), getattr(args, "queries", 300),
            getattr(args, "shards", 2),
        )  # fmt: skip
        print(index_table(results["index"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")
    return 0


def environment() -> dict:
    import faiss

    return {
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores",
        "faiss": faiss.__version__,
        # Shared with other jobs: this says how busy it was when the numbers were taken.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }


# -- ingest ----------------------------------------------------------------------------------


def bench_ingest(limit: int, repeat: int) -> dict:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    from qa.distributed import ensure_ray, loopback_ray

    loopback_ray()
    import ray

    from qa import Index
    from qa.distributed.ingest import LAST_RUN

    files = sorted(p for p in CORPUS.iterdir() if p.suffix == ".md")[:limit]
    started = time.perf_counter()
    ensure_ray(len(os.sched_getaffinity(0)))  # local, on 127.0.0.1
    init_s = time.perf_counter() - started
    Index.open(Path(tempfile.mkdtemp()) / "warm", create=True).close()  # model load: not timed
    runs: dict[str, list[dict]] = {"local": [], "ray, 1 worker": [], "ray, 2 workers": []}
    for _ in range(repeat):
        for label in runs:
            folder = Path(tempfile.mkdtemp(prefix="newsqa-scale-"))
            engine = "local" if label == "local" else "ray"
            os.environ["NEWSQA_RAY_WORKERS"] = "2" if "2" in label else "1"
            try:
                with Index.open(folder / "ix", create=True) as index:
                    load_avg = os.getloadavg()[0]
                    started, cpu = time.perf_counter(), time.process_time()
                    report = index.ingest(files, engine=engine)
                    seconds = time.perf_counter() - started
                    cpu = time.process_time() - cpu  # this process, all its threads
                n = report.chunks_added
                # CPU seconds per 1000 chunks: what a dedicated core would need, whatever
                # else the shared machine ran. Ray: the workers' (prepare + embed) and the
                # driver's own (load fan-out, plan, SQLite writes, caches: the serial part).
                workers_cpu = LAST_RUN.worker_cpu_s if engine == "ray" else 0.0
                runs[label].append({
                    "seconds": round(seconds, 1),
                    "chunks": n,
                    "chunks_per_s": round(n / seconds, 1),
                    "worker_cpu_s_per_1k": round(1000 * workers_cpu / n, 1),
                    "driver_cpu_s_per_1k": round(1000 * cpu / n, 1),
                    "load_average_1m": round(load_avg, 1),
                })  # fmt: skip
                print(label, runs[label][-1], flush=True)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    ray.shutdown()
    return {
        "files": len(files),
        "ray_init_s": round(init_s, 1),
        "runs": runs,
        "model_process_rss_mb": model_rss_mb(),
    }


def model_rss_mb() -> float:
    """Resident memory of a fresh process holding the bundled model (what each embedding
    actor costs)."""
    code = (
        "import resource; from qa.embed import get_embedder; get_embedder().embed(['x']); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return round(int(out.stdout.strip().splitlines()[-1]) / 1024, 1)


def ingest_table(result: dict) -> str:
    lines = [
        f"{result['files']} day pages; Ray start {result['ray_init_s']} s (not included)",
        "| engine | chunks | seconds | chunks/s | worker CPU s/1k chunks | driver CPU s/1k |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, runs in result["runs"].items():
        def each(key: str, runs: list[dict] = runs) -> str:
            return ", ".join(str(r[key]) for r in runs)

        lines.append(
            f"| {label} | {runs[0]['chunks']} | {each('seconds')} | {each('chunks_per_s')} | "
            f"{each('worker_cpu_s_per_1k')} | {each('driver_cpu_s_per_1k')} |"
        )
    lines.append(f"model process RSS: {result['model_process_rss_mb']} MB")
    return "\n".join(lines)


# -- index -----------------------------------------------------------------------------------


def real_vectors() -> tuple[np.ndarray, np.ndarray]:
    """(chunk ids, vectors) of the whole current-events corpus with the bundled model, built
    once and cached."""
    from qa import Index

    folder = CACHE / "current-events-index"
    if not (folder / "newsqa.sqlite").exists():
        shutil.rmtree(folder, ignore_errors=True)
        with Index.open(folder, create=True) as index:
            index.ingest([CORPUS], progress=sys.stderr.isatty())
    with Index.open(folder) as index:
        return index.store.all_vectors(index.embedder.dimension)


def quiz_questions(n: int) -> np.ndarray:
    from qa.embed import get_embedder

    questions = []
    for line in QUIZ.read_text(encoding="utf-8").splitlines():
        record = json.loads(line) if line.strip() else {}
        if "question" in record:
            questions.append(record["question"])
    return get_embedder().embed(questions[:n])


def bench_index(scale: int, n_queries: int, shards: int) -> dict:
    from bench.ann_recall import synthetic

    ids, vectors = real_vectors()
    queries = quiz_questions(n_queries)
    out = {"real": measure(ids, vectors, queries, shards, ("flat", "ivf-sq8", "ivf-pq"))}
    out["real"]["source"] = "MiniLM chunk vectors of the current-events corpus"
    if scale:
        big = synthetic(vectors, scale, np.random.default_rng(20250305))
        big_ids = np.arange(scale, dtype=np.int64)
        out["synthetic"] = measure(big_ids, big, queries, shards, ("ivf-sq8", "ivf-pq"))
        out["synthetic"]["source"] = "mixes of two real chunk vectors plus noise"
        del big
    return out


def measure(ids, vectors, queries, shards, kinds) -> dict:
    import faiss

    from qa import dense
    from qa.backends import Queries
    from qa.distributed.shards import ShardedIndex, recall_at_10

    n, dim = vectors.shape
    exact = dense.build(ids, vectors, dim, kind="flat")  # what the local backend keeps
    truth = exact.search(queries, K)[1]
    flat_bytes = len(faiss.serialize_index(exact)) / n
    del exact
    rows = []
    for kind in kinds:
        folder = Path(tempfile.mkdtemp(prefix="newsqa-shards-"))
        try:
            started = time.perf_counter()
            index = ShardedIndex.build(ids, vectors, folder / "s", shards=shards, kind=kind)
            build_s = time.perf_counter() - started
            batch = Queries([""] * len(queries), queries)
            found = [hits[1] for hits in index.search(batch, K)]
            rows.append({
                "kind": kind,
                "shards": shards,
                "nlist": index.plan.nlist,
                "nprobe": index.plan.nprobe,
                "rerank": index.plan.rerank,
                "calibrated_recall_at_10": index.plan.recall_at_10,
                "recall_at_10": round(recall_at_10(truth, found), 4),
                "build_s": round(build_s, 1),
                "bytes_per_vector": round(resident_bytes(index) / n, 1),
                "disk_bytes_per_vector": round(folder_bytes(folder / "s") / n, 1),
                "p50_ms": latency_ms(index, queries),
            })  # fmt: skip
            print(rows[-1], flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return {"n_vectors": n, "dimension": dim, "n_queries": len(queries),
            "flat_bytes_per_vector": round(flat_bytes, 1), "rows": rows}  # fmt: skip


def resident_bytes(index) -> int:
    """What a fully paged-in search needs: the codes and ids of every shard (the serialized
    shards) plus, for ivf-pq, the 8-byte id column used by the re-rank; the float32 vectors
    the re-rank reads stay on disk, paged in only for the candidates."""
    total = sum(path.stat().st_size for path in index.shard_files())
    if index.plan.kind == "ivf-pq":
        total += (index.folder / "ids.npy").stat().st_size
    return total


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def latency_ms(index, queries: np.ndarray, repeats: int = 3) -> float:
    import faiss

    from qa.backends import Queries

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        best = np.full(len(queries), np.inf)
        for _ in range(repeats):
            for row in range(len(queries)):
                started = time.perf_counter()
                index.search(Queries([""], queries[row : row + 1]), K)
                best[row] = min(best[row], (time.perf_counter() - started) * 1000)
    finally:
        faiss.omp_set_num_threads(threads)
    return round(float(np.percentile(best, 50)), 3)


def index_table(result: dict) -> str:
    lines = []
    for name, part in result.items():
        lines += [
            f"### {name}: {part['n_vectors']:,} x {part['dimension']} ({part['source']}), "
            f"{part['n_queries']} news-quiz questions; "
            f"flat = {part['flat_bytes_per_vector']} B/vector",
            "| type | shards | nlist | nprobe | recall@10 | calibrated | build s | B/vector RAM |"
            " B/vector disk | p50 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in part["rows"]:
            lines.append(
                f"| {r['kind']} | {r['shards']} | {r['nlist']} | {r['nprobe']} | "
                f"{r['recall_at_10']:.4f} | {r['calibrated_recall_at_10']:.4f} | {r['build_s']} | "
                f"{r['bytes_per_vector']:.0f} | {r['disk_bytes_per_vector']:.0f} | {r['p50_ms']} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
