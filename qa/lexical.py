"""Keyword search backend: BM25 (the ``bm25s`` library) over the same chunks as the dense
index, on the project's one vocabulary (``qa.text.terms``: stemmed content words)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from qa.backends import Hits, Queries, no_hits
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
        """Write into a temporary folder, then rename it into place."""
        tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")  # private to this process
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / "chunk_ids.npy", self.chunk_ids)
        if self.model is not None:
            self.model.save(str(tmp), show_progress=False)
        (tmp / "ok.json").write_text(json.dumps({"n": int(len(self.chunk_ids))}))
        if folder.exists():
            old = folder.with_name(f"{folder.name}.{os.getpid()}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        chunk_ids = np.load(folder / "chunk_ids.npy")
        model = None
        if len(chunk_ids):
            model = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(model, chunk_ids)
