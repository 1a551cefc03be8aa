"""Choosing the sentences that answer a question (anything but "What did X say?").

Candidates are the sentences of the retrieved passages and their neighbours, headings never;
``qa.answer.features`` describes each with a few numbers (similarity to the question,
keyword overlap, the passage's score and topic, whether it names the kind of thing asked
for...) and scores it with hand-set weights. The best few within ``KEEP_WITHIN`` of the top
score are kept, near-duplicates merged. Whether to answer at all: not when the retrieved
passages mention fewer than half of the names the question asks about (the refusal says
which, ``qa.mentions.names_found``); otherwise as the question's candidates as a whole
say (``qa.answer.features.Abstainer``: the probability that the articles answer, learned on
the evaluation datasets); below its threshold the answer says the articles don't answer.

By default the trained answer model (``qa.reader``) then reads the best 40 candidates by
those weights, a candidate scores its probability plus its hand-set score (``HAND_SHARE``),
and the best probability decides abstention, against
its own threshold — for questions as long as those it was trained on; a longer one (such as
MultiHop-RAG's compound questions, which it mostly refused) keeps the hand-set weights and the
abstention model. ``NEWSQA_ANSWER_SCORER=hand`` keeps them for every question (README, "The
answer model": the model wins or ties on every dataset but the sample's abstention).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer.compose import ScoredSentence, abstain, compose, same_fact
from qa.answer.features import (
    FEATURES,
    HAND_THRESHOLD,
    NAMES_REQUIRED,
    Selector,
    Vectors,
    candidates,
    learned_abstainer,
    learned_selector,
    question_features,
)
from qa.answer.features import question_kind as question_type
from qa.answer.statements import statements_answer
from qa.errors import NewsQAError, StaleModelError
from qa.mentions import holders_in_place, names_found, on_topic, question_names, topic_terms
from qa.reader import candidate_text, get_reader
from qa.records import Answer, Passage, Sentence
from qa.speakers import mentions, speaker_in_question
from qa.speakers.offices import office_in_question
from qa.speakers.question import asks_for_a_fact

# Below this an answer abstains: the abstention model's own threshold (abstain.json, see
# README "Abstention"); without that file, the hand-set threshold on the best score.
try:
    _ABSTAINER = learned_abstainer()
except StaleModelError:
    # Raised again, saying how to retrain, when a question is answered; the training script
    # itself (python -m eval.train_selector --write) must be able to import this module.
    _ABSTAINER = None
ABSTAIN_BELOW = _ABSTAINER.threshold if _ABSTAINER else HAND_THRESHOLD
# Who scores the candidates: "reader", the trained answer model (``qa.reader``) with its own
# threshold (the default: README "The answer model"), or "hand", the hand-set feature
# weights with the abstention model: NEWSQA_ANSWER_SCORER=hand.
SCORERS = ("reader", "hand")
ANSWER_SCORER = os.environ.get("NEWSQA_ANSWER_SCORER", "reader")
# The answer model reads at most this many candidates, the best by the hand-set weights
# (a question's 8 passages and their neighbours give 30-60; reading costs ~2 ms each).
READ_AT_MOST = 40
# A read candidate scores its probability plus this share of its hand-set score: enough for
# a sentence naming what the question names ("the zebra19 report") to beat a near-copy about
# another ("the zebra13 report") that the model scores 0.15 higher. Measured end to end
# against 0 and 0.5 (README, "The answer model"): as good or better on every dataset.
HAND_SHARE = 1.0
MAX_SENTENCES = 3
KEEP_WITHIN = 0.88  # keep further sentences scoring at least this share of the best one
# A latest-value question weighs candidates this close to the best by date, not by score.
LATEST_WITHIN = 0.75
_SIMILARITY = FEATURES.index("similarity")
_OVERLAP = FEATURES.index("overlap")
_TYPE_MATCH = FEATURES.index("type_match")

_PRONOUN_START = re.compile(
    r"^(?:[“\"‘']\s*)?(?:He|She|They|It|His|Her|Their|This|That|These|Those)\b"
)


@dataclass(frozen=True)
class Question:
    """A question as the answer step reads it, parsed once: the text answered (time words
    removed, follow-ups resolved), the person a "What did X say?" asks about, and the kind
    of thing asked for (see ``qa.answer.features.question_kind``)."""

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
    embed: Vectors,
    *,
    abstain_below: float | None = None,
    exclude: frozenset[tuple[str, int]] = frozenset(),
    filtered: bool = False,
    selector: Selector | None = None,
    latest: bool = False,
    read: dict[tuple[str, int], float] | None = None,
) -> Answer:
    """Answer ``question`` from retrieved ``passages``. ``sentences_of`` maps article id to
    all its sentences (for neighbours and context); ``embed`` gives sentences' unit vectors
    and ``question_vector`` is the question's. The answer's confidence is the abstention
    model's probability that the articles answer, judged on the candidates left after the
    speaker and follow-up filters (without the model: the best sentence score, threshold
    ``HAND_THRESHOLD``) — or, when the answer model read them, its best probability against
    its own threshold. ``abstain_below`` overrides the threshold. ``latest``: the question
    asks for a latest value, so the newest report on its topic leads (``_choose_latest``).
    ``read``: the answer model's probabilities of sentences already read (by the second
    stage of hybrid+reader), by (article id, sentence index); they are not read again."""
    reading = selector is None and _reading(question.text)
    selector = selector or learned_selector()
    abstainer = (
        learned_abstainer() if not reading and selector.source == "hand-set weights" else None
    )
    if abstain_below is None:
        if reading:
            abstain_below = get_reader().threshold
        else:
            abstain_below = abstainer.threshold if abstainer else selector.threshold
    text = question.text
    if not passages:
        reason = (
            "No article matches the question and its filters (source, dates)."
            if filtered
            else "No passage matches the question; add articles about it."
        )
        return abstain(text, reason, passages, 0.0)
    speaker = question.speaker
    # "Which area did Puntland officials say they had retaken?" asks for a thing its source
    # said (not a follow-up asking for more of the words): when the source's statements are
    # off its topic it is answered from the sentences naming the source, and when no
    # candidate names it (the speaker finder does not resolve "Puntland regional
    # officials"), as a plain fact; never refused for the source alone.
    fact = bool(speaker) and not exclude and asks_for_a_fact(text)
    if speaker:
        said = statements_answer(
            text, question_vector, speaker, passages, sentences_of, embed, exclude
        )
        if said is not None and not (fact and said.abstained):
            return said

    def answerable_from(source: str | None) -> Callable[[Sentence], bool]:
        """May a candidate answer, after the follow-up filter and, for "what did X say",
        the filter keeping sentences that name ``source``?"""
        return lambda sentence: (sentence.article_id, sentence.index) not in exclude and (
            not source or mentions(sentence.text, source)
        )

    answerable = answerable_from(speaker)
    every = _scored(
        question, question_vector, passages, sentences_of, embed, selector, read=reading,
        known=read, readable=answerable,
    )
    kept = [(s, row) for s, row in every if answerable(s.sentence)]
    if fact and not kept:  # no candidate names the source: the fact alone is asked for
        speaker, answerable = None, answerable_from(None)
        every = _scored(
            question, question_vector, passages, sentences_of, embed, selector, read=reading,
            known=read, readable=answerable,
        )
        kept = [(s, row) for s, row in every if answerable(s.sentence)]
    scored = [s for s, _ in kept]
    confidence = scored[0].score if scored else 0.0
    if reading:  # the model's evidence that the articles answer: its best probability
        confidence = max((s.probability or 0.0 for s in scored), default=0.0)
    # Only now, past the statements path: finding the names runs the entity model (~3 ms).
    names_share, missing = names_found(question_names(text), passages)
    if abstainer is not None and scored:
        # Judged on the candidates it may answer from: after a speaker or follow-up filter,
        # only those that remain (a strong sentence that was filtered out must not vouch for
        # a weak one that was not).
        rows = np.stack([row for _, row in kept])
        confidence = abstainer.confidence(
            question_features(rows, np.array([s.score for s in scored]))
        )
    # The names rule: passages about something else (README, "Abstention"). Like any
    # abstention it is off with abstain_below=0, and then the model's confidence stands.
    off_topic = names_share < NAMES_REQUIRED and abstain_below > 0
    if not scored or off_topic or confidence < abstain_below:
        best = 0.0 if off_topic else confidence
        refusal = (
            f"The articles don't say what {' '.join(speaker.split())} said."
            if speaker
            # One line: the answer's layout (speaker lines, indented statements) is read
            # from its line breaks, and a question's own must not fake one (tests/fuzz).
            else f"The articles don't answer “{' '.join(text.split())}”."
        ) + (_unmentioned(missing) if off_topic else "")
        return abstain(text, refusal, passages, best)
    chosen = (
        _choose_latest(text, question.kind, scored, passages, sentences_of) if latest else None
    ) or _choose(scored)
    chosen = _with_context(chosen, sentences_of)
    return compose(text, chosen, sentences_of, confidence=confidence)


def _unmentioned(names: Sequence[str]) -> str:
    """The refusal's last sentence when no passage found mentions some of the names asked about."""
    if not names:
        return ""
    listed = [f"“{' '.join(n.split())}”" for n in names]
    said = listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"
    return f" None of the passages found mentions {said}."


def score_candidates(
    question: Question,
    question_vector: np.ndarray,
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    embed: Vectors,
    selector: Selector | None = None,
) -> list[ScoredSentence]:
    """Every candidate sentence with its answer score, best first."""
    reading = selector is None and _reading(question.text)
    return [s for s, _ in _scored(question, question_vector, passages, sentences_of, embed,
                                  selector, read=reading)]  # fmt: skip


def _scored(
    question: Question,
    question_vector: np.ndarray,
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    embed: Vectors,
    selector: Selector | None = None,
    *,
    read: bool = False,
    known: dict[tuple[str, int], float] | None = None,
    readable: Callable[[Sentence], bool] | None = None,
) -> list[tuple[ScoredSentence, np.ndarray]]:
    """The scored candidates, best first, each with its row of ``FEATURES``. With ``read``,
    a candidate's score is the answer model's probability that it answers plus
    ``HAND_SHARE`` of its hand-set score (the ``READ_AT_MOST`` best by the hand-set weights
    among those ``readable`` allows are read, ``known`` ones not again; the rest have
    probability 0)."""
    selector = selector or learned_selector()
    found = candidates(question.text, question.kind, question_vector, passages, sentences_of, embed)
    if not found:
        return []
    matrix = np.stack([c.features for c in found])
    scores = selector.score(matrix)
    probabilities: np.ndarray | list[None] = [None] * len(found)
    if read:
        prior = scores
        if readable is not None:  # spend the reading on candidates that may answer
            allowed = np.array([readable(c.sentence) for c in found])
            prior = np.where(allowed, scores, -np.inf)
        probabilities = read_candidates(question.text, found, prior, sentences_of, known)
        # The model decides; the hand-set score, which sees the exact words and names a
        # sentence shares with the question, breaks its near-ties (README, "The answer model").
        scores = probabilities + HAND_SHARE * scores
    scored = [
        (
            ScoredSentence(
                c.sentence,
                c.article,
                float(score),
                float(c.features[_SIMILARITY]),
                float(c.features[_OVERLAP]),
                float(c.features[_TYPE_MATCH]),
                None if probability is None else float(probability),
            ),
            c.features,
        )
        for c, score, probability in zip(found, scores, probabilities, strict=True)
    ]
    scored.sort(key=lambda pair: -pair[0].score)
    return scored


def _reading(question: str) -> bool:
    """Does the answer model score this question's candidates? When ``NEWSQA_ANSWER_SCORER``
    says so and the question is no longer than those it was trained on (longer ones, such
    as MultiHop-RAG's compound questions, are scored by the hand-set weights)."""
    if ANSWER_SCORER not in SCORERS:
        raise NewsQAError(
            f"NEWSQA_ANSWER_SCORER={ANSWER_SCORER!r} is not a scorer: set it to one of "
            f"{', '.join(SCORERS)}, or unset it for the default (reader)"
        )
    return ANSWER_SCORER == "reader" and get_reader().reads(question)


def read_candidates(
    question: str,
    found: Sequence,
    prior: np.ndarray,
    sentences_of: dict[str, Sequence[Sentence]],
    known: dict[tuple[str, int], float] | None = None,
) -> np.ndarray:
    """The answer model's probability for each candidate (``qa.reader``): the sentence with
    its article's title and the sentence before it. Only the ``READ_AT_MOST`` best by
    ``prior`` are read; the others get 0. Those in ``known`` (by article id and sentence
    index, read the same way) keep their probability and are not read again."""
    known = known or {}
    order = np.argsort(-prior, kind="stable")[:READ_AT_MOST]
    scores = np.zeros(len(found))
    unread, texts = [], []
    for i in order:
        sentence = found[i].sentence
        key = (sentence.article_id, sentence.index)
        if key in known:
            scores[i] = known[key]
            continue
        before = sentences_of[sentence.article_id][sentence.index - 1] if sentence.index else None
        previous = before.text if before is not None and not before.heading else ""
        texts.append(candidate_text(sentence.text, found[i].article.title, previous))
        unread.append(i)
    if texts:
        scores[unread] = get_reader().score([question] * len(texts), texts)
    return scores


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


def _choose_latest(
    question: str,
    kind: str,
    scored: list[ScoredSentence],
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
) -> list[ScoredSentence]:
    """For "What is the latest death toll …?": of the candidates scoring at least
    ``LATEST_WITHIN`` of the best that are on the question's topic (its names and most of
    its words, read with the headings above the sentence: ``qa.mentions.on_topic``, the test
    retrieval's recency step uses) and, when the question asks for a kind of thing (a
    number, a person...), name one, the best of the newest date first, then the best of
    each earlier date, newest first. An older report that words the question more closely
    must not hide a newer figure, and a newer sentence off the topic must not lead. For
    "Who is Chile's president now?" the candidates that name a holder of the office
    (``qa.speakers.offices``) where they or the sentence before them name the place asked
    about qualify instead, whatever their score; when none does, the rule above applies.
    Empty when no candidate qualifies (the usual choice then stands)."""
    best = scored[0].score
    context = {(p.article.id, p.sentences[0].section): p.context for p in passages if p.sentences}
    names, wanted = question_names(question), topic_terms(question)
    dated = [
        c
        for c in scored
        if c.article.published
        and on_topic(
            f"{context.get((c.article.id, c.sentence.section), c.article.title)} {c.sentence.text}",
            names,
            wanted,
        )
    ]
    office = office_in_question(question) if kind == "person" else None
    # "Who is Chile's president now?": any report naming the office's holder will do,
    # however briefly ("President Kast declares…", "under Sanae Takaichi's premiership"),
    # where it or the sentence before it names the place asked about; the newest leads.
    holders: list[ScoredSentence] = []
    if office:

        def before(c: ScoredSentence) -> str:
            index = c.sentence.index
            return sentences_of[c.article.id][index - 1].text if index > 0 else ""

        holders = [
            c
            for c in (scored if names else dated)
            if c.article.published
            and holders_in_place(
                c.sentence.text,
                f"{context.get((c.article.id, c.sentence.section), c.article.title)} {before(c)}",
                names,
                office,
                question,
            )
        ]
    pool = holders or [
        c
        for c in dated
        if c.score >= LATEST_WITHIN * best and (kind == "other" or c.type_match > 0)
    ]
    chosen: list[ScoredSentence] = []
    for candidate in sorted(pool, key=lambda c: (c.article.published[:10], c.score), reverse=True):
        if len(chosen) == MAX_SENTENCES:
            break
        day = candidate.article.published[:10]
        if any(c.article.published[:10] == day for c in chosen):
            continue  # one report a date: the history of a figure, not one day's copies
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
