"""Extractive answers: choose the sentences that answer a question, cite them exactly, or
say plainly that the articles don't say.

No generative model runs here. A question goes one of two ways:

* "What did X say?" — X is matched against the people in the retrieved articles
  (``qa.speakers``), and all of X's statements are returned in article order.
* anything else — candidate sentences (retrieved passages plus their neighbours) are scored
  for how well they answer: embedding similarity, keyword overlap weighted by rarity, and a
  match between the question's type and the sentence (a number for "how many", a date for
  "when", a name for "who"). The best few are kept, near-duplicates merged.

Every citation is ``article.text[start:end]`` of a stored sentence, so it is exact by
construction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import Stemmer

from qa.records import Answer, Article, Citation, Passage, Sentence
from qa.speakers import (
    SPEECH_VERB_FORMS,
    Person,
    Statement,
    find_people,
    find_statements,
    resolve_speaker,
    speaker_in_question,
)

# Calibrated by `python -m eval.calibrate` on the sample set, SQuAD 2.0 and MultiHop-RAG:
# the best mean of abstention F1 and answered share (see README, "Abstention").
ABSTAIN_BELOW = 0.44
MAX_SENTENCES = 3
KEEP_WITHIN = 0.88  # keep further sentences scoring at least this share of the best one
MAX_CANDIDATES = 32  # sentences embedded per answer, at most (the cost of an answer)
NEIGHBOURS = 1  # sentences either side of a retrieved passage also compete
TOPIC_SIMILARITY = 0.35  # a speaker's statement off the asked topic scores below this

_stem = Stemmer.Stemmer("english").stemWord
_WORD = re.compile(r"[\w’'-]+", re.UNICODE)
_STOPWORDS = frozenset(
    """a an the of to in on at for by with from and or but is are was were be been being do does
    did done have has had will would shall should can could may might must what which who whom
    whose when where why how that this these those it its he she they them his her their we our
    you your i me my as about into than then there here not no so if also just very much many
    more most some any all each other such only own same too s said say says tell told
    according""".split()
)
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


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    article: Article
    score: float
    similarity: float
    overlap: float
    type_match: float


def question_type(question: str) -> str:
    q = question.lower()
    if re.search(r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|share)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b", q):
        return "date"
    if re.search(r"\bwho(?:m|se)?\b", q):
        return "person"
    return "other"


def content_terms(text: str) -> list[str]:
    """Stemmed, lowercased content words: what keyword overlap is measured on."""
    return [
        _stem(w)
        for w in (m.group().lower().strip("’'-") for m in _WORD.finditer(text))
        if w and w not in _STOPWORDS
    ]


def select_answer(
    question: str,
    passages: Sequence[Passage],
    sentences_of: dict[str, list[Sentence]],
    embed,
    *,
    abstain_below: float = ABSTAIN_BELOW,
    exclude: frozenset[tuple[str, int]] = frozenset(),
    filtered: bool = False,
) -> Answer:
    """Answer ``question`` from retrieved ``passages``. ``sentences_of`` maps article id to
    all its sentences (for neighbours and context); ``embed`` maps texts to unit vectors."""
    if not passages:
        reason = (
            "No article matches the question and its filters (source, dates)."
            if filtered
            else "No passage matches the question; add articles about it."
        )
        return _abstain(question, reason, passages, 0.0)
    speaker = speaker_in_question(question)
    if speaker:
        said = _statements_answer(question, speaker, passages, sentences_of, embed, exclude)
        if said is not None:
            return said
    scored = [
        s
        for s in score_candidates(question, passages, sentences_of, embed)
        if (s.sentence.article_id, s.sentence.index) not in exclude
    ]
    if speaker:  # a "what did X say" question must be answered by sentences naming X
        scored = [s for s in scored if _mentions(s.sentence.text, speaker)]
    if not scored or scored[0].score < abstain_below:
        best = scored[0].score if scored else 0.0
        text = (
            f"The articles don't say what {speaker} said."
            if speaker
            else f"The articles don't answer “{question.strip()}”."
        )
        return _abstain(question, text, passages, best)
    chosen = _choose(scored)
    chosen = _with_context(chosen, sentences_of)
    return _compose(question, chosen, confidence=scored[0].score)


def score_candidates(
    question: str,
    passages: Sequence[Passage],
    sentences_of: dict[str, list[Sentence]],
    embed,
) -> list[ScoredSentence]:
    """Every candidate sentence with its answer score, best first."""
    candidates: dict[tuple[str, int], tuple[Sentence, Article, int]] = {}
    for passage in passages:
        all_sentences = sentences_of[passage.article.id]
        first = max(0, passage.sentences[0].index - NEIGHBOURS) if passage.sentences else 0
        last = passage.sentences[-1].index + NEIGHBOURS if passage.sentences else -1
        for sentence in all_sentences[first : last + 1]:
            key = (sentence.article_id, sentence.index)
            if key not in candidates:
                candidates[key] = (sentence, passage.article, passage.rank)
    items = list(candidates.values())
    if not items:
        return []
    q_terms = set(content_terms(question))
    terms_of = [set(content_terms(s.text)) for s, _, _ in items]
    idf = _idf(terms_of, q_terms)
    total = sum(idf.values())
    overlaps = [
        sum(idf[t] for t in q_terms & terms) / total if total else 0.0 for terms in terms_of
    ]
    # Embedding is the cost of an answer: only the most promising candidates (by keyword
    # overlap, then passage rank) are embedded when passages hold very many sentences.
    order = sorted(range(len(items)), key=lambda i: (-overlaps[i], items[i][2], i))
    keep = sorted(order[:MAX_CANDIDATES])
    items = [items[i] for i in keep]
    overlaps = [overlaps[i] for i in keep]
    vectors = embed([question] + [s.text for s, _, _ in items])
    similarity = vectors[1:] @ vectors[0]
    kind = question_type(question)
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
        if any(_same_fact(candidate.sentence.text, c.sentence.text) for c in chosen):
            continue
        chosen.append(candidate)
    return chosen


def _with_context(
    chosen: list[ScoredSentence], sentences_of: dict[str, list[Sentence]]
) -> list[ScoredSentence]:
    """Add the previous sentence when a chosen one opens with a pronoun it depends on."""
    keys = {(c.sentence.article_id, c.sentence.index) for c in chosen}
    result = []
    for c in chosen:
        s = c.sentence
        if _PRONOUN_START.match(s.text) and s.index > 0 and (s.article_id, s.index - 1) not in keys:
            previous = sentences_of[s.article_id][s.index - 1]
            result.append(ScoredSentence(previous, c.article, c.score, 0.0, 0.0, 0.0))
            keys.add((s.article_id, s.index - 1))
        result.append(c)
    return result


def _normalised(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _same_fact(a: str, b: str) -> bool:
    """Syndicated copies repeat a sentence word for word, or nearly."""
    ta, tb = set(_normalised(a).split()), set(_normalised(b).split())
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta | tb) >= 0.8


def _mentions(text: str, name: str) -> bool:
    words = [w for w in re.findall(r"\w+", name) if w[:1].isupper() or len(w) > 3]
    lowered = text.lower()
    return any(w.lower() in lowered for w in words if w.lower() not in _STOPWORDS)


# -- "What did X say?" ---------------------------------------------------------------------
def _statements_answer(
    question: str,
    speaker: str,
    passages: Sequence[Passage],
    sentences_of: dict[str, list[Sentence]],
    embed,
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
        people, statements = _who_said_what(
            tuple(s.text for s in sentences), tuple(s.paragraph for s in sentences)
        )
        matches = resolve_speaker(speaker, people)
        if not matches:
            continue
        quoted_anywhere = True
        names = {p.name for p in matches}
        for statement in statements:
            if statement.speaker in names and (article.id, statement.sentence_index) not in exclude:
                person = next(p for p in matches if p.name == statement.speaker)
                picked.append((article, sentences[statement.sentence_index], person))
    if not picked:
        if exclude and quoted_anywhere:
            return _abstain(question, f"The articles say nothing more from {speaker}.", [], 1.0)
        return None
    seen: set[tuple[str, int]] = set()
    unique = []
    for article, sentence, person in picked:
        if (article.id, sentence.index) not in seen:
            seen.add((article.id, sentence.index))
            unique.append((article, sentence, person))
    person = unique[0][2]
    header = person.name + (f" ({person.titles[0]})" if person.titles else "")
    chosen = [ScoredSentence(s, a, 1.0, 1.0, 1.0, 1.0) for a, s, _ in unique]
    topic = _topic_terms(question, speaker)
    confidence = 1.0
    if topic:
        chosen = _on_topic(question, topic, chosen, embed)
        if not chosen:
            answer = _abstain(question, f"The articles don't quote {person.name} on that.", [], 0.0)
            return replace(answer, speaker=person.name)
        confidence = chosen[0].score
    answer = _compose(question, chosen, confidence=confidence, header=header)
    return replace(answer, speaker=person.name)


@lru_cache(maxsize=1024)
def _who_said_what(
    texts: tuple[str, ...], paragraphs: tuple[int, ...]
) -> tuple[list[Person], list[Statement]]:
    """People and statements of an article, remembered: the same articles come back for
    question after question, and the analysis is the slow part of a "what did X say"."""
    return find_people(texts), find_statements(texts, paragraphs)


def _topic_terms(question: str, speaker: str) -> set[str]:
    """What a "what did X say ..." question asks about beyond X and the speech verb."""
    name_terms = set(content_terms(speaker))
    words = [w for w in _WORD.findall(question) if w.lower() not in SPEECH_VERB_FORMS]
    return set(content_terms(" ".join(words))) - name_terms


def _on_topic(
    question: str, topic: set[str], statements: list[ScoredSentence], embed
) -> list[ScoredSentence]:
    vectors = embed([question] + [s.sentence.text for s in statements])
    similarity = vectors[1:] @ vectors[0]
    rescored = []
    for statement, sim in zip(statements, similarity, strict=True):
        overlap = len(topic & set(content_terms(statement.sentence.text))) / len(topic)
        score = 0.5 * float(sim) + 0.5 * overlap
        rescored.append(replace(statement, score=score, similarity=float(sim), overlap=overlap))
    best = max(s.score for s in rescored)
    if max(s.overlap for s in rescored) == 0 and best < TOPIC_SIMILARITY:
        return []
    kept = sorted(rescored, key=lambda s: -s.score)[:MAX_SENTENCES]
    return [s for s in kept if s.score >= KEEP_WITHIN * best]


# -- composing ------------------------------------------------------------------------------
def _compose(
    question: str,
    chosen: list[ScoredSentence],
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
                if cit.article.id != c.article.id and _same_fact(cit.sentence, c.sentence.text)
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
            )
            continue
        n = numbers.setdefault(c.article.id, len(numbers) + 1)
        s = c.sentence
        citations.append(Citation(n, c.article, s.text, s.start, s.end, s.index))
        lines.append(("  " if header else "") + f"{s.text} [{n}]")
    return Answer(
        question=question,
        text="\n".join(lines),
        abstained=False,
        confidence=float(np.clip(confidence, 0.0, 1.0)),
        citations=tuple(citations),
    )


def _abstain(question: str, text: str, passages: Sequence[Passage], best: float) -> Answer:
    return Answer(
        question=question,
        text=text,
        abstained=True,
        confidence=float(np.clip(best, 0.0, 1.0)),
        closest=tuple(passages[:3]),
    )


def source_line(citation: Citation) -> str:
    """``[1] Title — source, date``: the reference line under an answer."""
    article = citation.article
    meta = ", ".join(x for x in (article.source, article.published[:10]) if x)
    also = ", ".join(a.source or a.title for a in citation.also_in)
    line = f"[{citation.n}] {article.title}" + (f" — {meta}" if meta else "")
    return line + (f" (also reported by {also})" if also else "")


def references(answer: Answer) -> list[str]:
    seen: dict[int, str] = {}
    for citation in answer.citations:
        seen.setdefault(citation.n, source_line(citation))
    return [seen[n] for n in sorted(seen)]
