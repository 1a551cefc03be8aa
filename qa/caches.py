"""The search backends' files beside the store, kept in step with it.

    dense-<gen>.faiss    FAISS index of chunk vectors keyed by chunk id   (``qa.dense``)
    bm25-<gen>/          bm25s index of chunk terms                        (``qa.lexical``)

``<gen>`` is the store's generation, bumped by every committed change. Both are derived
caches: a file of another generation is stale and brought up to date from the store (the
vectors are kept in SQLite, so nothing is re-embedded), then older generations are removed.
Ingest calls ``refresh`` after writing; search calls it before reading, which is also how a
process sees what another process wrote.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from qa.dense import DenseIndex
from qa.lexical import LexicalIndex
from qa.store import Store

# dense-<gen>.shards/ is the sharded dense backend's folder (qa.distributed.shards)
_CACHE_NAME = re.compile(r"(?:dense-(\d+)\.(?:faiss|shards)|bm25-(\d+))")
_DENSE_NAME = re.compile(r"dense-(\d+)\.faiss")


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
        if sharded is not None:
            self._dense = sharded
        elif dense_path.exists():
            self._dense = DenseIndex.load(dense_path)
        else:
            self._dense = self._updated_dense() or self._rebuilt_dense()
            self._dense.save(dense_path)
        if (lexical_path / "ok.json").exists():
            self._lexical = LexicalIndex.load(lexical_path)
        else:
            # Each chunk with its context line (title, headings: qa.structure.chunk_context).
            ids, texts = self.store.all_chunk_texts(with_context=True)
            self._lexical = LexicalIndex.build(ids, texts)
            self._lexical.save(lexical_path)
        self.generation = generation
        self._drop_older(generation)

    def _drop_older(self, generation: int) -> None:
        # Older generations only: another process may be writing a newer one.
        for old in self.folder.iterdir():
            stale = _CACHE_NAME.fullmatch(old.name)
            if stale and int(stale.group(1) or stale.group(2)) < generation:
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

    def _updated_dense(self) -> DenseIndex | None:
        """The previous dense index (in memory, else the newest file) updated in place; None
        when there is none, it cannot be read, or it must be rebuilt."""
        previous = self._dense
        if previous is None:
            older = sorted(
                (int(m.group(1)), p)
                for p in self.folder.glob("dense-*.faiss")
                if (m := _DENSE_NAME.fullmatch(p.name))
            )
            if not older:
                return None
            try:
                previous = DenseIndex.load(older[-1][1])
            except RuntimeError:  # unreadable: fall back to a rebuild
                return None
        stored = self.store.chunk_ids()
        if not previous.update(stored, lambda ids: self.store.vectors(ids, self.dimension)):
            return None
        return previous
