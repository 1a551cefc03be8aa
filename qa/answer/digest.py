"""Dated digests: "What happened in Myanmar in March 2025?" answered one line a story.

An event or development question (``qa.kinds``) is answered by the stories the
retrieved passages belong to, not by the best few sentences:

* a **story** is a section of an article: one item of a day's events page, one story of a
  live blog, or a whole ordinary article (``qa.structure``: the chunker never lets a
  passage cross a story boundary, so a passage's section is its story);
* each story is cited by the sentence that says what happened — its first sentence that is
  neither a heading nor a source line — and dated by its article;
* it is **on the topic** when its text with the headings above it names every name (and
  capitalised word) of the topic and at least half of the topic's other words
  (``qa.mentions``; "the Gaza ceasefire" wants Gaza and the ceasefire, not every story
  from Gaza);
* near-duplicates across outlets (the same first sentence, nearly) are one line, the others
  listed as "also reported by";
* the best ``DIGEST_CAP`` stories by retrieval rank are shown in date order, the others
  counted ("N more stories") and carried in the answer (CLI ``--all``, the chat's sources);
* when the period holds nothing on the topic, the answer says so and names the nearest dates
  that do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from qa.answer.compose import paragraph_of
from qa.answer.features import is_source_line
from qa.mentions import _missing, _starts, question_names, topic_terms
from qa.records import Answer, AnswerGroup, Article, Citation, Passage, Sentence
from qa.speakers.names import fold
from qa.text import jaccard, terms, words

DIGEST_K = 40  # passages a digest is gathered from
DIGEST_CAP = 8  # stories shown; the rest are counted and carried
SAME_STORY = 0.6  # word Jaccard of two first sentences told by two outlets...
SAME_STORY_DAYS = 2  # ...at most this many days apart (tolls of two strikes read alike)
NEAREST_DATES = 3  # dates offered when the period holds nothing on the topic
TOPIC_WORDS_SHARE = 0.5  # of a topic's words (names apart) a story must mention
# Words of a topic that say nothing about what it is ("the story of X", "the situation in X").
_GENERIC = frozenset(terms("story stories situation news latest update updates event events"))


@dataclass
class Story:
    """One story of the retrieved passages: where it is, its date, the sentence that says
    what happened, and copies of it from other outlets."""

    article: Article
    section: int
    rank: int  # best retrieval rank of its passages (0 = best)
    lead: Sentence
    text: str  # its sentences and the headings above it, read for the topic
    copies: list[Article] = field(default_factory=list)

    @property
    def date(self) -> str:
        return self.article.published[:10]


def stories_of(
    passages: Sequence[Passage], sentences_of: dict[str, Sequence[Sentence]]
) -> list[Story]:
    """The stories of ``passages``, best ranked first; a story whose sentences are all
    headings or source lines has nothing to cite and is left out."""
    found: dict[tuple[str, int], Story] = {}
    for rank, passage in enumerate(passages):
        if not passage.sentences:
            continue
        section = passage.sentences[0].section
        key = (passage.article.id, section)
        if key in found:
            continue
        sentences = [s for s in sentences_of[passage.article.id] if s.section == section]
        lead = story_lead(sentences)
        if lead is None:
            continue
        text = " ".join([passage.context, *(s.text for s in sentences)])
        story = Story(passage.article, section, rank, lead, text)
        story.copies.extend(passage.also_reported_by)
        found[key] = story
    return list(found.values())


def story_lead(sentences: Sequence[Sentence]) -> Sentence | None:
    """The sentence that says what happened in a story (its sentences, in order): the first
    that is neither a heading nor a source line."""
    return next((s for s in sentences if not s.heading and not is_source_line(s.text)), None)


def on_topic_test(topic: str) -> Callable[[str], bool]:
    """Whether a story's text is on ``topic``: every name of it mentioned (a country also by
    its adjective) and at least ``TOPIC_WORDS_SHARE`` of its other words. No topic ("What
    happened last week?"): every story is."""
    # Every capitalised word of a topic is a name to find: the entity model misses some
    # ("the Kivu conflict"), and "conflict" alone is no topic.
    names = (
        tuple(
            dict.fromkeys(
                [*question_names(f"What about {topic}"), *re.findall(r"\b[A-Z][\w’'.-]*", topic)]
            )
        )
        if topic
        else ()
    )
    wanted = topic_terms(topic) - _GENERIC if topic else frozenset()
    name_words = {t for name in names for t in terms(fold(name))}
    other = wanted - name_words

    def test(text: str) -> bool:
        if not topic:
            return True
        found = set(terms(fold(text)))
        if names and _missing(names, [text], [found], prefix=True):
            return False
        covered = sum(t in found or _starts(t, found) for t in other)
        return covered >= math.ceil(TOPIC_WORDS_SHARE * len(other))

    return test


def merge_copies(stories: list[Story]) -> list[Story]:
    """One story per event: a story whose first sentence nearly repeats a better-ranked
    one's, with the same figures, within ``SAME_STORY_DAYS`` (another outlet, or the next
    day's page) is listed as a copy of it."""
    kept: list[Story] = []
    for story in sorted(stories, key=lambda s: s.rank):
        lead_words = words(story.lead.text)
        twin = next(
            (
                k
                for k in kept
                if jaccard(words(k.lead.text), lead_words) >= SAME_STORY
                and _days_apart(k.date, story.date) <= SAME_STORY_DAYS
                and _numbers(k.lead.text) == _numbers(story.lead.text)
            ),
            None,
        )
        if twin is None:
            kept.append(story)
        elif story.article.id != twin.article.id and story.article not in twin.copies:
            twin.copies.append(story.article)
    return kept


def digest_answer(
    question: str,
    kind: str,
    topic: str,
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    *,
    period: str = "",
    cap: int = DIGEST_CAP,
) -> Answer | None:
    """The digest of the on-topic stories of ``passages`` (see the module docstring); None
    when none is on the topic (the caller says so, with the nearest dates). ``period``
    describes the dates asked about, for the header ("2025-03-01 to 2025-03-31")."""
    test = on_topic_test(topic)
    stories = merge_copies([s for s in stories_of(passages, sentences_of) if test(s.text)])
    if not stories:
        return None
    shown = sorted(stories[:cap], key=_in_date_order)
    hidden = sorted(stories[cap:], key=_in_date_order)
    citations: list[Citation] = []
    groups: list[AnswerGroup] = []
    numbers: dict[str, int] = {}
    lines = [_header(kind, topic, period, len(stories))]
    for i, story in enumerate([*shown, *hidden]):
        n = numbers.setdefault(story.article.id, len(numbers) + 1)
        lead = story.lead
        paragraph = paragraph_of(lead, sentences_of[lead.article_id])
        citations.append(
            Citation(
                n,
                story.article,
                lead.text,
                lead.start,
                lead.end,
                lead.index,
                tuple(story.copies),
                paragraph,
            )  # fmt: skip
        )
        groups.append(AnswerGroup(story.date or "undated", story.date, (i,)))
        if i < len(shown):
            lines.append(f"  {story.date or 'undated'}: {lead.text} [{n}]")
    if hidden:
        lines.append(f"{len(hidden)} more {'story' if len(hidden) == 1 else 'stories'} "
                     "(ask with --all, or see the sources)")  # fmt: skip
    return Answer(
        question=question,
        text="\n".join(lines),
        abstained=False,
        confidence=1.0,
        citations=tuple(citations),
        kind=kind,
        groups=tuple(groups),
        more=len(hidden),
    )


def _numbers(text: str) -> set[str]:
    """The figures a sentence reports: "rises to 300" and "rises to 500" are two reports."""
    return {n.replace(",", "") for n in re.findall(r"\d[\d,.]*\d|\d", text)}


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
    except ValueError:  # undated: only the words decide
        return 0


def _in_date_order(story: Story) -> tuple[str, str, int]:
    # Undated stories last; within a day, by page and position.
    return (story.date or "9999", story.article.id, story.lead.index)


def _header(kind: str, topic: str, period: str, count: int) -> str:
    """ "News on Myanmar from 2025-03-01 to 2025-03-31 — 6 stories, oldest first:"."""
    about = " ".join(topic.split())
    opening = (
        (f"Timeline of {about}" if about else "Timeline")
        if kind == "development"
        else (f"News on {about}" if about else "News")
    )
    when = f" {period}" if period else ""
    stories = f"{count} {'story' if count == 1 else 'stories'}"
    return f"{opening}{when} — {stories}, oldest first:"


def nearest_dates(
    passages: Sequence[Passage],
    sentences_of: dict[str, Sequence[Sentence]],
    topic: str,
    since: str,
    until: str,
    count: int = NEAREST_DATES,
) -> list[str]:
    """The ``count`` dates nearest the period ``since``..``until`` that have stories on
    ``topic`` among ``passages`` (retrieved without the dates), nearest first."""
    test = on_topic_test(topic)
    dates = {s.date for s in stories_of(passages, sentences_of) if s.date and test(s.text)}

    def day(text: str) -> date | None:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:  # an article added with a date in another shape
            return None

    lo, hi = day(since), day(until)

    def distance(text: str) -> tuple[int, str]:
        d = day(text)
        if d is None:
            return 0, text
        gap = (lo - d).days if lo and d < lo else (d - hi).days if hi and d > hi else 0
        return gap, text

    outside = [d for d in dates if distance(d)[0] > 0]
    return sorted(outside, key=distance)[:count]
