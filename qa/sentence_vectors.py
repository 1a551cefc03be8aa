"""Sentence vectors, remembered: rescoring and answering embed the same candidate sentences
question after question, and embedding them is most of an answer's time.

Below both the retrieve step (``hybrid+rescore``) and the answer step, so neither imports
the other to share it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from qa.embed import Embedder

CAPACITY = 50_000  # sentence vectors kept in memory (~77 MB at 384-d)


class SentenceVectors:
    """An LRU cache of text -> unit vector in front of an embedder. Not thread-safe: the
    index calls it under its lock."""

    def __init__(self, embedder: Embedder, capacity: int = CAPACITY) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of ``texts`` (row i is text i), embedding only those not cached."""
        cache = self._vectors
        for text in texts:
            if text in cache:
                cache.move_to_end(text)  # recently used: evicted last
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                cache[text] = vector
                cache.move_to_end(text)
            while len(cache) > self.capacity:
                cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([cache[t] for t in texts])

    def remember(self, text: str, vector: np.ndarray) -> None:
        """Keep a vector computed elsewhere (the question's, embedded by the search)."""
        self._vectors[text] = vector
        self._vectors.move_to_end(text)
