"""The peers, behind one small interface: index (chunk id, text) pairs, then search.

- txtai ``Embeddings`` with the bundled model folder (sentence-transformers on torch), FAISS
  backend, content storage; and the same with ``hybrid=True`` (txtai's BM25 + dense).
- bm25s alone, as its README shows it: English stop words, PyStemmer's English stemmer.

Peers get the chunk texts our index cut (they have no sentence-aware chunker), so every
system ranks the same units and the datasets' hit rules apply unchanged. Their index time
therefore leaves out loading, segmenting and chunking, which ours includes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from qa.embed import DEFAULT_MODEL, model_path

PEERS = ("txtai", "txtai-hybrid", "bm25s")


class Peer:
    name: str
    load_s: float = 0.0  # model loading, kept out of the index time

    def index(self, ids: Sequence[int], texts: Sequence[str]) -> float: ...

    def search(self, question: str, k: int) -> list[int]: ...


class Txtai(Peer):
    def __init__(self, hybrid: bool = False) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from txtai import Embeddings

        self.name = "txtai-hybrid" if hybrid else "txtai"
        self._config = {
            "path": model_path(DEFAULT_MODEL),
            "method": "sentence-transformers",
            "backend": "faiss",
            "content": True,
            "hybrid": hybrid,
        }
        started = time.perf_counter()
        self._embeddings = Embeddings(**self._config)
        # The model loads on the first index call: load it outside the timed one.
        self._embeddings.index([("warm-up", "warm up the model", None)])
        self.load_s = time.perf_counter() - started

    def index(self, ids: Sequence[int], texts: Sequence[str]) -> float:
        started = time.perf_counter()
        self._embeddings.index((str(i), t, None) for i, t in zip(ids, texts, strict=True))
        return time.perf_counter() - started

    def search(self, question: str, k: int) -> list[int]:
        return [int(hit["id"]) for hit in self._embeddings.search(question, k)]


class Bm25s(Peer):
    def __init__(self) -> None:
        import Stemmer

        self.name = "bm25s"
        self._stemmer = Stemmer.Stemmer("english")
        self._ids = np.zeros(0, np.int64)

    def index(self, ids: Sequence[int], texts: Sequence[str]) -> float:
        import bm25s

        started = time.perf_counter()
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stemmer,
                                show_progress=False)
        self._model = bm25s.BM25()
        self._model.index(tokens, show_progress=False)
        self._ids = np.asarray(ids, dtype=np.int64)
        return time.perf_counter() - started

    def search(self, question: str, k: int) -> list[int]:
        import bm25s

        tokens = bm25s.tokenize([question], stopwords="en", stemmer=self._stemmer,
                                show_progress=False)
        if not tokens.vocab:
            return []
        rows, scores = self._model.retrieve(tokens, k=min(k, len(self._ids)),
                                            show_progress=False, n_threads=1)
        return [int(self._ids[r]) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]


def make(name: str) -> Peer:
    if name == "txtai":
        return Txtai()
    if name == "txtai-hybrid":
        return Txtai(hybrid=True)
    if name == "bm25s":
        return Bm25s()
    raise ValueError(f"unknown peer {name!r}; choose from {PEERS}")
