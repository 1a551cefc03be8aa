"""Retrieval, answer and latency metrics.

Retrieval: from passages to gold items
--------------------------------------
Our gold data names sentences, facts or articles, not chunk ids, and a passage is relevant
when it *contains* a gold item (the dataset's hit rule). So qrels by chunk id cannot say what
is relevant; we convert instead. For each question:

* the relevant "documents" are its gold items, ``gold0..goldN``;
* the ranked passages become a ranked list of gold items, in passage order: a passage that
  hits gold items not yet seen contributes those items (in gold order, one position each); a
  passage that hits nothing new contributes one non-relevant placeholder ``missR``.

That list goes to ``ir_measures`` (trec_eval via pytrec_eval), built from the first 10
passages. What each number then means:

* Hits@k (trec_eval ``success``): some passage among the first k hits a gold item. The first
  gold item's position in the list is exactly the rank of the first hitting passage (every
  earlier passage left one placeholder), so this is the official per-passage definition.
* MRR@10: 1 / rank of the first hitting passage (same argument).
* Recall@10: share of the question's gold items hit by the first 10 passages.
* nDCG@10: binary gain per gold item, at the position the list gives it; a passage holding two
  new gold items places them at consecutive positions, so the score never exceeds 1.
* MAP@10, "standard": trec_eval AP over that list, divided by the number of gold items.
* MAP@10, "multihop-rag": the official scorer's formula, which is not trec_eval's AP (see
  ``official_map``); hand-written, like the hit rules, because no library has it.

Unanswerable questions have no gold items and are left out, as the official scorer skips
null queries. Hand-written code is kept to the hit rule, the conversion and that one formula.

AnswerRecall@10 is not about gold items: a gold *short answer* string appears in one of the
first 10 passages (case-insensitive, runs of whitespace read as one space), over answerable
questions that have gold answers. It needs no hit rule, so it is comparable across datasets,
and it is the metric of the project's held-out news set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import ir_measures
import numpy as np
from ir_measures import AP, RR, R, Success, nDCG

CUTOFF = 10
RETRIEVAL_METRICS = ("Hits@1", "Hits@4", "Hits@10", "Recall@10", "MRR@10", "nDCG@10", "MAP@10")
ANSWER_RECALL = "AnswerRecall@10"
# The retrieval columns of every table: the trec_eval metrics with AnswerRecall@10 beside Recall.
RETRIEVAL_COLUMNS = (*RETRIEVAL_METRICS[:4], ANSWER_RECALL, *RETRIEVAL_METRICS[4:])
LATENCY_METRICS = ("p50 ms", "p95 ms")
# Digest questions (eval/data/news-digest.jsonl): see ``digest_outcome``; "Digest answered"
# is the share not refused (every one has gold stories in its period).
DIGEST_METRICS = ("Story recall", "Story precision", "Date order", "Digest answered")
ANSWER_METRICS = (
    "Answer hit",
    "First hit",
    "Answered",
    "Citation exact",
    "Abstain P",
    "Abstain R",
    "Abstain F1",
    "Answer p50 ms",
    "Answer p95 ms",
    *DIGEST_METRICS,
    "Newest first",
)
# Metrics where lower is better; the gate never checks them (timings are too noisy for CI).
LOWER_IS_BETTER = frozenset({*LATENCY_METRICS, "Answer p50 ms", "Answer p95 ms"})

_MEASURES = {
    "Hits@1": Success @ 1,
    "Hits@4": Success @ 4,
    "Hits@10": Success @ 10,
    "Recall@10": R @ 1000,  # the list is already cut at 10 passages; see module docstring
    "MRR@10": RR @ 10,
    "nDCG@10": nDCG,
    "MAP@10": AP,
}

# Per question: for each passage, best first, the indices of the gold items it hits.
Ranking = Sequence[frozenset[int]]


def gold_item_list(ranking: Ranking) -> list[str]:
    """The ranked gold-item list a ranking of passages stands for (see module docstring)."""
    seen: set[int] = set()
    items: list[str] = []
    for rank, golds in enumerate(ranking, start=1):
        new = sorted(golds - seen)
        if new:
            items.extend(f"gold{g}" for g in new)
            seen.update(new)
        else:
            items.append(f"miss{rank}")
    return items or ["miss0"]  # trec_eval silently drops a question with an empty run


def official_map(ranking: Ranking, n_gold: int, cutoff: int = CUTOFF) -> float:
    """MultiHop-RAG's MAP@10 (retrieval_evaluate.py): at each rank r <= 10, add (gold items
    first found at r) / r; divide by min(#gold, 10). Unlike trec_eval's AP it divides by the
    rank, not by the gold items found so far, so it is lower whenever several are found."""
    found: set[int] = set()
    total = 0.0
    for rank, golds in enumerate(ranking[:cutoff], start=1):
        new = golds - found
        total += len(new) / rank
        found |= new
    return total / min(n_gold, cutoff) if n_gold else 0.0


def retrieval_scores(
    rankings: Mapping[str, Ranking], n_gold: Mapping[str, int], map_rule: str = "standard"
) -> dict[str, dict[str, float]]:
    """Per question, every metric of ``RETRIEVAL_METRICS``."""
    qrels = {q: {f"gold{g}": 1 for g in range(n_gold[q])} for q in rankings}
    run = {q: _as_run(gold_item_list(r[:CUTOFF])) for q, r in rankings.items()}
    names = {measure: name for name, measure in _MEASURES.items()}
    scores: dict[str, dict[str, float]] = {q: dict.fromkeys(RETRIEVAL_METRICS, 0.0) for q in run}
    for metric in ir_measures.iter_calc(list(_MEASURES.values()), qrels, run):
        scores[metric.query_id][names[metric.measure]] = float(metric.value)
    if map_rule == "multihop-rag":
        for q, ranking in rankings.items():
            scores[q]["MAP@10"] = official_map(ranking, n_gold[q])
    return scores


def hits_curve(rankings: Mapping[str, Ranking], n_gold: Mapping[str, int], k: int) -> list[float]:
    """Hits@1..Hits@k, averaged over questions: the data for the Hits@k plot."""
    if not rankings:
        return [0.0] * k
    qrels = {q: {f"gold{g}": 1 for g in range(n_gold[q])} for q in rankings}
    run = {q: _as_run(gold_item_list(r[:k])) for q, r in rankings.items()}
    measures = [Success @ j for j in range(1, k + 1)]
    means = ir_measures.calc_aggregate(measures, qrels, run)
    return [float(means[m]) for m in measures]


def mean(per_query: Mapping[str, Mapping[str, float]], names: Iterable[str]) -> dict[str, float]:
    """Average of each metric over questions (0.0 when there are none)."""
    rows = list(per_query.values())
    return {n: float(np.mean([r[n] for r in rows])) if rows else 0.0 for n in names}


def percentiles(seconds: Sequence[float], prefix: str = "") -> dict[str, float]:
    """p50 and p95 of per-question timings, in milliseconds."""
    if not seconds:
        return {f"{prefix}p50 ms": 0.0, f"{prefix}p95 ms": 0.0}
    p50, p95 = np.percentile(np.asarray(seconds) * 1000.0, [50, 95])
    return {f"{prefix}p50 ms": float(p50), f"{prefix}p95 ms": float(p95)}


def normalise_answer(text: str) -> str:
    """Casefolded, every run of whitespace one space: the form AnswerRecall@10 compares."""
    return " ".join(text.casefold().split())


def answer_rank(passages: Sequence[str], gold_answers: Iterable[str]) -> int | None:
    """Rank (1-based) of the first passage holding a gold answer string, within the first
    ``CUTOFF``; None when none does. Per question, AnswerRecall@10 is ``rank is not None``."""
    golds = [g for g in (normalise_answer(a) for a in gold_answers) if g]
    for rank, text in enumerate(passages[:CUTOFF], start=1):
        flat = normalise_answer(text)
        if any(g in flat for g in golds):
            return rank
    return None


def _as_run(items: list[str]) -> dict[str, float]:
    # Strictly falling scores: trec_eval orders by score, and breaks ties by doc id, which
    # would reorder the list.
    return {item: float(len(items) - i) for i, item in enumerate(items)}


# ---------------------------------------------------------------------------------------------
# Answers (when the library has Index.ask)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerOutcome:
    """How one ``ask`` went, reduced to what the answer metrics need."""

    abstained: bool
    answer_hit: bool | None  # None: unanswerable, or no extractive gold answer to look for
    citations: int
    exact_citations: int
    first_hit: bool | None = None  # the first cited sentence holds a gold answer (as above)
    # A digest question (``EvalSet.digest``): the share of its gold stories shown (of at most
    # the digest's cap), the share of shown stories that are gold, and whether the shown
    # lines are in date order. None for other questions.
    story_recall: float | None = None
    story_precision: float | None = None
    date_order: bool | None = None
    # A "latest" question with a gold date: the first citation is the newest report.
    newest_first: bool | None = None


def digest_outcome(
    shown: Sequence[tuple[str, str]], gold: Iterable[str], cap: int
) -> tuple[float, float, bool | None]:
    """(story recall, story precision, date order) of a digest that shows ``shown`` (date,
    cited sentence) lines against ``gold`` story sentences: recall over at most ``cap`` gold
    stories (a digest shows ``cap``), precision over the lines shown (0 when none); date
    order is None when nothing is shown (a refusal is in no order)."""
    wanted = set(gold)
    cited = [sentence for _, sentence in shown]
    found = wanted & set(cited)
    recall = len(found) / min(len(wanted), cap) if wanted else 0.0
    precision = sum(s in wanted for s in cited) / len(cited) if cited else 0.0
    dates = [d for d, _ in shown]
    return min(1.0, recall), precision, (dates == sorted(dates)) if shown else None


def squeeze(text: str) -> str:
    """Case- and space-insensitive form for comparing answers: casefolded, no whitespace."""
    return "".join(text.casefold().split())


def contains_answer(sentences: Iterable[str], gold_answers: Iterable[str]) -> bool:
    """Some cited sentence contains some gold answer, ignoring case and whitespace."""
    cited = [squeeze(s) for s in sentences]
    golds = [squeeze(a) for a in gold_answers if squeeze(a)]
    return any(g in s for g in golds for s in cited)


def answer_scores(outcomes: Mapping[str, AnswerOutcome], unanswerable: set[str]) -> dict:
    """Answer hit (over answerable questions that have gold answers; an abstention is a miss),
    first hit (the same, for the first cited sentence alone),
    answered share (answerable questions given an answer rather than an abstention),
    citation exactness (over all citations; vacuously 1.0 with none) and abstention
    precision / recall / F1, abstaining being the positive class (0.0 when undefined); on a
    digest set, the digest scores (``DIGEST_METRICS``) with answered share and exactness."""
    judged = [o.answer_hit for o in outcomes.values() if o.answer_hit is not None]
    first = [bool(o.first_hit) for o in outcomes.values() if o.answer_hit is not None]
    answerable = [o for q, o in outcomes.items() if q not in unanswerable]
    n_citations = sum(o.citations for o in outcomes.values())
    exact = sum(o.exact_citations for o in outcomes.values())
    abstained = {q for q, o in outcomes.items() if o.abstained}
    should = unanswerable & set(outcomes)
    right = len(abstained & should)
    precision = right / len(abstained) if abstained else 0.0
    recall = right / len(should) if should else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    digests = [o for o in outcomes.values() if o.story_recall is not None]
    digest_scores = {}
    if digests:
        digest_scores = {
            "Story recall": _mean([o.story_recall for o in digests]),
            "Story precision": _mean([o.story_precision for o in digests]),
            "Date order": _mean(
                [float(o.date_order) for o in digests if o.date_order is not None]
            ),
            "Digest answered": _mean([float(not o.abstained) for o in digests]),
        }
    newest = [float(o.newest_first) for o in outcomes.values() if o.newest_first is not None]
    if newest:
        digest_scores["Newest first"] = _mean(newest)
    answered = sum(not o.abstained for o in answerable) / len(answerable) if answerable else 0.0
    cited_exactly = exact / n_citations if n_citations else 1.0
    if digests and not judged and not should:
        # A digest set has no short answers and no unanswerable questions: answer hit and
        # abstention are undefined there, not 0.
        return digest_scores | {"Answered": answered, "Citation exact": cited_exactly}
    return digest_scores | {
        "Answer hit": sum(judged) / len(judged) if judged else 0.0,
        "First hit": sum(first) / len(first) if first else 0.0,
        "Answered": (
            sum(not o.abstained for o in answerable) / len(answerable) if answerable else 0.0
        ),
        "Citation exact": exact / n_citations if n_citations else 1.0,
        "Abstain P": precision,
        "Abstain R": recall,
        "Abstain F1": f1,
    }


def _mean(values: Sequence[float | None]) -> float:
    return sum(v or 0.0 for v in values) / len(values) if values else 0.0
