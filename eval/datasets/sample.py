"""The bundled sample: hand-written questions over the one sample article in ``data/``.

``eval/data/sample.jsonl`` holds one question a line::

    {"id": "s01", "question": "...", "kind": "who", "relevant": ["<exact sentence>", ...],
     "answers": ["<short answer>", ...]}
    {"id": "u01", "question": "What did Putin say?", "kind": "unanswerable",
     "unanswerable": true}

``relevant`` sentences must be exact substrings of the article text as ``qa.load`` loads it
(the loader checks), so a passage is a hit when it contains one of them verbatim.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.datasets.base import EvalSet, exact_substring_hit
from qa.load import load_file

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "data" / "sample.jsonl"
ARTICLE = ROOT / "data" / "shoigu-azerbaijan-armenia-military-ties.md"
CREDIT = (
    "Sample article: armenews.com (“Shoigu welcomes “strategic” military ties with "
    "Azerbaijan, courts Armenia”), bundled in data/; questions written for this project."
)


def load(questions: Path = QUESTIONS, article: Path = ARTICLE) -> EvalSet:
    """Load the sample questions and their article; raise ``ValueError`` naming the line of
    any question whose gold sentence is not in the article."""
    articles = load_file(article)
    text = "\n".join(a.text for a in articles)
    queries: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    answers: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    unanswerable: set[str] = set()
    for number, line in enumerate(questions.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{questions}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not valid JSON ({error.msg})") from None
        qid = str(record["id"])
        if qid in queries:
            raise ValueError(f"{where}: question id {qid!r} is used twice")
        queries[qid] = record["question"]
        kinds[qid] = record.get("kind", "")
        answers[qid] = list(record.get("answers", []))
        if record.get("unanswerable"):
            unanswerable.add(qid)
            continue
        for sentence in record.get("relevant", []):
            if sentence not in text:
                raise ValueError(
                    f"{where}: relevant sentence {sentence[:60]!r}... is not in {article.name}; "
                    "copy it from the article exactly"
                )
        relevant[qid] = list(record.get("relevant", []))
    return EvalSet(
        name="sample",
        queries=queries,
        articles=articles,
        relevant=relevant,
        answers=answers,
        unanswerable=unanswerable,
        hit_rule=exact_substring_hit,
        hit_rule_text="the passage contains a gold sentence verbatim",
        credit=CREDIT,
        kinds=kinds,
        note=(
            f"One article, so every passage is from the right article and Hits@10 is nearly "
            f"free: Hits@1 and MRR@10 are what tell systems apart here ({len(queries)} "
            "questions, so one question moves a score by about 0.03)."
        ),
    )
