"""Answers laid out in time: the latest value first, statements newest first.

* A **latest-value** question ("What is the latest death toll …?") leads with the newest
  report, "As of <date>: …", and shows the earlier figures after it as history, each with
  its own date, so a reader can tell which is current.
* A **statements** answer ("What has X said about Y?") that quotes X on several dates lists
  the statements newest first, each with its date.

Both only reorder and date an answer's own citations; with fewer than two dates among them
the answer is left as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from qa.records import Answer, AnswerGroup, Citation


def _dated(answer: Answer) -> bool:
    dates = {c.article.published[:10] for c in answer.citations}
    return not answer.abstained and len(dates) >= 2 and "" not in dates


def _newest_first(citations: Sequence[Citation]) -> list[Citation]:
    # Stable: within a date, the order the answer step chose.
    return sorted(citations, key=lambda c: c.article.published, reverse=True)


def _renumbered(citations: Sequence[Citation]) -> list[Citation]:
    """[1], [2]… by first appearance in the new order (one number per article)."""
    numbers: dict[str, int] = {}
    return [replace(c, n=numbers.setdefault(c.article.id, len(numbers) + 1)) for c in citations]


def latest_first(answer: Answer) -> Answer:
    """The newest report first ("As of DATE: …"), the earlier ones after it as history."""
    if not _dated(answer):
        return replace(answer, kind="latest")
    ordered = _renumbered(_newest_first(answer.citations))
    newest = ordered[0].article.published[:10]
    lines, groups = [], []
    latest = [i for i, c in enumerate(ordered) if c.article.published[:10] == newest]
    for i in latest:
        lines.append(f"As of {newest}: {ordered[i].sentence} [{ordered[i].n}]")
    groups.append(AnswerGroup("latest", newest, tuple(latest)))
    lines.append("Earlier:")
    for i, c in enumerate(ordered):
        if i in latest:
            continue
        day = c.article.published[:10]
        lines.append(f"  {day}: {c.sentence} [{c.n}]")
        groups.append(AnswerGroup("earlier", day, (i,)))
    return replace(
        answer, text="\n".join(lines), citations=tuple(ordered), kind="latest",
        groups=tuple(groups),
    )  # fmt: skip


def statements_by_date(answer: Answer) -> Answer:
    """A speaker's statements newest first, each line dated, under the speaker's line."""
    if not _dated(answer):
        return replace(answer, kind="statements")
    ordered = _renumbered(_newest_first(answer.citations))
    header = answer.text.split("\n", 1)[0].rstrip(":")
    lines = [f"{header}, newest first:"]
    groups: list[AnswerGroup] = []
    for i, c in enumerate(ordered):
        day = c.article.published[:10]
        lines.append(f"  {day}: {c.sentence} [{c.n}]")
        if groups and groups[-1].date == day:
            groups[-1] = replace(groups[-1], citations=(*groups[-1].citations, i))
        else:
            groups.append(AnswerGroup(day, day, (i,)))
    return replace(
        answer, text="\n".join(lines), citations=tuple(ordered), kind="statements",
        groups=tuple(groups),
    )  # fmt: skip
