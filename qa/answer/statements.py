"""Answers to "What did X say?": every statement by X in the retrieved articles.

The people and statements of an article come from ``qa.speakers`` (quotes, reported speech,
pronouns and roles resolved to the last named speaker); X is matched against those people
tolerant of case, surname-only and transliteration variants. All of X's statements are
returned in article order, and none of anyone else's. A topic ("What did X say about
training?") keeps only the statements on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np

from qa.answer.compose import ScoredSentence, abstain, compose
from qa.records import Answer, Article, Passage, Sentence
from qa.speakers import SPEECH_VERB_FORMS, Person, Statement, analyse, resolve_speaker
from qa.text import terms, words

Embed = Callable[[Sequence[Sentence]], np.ndarray]  # sentences -> their unit vectors

MAX_STATEMENTS_ON_TOPIC = 3
KEEP_WITHIN = 0.88  # keep further statements scoring at least this share of the best one
TOPIC_SIMILARITY = 0.35  # a speaker's statement off the asked topic scores below this


def statements_answer(
    question: str,
    question_vector: np.ndarray,
    speaker: str,
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    embed: Embed,
    exclude: frozenset[tuple[str, int]] = frozenset(),
) -> Answer | None:
    """All statements by the asked person in the retrieved articles, in article order; None
    when no person in those articles matches (the caller falls back to sentence scoring).
    A question with a topic ("What did X say about training?") keeps only the statements
    on that topic, or abstains when X is not quoted on it."""
    articles: dict[str, Article] = {}
    for passage in passages:
        articles.setdefault(passage.article.id, passage.article)
    picked: list[tuple[Article, Sentence, Person]] = []
    quoted_anywhere = False
    for article in articles.values():
        sentences = sentences_of[article.id]
        people, statements = who_said_what(
            tuple(s.text for s in sentences), tuple(s.paragraph for s in sentences)
        )
        matches = resolve_speaker(speaker, people)
        if not matches:
            continue
        quoted_anywhere = True
        names = {p.name for p in matches}
        for statement in statements:
            if sentences[statement.sentence_index].heading:
                continue  # a heading that names someone is not their statement
            if statement.speaker in names and (article.id, statement.sentence_index) not in exclude:
                person = next(p for p in matches if p.name == statement.speaker)
                picked.append((article, sentences[statement.sentence_index], person))
    if not picked:
        if exclude and quoted_anywhere:
            return abstain(question, f"The articles say nothing more from {speaker}.", [], 1.0)
        return None
    seen: set[tuple[str, int]] = set()
    unique = []
    for article, sentence, person in picked:
        if (article.id, sentence.index) not in seen:
            seen.add((article.id, sentence.index))
            unique.append((article, sentence, person))
    # The header names the person as the article that gives their role does.
    person = next((p for _, _, p in unique if p.titles), unique[0][2])
    header = person.name + (f" ({person.titles[0]})" if person.titles else "")
    chosen = [ScoredSentence(s, a, 1.0, 1.0, 1.0, 1.0) for a, s, _ in unique]
    topic = topic_terms(question, speaker)
    confidence = 1.0
    if topic:
        chosen = _on_topic(question_vector, topic, chosen, embed)
        if not chosen:
            answer = abstain(question, f"The articles don't quote {person.name} on that.", [], 0.0)
            return replace(answer, speaker=person.name)
        confidence = chosen[0].score
    answer = compose(question, chosen, sentences_of, confidence=confidence, header=header)
    return replace(answer, speaker=person.name)


@lru_cache(maxsize=1024)
def who_said_what(
    texts: tuple[str, ...], paragraphs: tuple[int, ...]
) -> tuple[list[Person], list[Statement]]:
    """People and statements of an article, found in one analysis and remembered: the same
    articles come back for question after question, and the analysis is the slow part of a
    "what did X say"."""
    speech = analyse(texts, paragraphs)
    return speech.people, speech.statements


def topic_terms(question: str, speaker: str) -> set[str]:
    """What a "what did X say ..." question asks about beyond X and the speech verb."""
    kept = [w for w in words(question) if w not in SPEECH_VERB_FORMS]
    return set(terms(" ".join(kept))) - set(terms(speaker))


def _on_topic(
    question_vector: np.ndarray, topic: set[str], statements: list[ScoredSentence], embed: Embed
) -> list[ScoredSentence]:
    similarity = embed([s.sentence for s in statements]) @ question_vector
    rescored = []
    for statement, sim in zip(statements, similarity, strict=True):
        overlap = len(topic & set(terms(statement.sentence.text))) / len(topic)
        score = 0.5 * float(sim) + 0.5 * overlap
        rescored.append(replace(statement, score=score, similarity=float(sim), overlap=overlap))
    best = max(s.score for s in rescored)
    if max(s.overlap for s in rescored) == 0 and best < TOPIC_SIMILARITY:
        return []
    kept = sorted(rescored, key=lambda s: -s.score)[:MAX_STATEMENTS_ON_TOPIC]
    return [s for s in kept if s.score >= KEEP_WITHIN * best]
