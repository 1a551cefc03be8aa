"""Fusion: turning the dense and keyword searches into one ranking of chunk ids.

Modes: ``dense`` (cosine of chunk vectors), ``bm25`` (keywords), ``hybrid`` (the default: the
two fused, below) and ``hybrid+rescore`` (hybrid, then its first ``RESCORE_DEPTH`` candidates
re-ranked by their best sentence, see ``qa.rescore``; slower, so optional).

Fusion: convex combination of min-max normalised scores
-------------------------------------------------------
Each search returns its top ``FUSION_DEPTH`` chunks (BM25: only those sharing a word with the
question). Each list's scores are scaled to [0, 1] over that list (best 1, worst 0), and

    score(chunk) = DENSE_WEIGHT * dense01(chunk) + (1 - DENSE_WEIGHT) * bm25_01(chunk)

where a chunk missing from a list counts 0 there. Unlike reciprocal rank fusion (RRF), it
keeps *how much* better one candidate is than the next, which is what lets a strong keyword
match beat a slightly better cosine. Chosen on ``python -m eval --no-answers`` (MRR@10, k=10;
sample: 36 answerable questions, squad2: 242, multihop-rag: 429; depth 50 unless stated):

=========================================== ======= ======= ============
method                                      sample  squad2  multihop-rag
=========================================== ======= ======= ============
bm25 alone                                  0.898   0.920   0.848
dense alone                                 0.796   0.890   0.821
RRF, k=60 (the previous default)            0.874   0.934   0.878
RRF, k=10                                   0.874   0.937   0.879
RRF, k=60, depth 20                         0.874   0.935   0.878
weighted RRF, k=10, bm25 x2 (dense x0.5)    0.915   0.941   0.875
weighted RRF, k=60, dense x2 (bm25 x0.5)    0.809   0.927   0.862
z-score convex, alpha=0.5                   0.915   0.957   0.890
dense cosine + 0.2 * min-max bm25           0.918   0.957   0.895
min-max convex, alpha=0.4                   0.918   0.951   0.889
**min-max convex, alpha=0.5 (chosen)**      0.915   0.956   0.892
min-max convex, alpha=0.6                   0.887   0.957   0.895
min-max convex, alpha=0.5, depth 20         0.915   0.957   0.891
min-max convex, alpha=0.5, depth 10         0.915   0.951   0.889
hybrid+rescore (alpha=0.5, see qa.rescore)  0.938   0.961   0.897
=========================================== ======= ======= ============

Score fusion beats every RRF variant on squad2 and multihop-rag; min-max, z-score and "cosine +
0.2 x bm25" are within 0.005 of each other. Min-max with equal weights was chosen because it
needs no tuning (alpha=0.5 was not picked for the sample: 0.4 scores higher there) and, unlike
"cosine + beta x bm25", does not depend on the spread of one embedding model's cosines. Against
the better single search (paired bootstrap, 95% interval of the MRR@10 gain): squad2 +0.036
[+0.017, +0.057], multihop-rag +0.044 [+0.025, +0.062], sample +0.017 [-0.030, +0.068] (3
questions won, 2 lost: 36 questions over 5 chunks are too few to tell such gains from chance).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np

from qa.backends import Hits
from qa.errors import RecencyPriorError
from qa.records import published_day

MODES = ("hybrid", "dense", "bm25", "hybrid+rescore", "hybrid+reader")
DEFAULT_MODE = "hybrid"
FUSED_MODES = frozenset({"hybrid", "hybrid+rescore", "hybrid+reader"})
FUSION_DEPTH = 50  # candidates taken from each search before fusing (at least k)
DENSE_WEIGHT = 0.5  # alpha: the dense share of the fused score; bm25 gets 1 - alpha


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale scores to [0, 1] over the list: the best becomes 1, the worst 0. When every score
    is equal (one candidate, or ties only) all become 1: each is as good as the list's best."""
    scores = np.asarray(scores, dtype=np.float64)
    if not len(scores):
        return scores
    low, high = float(scores.min()), float(scores.max())
    if high <= low:
        return np.ones_like(scores)
    return (scores - low) / (high - low)


def convex_fusion(
    hits: Sequence[Hits], weights: Sequence[float] = (DENSE_WEIGHT, 1 - DENSE_WEIGHT)
) -> list[tuple[int, float]]:
    """Fuse several searches' scored lists: score(id) = sum_i weight_i * minmax(list_i)(id),
    0 for a list that lacks the id. Best first; ties broken by the smaller id."""
    fused: dict[int, float] = {}
    for (scores, ids), weight in zip(hits, weights, strict=True):
        for item, value in zip(ids, minmax(scores), strict=True):
            fused[int(item)] = fused.get(int(item), 0.0) + weight * float(value)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"retrieval mode {mode!r} is unknown; use one of {', '.join(MODES)}")
    return mode


RECENCY_MARGIN = 0.1  # candidates within this much of the best (0-1 scale) count as equal
RECENCY_DEPTH = 50  # candidates re-ranked by date for "latest" questions
# A narrow period a question names ("on Wednesday") is preferred, not required: a story of
# the REPORTING_LAG_DAYS after it (reports follow events) must score LAG_MARGIN more than one
# of the period itself to rank above it, a story of any other date OTHER_MARGIN more (of a
# fused score whose best is 1). Chosen on python -m eval (README, "Retrieval").
REPORTING_LAG_DAYS = 2
LAG_MARGIN = 0.2
OTHER_MARGIN = 0.6


def prefer_recent(
    ranking: list[tuple[int, float]],
    published: dict[int, str],
    anchor: str,
    margin: float = RECENCY_MARGIN,
    depth: int = RECENCY_DEPTH,
) -> list[tuple[int, float]]:
    """For a question about how things stand now, re-rank the first ``depth`` candidates:
    among those scoring within ``margin`` of the best (as a share of the best score), the
    newer gains up to ``margin`` (recency runs from 0 for the oldest of them to 1 for the
    newest), so the newest of several near-equal matches wins while a weaker match never
    overtakes by its date alone. Undated candidates and those dated after ``anchor`` (the
    index's "today": misdated pages) gain nothing. The rest keep their order below."""
    head = ranking[:depth]
    best = head[0][1] if head else 0.0
    if len(head) < 2 or best <= 0:
        return ranking
    scores = np.array([max(s, 0.0) / best for _, s in head])
    close = {
        c for (c, _), score in zip(head, scores, strict=True) if score >= 1 - margin
    }
    dates = {c: published.get(c, "") for c in close}
    dated = sorted({d for d in dates.values() if d and d <= anchor})
    if len(dated) < 2:
        return ranking
    first, last = _ordinal(dated[0]), _ordinal(dated[-1])
    rescored = []
    for (chunk_id, _), score in zip(head, scores, strict=True):
        day = dates.get(chunk_id, "")
        recency = (_ordinal(day) - first) / (last - first) if day and day <= anchor else 0.0
        rescored.append((chunk_id, float(score) + margin * recency))
    rescored.sort(key=lambda pair: (-pair[1], pair[0]))
    low = min(s for _, s in rescored)
    tail = [(c, low - 1e-9 * i) for i, (c, _) in enumerate(ranking[depth:], start=1)]
    return rescored + tail


def newest_on_topic(
    ranking: list[tuple[int, float]],
    published: dict[int, str],
    is_on_topic: Callable[[int], bool],
    anchor: str,
    depth: int = RECENCY_DEPTH,
) -> int | None:
    """The newest of the first ``depth`` candidates that is on the question's topic
    (``is_on_topic``: it mentions what the question asks about, ``qa.mentions.on_topic``),
    or None. For "what is the latest death toll" the newest report on the story is the
    answer even when an older one words the question more closely, and a passage off the
    topic never counts, however new. Undated candidates and those dated after ``anchor``
    (misdated pages) are left out; of one day's candidates the better ranked wins. Tested
    newest first, so the topic test usually runs on a few candidates, not all."""
    dated = sorted(
        (
            (published.get(chunk_id, ""), -position, chunk_id)
            for position, (chunk_id, _) in enumerate(ranking[:depth])
            if "" < published.get(chunk_id, "") <= anchor
        ),
        reverse=True,
    )
    return next((chunk_id for _, _, chunk_id in dated if is_on_topic(chunk_id)), None)


# The recency prior of questions asked on a date (``recency_prior``): its weight is learned
# by python -m eval.train_recency and stored with how it was learned.
RECENCY_FILE = Path(__file__).with_name("models") / "recency.json"
# An index whose newest article is at most this many days before the clock's today is live:
# its questions are asked today.
LIVE_DAYS = 7


@cache
def recency_weight() -> float:
    """The learned weight of the recency prior; ``RecencyPriorError`` naming the file and
    the command that rebuilds it when the file is missing or unreadable."""
    try:
        weight = float(json.loads(RECENCY_FILE.read_text(encoding="utf-8"))["weight"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RecencyPriorError(
            f"the recency prior's weight {RECENCY_FILE} is missing or unreadable ({error}); "
            "reinstall newsqa, or rebuild it with python -m eval.train_recency --write"
        ) from None
    if not math.isfinite(weight) or weight < 0:
        raise RecencyPriorError(
            f"the recency prior's weight in {RECENCY_FILE} is {weight}, not a weight >= 0; "
            "rebuild it with python -m eval.train_recency --write"
        )
    return weight


def recency_prior(
    ranking: list[tuple[int, float]],
    published: dict[int, str],
    asked_on: str,
    weight: float,
) -> list[tuple[int, float]]:
    """Re-rank for a question asked on ``asked_on`` that names no time: each candidate loses
    ``weight * ln(1 + its age in days)``, so last week's report beats last year's unless it
    matches clearly worse, while between two old stories the prior hardly tells (the
    logarithm). Undated candidates and those dated after ``asked_on`` (not yet written then,
    or misdated) count as old as the oldest dated one."""
    if weight <= 0 or not ranking:
        return ranking
    day = date.fromisoformat(asked_on[:10])
    ages: dict[int, int] = {}
    for chunk_id, _ in ranking:
        written = published_day(published.get(chunk_id, ""))
        if written is not None and written <= day:
            ages[chunk_id] = (day - written).days
    if not ages:
        return ranking
    oldest = max(ages.values())
    rescored = [
        (chunk_id, score - weight * math.log1p(ages.get(chunk_id, oldest)))
        for chunk_id, score in ranking
    ]
    return sorted(rescored, key=lambda pair: (-pair[1], pair[0]))


def reporting_window(since: str, until: str) -> tuple[str, str]:
    """The dates searched first for a narrow period: the period and the days just after."""
    end = date.fromisoformat(until[:10]) + timedelta(days=REPORTING_LAG_DAYS)
    return since[:10], end.isoformat()


def prefer_period(
    ranking: list[tuple[int, float]],
    published: dict[int, str],
    since: str,
    until: str,
    lag_margin: float = LAG_MARGIN,
    other_margin: float = OTHER_MARGIN,
    scale: float = 1.0,
) -> list[tuple[int, float]]:
    """Re-rank for a question naming a narrow period ``since``-``until``: a candidate of the
    period keeps its score, one of the ``REPORTING_LAG_DAYS`` after it loses ``lag_margin``
    (reports follow events), any other (or undated) loses ``other_margin``: a story of
    another date wins only when it matches clearly better ("released on November 16",
    announced a week before), never by a near tie. ``scale``: what a score of 1 is worth
    (1 for fused scores; a single search's raw scores pass their spread)."""
    first, end = since[:10], reporting_window(since, until)[1]

    def margin(chunk_id: int) -> float:
        day = published.get(chunk_id, "")[:10]
        if first <= day <= until[:10]:
            return 0.0
        return scale * (lag_margin if until[:10] < day <= end else other_margin)

    rescored = [(chunk_id, score - margin(chunk_id)) for chunk_id, score in ranking]
    return sorted(rescored, key=lambda pair: (-pair[1], pair[0]))


def lead_with(ranking: list[tuple[int, float]], chunk_id: int) -> list[tuple[int, float]]:
    """``chunk_id`` first, scored just above the best so that it stays first; the rest keep
    their order (unchanged when it is not in the ranking)."""
    if not ranking or ranking[0][0] == chunk_id or all(c != chunk_id for c, _ in ranking):
        return ranking
    return [(chunk_id, ranking[0][1] + 1e-6)] + [pair for pair in ranking if pair[0] != chunk_id]


def _ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()
