"""Turning ranked chunk ids from the dense and keyword searches into one ranking."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MODES = ("hybrid", "dense", "bm25")
DEFAULT_MODE = "hybrid"
RRF_K = 60  # the constant from Cormack et al. (2009); flat enough that depth matters little


def reciprocal_rank_fusion(
    rankings: Sequence[np.ndarray], weights: Sequence[float] | None = None, k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse several rankings of ids into one: score(id) = sum_w w / (k + rank)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[int(item)] = fused.get(int(item), 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"retrieval mode {mode!r} is unknown; use one of {', '.join(MODES)}")
    return mode
