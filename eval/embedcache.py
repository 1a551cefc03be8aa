"""An embedder that remembers every vector it made during one evaluation run.

A run indexes each dataset twice (clean, then beside the distractor pool) and re-ranks with
sentence vectors in both; without a shared memory the dataset's chunks and sentences would be
embedded twice, and the pool's sentences once per dataset. The model is deterministic, so a
remembered vector is the vector the model would give again: scores do not change, only the
time spent. Timings must not profit, so the timed single-question retrievals and the answers
run with the memory ``paused()``: they embed as a user's question would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext

import numpy as np

from qa.embed import Embedder


class CachingEmbedder:
    """Wraps an ``Embedder``; same name, dimension and token limit, so an index built with
    it is an ordinary index of that model."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self._vectors: dict[str, np.ndarray] = {}
        self._paused = 0
        self.reused = 0  # texts served from memory: how much the run saved

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if self._paused:
            return self.inner.embed(texts, progress=progress)
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        self.reused += len(texts) - len(missing)
        if missing:
            made = self.inner.embed(missing, progress=progress)
            self._vectors.update(zip(missing, made, strict=True))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Embed with the model itself inside this block, neither reading nor filling the
        memory: for anything timed."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1


def uncached(embedder: object) -> AbstractContextManager[None]:
    """``embedder.paused()`` for a ``CachingEmbedder``, a no-op for any other."""
    return embedder.paused() if isinstance(embedder, CachingEmbedder) else nullcontext()
