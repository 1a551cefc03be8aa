"""News digest: "What happened with X in <month>?" over Wikipedia's "Current events".

The corpus is the news-quiz's: every day page of ``wikipedia-current-events/days/``. The
questions (``eval/data/news-digest.jsonl``, written by ``python -m eval.tools.
news_digest_questions`` with a fixed seed) ask what happened on a topic in a month, or how a
topic developed over all pages; the gold stories are those the page editors filed under that
topic line (and month), each named by its page date and first sentence. Answers are judged
as digests (``eval.metrics.digest_outcome``): story recall (of at most the digest's cap),
story precision, date order, and whether it answered at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.datasets.base import EvalSet, exact_substring_hit
from eval.datasets.news_quiz import FOLDER as NEWS_QUIZ_FOLDER
from eval.datasets.news_quiz import PAGES, page_dates
from qa.load import load_paths

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "data" / "news-digest.jsonl"
FOLDER = NEWS_QUIZ_FOLDER  # the same day pages
KINDS = ("event", "development")


def load(folder: Path, questions: Path = QUESTIONS) -> EvalSet:
    """Load every day page under ``folder/days`` and the digest questions; ``ValueError``
    naming the line of a question whose gold story is not on its page."""
    result = load_paths([folder / PAGES])
    if not result.articles:
        raise ValueError(f"no day pages found in {folder / PAGES}")
    texts_by_date = page_dates(result.articles)
    lines = questions.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0]).get("header") if lines else None
    if not header:
        raise ValueError(f"{questions}:1: the file must open with its header line")
    queries: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for number, text in enumerate(lines[1:], start=2):
        record = json.loads(text)
        where = f"{questions}:{number}"
        if record.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind {record.get('kind')!r} is not one of {KINDS}")
        for story in record["stories"]:
            if story["sentence"] not in texts_by_date.get(story["date"], ""):
                raise ValueError(
                    f"{where}: gold story {story['sentence'][:60]!r} is not on the page of "
                    f"{story['date']}; rebuild with python -m eval.tools.news_digest_questions"
                )
        qid = record["id"]
        queries[qid] = record["question"]
        kinds[qid] = record["kind"]
        relevant[qid] = [story["sentence"] for story in record["stories"]]
    return EvalSet(
        name="news-digest",
        queries=queries,
        articles=result.articles,
        relevant=relevant,
        answers={},
        unanswerable=set(),
        hit_rule=exact_substring_hit,
        hit_rule_text="the passage contains a gold story's first sentence verbatim",
        credit=header["credit"],
        kinds=kinds,
        digest=True,
        note=(
            f"{len(queries)} digest questions ({sum(k == 'event' for k in kinds.values())} "
            "about a topic in a month, the rest about a topic over all pages); gold: the "
            "stories the page editors filed under that topic line. Story recall counts at "
            "most the digest's cap of 8 stories; precision is strict: an on-topic story the "
            "editors filed under another topic line is a miss."
        ),
    )
