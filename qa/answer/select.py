"""Choosing the sentences that answer a question (anything but "What did X say?").

Candidates are the sentences of the retrieved passages and their neighbours. Each is scored
for how well it answers: embedding similarity to the question, keyword overlap weighted by
rarity (on ``qa.text.terms``), and a match between the question's type and the sentence (a
number for "how many", a date for "when", a name for "who"). The best few within
``KEEP_WITHIN`` of the top score are kept, near-duplicates merged; below ``ABSTAIN_BELOW``
the answer abstains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer.compose import ScoredSentence, abstain, compose, same_fact
from qa.answer.statements import statements_answer
from qa.records import Answer, Article, Passage, Sentence
from qa.speakers import mentions, speaker_in_question
from qa.text import terms

Embed = Callable[[Sequence[Sentence]], np.ndarray]  # sentences -> their unit vectors

# Calibrated by `python -m eval.calibrate` on the sample set, SQuAD 2.0 and MultiHop-RAG:
# the best mean of abstention F1 and answered share (see README, "Abstention").
ABSTAIN_BELOW = 0.44
MAX_SENTENCES = 3
KEEP_WITHIN = 0.88  # keep further sentences scoring at least this share of the best one
MAX_CANDIDATES = 32  # sentences scored per answer, at most
NEIGHBOURS = 1  # sentences either side of a retrieved passage also compete

_PRONOUN_START = re.compile(
    r"^(?:[“\"‘']\s*)?(?:He|She|They|It|His|Her|Their|This|That|These|Those)\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|twenty|thirty|forty|fifty|hundred|hundreds|thousand|"
    r"thousands|million|millions|billion|dozen|dozens)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|yesterday|today|tomorrow|week|month|"
    r"year|decade)s?\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def question_type(question: str) -> str:
    q = question.lower()
    if re.search(r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|share)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b", q):
        return "date"
    if re.search(r"\bwho(?:m|se)?\b", q):
        return "person"
    return "other"

@dataclass(frozen=True)
class Question:
    """A question as the answer step reads it, parsed once: the text answered (time words
    removed, follow-ups resolved), the person a "What did X say?" asks about, and the kind
    of thing asked for ("number", "date", "person" or "other")."""

    text: str
    speaker: str | None
    kind: str


def parse_question(text: str) -> Question:
    return Question(text, speaker_in_question(text), question_type(text))


def select_answer(
    question: Question,
    question_vector: np.ndarray,
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    embed: Embed,
    *,
    abstain_below: float = ABSTAIN_BELOW,
    exclude: frozenset[tuple[str, int]] = frozenset(),
    filtered: bool = False,
) -> Answer:
    """Answer ``question`` from retrieved ``passages``. ``sentences_of`` maps article id to
    all its sentences (for neighbours and context); ``embed`` maps texts to unit vectors and
    ``question_vector`` is the question's."""
    text = question.text
    if not passages:
        reason = (
            "No article matches the question and its filters (source, dates)."
            if filtered
            else "No passage matches the question; add articles about it."
        )
        return abstain(text, reason, passages, 0.0)
    speaker = question.speaker
    if speaker:
        said = statements_answer(
            text, question_vector, speaker, passages, sentences_of, embed, exclude
        )
        if said is not None:
            return said
    scored = [
        s
        for s in score_candidates(question, question_vector, passages, sentences_of, embed)
        if (s.sentence.article_id, s.sentence.index) not in exclude
    ]
    if speaker:  # a "what did X say" question must be answered by sentences naming X
        scored = [s for s in scored if mentions(s.sentence.text, speaker)]
    if not scored or scored[0].score < abstain_below:
        best = scored[0].score if scored else 0.0
        refusal = (
            f"The articles don't say what {speaker} said."
            if speaker
            else f"The articles don't answer “{text.strip()}”."
        )
        return abstain(text, refusal, passages, best)
    chosen = _choose(scored)
    chosen = _with_context(chosen, sentences_of)
    return compose(text, chosen, sentences_of, confidence=scored[0].score)


def score_candidates(
    question: Question,
    question_vector: np.ndarray,
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    embed: Embed,
) -> list[ScoredSentence]:
    """Every candidate sentence with its answer score, best first."""
    candidates: dict[tuple[str, int], tuple[Sentence, Article, int]] = {}
    for passage in passages:
        all_sentences = sentences_of[passage.article.id]
        first = max(0, passage.sentences[0].index - NEIGHBOURS) if passage.sentences else 0
        last = passage.sentences[-1].index + NEIGHBOURS if passage.sentences else -1
        for sentence in all_sentences[first : last + 1]:
            if sentence.heading:  # a heading is the context of an answer, never one
                continue
            key = (sentence.article_id, sentence.index)
            if key not in candidates:
                candidates[key] = (sentence, passage.article, passage.rank)
    items = list(candidates.values())
    if not items:
        return []
    q_terms = set(terms(question.text))
    terms_of = [set(terms(s.text)) for s, _, _ in items]
    idf = _idf(terms_of, q_terms)
    total = sum(idf.values())
    overlaps = [
        sum(idf[t] for t in q_terms & found) / total if total else 0.0 for found in terms_of
    ]
    # Only the most promising candidates (by keyword overlap, then passage rank) are scored
    # when passages hold very many sentences.
    order = sorted(range(len(items)), key=lambda i: (-overlaps[i], items[i][2], i))
    keep = sorted(order[:MAX_CANDIDATES])
    items = [items[i] for i in keep]
    overlaps = [overlaps[i] for i in keep]
    similarity = embed([s for s, _, _ in items]) @ question_vector
    kind = question.kind
    scored = []
    for (sentence, article, rank), sim, overlap in zip(items, similarity, overlaps, strict=True):
        match = _type_match(kind, sentence.text)
        # Weights: similarity carries meaning, overlap carries names and rare words; the type
        # match only breaks ties between otherwise plausible sentences.
        score = 0.55 * float(sim) + 0.35 * overlap + 0.10 * match - 0.01 * (rank - 1)
        scored.append(ScoredSentence(sentence, article, score, float(sim), overlap, match))
    scored.sort(key=lambda s: -s.score)
    return scored


def _idf(documents: list[list[str]], terms: set[str]) -> dict[str, float]:
    n = len(documents)
    df = {t: sum(1 for d in documents if t in d) for t in terms}
    return {t: math.log(1 + (n + 1) / (df[t] + 0.5)) for t in terms}


def _type_match(kind: str, text: str) -> float:
    if kind == "number":
        return 1.0 if _NUMBER.search(text) else 0.0
    if kind == "date":
        return 1.0 if _DATE.search(text) else 0.0
    if kind == "person":
        return 1.0 if _NAME.search(text) else 0.0
    return 0.0


def _choose(scored: list[ScoredSentence]) -> list[ScoredSentence]:
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    for candidate in scored:
        if len(chosen) == MAX_SENTENCES or candidate.score < KEEP_WITHIN * best:
            break
        if any(same_fact(candidate.sentence.text, c.sentence.text) for c in chosen):
            continue
        chosen.append(candidate)
    return chosen


def _with_context(
    chosen: list[ScoredSentence], sentences_of: dict[str, Sequence[Sentence]]
) -> list[ScoredSentence]:
    """Add the previous sentence when a chosen one opens with a pronoun it depends on."""
    keys = {(c.sentence.article_id, c.sentence.index) for c in chosen}
    result = []
    for c in chosen:
        s = c.sentence
        previous = sentences_of[s.article_id][s.index - 1] if s.index > 0 else None
        if (
            previous is not None
            and not previous.heading
            and _PRONOUN_START.match(s.text)
            and (s.article_id, s.index - 1) not in keys
        ):
            result.append(ScoredSentence(previous, c.article, c.score, 0.0, 0.0, 0.0))
            keys.add((s.article_id, s.index - 1))
        result.append(c)
    return result
