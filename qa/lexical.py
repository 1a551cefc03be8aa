"""Keyword search backend: BM25 (the ``bm25s`` library) over the same chunks as the dense
index, on the project's one vocabulary (``qa.text.terms``: stemmed content words)."""

from __future__ import annotations

import json
import os
import shutil
import zlib
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from qa.backends import Hits, Queries, no_hits
from qa.safety import replace_folder
from qa.text import terms_many


class LexicalIndex:
    """BM25 over chunk texts; row i of the matrix is chunk ``chunk_ids[i]``."""

    def __init__(self, model: bm25s.BM25 | None, chunk_ids: np.ndarray) -> None:
        self.model = model
        self.chunk_ids = chunk_ids

    @classmethod
    def build(cls, chunk_ids: np.ndarray, texts: Sequence[str]) -> LexicalIndex:
        if not len(chunk_ids):
            return cls(None, chunk_ids)
        tokens = terms_many(texts)
        if not any(tokens):  # only stop words and punctuation ("It was."): nothing to index
            return cls(None, chunk_ids)
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        return cls(model, chunk_ids)

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        """Top ``k`` (scores, chunk ids) per question, only positive scores, filtered
        inside the scoring by a 0/1 weight mask when ``allowed`` is given."""
        if self.model is None:
            return [no_hits() for _ in queries.texts]
        mask = None
        if allowed is not None:
            mask = np.isin(self.chunk_ids, allowed).astype(np.float32)
        results = []
        vocabulary = self.model.vocab_dict
        for tokens in terms_many(queries.texts):
            known = [t for t in tokens if t in vocabulary]
            if not known:
                results.append(no_hits())
                continue
            scores = self.model.get_scores(known, weight_mask=mask)
            top = min(k, int((scores > 0).sum()))
            order = np.argpartition(-scores, top - 1)[:top] if top else np.zeros(0, np.int64)
            order = order[np.argsort(-scores[order], kind="stable")]
            results.append((scores[order].astype(np.float32), self.chunk_ids[order]))
        return results

    def save(self, folder: Path) -> None:
        """Write into a temporary folder, then rename it into place. ``ok.json``, written
        last, holds each file's CRC-32, so a damaged or truncated file is found on load."""
        tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")  # private to this process
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            np.save(tmp / "chunk_ids.npy", self.chunk_ids)
            if self.model is not None:
                self.model.save(str(tmp), show_progress=False)
            sums = {p.name: _crc(p) for p in sorted(tmp.iterdir())}
            (tmp / "ok.json").write_text(json.dumps({"n": int(len(self.chunk_ids)), "crc": sums}))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # a failed write (disk full) leaves nothing
            raise
        replace_folder(tmp, folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read a saved index; ``CorruptCacheError`` if any file is missing, truncated or
        damaged (checked against ``ok.json``'s checksums and the matrix's own shape)."""
        try:
            stamp = json.loads((folder / "ok.json").read_text())
            for name, crc in stamp.get("crc", {}).items():  # absent in older saves
                if _crc(folder / name) != crc:
                    raise CorruptCacheError(f"{folder / name} is damaged (checksum mismatch)")
            chunk_ids = np.load(folder / "chunk_ids.npy")
            model = None
            if len(chunk_ids) and (folder / "params.index.json").exists():
                model = bm25s.BM25.load(str(folder), show_progress=False)
                _check_matrix(model, len(chunk_ids))
            if len(chunk_ids) != stamp["n"]:
                raise CorruptCacheError(f"{folder} holds {len(chunk_ids)} ids, not {stamp['n']}")
        except CorruptCacheError:
            raise
        except Exception as error:  # any unreadable file: numpy, json, bm25s, OS errors
            if not folder.exists():
                raise  # removed meanwhile by another process: gone, not damaged
            raise CorruptCacheError(f"{folder} cannot be read ({error})") from None
        return cls(model, chunk_ids)


class CorruptCacheError(ValueError):
    """A saved keyword index is truncated or damaged."""


def _crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


def _check_matrix(model: bm25s.BM25, n_chunks: int) -> None:
    """The score matrix is whole: one column per chunk, pointers in order, rows in range."""
    scores = model.scores
    indptr, indices, data = scores["indptr"], scores["indices"], scores["data"]
    whole = (
        scores["num_docs"] == n_chunks
        and len(indptr) > 0
        and indptr[0] == 0
        and indptr[-1] == len(indices) == len(data)
        and bool(np.all(np.diff(indptr) >= 0))
        and (len(indices) == 0 or (int(indices.min()) >= 0 and int(indices.max()) < n_chunks))
        and bool(np.all(np.isfinite(data)))
    )
    if not whole:
        raise CorruptCacheError("the keyword index's score matrix is inconsistent")
