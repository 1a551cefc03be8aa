"""SQuAD 2.0, long documents: the squad2 sample's questions over whole Wikipedia articles.

The squad2 set makes each paragraph an article, so finding the right article is finding the
right paragraph. Real news is not cut that way: the answer sits somewhere in a long
document that is mostly about other things. Here every article the sample touches is
rebuilt whole — all its SQuAD 2.0 dev paragraphs, in their order, joined — from
``../shared/datasets/qa-train`` (which holds SQuAD 2.0 dev complete; its ``title`` names the
article), and a passage hits when it contains the sentence that holds the answer (the
sentence of the question's paragraph where the first gold answer starts). The questions,
answers and unanswerable ones are the sample's.
"""

from __future__ import annotations

import ast
import gzip
import json
from collections import defaultdict
from pathlib import Path

from eval.datasets.base import EvalSet, exact_substring_hit, kinds_by_wh_word
from eval.datasets.squad2 import CREDIT as SQUAD_CREDIT
from qa.load import make_article
from qa.segment import split_sentences

FOLDER = "squad2-sample"
QA_TRAIN = "qa-train/qa-train.jsonl.gz"  # beside FOLDER in the shared datasets


def _answers(value: object) -> list[dict]:
    """qa-train keeps SQuAD's answers as a list, or as its Python text."""
    if isinstance(value, str):
        value = ast.literal_eval(value) if value.strip() else []
    return list(value or [])


def load(folder: Path) -> EvalSet:
    """Load the sample from ``folder`` and the whole articles from qa-train beside it."""
    sample = json.loads((folder / "queries.json").read_text(encoding="utf-8"))["queries"]
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    wanted = {str(r["id"]) for r in sample}
    training = folder.parent / QA_TRAIN
    if not training.exists():
        raise ValueError(f"{training} is missing; it comes with ../shared/datasets")
    paragraphs: dict[str, list[str]] = defaultdict(list)  # title -> its dev paragraphs, in order
    of_question: dict[str, tuple[str, str, list[dict]]] = {}  # id -> title, paragraph, answers
    with gzip.open(training, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["source"] != "squad2":
                continue
            title, context = row["title"], row["context"]
            if context not in paragraphs[title]:
                paragraphs[title].append(context)
            if row["id"] in wanted:
                of_question[row["id"]] = (title, context, _answers(row.get("answers")))
    missing = wanted - set(of_question)
    if missing:
        raise ValueError(f"{training} lacks {len(missing)} sample questions, e.g. {min(missing)}")
    titles = list(dict.fromkeys(of_question[str(r["id"])][0] for r in sample))
    articles = [
        make_article(
            title=title.replace("_", " "),
            text="\n\n".join(paragraphs[title]),
            source="SQuAD 2.0 (Wikipedia)",
        )
        for title in titles
    ]
    queries: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    answers: dict[str, list[str]] = {}
    unanswerable: set[str] = set()
    for record in sample:
        qid = str(record["id"])
        queries[qid] = record["question"]
        gold = truth[qid]
        if gold.get("is_impossible"):
            unanswerable.add(qid)
            answers[qid] = []
            continue
        _title, context, spans = of_question[qid]
        start = spans[0]["answer_start"]
        sentence = next(
            (
                span.text
                for span, _ in split_sentences(context)
                if span.start <= start < max(span.end, span.start + 1)
            ),
            None,
        )
        if sentence is None:
            raise ValueError(f"question {qid}: its answer start {start} is in no sentence")
        relevant[qid] = [sentence]
        answers[qid] = list(dict.fromkeys(a for a in gold.get("answers", []) if a.strip()))
    return EvalSet(
        name="squad2-long",
        queries=queries,
        articles=articles,
        relevant=relevant,
        answers=answers,
        unanswerable=unanswerable,
        hit_rule=exact_substring_hit,
        hit_rule_text="the passage contains the sentence that holds the answer, verbatim",
        credit=SQUAD_CREDIT + " Whole articles rebuilt from SQuAD 2.0 dev (qa-train).",
        kinds=kinds_by_wh_word(queries, unanswerable),
        note=(
            f"The sample's questions over the {len(articles)} whole articles they come from "
            f"({sum(len(paragraphs[t]) for t in titles):,} paragraphs): the answer's sentence "
            "must be found inside a long document about many other things, as in real news."
        ),
    )
