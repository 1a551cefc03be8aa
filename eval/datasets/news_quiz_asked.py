"""News quiz asked as a weekly quiz asks it: on the Sunday after the story, without its date.

``news-quiz`` was written to be answerable over an archive, so most of its questions name
their month ("in January 2026"). A weekly news quiz does not: it asks "Which area did
Puntland officials say they had retaken?" on the Sunday of that week, and the reader knows
it means this week's story. This variant asks the same questions that way, over the same
601 day pages:

- each question is asked on the Sunday on or after its gold page's date (``asked_on``,
  passed to retrieval and ``ask`` as ``today``);
- the period it names ("in January 2026", "on 9 October 2025") is removed, as
  ``qa.timeexpr`` reads it on that date; a time that names an event ("the January 2026
  shooting spree") stays, as it is not a period;
- the "dated" questions (one of many daily tolls, told apart only by their date) and the
  "latest" ones (asked about the newest report, not a week) are left out, and so are the
  unanswerable ones (they have no date to be asked on).

Gold items, answers and the hit rule are news-quiz's. It is the repo's stand-in for the
held-out weekly news-quiz questions asked on their own dates (README, "Retrieval").
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from eval.datasets import news_quiz
from eval.datasets.base import EvalSet
from qa.timeexpr import find_time_range, strip_time_phrase

LEFT_OUT_KINDS = ("dated", "latest")


def asked_on(gold_date: str) -> str:
    """The Sunday on or after ``gold_date``: the day a weekly quiz asks about that week."""
    day = date.fromisoformat(gold_date)
    return (day + timedelta(days=6 - day.weekday())).isoformat()


def undated(question: str, asked: str) -> str:
    """``question`` without the period it names, read on the date it is asked."""
    found = find_time_range(question, date.fromisoformat(asked))
    return strip_time_phrase(question, found) if found else question


def load(folder: Path, questions: Path = news_quiz.QUESTIONS) -> EvalSet:
    base = news_quiz.load(folder, questions)
    kept = [
        qid for qid in base.answerable if base.kinds.get(qid) not in LEFT_OUT_KINDS
    ]
    asked = {qid: asked_on(base.dates[qid]) for qid in kept}
    return EvalSet(
        name="news-quiz-asked",
        queries={qid: undated(base.queries[qid], asked[qid]) for qid in kept},
        articles=base.articles,
        relevant={qid: base.relevant[qid] for qid in kept},
        answers={qid: base.answers[qid] for qid in kept},
        unanswerable=set(),
        hit_rule=base.hit_rule,
        hit_rule_text=base.hit_rule_text,
        credit=base.credit,
        kinds={qid: base.kinds[qid] for qid in kept},
        dates={qid: base.dates[qid] for qid in kept},
        asked_on=asked,
        note=(
            f"news-quiz's {len(kept)} questions of a single story, asked as a weekly quiz "
            "asks them: on the Sunday after the story, the period they name removed, over "
            f"the same {len(base.articles)} day pages (20 months of news); 'dated' and "
            "'latest' questions and the unanswerable ones left out"
        ),
    )
