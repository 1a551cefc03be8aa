"""Sentence vectors for rescoring and answering, read — not computed — at question time.

Ingest stores each sentence's vector, pooled from its chunk's forward pass
(``qa.embed.embed_with_spans``), so choosing the sentence that answers a question embeds
nothing but the question. Sentences without a stored vector (an index from before vectors
were stored, a heading no chunk holds) are embedded on demand and remembered.

Below both the retrieve step (``hybrid+rescore``) and the answer step, so neither imports
the other to share it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from qa.embed import Embedder
from qa.records import Sentence
from qa.store import Store

CAPACITY = 50_000  # embedded-on-demand vectors kept in memory (~77 MB at 384-d)


class SentenceVectors:
    """Unit vectors of stored sentences. Not thread-safe: the index calls it under its lock."""

    def __init__(self, embedder: Embedder, store: Store, capacity: int = CAPACITY) -> None:
        self.embedder = embedder
        self.store = store
        self.capacity = capacity
        self.embedded = 0  # sentences embedded on demand (none, when ingest stored them)
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, sentences: Sequence[Sentence]) -> np.ndarray:
        """The vectors of ``sentences`` (row i is sentence i)."""
        if not sentences:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        keys = [(s.article_id, s.index) for s in sentences]
        stored = self.store.sentence_vectors(keys, self.embedder.dimension)
        missing = [s.text for s, key in zip(sentences, keys, strict=True) if key not in stored]
        by_text = self.texts(missing) if missing else np.zeros((0, self.embedder.dimension))
        row_of = {text: row for row, text in enumerate(missing)}
        return np.stack(
            [
                stored[key] if key in stored else by_text[row_of[s.text]]
                for s, key in zip(sentences, keys, strict=True)
            ]
        ).astype(np.float32)

    def texts(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of arbitrary texts, embedding only those not remembered."""
        cache = self._vectors
        for text in texts:
            if text in cache:
                cache.move_to_end(text)  # recently used: evicted last
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            self.embedded += len(missing)
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                cache[text] = vector
                cache.move_to_end(text)
            while len(cache) > self.capacity:
                cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([cache[t] for t in texts])
