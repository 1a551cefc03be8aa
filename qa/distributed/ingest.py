"""``Index.ingest(..., engine="ray")``: the ingest step as a Ray Data pipeline.

    files --(Ray Data: load)--> articles --(driver: Ingester.plan, under the lock)--> to do
      --(Ray Data tasks: Ingester.prepare = segment, layout, chunk, fit)-->
      --(Ray Data map_batches on an ActorPoolStrategy: each actor loads the model once)-->
      --(driver, in input order: Ingester.write_batch per BATCH_ARTICLES, under the lock)-->
      the same SQLite store, then the same FAISS/BM25 caches (Ingester.after_write)

Everything that decides *what* is stored — planning, segmenting, chunking, the vectors of a
chunk and its sentences (``qa.ingest.embed_prepared``), writing, near-duplicate grouping — is
the local engine's own code, called through its public seams; this module only moves the work
onto Ray. Results come back in input order (``preserve_order``), so chunk ids and duplicate
groups are the ones the local engine gives.

Rows carry pickled records (``Article``, the prepared tuple) and raw float32 bytes: Ray Data
moves them between processes without knowing their shape.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from qa.distributed import ensure_ray
from qa.embed import EMBEDDERS, Embedder, get_embedder
from qa.ingest import BATCH_ARTICLES, Ingester, IngestReport, embed_prepared
from qa.load import LoadResult, _supported_files, load_paths
from qa.records import Article, Skipped

# Each pipeline task or actor asks for half a core: on a 2-core machine two embedding actors
# and the loading/prepare tasks then fit beside the driver, which writes to SQLite (issue 15
# reports whole-core actors starving the driver on this kind of machine).
WORKER_CPUS = 0.5
FILES_PER_TASK = 16  # a task per file would spend more on scheduling than on parsing
ARTICLES_PER_BATCH = 16
MAX_BLOCKS = 10_000  # articles per embedding call: ~100-300 chunks of news text


@dataclass
class RunStats:
    """Where the last Ray ingest of this process spent CPU (``bench/scale.py`` reads it to
    size clusters): the workers' CPU seconds (prepare + embed) and the driver's (plan,
    writes, caches), which does not scale out."""

    chunks: int = 0
    worker_cpu_s: float = 0.0
    driver_cpu_s: float = 0.0
    wall_s: float = 0.0


LAST_RUN = RunStats()


@dataclass(frozen=True)
class RayOptions:
    """How the Ray pipeline is laid out. ``workers``: embedding actors (default:
    ``$NEWSQA_RAY_WORKERS``, else one per core Ray has); ``worker_cpus`` / ``worker_gpus``:
    what each actor reserves (on a GPU node give each actor a whole GPU: ``worker_gpus=1``);
    ``torch_threads``: torch threads per actor (default: its whole reserved cores, at least
    1)."""

    workers: int | None = field(default_factory=lambda: _env_int("NEWSQA_RAY_WORKERS"))
    worker_cpus: float = WORKER_CPUS
    worker_gpus: float = 0.0
    torch_threads: int | None = None
    articles_per_batch: int = ARTICLES_PER_BATCH


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


# -- loading ---------------------------------------------------------------------------------


def load_paths_ray(paths: Iterable[str | Path], follow_links: bool = False) -> LoadResult:
    """``qa.load.load_paths`` with the files parsed by Ray Data tasks, ``FILES_PER_TASK``
    files each: the same articles in the same order, the same problems reported."""
    ray = ensure_ray()
    items, links_skipped = _load_items(paths, follow_links)
    if not items:
        return LoadResult([], links_skipped)
    blocks = max(1, min(len(items) // FILES_PER_TASK + 1, 64))
    with _ordered(ray):
        rows = (
            ray.data.from_items([{"path": item} for item in items], override_num_blocks=blocks)
            .map_batches(
                _load_batch,
                batch_size=FILES_PER_TASK,
                num_cpus=WORKER_CPUS,
                fn_kwargs={"follow_links": follow_links},
            )
            .take_all()
        )
    articles: list[Article] = []
    skipped = list(links_skipped)
    for row in rows:
        record = pickle.loads(row["record"])
        (articles if row["kind"] == "article" else skipped).append(record)
    return LoadResult(articles, skipped)


def _load_items(
    paths: Iterable[str | Path], follow_links: bool = False
) -> tuple[list[str], list[Skipped]]:
    """The inputs, one per task: every supported file of a folder (the loader's own rule,
    ``qa.load._supported_files``), a file or a missing path as given; a folder without
    supported files stays one item, so the loader reports it the way it always does. Also
    the links out of a folder that were not followed, reported as the loader does."""
    items: list[str] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        files: list[Path] = []
        if path.is_dir():
            files, links = _supported_files(path, follow_links)
            if files:  # else the folder goes to a worker whole, which reports its links
                skipped += links
        for item in files or [path]:
            key = item.resolve()
            if item.is_file() and key in seen:
                continue  # the same file named and inside a named folder loads once
            seen.add(key)
            items.append(str(item if files else given))
    return items, skipped


def _load_batch(batch: dict[str, Any], follow_links: bool = False) -> dict[str, list]:
    """Ray Data task: each file loaded on its own, as ``load_paths`` would in its loop."""
    out: dict[str, list] = {"kind": [], "record": []}
    for path in batch["path"]:
        loaded = load_paths([str(path)], follow_links=follow_links)
        records: list[tuple[str, object]] = [("article", a) for a in loaded.articles]
        records += [("skipped", s) for s in loaded.skipped]
        for kind, record in records:
            out["kind"].append(kind)
            out["record"].append(pickle.dumps(record))
    return out


# -- prepare and embed -----------------------------------------------------------------------


def add_with_ray(
    ingester: Ingester,
    articles: Sequence[Article],
    progress: bool = False,
    options: RayOptions | None = None,
) -> IngestReport:
    """``Ingester.add`` on Ray: the same plan, chunks, vectors and writes (see the module
    docstring)."""
    options = options or RayOptions()
    report = IngestReport()
    started, cpu_started = time.perf_counter(), time.process_time()
    worker_cpu = 0.0
    with ingester.lock:
        todo = ingester.plan(articles, report)
    if not todo:
        return report
    ray = ensure_ray()
    from ray.data import ActorPoolStrategy

    name = ingester.embedder.name
    factory = _factory(name)
    workers = options.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    threads = options.torch_threads or max(1, int(options.worker_cpus))
    settings = {"chunk_tokens": ingester.chunk_tokens, "overlap": ingester.overlap}
    # About one block per batch: small blocks stream (the writer starts early) and spread.
    blocks = max(1, min(len(todo) // options.articles_per_batch + 1, MAX_BLOCKS))
    workers = min(workers, blocks)  # an actor with no block to take only loads the model
    rows = [{"article": pickle.dumps(a)} for a in todo]
    with _ordered(ray, progress):
        dataset = (
            ray.data.from_items(rows, override_num_blocks=blocks)
            .map_batches(
                _prepare_batch,
                fn_kwargs={"name": name, "factory": factory, **settings},
                batch_size=options.articles_per_batch,
                num_cpus=WORKER_CPUS,
            )
            .map_batches(
                ChunkEmbedder,
                fn_constructor_kwargs={"name": name, "factory": factory, "threads": threads},
                batch_size=options.articles_per_batch,
                compute=ActorPoolStrategy(size=workers),
                num_cpus=options.worker_cpus,
                num_gpus=options.worker_gpus,
            )
        )
        pending: list[tuple[Any, np.ndarray, list]] = []
        for row in dataset.iter_rows():
            prepared = pickle.loads(row["prepared"])
            vectors = np.frombuffer(row["vectors"], dtype=np.float32)
            sentence_vectors = pickle.loads(row["sentence_vectors"])
            pending.append((prepared, vectors.reshape(len(prepared[2]), -1), sentence_vectors))
            report.chunks_resplit += int(row["resplit"])
            worker_cpu += float(row["cpu_s"])
            if len(pending) == BATCH_ARTICLES:
                _write(ingester, pending, report)
                pending = []
        if pending:
            _write(ingester, pending, report)
    with ingester.lock:
        ingester.after_write()
    LAST_RUN.chunks, LAST_RUN.worker_cpu_s = report.chunks_added, worker_cpu
    LAST_RUN.driver_cpu_s = time.process_time() - cpu_started
    LAST_RUN.wall_s = time.perf_counter() - started
    return report


def _write(ingester: Ingester, pending: list[tuple[Any, np.ndarray, list]], report: IngestReport):
    prepared = [p for p, _, _ in pending]
    dimension = ingester.embedder.dimension
    vectors = [v for _, v, _ in pending if len(v)]
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, dimension), np.float32)
    with ingester.lock:
        ingester.write_batch(prepared, matrix, report, [s for _, _, s in pending])


def _prepare_batch(
    batch: dict[str, Any],
    *,
    name: str,
    factory: Callable[[], Embedder],
    chunk_tokens: int,
    overlap: int,
) -> dict[str, list]:
    """Ray Data task: ``Ingester.prepare`` on each article (no store needed), exactly as the
    local engine makes it."""
    started = time.process_time()
    preparer = _preparer(name, factory, chunk_tokens, overlap)
    out: dict[str, list] = {"prepared": [], "resplit": [], "cpu_s": []}
    for blob in batch["article"]:
        report = IngestReport()
        prepared = preparer.prepare(pickle.loads(blob), report)
        out["prepared"].append(pickle.dumps(prepared))
        out["resplit"].append(report.chunks_resplit)
        out["cpu_s"].append(0.0)
    if out["cpu_s"]:
        out["cpu_s"][0] = time.process_time() - started  # the batch's, on its first row
    return out


class ChunkEmbedder:
    """Ray Data actor: loads the embedding model once, then embeds the chunks of each batch
    of articles in one call (``qa.ingest.embed_prepared``, as the local engine does) and hands
    back each article's chunk and sentence vectors."""

    def __init__(self, name: str, factory: Callable[[], Embedder], threads: int) -> None:
        # Threads for the large batches of an ingest (qa.embed reads this); the actor's
        # reserved cores, not the whole machine, or two actors fight over the same cores.
        os.environ["NEWSQA_TORCH_THREADS"] = str(threads)
        self.embedder = _worker_embedder(name, factory)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        started = time.process_time()
        prepared = [pickle.loads(blob) for blob in batch["prepared"]]
        vectors, sentence_vectors = embed_prepared(self.embedder, prepared)
        out: dict[str, list] = {"prepared": list(batch["prepared"]), "vectors": []}
        out["sentence_vectors"] = [pickle.dumps(own) for own in sentence_vectors]
        out["resplit"] = list(batch["resplit"])
        out["cpu_s"] = [float(c) for c in batch["cpu_s"]]
        if out["cpu_s"]:
            out["cpu_s"][0] += time.process_time() - started
        offset = 0
        for _, _, chunks, _ in prepared:
            out["vectors"].append(vectors[offset : offset + len(chunks)].tobytes())
            offset += len(chunks)
        return out


# -- worker-side caches ----------------------------------------------------------------------

_EMBEDDERS: dict[str, Embedder] = {}
_PREPARERS: dict[tuple[str, int, int], Ingester] = {}


def _factory(name: str) -> Callable[[], Embedder]:
    """How a worker process makes the index's embedder: a factory registered in this process
    (``qa.embed.register_embedder``; workers do not share the registry), else by name."""
    return EMBEDDERS.get(name) or partial(get_embedder, name)


def _worker_embedder(name: str, factory: Callable[[], Embedder]) -> Embedder:
    if name not in _EMBEDDERS:  # once per worker process
        _EMBEDDERS[name] = factory()
    return _EMBEDDERS[name]


def _preparer(
    name: str, factory: Callable[[], Embedder], chunk_tokens: int, overlap: int
) -> Ingester:
    """An ``Ingester`` for ``prepare`` only: it needs the embedder's tokenizer and limit,
    never the store, a lock or the caches."""
    key = (name, chunk_tokens, overlap)
    if key not in _PREPARERS:
        embedder = _worker_embedder(name, factory)
        _PREPARERS[key] = Ingester(None, embedder, chunk_tokens, overlap, None, None)  # type: ignore[arg-type]
    return _PREPARERS[key]


class _ordered:
    """Ray Data in input order (the writes must follow the plan), progress bars on request;
    the driver's previous settings are restored after."""

    def __init__(self, ray: Any, progress: bool = False) -> None:
        self.context = ray.data.DataContext.get_current()
        self.progress = progress

    def __enter__(self) -> None:
        options = self.context.execution_options
        self.saved = (options.preserve_order, self.context.enable_progress_bars)
        options.preserve_order = True
        self.context.enable_progress_bars = self.progress
        # Ray Data logs every dataset's plan at INFO; a quiet ingest prints only its summary.
        self.logger = logging.getLogger("ray.data")
        self.level = self.logger.level
        self.logger.setLevel(logging.INFO if self.progress else logging.WARNING)
        # ... and a quiet one does not need telling that its progress bars are off.
        logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        options = self.context.execution_options
        options.preserve_order, self.context.enable_progress_bars = self.saved
        self.logger.setLevel(self.level)
