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

from qa.embed import Embedder, embed_with_spans


class CachingEmbedder:
    """Wraps an ``Embedder``; same name, dimension and token limit, so an index built with
    it is an ordinary index of that model."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.backend = getattr(inner, "backend", "")
        self._vectors: dict[str, np.ndarray] = {}
        self._spans: dict[tuple[str, tuple], np.ndarray] = {}
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

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Texts and their sentences' vectors (``qa.embed.embed_with_spans``), remembered per
        text and spans, as ``embed`` remembers texts."""
        keys = [(t, tuple(own)) for t, own in zip(texts, spans, strict=True)]
        if self._paused:
            return embed_with_spans(self.inner, texts, spans, progress)
        missing = list(dict.fromkeys(k for k in keys if k not in self._spans))
        self.reused += len(keys) - len(missing)
        if missing:
            made, pooled = embed_with_spans(
                self.inner, [t for t, _ in missing], [list(own) for _, own in missing], progress
            )
            for key, vector, own in zip(missing, made, pooled, strict=True):
                self._vectors[key[0]] = vector
                self._spans[key] = own
        vectors = (
            np.stack([self._vectors[t] for t, _ in keys])
            if keys
            else np.zeros((0, self.dimension), dtype=np.float32)
        )
        return vectors, [self._spans[k] for k in keys]

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
