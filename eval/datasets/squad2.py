"""SQuAD 2.0 sample: every distinct paragraph (``context``) becomes one article.

A passage is relevant when it comes from the question's own paragraph. ``is_impossible``
questions (SQuAD 2.0's unanswerable ones) are kept out of retrieval metrics and used to
measure abstention; their paragraphs stay in the corpus as distractors.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.datasets.base import EvalSet, kinds_by_wh_word, same_article_hit
from qa.load import make_article

FOLDER = "squad2-sample"
CREDIT = (
    "SQuAD 2.0 (sample of 500 questions): CC BY-SA 4.0. Rajpurkar, Jia & Liang (2018), "
    "“Know What You Don't Know: Unanswerable Questions for SQuAD”. Sampled by the public "
    "repository zc277584121/search-datasets."
)
TITLE_WORDS = 8


def load(folder: Path) -> EvalSet:
    """Load ``queries.json`` and ``ground_truth.json`` from ``folder``."""
    queries_file = json.loads((folder / "queries.json").read_text(encoding="utf-8"))
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    articles = []
    article_of_context: dict[str, str] = {}
    queries: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    answers: dict[str, list[str]] = {}
    unanswerable: set[str] = set()
    for record in queries_file["queries"]:
        qid, context = str(record["id"]), record["context"]
        if context not in article_of_context:
            article = make_article(
                title=_title(context, len(article_of_context) + 1),
                text=context,
                source="SQuAD 2.0 (Wikipedia)",
            )
            article_of_context[context] = article.id
            articles.append(article)
        if qid not in truth:
            raise ValueError(f"{folder}/ground_truth.json has no entry for question {qid}")
        queries[qid] = record["question"]
        gold = truth[qid]
        if gold.get("is_impossible"):
            unanswerable.add(qid)
            answers[qid] = []
            continue
        relevant[qid] = [article_of_context[context]]
        # SQuAD repeats an answer once per annotator: keep each string once, in order.
        answers[qid] = list(dict.fromkeys(a for a in gold.get("answers", []) if a.strip()))
    return EvalSet(
        name="squad2",
        queries=queries,
        articles=articles,
        relevant=relevant,
        answers=answers,
        unanswerable=unanswerable,
        hit_rule=same_article_hit,
        hit_rule_text="the passage comes from the question's paragraph",
        credit=CREDIT,
        # Types from the wh-word (SQuAD has none); unanswerable ones are one type of their own.
        kinds=kinds_by_wh_word(queries, unanswerable),
        note=(
            "Finding the paragraph among all the sample's paragraphs (unanswerable questions' "
            "paragraphs included, as distractors); SQuAD questions were written while reading "
            "the paragraph, so they share its words and favour BM25."
        ),
    )


def _title(context: str, number: int) -> str:
    """The paragraph's first words, so a per-query report line is readable."""
    words = context.split()
    if not words:
        return f"SQuAD context {number}"
    head = " ".join(words[:TITLE_WORDS])
    return head + ("…" if len(words) > TITLE_WORDS else "")
