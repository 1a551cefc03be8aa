"""A sharded dense backend for corpora that outgrow one flat FAISS file.

Same contract as ``qa.dense.DenseIndex`` (``qa.backends.Backend``: top-k chunk ids per
question, optionally only among ``allowed`` ids), laid out for scale:

    plan       the index type by size (``choose_plan``): exact ``flat`` shards up to
               ``FLAT_LIMIT`` vectors, ``ivf-sq8`` (8-bit scalar codes, 0.39 GB per 1M 384-d
               vectors) up to ``PQ_FROM``, then ``ivf-pq`` (48-byte codes, 56 MB per 1M,
               re-ranked exactly from memory-mapped float32 vectors on disk)
    train      IVF on a sample (``TRAIN_PER_LIST`` vectors per list), once, shared by all
               shards: every shard then speaks the same coarse quantizer
    shard      chunk id modulo the shard count; shards built in parallel (``add_with_ids``)
               as Ray tasks when Ray is running, else in threads (FAISS releases the GIL)
    merge      IVF shards merged on disk (``faiss.contrib.ondisk.merge_ondisk``) into one
               index whose inverted lists are memory-mapped; flat shards are searched as
               ``faiss.IndexShards`` over ``IndexIDMap2`` shards, also memory-mapped
    calibrate  ``nprobe`` (and the ivf-pq re-rank width) is the smallest that reaches
               ``TARGET_RECALL`` recall@10 against exact search on queries made from the
               stored vectors; the measured recall is kept in ``meta.json`` and shown by
               ``Index.info``

Folder layout (``dense-<gen>.shards/``)::

    meta.json                 plan, nprobe, measured recall, counts
    trained.faiss             the trained, empty IVF index (ivf kinds)
    shard-000.faiss ...       one index per shard: what a Ray Serve shard replica loads
    merged.faiss, .ivfdata    the on-disk merge of the IVF shards (the local search path)
    vectors.npy, ids.npy      ivf-pq only: exact vectors for re-ranking, sorted by chunk id

One cohesive thing (~470 lines): the plan, training, merging and calibration above are one
lifecycle of one folder, each step needing the others' invariants.

Chosen for an index by ``use_sharded_backend`` (``python -m qa ingest --shards N``), which
marks it in the manifest; ``qa.caches.SearchCaches`` then keeps this backend current.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa.backends import Hits, Queries
from qa.safety import replace_folder

FLAT_LIMIT = 200_000  # exact search stays fast enough up to here (~2 ms per query per 100k)
PQ_FROM = 20_000_000  # from here on 8-bit codes (0.39 GB / 1M) no longer fit a few nodes
PQ_M = 48  # bytes per vector of an ivf-pq code (384 / 48 = 8 dimensions per byte)
# ivf-pq: candidates per wanted hit re-scored exactly; calibration tries these in turn at
# each nprobe (a wider re-rank is cheap: k x factor vector reads; a wider probe scans lists).
RERANK_FACTORS = (10, 40, 160)
TRAIN_PER_LIST = 40  # training vectors per inverted list (FAISS warns below 39)
MAX_TRAIN = 200_000
TARGET_RECALL = 0.97  # calibrated nprobe aims above the 0.95 promised, for unseen queries
CALIBRATION_QUERIES = 200
SEED = 20250305
META = "meta.json"
MERGED = "merged.faiss"
KINDS = ("flat", "ivf-sq8", "ivf-pq")
# The manifest keys that select this backend (qa.caches reads them).
MANIFEST_BACKEND = "dense_backend"
MANIFEST_SHARDS = "dense_shards"
MANIFEST_KIND = "dense_kind"  # "" = chosen by size
MIN_IVF_VECTORS = 256  # below this an IVF cannot be trained; such an index is flat


@dataclass(frozen=True)
class ShardPlan:
    kind: str  # one of KINDS
    shards: int
    nlist: int = 0  # inverted lists (ivf kinds)
    nprobe: int = 0  # lists searched per query, set by calibration
    rerank: int = 0  # ivf-pq: candidates per wanted hit re-scored exactly (calibrated)
    recall_at_10: float = 1.0  # measured against exact search (1.0 for flat: it is exact)
    n_vectors: int = 0
    dimension: int = 0


def choose_plan(n_vectors: int, shards: int = 1, kind: str | None = None) -> ShardPlan:
    """The index type for ``n_vectors`` (see the module docstring); ``nlist`` ~ sqrt(n)."""
    kind = kind or (
        "flat" if n_vectors <= FLAT_LIMIT else "ivf-sq8" if n_vectors < PQ_FROM else "ivf-pq"
    )
    if kind not in KINDS:
        raise ValueError(f"unknown sharded index type {kind!r}; use one of {', '.join(KINDS)}")
    if shards < 1:
        raise ValueError(f"{shards} shards: use at least 1")
    nlist = 0 if kind == "flat" else max(4, min(65_536, int(math.sqrt(max(n_vectors, 16)))))
    return ShardPlan(kind, shards, nlist, n_vectors=n_vectors)


class ShardedIndex:
    """The sharded dense backend of one folder (see the module docstring)."""

    def __init__(self, folder: Path, plan: ShardPlan, index: Any, keep: tuple = ()) -> None:
        self.folder = folder
        self.plan = plan
        self.faiss = index
        self._keep = keep  # shards an IndexShards searches but does not own
        self._sorted_ids: np.ndarray | None = None
        self._vectors: np.ndarray | None = None
        if plan.kind == "ivf-pq":
            self._sorted_ids = np.load(folder / "ids.npy", mmap_mode="r")
            self._vectors = np.load(folder / "vectors.npy", mmap_mode="r")

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        chunk_ids: np.ndarray,
        vectors: np.ndarray,
        folder: Path,
        shards: int = 1,
        kind: str | None = None,
        nprobe: int | None = None,
    ) -> ShardedIndex:
        """Build into ``folder`` (replaced if it exists): train, shard in parallel, merge,
        calibrate. ``nprobe`` skips the calibration (benchmarks sweep it themselves)."""
        chunk_ids = np.ascontiguousarray(chunk_ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dimension = vectors.shape
        plan = choose_plan(n, shards, kind)
        plan = ShardPlan(**{**asdict(plan), "dimension": dimension})
        staging = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        template = _trained(plan, vectors)
        if plan.kind != "flat":
            faiss.write_index(template, str(staging / "trained.faiss"))
        template_bytes = faiss.serialize_index(template)
        parts = [np.flatnonzero(chunk_ids % plan.shards == s) for s in range(plan.shards)]
        built = _build_parallel(template_bytes, [(chunk_ids[p], vectors[p]) for p in parts])
        files = []
        for number, blob in enumerate(built):
            path = staging / shard_name(number)
            path.write_bytes(blob)  # serialize_index writes what write_index would
            files.append(str(path))
        if plan.kind != "flat":
            from faiss.contrib.ondisk import merge_ondisk

            merged = faiss.deserialize_index(template_bytes)
            merge_ondisk(merged, files, str(staging / "merged.ivfdata"))
            faiss.write_index(merged, str(staging / MERGED))
            del merged  # closes the .ivfdata file before the folder is renamed
        if plan.kind == "ivf-pq":
            order = np.argsort(chunk_ids, kind="stable")
            np.save(staging / "ids.npy", chunk_ids[order])
            np.save(staging / "vectors.npy", vectors[order])
        _write_meta(staging, plan)
        replace_folder(staging, folder)
        index = cls.load(folder)
        if plan.kind != "flat":
            index.calibrate(chunk_ids, vectors, nprobe)
        return index

    def calibrate(
        self, chunk_ids: np.ndarray, vectors: np.ndarray, nprobe: int | None = None
    ) -> None:
        """Set ``nprobe`` (and, for ivf-pq, the re-rank width): the given one, else the
        smallest power of two whose recall@10 against exact search reaches ``TARGET_RECALL``
        on queries mixed from stored vectors (``calibration_queries``: a stored vector as
        query would find its own list at once). When nothing reaches it, the widest search
        is kept and its (lower) recall is what ``kind`` reports."""
        queries = calibration_queries(vectors)
        truth = chunk_ids[_exact_top(vectors, queries, 10)]
        factors = RERANK_FACTORS if self.plan.kind == "ivf-pq" else (0,)
        settings = [(probe, factor) for probe in ([nprobe] if nprobe else
                    _powers_of_two(self.plan.nlist)) for factor in factors]  # fmt: skip
        for probe, factor in settings:
            self.plan = replace(self.plan, nprobe=probe, rerank=factor)
            found = self.search(Queries([""] * len(queries), queries), 10)
            measured = recall_at_10(truth, [ids for _, ids in found])
            if measured >= TARGET_RECALL:
                break
        self.plan = replace(self.plan, recall_at_10=round(measured, 4))
        _write_meta(self.folder, self.plan)

    # -- loading and saving -----------------------------------------------------------------
    @classmethod
    def load(cls, folder: Path) -> ShardedIndex:
        """Open a built folder: the merged IVF index (its lists memory-mapped), or flat
        shards memory-mapped under one ``IndexShards``."""
        meta = json.loads((folder / META).read_text())
        plan = ShardPlan(**meta["plan"])
        if plan.kind == "flat":
            # Not threaded: IndexIDMap2 rewrites the shared search parameters' ID selector
            # while it searches, so threaded shards with a filter return unfiltered ids
            # (measured with faiss 1.15). Each flat shard still uses OpenMP inside.
            index = faiss.IndexShards(plan.dimension, False, False)
            shards = tuple(load_shard(folder / shard_name(s), plan.kind)
                           for s in range(plan.shards))  # fmt: skip
            for shard in shards:
                index.add_shard(shard)
            return cls(folder, plan, index, keep=shards)
        # The merged index's lists live in merged.ivfdata, which FAISS memory-maps; found
        # beside the index file wherever the folder was renamed to.
        merged = faiss.read_index(str(folder / MERGED), faiss.IO_FLAG_ONDISK_SAME_DIR)
        return cls(folder, plan, merged)

    def save(self, path: Path) -> None:
        """The folder is written when built; saving elsewhere copies it, then renames."""
        if path.resolve() == self.folder.resolve():
            return
        staging = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(self.folder, staging)
        replace_folder(staging, path)

    # -- the backend ------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        plan = self.plan
        rerank = f", re-rank x{plan.rerank}" if plan.kind == "ivf-pq" else ""
        recall = "" if plan.kind == "flat" else (
            f", nprobe {plan.nprobe}{rerank}, recall@10 {plan.recall_at_10:.3f}"
        )
        return f"sharded {self.plan.kind} x{self.plan.shards}{recall}"

    @property
    def ntotal(self) -> int:
        return int(self.faiss.ntotal)

    def ids(self) -> np.ndarray:
        """Every chunk id the shards hold."""
        parts = [shard_ids(load_shard(path, self.plan.kind)) for path in self.shard_files()]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        if queries.vectors is None:
            raise ValueError("dense search needs the questions' vectors; embed them first")
        rerank = self._rerank if self.plan.kind == "ivf-pq" else None
        scores, found = search_index(self.faiss, self.plan, queries.vectors, k, allowed, rerank)
        hits = []
        for row_scores, row_ids in zip(scores, found, strict=True):
            keep = row_ids >= 0  # FAISS pads a short result with -1
            hits.append((row_scores[keep], row_ids[keep]))
        return hits

    def _rerank(self, query: np.ndarray, ids: np.ndarray, k: int) -> tuple:
        return rerank_exact(self._sorted_ids, self._vectors, query, ids, k)

    def shard_files(self) -> list[Path]:
        return [self.folder / shard_name(s) for s in range(self.plan.shards)]


# -- the pieces a Ray Serve shard replica uses too ---------------------------------------------


def shard_name(number: int) -> str:
    return f"shard-{number:03d}.faiss"


def load_shard(path: Path, kind: str) -> Any:
    """One shard, memory-mapped: IVF inverted lists (``IO_FLAG_MMAP``) or flat codes
    (``IO_FLAG_MMAP_IFC``); the pages are read as searches touch them."""
    flag = faiss.IO_FLAG_MMAP_IFC if kind == "flat" else faiss.IO_FLAG_MMAP
    return faiss.read_index(str(path), flag | faiss.IO_FLAG_READ_ONLY)


def shard_ids(index: Any) -> np.ndarray:
    """The chunk ids one shard holds."""
    if isinstance(index, faiss.IndexIDMap2) or hasattr(index, "id_map"):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    ivf = faiss.extract_index_ivf(index)
    lists = ivf.invlists
    out = []
    for number in range(ivf.nlist):
        size = lists.list_size(number)
        if size:
            pointer = lists.get_ids(number)
            out.append(faiss.rev_swig_ptr(pointer, size).copy())
            lists.release_ids(number, pointer)
    return np.concatenate(out).astype(np.int64) if out else np.zeros(0, np.int64)


def search_index(
    index: Any,
    plan: ShardPlan,
    vectors: np.ndarray,
    k: int,
    allowed: np.ndarray | None,
    rerank=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` (scores, ids) per row of ``vectors`` from a merged index, a shard or an
    ``IndexShards``; ``allowed`` is applied inside FAISS (an ID selector), as the flat
    backend does, so a filter never over-fetches and misses."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    empty = (np.zeros((n, 0), np.float32), np.zeros((n, 0), np.int64))
    if k <= 0 or index.ntotal == 0 or (allowed is not None and len(allowed) == 0):
        return empty
    wanted = min(k, index.ntotal if allowed is None else len(allowed))
    fetch = wanted * (plan.rerank or RERANK_FACTORS[0]) if rerank is not None else wanted
    selector = None if allowed is None else faiss.IDSelectorBatch(allowed.astype(np.int64))
    if plan.kind == "flat":
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
    else:
        params = faiss.SearchParametersIVF(sel=selector, nprobe=plan.nprobe or 1)
    scores, ids = index.search(vectors, min(fetch, index.ntotal), params=params)
    if fetch != wanted:
        rows = [rerank(vectors[r], ids[r], wanted) for r in range(n)]
        scores = np.vstack([r[0] for r in rows])
        ids = np.vstack([r[1] for r in rows])
    return scores, ids


def rerank_exact(
    sorted_ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, ids: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The candidates ``ids`` re-scored exactly from the memory-mapped vectors (rows sorted
    by chunk id), best ``k`` first, padded with -1 like a FAISS result."""
    ids = ids[ids >= 0]
    scores = np.asarray(vectors[np.searchsorted(sorted_ids, ids)]) @ query
    top = np.argsort(-scores, kind="stable")[:k]
    out_scores = np.full(k, -np.inf, np.float32)
    out_ids = np.full(k, -1, np.int64)
    out_scores[: len(top)] = scores[top]
    out_ids[: len(top)] = ids[top]
    return out_scores, out_ids


def merge_hits(parts: list[tuple[np.ndarray, np.ndarray]], k: int) -> tuple:
    """Merge per-shard (scores, ids) rows of one query batch into the global top ``k``
    (what ``IndexShards`` does in-process; the Ray Serve ingress does it across replicas)."""
    scores = np.concatenate([p[0] for p in parts], axis=1)
    ids = np.concatenate([p[1] for p in parts], axis=1)
    scores = np.where(ids >= 0, scores, -np.inf)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, 1), np.take_along_axis(ids, order, 1)


# -- measuring --------------------------------------------------------------------------------


def calibration_queries(vectors: np.ndarray, n: int = CALIBRATION_QUERIES) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    a = vectors[rng.integers(0, len(vectors), n)]
    b = vectors[rng.integers(0, len(vectors), n)]
    # Half of each: a question rarely sits on one stored chunk; between two is the hard case
    # for IVF (the nearest lists are split), so the nprobe found errs on the safe side.
    mixed = 0.5 * a + 0.5 * b
    return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)


def recall_at_10(truth: np.ndarray, found: list[np.ndarray]) -> float:
    """Share of the exact top 10 that the index returned in its top 10."""
    pairs = zip(truth, found, strict=True)
    hits = sum(len(set(t[:10].tolist()) & set(f[:10].tolist())) for t, f in pairs)
    return hits / (10 * len(truth))


def _exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the exact top ``k`` per query (brute force, in slices)."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index.search(queries, min(k, len(vectors)))[1]


# -- helpers ------------------------------------------------------------------------------------


def _trained(plan: ShardPlan, vectors: np.ndarray) -> Any:
    """The empty index every shard starts from: flat, or IVF trained on a sample."""
    d = vectors.shape[1]
    if plan.kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(d))
    # One byte per 8 dimensions (48 bytes for 384-d), and PQ needs the split to be even.
    pq_m = max((m for m in range(1, PQ_M + 1) if d % m == 0 and d // m >= 8), default=1)
    spec = f"IVF{plan.nlist},SQ8" if plan.kind == "ivf-sq8" else f"IVF{plan.nlist},PQ{pq_m}"
    index = faiss.index_factory(d, spec, faiss.METRIC_INNER_PRODUCT)
    if plan.kind == "ivf-pq":
        # Polysemous codes are for Hamming pre-filtering, which this backend never uses; their
        # training took 8x longer than the PQ itself (measured, one thread: 148 s vs 18 s).
        faiss.downcast_index(faiss.extract_index_ivf(index)).do_polysemous_training = False
    size = min(len(vectors), max(TRAIN_PER_LIST * plan.nlist, 10_000), MAX_TRAIN)
    sample = np.random.default_rng(SEED).choice(len(vectors), size, replace=False)
    index.train(vectors[np.sort(sample)])
    return index


def _add_to_template(template: bytes, ids: np.ndarray, vectors: np.ndarray) -> bytes:
    """One shard: the template with this shard's vectors added under their chunk ids."""
    index = faiss.deserialize_index(np.frombuffer(template, dtype=np.uint8))
    if len(ids):
        index.add_with_ids(vectors, ids)
    return faiss.serialize_index(index).tobytes()


def _build_parallel(template: Any, parts: list[tuple[np.ndarray, np.ndarray]]) -> list[bytes]:
    """Each shard's serialized index, built in parallel: Ray tasks when Ray is running (the
    shards then come back as bytes, so the builders may be on other nodes), else threads."""
    blob = np.asarray(template).tobytes()
    try:
        import ray
    except ImportError:
        ray = None
    if ray is not None and ray.is_initialized() and len(parts) > 1:
        task = ray.remote(num_cpus=0.5)(_add_to_template)
        shared = ray.put(blob)
        return ray.get([task.remote(shared, ids, vectors) for ids, vectors in parts])
    with ThreadPoolExecutor(max_workers=max(1, min(len(parts), os.cpu_count() or 1))) as pool:
        return list(pool.map(lambda part: _add_to_template(blob, *part), parts))


def _powers_of_two(limit: int) -> list[int]:
    out, probe = [], 1
    while probe < limit:
        out.append(probe)
        probe *= 2
    return [*out, limit]


def _write_meta(folder: Path, plan: ShardPlan) -> None:
    (folder / META).write_text(json.dumps({"plan": asdict(plan)}, indent=2) + "\n")


# -- choosing it for an index -----------------------------------------------------------------


def use_sharded_backend(index: Any, shards: int, kind: str | None = None) -> None:
    """Keep ``index``'s dense vectors in this backend from now on (``shards`` parts, the type
    by size unless ``kind`` is given): marked in the manifest, where every process that opens
    the index finds it, and built at once."""
    choose_plan(0, shards, kind)  # a bad shard count or kind fails here, before any change
    # A write like any other: the index's writer lock first (another process may be
    # ingesting), then its thread lock, in that order as everywhere (qa.index).
    with index._writing(), index._lock:
        manifest = index.store.manifest()
        chosen = (manifest.get(MANIFEST_BACKEND), manifest.get(MANIFEST_SHARDS),
                  manifest.get(MANIFEST_KIND) or "")  # fmt: skip
        if chosen == ("sharded", shards, kind or ""):
            index.caches.refresh()
            return
        with index.store.transaction():
            index.store.set_manifest(
                **{MANIFEST_BACKEND: "sharded", MANIFEST_SHARDS: shards, MANIFEST_KIND: kind or ""}
            )
            index.store.bump_generation()  # other processes see the change and reload
        index.caches.refresh()


def refresh_sharded(folder: Path, store: Any, dimension: int, generation: int) -> ShardedIndex:
    """The sharded backend at ``generation``: loaded when its folder is there, else built
    from the vectors in the store (called by ``qa.caches.SearchCaches.refresh``)."""
    path = folder / f"dense-{generation}.shards"
    if (path / META).exists():
        return ShardedIndex.load(path)
    manifest = store.manifest()
    ids, vectors = store.all_vectors(dimension)
    kind = str(manifest.get(MANIFEST_KIND) or "") or None
    if len(ids) < MIN_IVF_VECTORS:
        kind = "flat"  # too few vectors to train inverted lists on
    shards = int(manifest.get(MANIFEST_SHARDS, 1))  # type: ignore[arg-type]
    return ShardedIndex.build(ids, vectors, path, shards=shards, kind=kind)
