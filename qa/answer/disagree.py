"""Reports that disagree: two sources giving different figures for one quantity on the same
dates ("at least 3,342 killed" and "4,000 dead" on 5 July) are set side by side with their
source and date, not given as one answer and a stray sentence.

A figure is a number with the quantity it counts, read from the words around it: deaths
("killed", "dead", "died", "death toll … rises to N"), injured, missing, displaced, arrested,
percent, votes and seats. Two cited sentences disagree when they come from different
articles, are dated at most ``SAME_DATES`` days apart, and give different figures for the
same quantity (and no figure they share for it), and tell the same story (they share a
quarter of their words: two attacks on one day are two stories). Only the answer's own
citations are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from qa.records import Answer, AnswerGroup, Citation, published_day
from qa.text import jaccard, terms

SAME_DATES = 1  # days apart two reports may be and still be "the same dates"
SAME_STORY = 0.3  # Jaccard of two reports' story words (``_story_words``) for one story
# The quantity a figure counts, by the word just after it (up to AFTER_WORDS words on).
_AFTER = {
    "killed": "deaths", "dead": "deaths", "deaths": "deaths", "died": "deaths",
    "fatalities": "deaths", "lives": "deaths",
    "injured": "injured", "wounded": "injured", "hurt": "injured", "injuries": "injured",
    "missing": "missing",
    "displaced": "displaced", "evacuated": "displaced", "homeless": "displaced",
    "arrested": "arrested", "detained": "arrested",
    "%": "percent", "percent": "percent",
    "votes": "votes", "seats": "seats",
}  # fmt: skip
# ...or by the words before it ("the death toll rises to 3,342", "killing 150").
_BEFORE = {
    "toll": "deaths", "killing": "deaths", "killed": "deaths", "kills": "deaths",
    "kill": "deaths", "injuring": "injured", "injured": "injured", "injures": "injured",
    "wounding": "injured", "wounded": "injured",
}  # fmt: skip
AFTER_WORDS = 4
BEFORE_WORDS = 10
# A token: a figure ("3,342", "28.5"; at most 15 characters), "%", or a word.
_TOKEN = re.compile(r"\d[\d,.]{0,14}|%|[^\W\d_][\w'-]*")
_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")
_STOP = frozenset({"and", "or", "while", "but"})  # a figure's words end at a new clause
# Words that count or report, not what is counted: left out when telling stories apart.
_COUNTING = frozenset(
    terms(
        " ".join([*_AFTER, *_BEFORE])
        + " people person death toll rise rises risen reach reaches exceed exceeds least more "
        "than over about nearly around say says said report reports reported according "
        "official officials ministry"
    )
)


def figures(sentence: str) -> dict[str, set[float]]:
    """The figures a sentence reports, by quantity: {"deaths": {3342.0}}. One pass over its
    tokens: a number counts the first quantity word within ``AFTER_WORDS`` after it ("27
    people are killed"), else the one within ``BEFORE_WORDS`` before it ("the death toll
    rises to 3,342"); a year (1900-2099 with no quantity word right after) counts nothing."""
    tokens = [t.lower().rstrip(",.") for t in _TOKEN.findall(sentence)]
    found: dict[str, set[float]] = {}
    for i, token in enumerate(tokens):
        number = _FIGURE.fullmatch(token)
        if not number:
            continue
        quantity = None
        for word in tokens[i + 1 : i + 1 + AFTER_WORDS]:
            if word in _STOP or _FIGURE.fullmatch(word):
                break
            quantity = _AFTER.get(word)
            if quantity:
                break
        if quantity is None:
            for word in reversed(tokens[max(0, i - BEFORE_WORDS) : i]):
                if word in _STOP or _FIGURE.fullmatch(word):
                    break
                quantity = _BEFORE.get(word)
                if quantity:
                    break
        value = float(token.replace(",", ""))
        if quantity is None or (quantity != "percent" and 1900 <= value <= 2099 and
                                "," not in token and i + 1 < len(tokens) and
                                tokens[i + 1] not in _AFTER):  # fmt: skip
            continue
        found.setdefault(quantity, set()).add(value)
    return found


def _story_words(sentence: str) -> set[str]:
    """What a report is about: its stemmed words less figures, counting words and speech
    verbs ("an airstrike on Gaza City" and "a car bomb in Baghdad" share none)."""
    return {t for t in terms(sentence) if not t[0].isdigit()} - _COUNTING


def _one_story(a: str, b: str) -> bool:
    """Two reports of the same story share enough of what they are about."""
    return jaccard(list(_story_words(a)), list(_story_words(b))) >= SAME_STORY


def _day(citation: Citation) -> date | None:
    return published_day(citation.article.published)


def disagreeing(citations: Sequence[Citation]) -> tuple[str, list[int]] | None:
    """(quantity, indexes of the citations that disagree on it), the first such quantity
    in citation order; None when the citations agree or give no comparable figures."""
    read = [figures(c.sentence) for c in citations]
    for i, first in enumerate(citations):
        for quantity, numbers in read[i].items():
            group = [i]
            for j in range(i + 1, len(citations)):
                other = citations[j]
                theirs = read[j].get(quantity)
                day_i, day_j = _day(first), _day(other)
                if (
                    theirs
                    and not theirs & numbers
                    and other.article.id != first.article.id
                    and _one_story(first.sentence, other.sentence)
                    and day_i is not None
                    and day_j is not None
                    and abs((day_i - day_j).days) <= SAME_DATES
                ):
                    group.append(j)
            if len(group) > 1:
                return quantity, group
    return None


def source_of(citation: Citation) -> str:
    """Who reported a cited sentence: the article's source, else the credit that closes its
    story on a day's events page ("(AP) (Reuters)"), else its title."""
    if citation.article.source:
        return citation.article.source
    paragraph = citation.paragraph
    credits = [s.text for s in paragraph if s.index > citation.sentence_index and
               re.fullmatch(r"\s*(?:\([^()]{1,60}\)\s*)+", s.text)]  # fmt: skip
    if credits:
        return " ".join(re.findall(r"\(([^()]{1,60})\)", credits[0]))
    return citation.article.title


def set_side_by_side(answer: Answer) -> Answer:
    """``answer`` with its disagreeing reports (``disagreeing``) moved into one block at its
    top, "Reports differ on deaths:", each line with its date and source; unchanged when its
    reports agree."""
    if answer.abstained or len(answer.citations) < 2:
        return answer
    found = disagreeing(answer.citations)
    if found is None:
        return answer
    quantity, indexes = found
    differing = [answer.citations[i] for i in indexes]
    block = [f"Reports differ on {quantity}:"] + [
        f"  {c.article.published[:10]}, {source_of(c)}: {c.sentence} [{c.n}]" for c in differing
    ]
    rest = [
        line
        for line in answer.text.split("\n")
        if not any(line.rstrip().endswith(f"{c.sentence} [{c.n}]") for c in differing)
    ]
    # A heading line ("Earlier:") left with nothing under it goes too.
    rest = [
        line
        for i, line in enumerate(rest)
        if not (line == "Earlier:" and not (i + 1 < len(rest) and rest[i + 1].startswith("  ")))
    ]
    dates = sorted(c.article.published[:10] for c in differing)
    group = AnswerGroup("reports differ", dates[-1], tuple(indexes))
    return replace(
        answer,
        text="\n".join(block + [line for line in rest if line.strip()]),
        groups=(
            group,
            *(
                replace(g, citations=kept)
                for g in answer.groups
                if (kept := tuple(i for i in g.citations if i not in indexes))
            ),
        ),
    )
