"""The seam between the retrieve step and its search backends.

Each backend (``qa.dense``: FAISS over chunk vectors; ``qa.lexical``: BM25 over chunk terms)
answers the same call — the top ``k`` chunk ids for each question of a batch, optionally only
among ``allowed`` ids — and is a cache derived from the store, saved beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

# One backend's answer for one question: (scores, chunk ids), best first.
Hits = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Queries:
    """A batch of questions as every backend needs them: the texts (BM25) and, when a dense
    search runs, their vectors (row i is question i)."""

    texts: Sequence[str]
    vectors: np.ndarray | None = None


def no_hits() -> Hits:
    return np.zeros(0, np.float32), np.zeros(0, np.int64)


class Backend(Protocol):
    """A search backend over chunk ids."""

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        """Top ``k`` (scores, chunk ids) per question, restricted to ``allowed`` ids if given."""
        ...

    def save(self, path: Path) -> None:
        """Write atomically: a reader sees the old files or the new ones."""
        ...
