"""Dense search backend: FAISS over chunk vectors, keyed by chunk id, saved atomically.

Index types (``choose_index_type``): exact inner-product search (``Flat``) is fastest and
perfect up to tens of thousands of chunks; above ``HNSW_THRESHOLD`` an HNSW graph keeps
queries in milliseconds. Vectors are normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import faiss
import numpy as np

from qa.backends import Hits, Queries

HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def choose_index_type(n_vectors: int) -> str:
    return "hnsw" if n_vectors >= HNSW_THRESHOLD else "flat"


def build(ids: np.ndarray, vectors: np.ndarray, dimension: int, kind: str | None = None):
    """A FAISS ``IndexIDMap2`` over ``vectors`` keyed by ``ids`` (type chosen by size)."""
    kind = kind or choose_index_type(len(ids))
    if kind == "flat":
        inner = faiss.IndexFlatIP(dimension)
    elif kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        raise ValueError(f"unknown index type {kind!r}; use 'flat' or 'hnsw'")
    index = faiss.IndexIDMap2(inner)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    return index


def ids(index) -> np.ndarray:
    """The chunk ids a FAISS index holds."""
    return faiss.vector_to_array(index.id_map).astype(np.int64)


def index_type(index) -> str:
    inner = faiss.downcast_index(index.index)
    return "hnsw" if isinstance(inner, faiss.IndexHNSW) else "flat"


def search(
    index, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` (scores, chunk ids) per query row. ``allowed`` restricts the search to those
    chunk ids inside FAISS (an ID selector), so filters never over-fetch and miss."""
    k = min(k, index.ntotal)
    if k <= 0:
        empty = np.zeros((len(query), 0))
        return empty.astype(np.float32), empty.astype(np.int64)
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            empty = np.zeros((len(query), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        selector = faiss.IDSelectorBatch(allowed.astype(np.int64))
        if index_type(index) == "hnsw":
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
        else:
            params = faiss.SearchParameters(sel=selector)
        k = min(k, len(allowed))
    scores, ids = index.search(np.ascontiguousarray(query, dtype=np.float32), k, params=params)
    return scores, ids


# Every saved file ends with a trailer: magic, CRC-32 and length of the FAISS bytes before it,
# so a truncated or damaged file is detected on load (and rebuilt from SQLite by qa.caches)
# instead of crashing FAISS or answering from garbage.
_MAGIC = b"newsqa\x00\x01"
_TRAILER = struct.Struct("<8sIQ")


class CorruptCacheError(ValueError):
    """A saved dense index is truncated or damaged."""


def save(index, path: Path) -> None:
    """Write to a temporary file, then rename: readers see the old file or the new one."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # private to this process
    payload = faiss.serialize_index(index).tobytes()
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.write(_TRAILER.pack(_MAGIC, zlib.crc32(payload), len(payload)))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a failed write (disk full) leaves nothing behind
        raise


def load(path: Path):
    """Read a saved index; ``CorruptCacheError`` if it is truncated or damaged. Files from
    before the trailer existed are read as they are."""
    data = path.read_bytes()
    magic, crc, length = _TRAILER.unpack(data[-_TRAILER.size :].rjust(_TRAILER.size, b"\0"))
    if magic == _MAGIC:
        payload = memoryview(data)[: -_TRAILER.size]
        if length != len(payload) or crc != zlib.crc32(payload):
            raise CorruptCacheError(f"{path} is damaged (checksum mismatch)")
    else:
        payload = memoryview(data)
    try:
        return faiss.deserialize_index(np.frombuffer(payload, dtype=np.uint8))
    except RuntimeError as error:
        raise CorruptCacheError(f"{path} cannot be read ({str(error).splitlines()[0]})") from None


class DenseIndex:
    """The dense backend: cosine similarity of chunk vectors (see the module docstring)."""

    def __init__(self, index) -> None:
        self.faiss = index

    @classmethod
    def build(cls, chunk_ids: np.ndarray, vectors: np.ndarray, dimension: int) -> DenseIndex:
        return cls(build(chunk_ids, vectors, dimension))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(load(path))

    def save(self, path: Path) -> None:
        save(self.faiss, path)

    @property
    def kind(self) -> str:
        return index_type(self.faiss)

    def ids(self) -> np.ndarray:
        return ids(self.faiss)

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        if queries.vectors is None:
            raise ValueError("dense search needs the questions' vectors; embed them first")
        scores, found = search(self.faiss, queries.vectors, k, allowed)
        hits = []
        for row_scores, row_ids in zip(scores, found, strict=True):
            keep = row_ids >= 0  # FAISS pads a short result with -1
            hits.append((row_scores[keep], row_ids[keep]))
        return hits

    def update(self, stored_ids: np.ndarray, vectors_of) -> bool:
        """Bring the index in step with ``stored_ids`` in place — add the vectors of new ids
        (``vectors_of(ids)``), remove gone ones — instead of re-reading every vector. False
        when a rebuild is needed instead (an HNSW graph cannot forget vectors, or the size
        calls for another index type)."""
        cached = self.ids()
        removed = np.setdiff1d(cached, stored_ids, assume_unique=True)
        added = np.setdiff1d(stored_ids, cached, assume_unique=True)
        if self.kind != choose_index_type(len(stored_ids)) or (
            len(removed) and self.kind == "hnsw"
        ):
            return False
        if len(removed):
            self.faiss.remove_ids(removed)
        if len(added):
            self.faiss.add_with_ids(vectors_of(added), added)
        return True
