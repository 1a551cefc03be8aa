"""Reports that disagree: two sources giving different figures for one quantity on the same
dates ("at least 3,342 killed" and "4,000 dead" on 5 July) are set side by side with their
source and date, not given as one answer and a stray sentence.

A figure is a number with the quantity it counts, read from the words around it: deaths
("killed", "dead", "died", "death toll … rises to N"), injured, missing, displaced, arrested,
percent, votes and seats. Two cited sentences disagree when they come from different
articles, are dated at most ``SAME_DATES`` days apart, and give different figures for the
same quantity (and no figure they share for it). Only the answer's own citations are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from qa.records import Answer, AnswerGroup, Citation

SAME_DATES = 1  # days apart two reports may be and still be "the same dates"
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
# The quantity a figure counts, by the words just after it.
_AFTER = {
    "deaths": r"killed|dead|deaths|died|fatalities|lives",
    "injured": r"injured|wounded|hurt|injuries",
    "missing": r"missing",
    "displaced": r"displaced|evacuated|homeless",
    "arrested": r"arrested|detained",
    "percent": r"%|percent|per\s+cent",
    "votes": r"votes",
    "seats": r"seats",
}
_FIGURE_AFTER = re.compile(
    _NUMBER + r"\s*(?:[\w-]+\s+){0,3}?(?:" + "|".join(f"(?P<{k}>{v})" for k, v in
                                             _AFTER.items()) + r")(?!\w)",  # fmt: skip
    re.IGNORECASE,
)
# "the death toll … rises to 3,342", "killing 150", "deaths reach 1,000".
_FIGURE_BEFORE = re.compile(
    r"\b(?:(?P<deaths>death\s+toll|toll|killing|deaths?)|(?P<injured>injuring|injuries))"
    r"\b[^.;]{0,60}?\b(?:to|at|of|reach(?:es|ed)?|exceeds?|exceeding|over|above|past)?\s*"
    r"(?:at\s+least\s+|more\s+than\s+|over\s+|about\s+|nearly\s+|around\s+)?" + _NUMBER,
    re.IGNORECASE,
)


def figures(sentence: str) -> dict[str, set[float]]:
    """The figures a sentence reports, by quantity: {"deaths": {3342.0}}."""
    found: dict[str, set[float]] = {}
    for pattern in (_FIGURE_AFTER, _FIGURE_BEFORE):
        for match in pattern.finditer(sentence):
            quantity = next(k for k, v in match.groupdict().items() if v and k in _AFTER)
            number = match.group(len(match.groups()) if pattern is _FIGURE_BEFORE else 1)
            found.setdefault(quantity, set()).add(float(number.replace(",", "")))
    return found


def _day(citation: Citation) -> date | None:
    try:
        return date.fromisoformat(citation.article.published[:10])
    except ValueError:
        return None


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
        groups=(group, *(g for g in answer.groups if not set(g.citations) & set(indexes))),
    )
