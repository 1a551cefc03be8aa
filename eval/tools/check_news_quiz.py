"""Check ``eval/data/news-quiz.jsonl`` against the whole corpus and print its counts::

    python -m eval.tools.check_news_quiz [--questions FILE] [--corpus DIR]

Every rule is checked on every line (the loader stops at the first broken one): the fields
and kind, gold sentences and answers on the page of the question's date, all gold in one
event item, each answer inside a relevant sentence, the paraphrase rule, unique ids, each
unanswerable question's ``absent_terms`` absent from every paragraph of the corpus, each
``latest`` question's gold item matching its ``topic`` with no later page matching it, the
header's counts, and the minimum sizes the dataset promises. Exit status 0 when all hold,
1 when any fails (each failure is printed with its line).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from eval.datasets import news_quiz
from eval.datasets.news_quiz import (
    KINDS,
    QUESTIONS,
    UNANSWERABLE,
    QuizLine,
    page_dates,
    question_problems,
    read_quiz,
)
from eval.tools.news_quiz_items import CORPUS, MISDATED_PAGES, load_pages

# What the issue asks of the set: enough questions overall and of every kind.
MIN_ANSWERABLE = 150
MIN_UNANSWERABLE = 30
MIN_PER_KIND = 15


@dataclass(frozen=True)
class Problem:
    line: int  # 0 for problems of the file as a whole
    message: str


@dataclass(frozen=True)
class Terms:
    """One ``absent_terms`` or ``topic`` entry: "A + B" holds in a paragraph that contains
    every term as a whole word, case-insensitively."""

    entry: str
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def parse(cls, entry: str) -> Terms:
        terms = [term.strip() for term in entry.split("+")]
        return cls(entry, tuple(re.compile(rf"(?<!\w){re.escape(t)}(?!\w)", re.I) for t in terms))

    def found_in(self, paragraph: str) -> bool:
        return all(pattern.search(paragraph) for pattern in self.patterns)


def first_holding(terms: Terms, paragraphs: list[str]) -> str | None:
    """The first paragraph holding ``terms``, or None when none does."""
    return next((p for p in paragraphs if terms.found_in(p)), None)


def unanswerable_problems(record: dict, paragraphs: list[str]) -> list[str]:
    """An unanswerable question must say how its absence was checked (``absent_terms``), and
    no paragraph of the corpus may hold all the terms of any entry."""
    entries = record.get("absent_terms") or []
    if not entries:
        return ["an unanswerable question needs absent_terms (how it was checked)"]
    problems = []
    for entry in entries:
        paragraph = first_holding(Terms.parse(entry), paragraphs)
        if paragraph is not None:
            problems.append(f"absent term {entry!r} occurs in: {paragraph[:80]!r}")
    return problems


def latest_problems(record: dict, texts_by_date: dict[str, str]) -> list[str]:
    """A ``latest`` question's ``topic`` entries (the searches that found every item on the
    topic) must match its gold item, and no paragraph of a later page may match any of them:
    the gold is the newest item on the topic. Misdated pages are not "later"."""
    topic = [Terms.parse(entry) for entry in record.get("topic") or []]
    if not topic:
        return ["a latest question needs 'topic' (the searches that found its items)"]
    gold = news_quiz.gold_paragraph(texts_by_date[record["date"]], record["relevant"]) or ""
    problems = [] if any(t.found_in(gold) for t in topic) else ["its gold item matches no topic"]
    for date in sorted(texts_by_date):
        if date <= record["date"] or date in MISDATED_PAGES:
            continue
        for paragraph in texts_by_date[date].split("\n\n"):
            if any(terms.found_in(paragraph) for terms in topic):
                problems.append(f"a later item ({date}) is on the topic: {paragraph[:80]!r}")
    return problems


def answers_outside_gold(record: dict) -> list[str]:
    """Answers that no relevant sentence contains."""
    relevant = record.get("relevant") or []
    return [a for a in record.get("answers") or [] if not any(a in s for s in relevant)]


def kind_counts(lines: list[QuizLine]) -> Counter[str]:
    return Counter(line.record.get("kind", "") for line in lines)


def find_problems(
    header: dict, lines: list[QuizLine], texts_by_date: dict[str, str]
) -> list[Problem]:
    """Every broken rule in the file, in line order, then the file-wide ones.
    ``texts_by_date`` is the rendered text of every page of the corpus by its date."""
    paragraphs = [
        p.strip() for text in texts_by_date.values() for p in text.split("\n\n") if p.strip()
    ]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line in lines:
        record = line.record
        found = question_problems(record, texts_by_date)
        if record.get("unanswerable"):
            found.extend(unanswerable_problems(record, paragraphs))
        elif not found:  # the gold is on its page: now check what depends on that
            found.extend(
                f"answer {answer!r} is in no relevant sentence"
                for answer in answers_outside_gold(record)
            )
            if record["kind"] == "latest":
                found.extend(latest_problems(record, texts_by_date))
        qid = record.get("id")
        if qid in seen:
            found.append(f"id {qid!r} is also used on line {seen[qid]}")
        elif isinstance(qid, str):
            seen[qid] = line.number
        problems.extend(Problem(line.number, message) for message in found)
    counts = kind_counts(lines)
    declared = header.get("counts", {})
    actual = {kind: counts.get(kind, 0) for kind in (*KINDS, UNANSWERABLE)}
    if declared != actual:
        problems.append(Problem(0, f"header counts {declared} differ from the file's {actual}"))
    answerable = sum(counts[kind] for kind in KINDS)
    if answerable < MIN_ANSWERABLE:
        problems.append(
            Problem(0, f"{answerable} answerable questions, fewer than {MIN_ANSWERABLE}")
        )
    if counts[UNANSWERABLE] < MIN_UNANSWERABLE:
        problems.append(
            Problem(0, f"{counts[UNANSWERABLE]} unanswerable, fewer than {MIN_UNANSWERABLE}")
        )
    problems.extend(
        Problem(0, f"only {counts[kind]} questions of kind {kind!r} (want {MIN_PER_KIND})")
        for kind in KINDS
        if counts[kind] < MIN_PER_KIND
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="the jsonl to check")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the day pages")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: no corpus folder {args.corpus}; pass --corpus DIR", file=sys.stderr)
        return 2
    try:
        header, lines = read_quiz(args.questions)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    problems = find_problems(header, lines, page_dates(load_pages(args.corpus)))
    counts = kind_counts(lines)
    print(f"{args.questions.name}: {len(lines)} questions")
    for kind in (*KINDS, UNANSWERABLE):
        print(f"  {kind:<13}{counts.get(kind, 0):4d}")
    print(f"  {'answerable':<13}{sum(counts[k] for k in KINDS):4d}")
    for problem in problems:
        where = f"line {problem.line}" if problem.line else "file"
        print(f"FAIL {where}: {problem.message}")
    print("all checks pass" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
