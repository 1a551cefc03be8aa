"""Composing an answer from chosen sentences: order, number the articles, merge a sentence
that a syndicated copy repeats, or abstain with the closest passages shown apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.records import Answer, Article, Citation, Passage, Sentence
from qa.text import jaccard, words

SAME_FACT = 0.8  # word Jaccard at which two sentences are one fact told twice


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    article: Article
    score: float
    similarity: float
    overlap: float
    type_match: float
    # The answer model's probability that it answers, when the model read it.
    probability: float | None = None


def same_fact(a: str, b: str) -> bool:
    """Syndicated copies repeat a sentence word for word, or nearly."""
    return jaccard(words(a), words(b)) >= SAME_FACT


def paragraph_of(sentence: Sentence, sentences: Sequence[Sentence]) -> tuple[Sentence, ...]:
    """The sentences of ``sentence``'s paragraph, in order (what a reader is shown around a
    citation). ``sentences`` are all of its article's sentences."""
    first = last = sentence.index
    while first > 0 and sentences[first - 1].paragraph == sentence.paragraph:
        first -= 1
    while last + 1 < len(sentences) and sentences[last + 1].paragraph == sentence.paragraph:
        last += 1
    return tuple(sentences[first : last + 1])


def compose(
    question: str,
    chosen: list[ScoredSentence],
    sentences_of: dict[str, Sequence[Sentence]],
    *,
    confidence: float,
    header: str = "",
) -> Answer:
    """Order sentences by article then position, number articles [1], [2]… in order of first
    appearance, and merge a near-identical sentence from another article into one citation."""
    first_seen: dict[str, int] = {}
    for c in chosen:
        first_seen.setdefault(c.article.id, len(first_seen))
    chosen = sorted(chosen, key=lambda c: (first_seen[c.article.id], c.sentence.index))
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    lines = [f"{header}:"] if header else []
    for c in chosen:
        # The same fact from a syndicated copy is cited once, listing the copy beside it.
        duplicate_of = next(
            (
                i
                for i, cit in enumerate(citations)
                if cit.article.id != c.article.id and same_fact(cit.sentence, c.sentence.text)
            ),
            None,
        )
        if duplicate_of is not None:
            kept = citations[duplicate_of]
            citations[duplicate_of] = Citation(
                kept.n,
                kept.article,
                kept.sentence,
                kept.start,
                kept.end,
                kept.sentence_index,
                kept.also_in + (c.article,),
                kept.paragraph,
            )
            continue
        n = numbers.setdefault(c.article.id, len(numbers) + 1)
        s = c.sentence
        paragraph = paragraph_of(s, sentences_of[s.article_id])
        citations.append(Citation(n, c.article, s.text, s.start, s.end, s.index, (), paragraph))
        lines.append(("  " if header else "") + f"{s.text} [{n}]")
    return Answer(
        question=question,
        text="\n".join(lines),
        abstained=False,
        confidence=float(np.clip(confidence, 0.0, 1.0)),
        citations=tuple(citations),
    )


def abstain(question: str, text: str, passages: Sequence[Passage], best: float) -> Answer:
    return Answer(
        question=question,
        text=text,
        abstained=True,
        confidence=float(np.clip(best, 0.0, 1.0)),
        closest=tuple(passages[:3]),
    )
