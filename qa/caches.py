"""The search backends' files beside the store, kept in step with it.

    dense-<gen>.faiss    FAISS index of chunk vectors keyed by chunk id   (``qa.dense``)
    bm25-<gen>/          bm25s index of chunk terms                        (``qa.lexical``)

``<gen>`` is the store's generation, bumped by every committed change. Both are derived
caches: a file of another generation is stale and brought up to date from the store (the
vectors are kept in SQLite, so nothing is re-embedded), then older generations are removed.
A saved file that is truncated, damaged or holds other chunks than the store is rebuilt
from the store the same way, with a note on stderr: the caches can never make an index
unusable.
Ingest calls ``refresh`` after writing; search calls it before reading, which is also how a
process sees what another process wrote.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from qa.dense import CorruptCacheError as DenseCorruptError
from qa.dense import DenseIndex
from qa.lexical import CorruptCacheError, LexicalIndex
from qa.store import Store

# dense-<gen>.shards/ is the sharded dense backend's folder (qa.distributed.shards)
_CACHE_NAME = re.compile(r"(?:dense-(\d+)\.(?:faiss|shards)|bm25-(\d+))")
_DENSE_NAME = re.compile(r"dense-(\d+)\.faiss")
# A save in progress: "<cache name>.<pid>.tmp" (or ".old" while the BM25 folder is swapped).
_LEFTOVER_NAME = re.compile(r"(?:dense-\d+\.(?:faiss|shards)|bm25-\d+)\.(\d+)\.(?:tmp|old)")
log = logging.getLogger("qa")
Cache = TypeVar("Cache", DenseIndex, LexicalIndex)


class SearchCaches:
    """The dense and keyword backends of one index folder, at the store's generation."""

    def __init__(self, folder: Path, store: Store, dimension: int) -> None:
        self.folder = folder
        self.store = store
        self.dimension = dimension
        self.generation = -1
        self._dense: DenseIndex | None = None
        self._lexical: LexicalIndex | None = None

    @property
    def dense(self) -> DenseIndex:
        self.refresh()
        assert self._dense is not None
        return self._dense

    @property
    def lexical(self) -> LexicalIndex:
        self.refresh()
        assert self._lexical is not None
        return self._lexical

    def refresh(self) -> None:
        """Bring both backends to the store's generation, loading the saved files when they
        are current, else updating (dense) or rebuilding (BM25) and saving them; then drop
        the files of older generations."""
        generation = self.store.generation()
        if self.generation == generation:
            return
        dense_path = self.folder / f"dense-{generation}.faiss"
        lexical_path = self.folder / f"bm25-{generation}"
        sharded = self._sharded_dense(generation)  # None unless chosen
        stored = self.store.chunk_ids()
        dense = None
        if sharded is not None:
            dense = sharded
        elif dense_path.exists():
            dense = self._saved(dense_path, DenseIndex.load, stored)
        if dense is None:
            dense = self._updated_dense(stored, generation) or self._rebuilt_dense()
            _save(dense, dense_path)
        self._dense = dense
        lexical = None
        if (lexical_path / "ok.json").exists():
            lexical = self._saved(lexical_path, LexicalIndex.load, stored)
        if lexical is None:
            # Each chunk with its context line (title, source, headings:
            # qa.structure.chunk_context).
            ids, texts = self.store.all_chunk_texts(with_context=True)
            lexical = LexicalIndex.build(ids, texts)
            _save(lexical, lexical_path)
        self._lexical = lexical
        self.generation = generation
        self._drop_older(generation)

    def _saved(self, path: Path, load: Callable[[Path], Cache], stored: np.ndarray) -> Cache | None:
        """The saved cache at ``path`` if it reads cleanly and holds exactly the stored
        chunks; None (with a note on stderr) when it must be rebuilt from the store."""
        try:
            cache = load(path)
        except (CorruptCacheError, DenseCorruptError, OSError) as error:
            if not path.exists():  # another process moved on and removed it: not damage
                return None
            problem = str(error)
        else:
            held = np.sort(cache.ids() if isinstance(cache, DenseIndex) else cache.chunk_ids)
            if np.array_equal(held, stored):
                return cache
            problem = f"{path} holds {len(held)} chunks that do not match the store's {len(stored)}"
        log.warning("note: %s; rebuilding it from %s", problem, self.store.path)
        return None

    def _drop_older(self, generation: int) -> None:
        # Older generations only: another process may be writing a newer one. Temporary
        # files of a process that died while saving (killed, power cut) go too.
        for old in self.folder.iterdir():
            stale = _CACHE_NAME.fullmatch(old.name)
            leftover = _LEFTOVER_NAME.fullmatch(old.name)
            if stale:
                gone = int(stale.group(1) or stale.group(2)) < generation
            elif leftover:
                gone = not _alive(int(leftover.group(1)))
            else:
                continue
            if gone:
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)

    def _sharded_dense(self, generation: int) -> DenseIndex | None:
        """Issue 15 hook: an index marked for the sharded backend (``python -m qa ingest
        --shards N``) keeps its dense vectors in ``dense-<gen>.shards/`` instead."""
        manifest = self.store.manifest()
        if manifest.get("dense_backend") != "sharded":
            return None
        from qa.distributed.shards import refresh_sharded

        return refresh_sharded(self.folder, self.store, self.dimension, generation)  # type: ignore[return-value]

    def _rebuilt_dense(self) -> DenseIndex:
        ids, matrix = self.store.all_vectors(self.dimension)
        return DenseIndex.build(ids, matrix, self.dimension)

    def _updated_dense(self, stored: np.ndarray, generation: int) -> DenseIndex | None:
        """The previous dense index (in memory, else the newest file of an older generation)
        updated in place; None when there is none, it cannot be read, or it must be rebuilt.
        Never the file of this generation: it is here only when it was rejected as damaged,
        and updating keeps the vectors it holds."""
        previous = self._dense
        if previous is None:
            older = sorted(
                (int(m.group(1)), p)
                for p in self.folder.glob("dense-*.faiss")
                if (m := _DENSE_NAME.fullmatch(p.name)) and int(m.group(1)) < generation
            )
            if not older:
                return None
            try:
                previous = DenseIndex.load(older[-1][1])
            except (DenseCorruptError, OSError):  # unreadable or gone: rebuild instead
                return None
        if not previous.update(stored, lambda ids: self.store.vectors(ids, self.dimension)):
            return None
        return previous


def _save(cache: DenseIndex | LexicalIndex, path: Path) -> None:
    """Save a cache for the next process; when the disk is full the cache is still used from
    memory (questions are answered), with a note: it is rebuilt from the store later."""
    try:
        cache.save(path)
    except OSError as error:
        log.warning("note: could not save %s (%s); using it from memory", path,
                    error.strerror or error)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
