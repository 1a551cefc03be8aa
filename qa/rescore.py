"""Second stage of ``mode="hybrid+rescore"``: re-rank the fused candidates by their best sentence.

A chunk's vector averages all its sentences, so one sentence that answers the question is
diluted by its neighbours. Here each of the first ``RESCORE_DEPTH`` fused candidates also gets
the highest cosine between the question and one of its sentences (embedded with the index's
own model, and cached: ``Index.ask`` embeds the same sentences to choose an answer), and

    score = (1 - SENTENCE_WEIGHT) * fused + SENTENCE_WEIGHT * minmax(best sentence cosine)

Measured with ``python -m eval --no-answers`` (MRR@10, k=10), against plain ``hybrid``: sample
0.915 -> 0.938, squad2 0.956 -> 0.961, multihop-rag 0.892 -> 0.897 (weights 0.2 to 0.3 and
depths 10 to 30 all score within 0.002 of this). The cost is embedding the candidates'
sentences (20 candidates of squad2 hold ~60). Per question on 2 CPU cores (p50 / p95, 30
questions x 3 rounds): plain hybrid 20 / 24 ms on squad2; with rescoring and no sentence
cached 1110 / 2070 ms on squad2, 530 / 700 ms on multihop-rag, 340 / 360 ms on the sample;
with every sentence cached 2-3 ms more than hybrid (``python -m eval`` times questions after
scoring them, so it reports the cached cost). That is too slow for the default.

Cheaper signals were tried as the second stage too: query-term proximity and the share of the
question's words in one sentence gained at most 0.005 on squad2 and multihop-rag (more only on
the 36-question sample); title words gained 0.008 on multihop-rag and lost 0.004 on squad2;
a bonus for an outlet the question names gained 0.024 on multihop-rag, whose questions name
outlets, and nothing elsewhere (``Filters.sources`` already narrows a search to an outlet).
None is used.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.fusion import minmax

RESCORE_DEPTH = 20  # fused candidates re-ranked per question
SENTENCE_WEIGHT = 0.25  # share of the best-sentence similarity in the final score


def best_sentence_scores(
    question: np.ndarray, sentence_vectors: np.ndarray, owners: Sequence[int], n_candidates: int
) -> np.ndarray:
    """For each candidate ``0..n_candidates-1``, the highest cosine between ``question`` and
    one of its sentences; ``owners[i]`` is the candidate of sentence ``i``. A candidate with no
    sentence gets -1, the lowest cosine there is."""
    best = np.full(n_candidates, -1.0)
    if len(owners):
        similarities = np.asarray(sentence_vectors, dtype=np.float64) @ np.asarray(question)
        np.maximum.at(best, np.asarray(owners, dtype=np.int64), similarities)
    return best


def rescore(
    ranking: Sequence[tuple[int, float]],
    best_sentence: Sequence[float],
    weight: float = SENTENCE_WEIGHT,
) -> list[tuple[int, float]]:
    """Re-rank the first ``len(best_sentence)`` candidates of ``ranking`` (id, fused score):
    ``(1 - weight) * fused + weight * minmax(best_sentence)``, best first, ties by id. The
    candidates after them keep their order, scored ``(1 - weight) * fused``, which stays below
    every re-ranked one since the ranking was sorted."""
    head = len(best_sentence)
    if head > len(ranking):
        raise ValueError(
            f"{head} sentence scores for {len(ranking)} candidates; pass one per candidate "
            "re-ranked, in ranking order"
        )
    bonus = minmax(np.asarray(best_sentence, dtype=np.float64))
    rescored = [
        (chunk_id, (1 - weight) * score + weight * float(extra))
        for (chunk_id, score), extra in zip(ranking[:head], bonus, strict=True)
    ]
    rescored.sort(key=lambda pair: (-pair[1], pair[0]))
    return rescored + [(chunk_id, (1 - weight) * score) for chunk_id, score in ranking[head:]]


# -- the answer model as the second stage: ``mode="hybrid+reader"`` ------------------------------
# The first READER_DEPTH fused candidates are read by the trained answer model (``qa.reader``,
# each sentence as the answer step reads it; a passage scores its best sentence) and re-scored
# ``(1 - READER_WEIGHT) * fused + READER_WEIGHT * minmax(model)`` by ``rescore``. Chosen with
# ``python -m eval.rerank_study`` (README, "Retrieval"): the best setting over all datasets
# together at depth 20; it gains on SQuAD-style questions (squad2-long MRR@10 .843 -> .896)
# and loses on MultiHop-RAG (.894 -> .863) and news-quiz (.969 -> .962), so it is optional.
READER_DEPTH = 20
READER_WEIGHT = 0.25
