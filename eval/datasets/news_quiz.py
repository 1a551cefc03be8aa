"""News quiz: questions asked the way a news quiz asks them, over Wikipedia's "Current events".

The corpus is every day page of ``wikipedia-current-events/days/`` (601 pages, Jan 2025 -
Aug 2026), each loaded by ``qa.load`` as one article. ``eval/data/news-quiz.jsonl`` opens with
a header line ``{"header": {...}}`` (credit, seed, procedure, counts, the paraphrase rule),
then one question a line::

    {"id": "nq001", "question": "...", "kind": "how-many", "date": "2026-01-22",
     "relevant": ["<exact sentence of one event item>"], "answers": ["Three"], ...}
    {"id": "nu01", "question": "...", "kind": "unanswerable", "unanswerable": true,
     "absent_terms": ["Titicaca"]}

``date`` names the page the gold comes from. Unlike SQuAD-style sets, the questions are
paraphrased: no question copies a run of 4 words from its event item, names and numbers
apart (``eval.tools.paraphrase``), so keyword overlap does not hand out the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eval.datasets.base import EvalSet, exact_substring_hit
from eval.tools.paraphrase import copied_runs
from qa.load import load_paths
from qa.records import Article

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "data" / "news-quiz.jsonl"
FOLDER = "wikipedia-current-events"
PAGES = "days"  # sub-folder of FOLDER holding the day pages
KINDS = ("who", "what", "where", "when", "how-many", "said", "dated", "latest")
UNANSWERABLE = "unanswerable"
CREDIT = (
    "News quiz: questions written for newsqa over Wikipedia's “Portal:Current events” day "
    "pages (Jan 2025 - Aug 2026), CC BY-SA 4.0, Wikipedia contributors; mirrored by the "
    "public repository fordred/wikinews."
)


@dataclass(frozen=True)
class QuizLine:
    """One question line of the file, with its line number for error messages."""

    number: int
    record: dict


def read_quiz(path: Path = QUESTIONS) -> tuple[dict, list[QuizLine]]:
    """The header and the question lines; ``ValueError`` naming the line for bad JSON or a
    file that does not open with its header."""
    header: dict | None = None
    lines: list[QuizLine] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from None
        if "header" in record:
            if header is not None or lines:
                raise ValueError(f"{path}:{number}: the header must be the first line, once")
            header = record["header"]
            continue
        if header is None:
            raise ValueError(f'{path}:{number}: the first line must be {{"header": {{...}}}}')
        lines.append(QuizLine(number, record))
    if header is None:
        raise ValueError(f"{path}: no header line")
    return header, lines


def page_dates(pages: list[Article]) -> dict[str, str]:
    """Rendered text of each page by its date (YYYY-MM-DD, from the front matter)."""
    return {page.published[:10]: page.text for page in pages}


def gold_paragraph(page_text: str, relevant: list[str]) -> str | None:
    """The one paragraph (event item) of the page holding every relevant sentence, if any."""
    for paragraph in page_text.split("\n\n"):
        if all(sentence in paragraph for sentence in relevant):
            return paragraph.strip()
    return None


def question_problems(record: dict, texts_by_date: dict[str, str]) -> list[str]:
    """What is wrong with one question line (empty when nothing is): fields, kind, gold
    sentences and answers in the text of the page of that date, all gold in one event item,
    and the paraphrase rule."""
    problems: list[str] = []
    for key in ("id", "question", "kind"):
        if not isinstance(record.get(key), str) or not record[key]:
            problems.append(f"missing {key!r}")
    if problems:
        return problems
    if record.get("unanswerable"):
        if record["kind"] != UNANSWERABLE:
            problems.append(f"an unanswerable question has kind {record['kind']!r}")
        return problems
    if record["kind"] not in KINDS:
        problems.append(f"kind {record['kind']!r} is not one of {', '.join(KINDS)}")
    date, relevant, answers = record.get("date"), record.get("relevant"), record.get("answers")
    if not relevant or not answers:
        return [*problems, "an answerable question needs 'relevant' and 'answers'"]
    if date not in texts_by_date:
        return [*problems, f"no page dated {date!r}"]
    text = texts_by_date[date]
    for sentence in relevant:
        if sentence not in text:
            problems.append(f"relevant sentence {sentence[:60]!r} is not on the page of {date}")
    for answer in answers:
        if answer not in text:
            problems.append(f"answer {answer!r} is not on the page of {date}")
    if problems:
        return problems
    paragraph = gold_paragraph(text, relevant)
    if paragraph is None:
        return ["the relevant sentences are not all in one event item"]
    copied = copied_runs(record["question"], paragraph)
    if copied:
        problems.append(f"the question copies {copied[0]!r} from its item (paraphrase rule)")
    return problems


def load(folder: Path, questions: Path = QUESTIONS) -> EvalSet:
    """Load every page under ``folder/days`` and the questions; raise ``ValueError`` naming
    the line of the first question that breaks a rule (see ``question_problems``)."""
    result = load_paths([folder / PAGES])
    if not result.articles:
        raise ValueError(f"no day pages found in {folder / PAGES}")
    texts_by_date = page_dates(result.articles)
    _header, lines = read_quiz(questions)
    queries: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    answers: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    unanswerable: set[str] = set()
    dates: dict[str, str] = {}
    for line in lines:
        where, record = f"{questions}:{line.number}", line.record
        problems = question_problems(record, texts_by_date)
        if problems:
            raise ValueError(f"{where}: {problems[0]}; run python -m eval.tools.check_news_quiz")
        qid = record["id"]
        if qid in queries:
            raise ValueError(f"{where}: question id {qid!r} is used twice")
        queries[qid] = record["question"]
        kinds[qid] = record["kind"]
        answers[qid] = list(record.get("answers", []))
        if record.get("unanswerable"):
            unanswerable.add(qid)
        else:
            relevant[qid] = list(record["relevant"])
            dates[qid] = record["date"]
    latest = sum(1 for kind in kinds.values() if kind == "latest")
    return EvalSet(
        name="news-quiz",
        queries=queries,
        articles=result.articles,
        relevant=relevant,
        answers=answers,
        unanswerable=unanswerable,
        hit_rule=exact_substring_hit,
        hit_rule_text="the passage contains a gold sentence of the event item verbatim",
        credit=CREDIT,
        kinds=kinds,
        dates=dates,
        note=(
            f"{len(relevant)} paraphrased quiz questions over {len(result.articles)} day pages "
            f"of news items (plus {len(unanswerable)} unanswerable): no question shares a "
            "4-word run with its item, but names and numbers are exempt, so a sampled item is "
            "often still found by its names; the 'dated' questions (one of many daily tolls, "
            f"told apart only by the date) and the {latest} 'latest' ones (only the newest item "
            "on a recurring topic is a hit: an older toll or office holder is a miss) are the "
            "hard kinds, so read the per-kind scores. Two pages are exact copies under wrong "
            "dates (2020-12-20, 2027-12-05); the index keeps one copy of each."
        ),
    )
