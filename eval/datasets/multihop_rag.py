"""MultiHop-RAG sample: the pool of gold evidence facts is the corpus.

The 609 source articles are not available, so the facts are grouped by (title, source) into
one article each: its facts joined as paragraphs in the order they first appear in
``ground_truth.json``, with the url, date and source of the evidence. A passage retrieves a
fact under the official scorer's rule (spaces and newlines removed, then substring), and
MAP@10 uses the official formula. ``null_query`` questions have no evidence: abstention set.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.datasets.base import EvalSet, substring_hit
from qa.load import make_article, normalise_text

FOLDER = "multihop-rag-sample"
CREDIT = (
    "MultiHop-RAG (sample of 500 questions): ODC-BY 1.0. Tang & Yang (2024), “MultiHop-RAG: "
    "Benchmarking Retrieval-Augmented Generation for Multi-Hop Queries”, arXiv:2401.15391. "
    "Sampled by zc277584121/search-datasets."
)
NULL_TYPE = "null_query"
# Gold answers that judge rather than quote ("Yes", "Consistent"...): no sentence can
# "contain" them in any useful sense ("no" is inside "know"), so they are not answer targets.
JUDGEMENTS = frozenset({
    "yes", "no", "true", "false", "agree", "disagree", "consistent", "inconsistent",
    "similar", "different", "same", "before", "after", "change", "no change",
    "insufficient information",
})  # fmt: skip


def load(folder: Path) -> EvalSet:
    """Load ``queries.json`` and ``ground_truth.json`` from ``folder``."""
    queries_file = json.loads((folder / "queries.json").read_text(encoding="utf-8"))
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    facts_of: dict[tuple[str, str], list[str]] = {}
    meta_of: dict[tuple[str, str], dict] = {}
    for qid in truth:  # file order: a stable order for each article's facts
        for evidence in truth[qid].get("evidence_list", []):
            key = (evidence["title"], evidence["source"])
            facts = facts_of.setdefault(key, [])
            meta_of.setdefault(key, evidence)
            if evidence["fact"] not in facts:
                facts.append(evidence["fact"])
    articles = [
        make_article(
            title=title,
            text="\n\n".join(facts),
            source=source,
            url=meta_of[(title, source)].get("url", ""),
            published=meta_of[(title, source)].get("published_at", ""),
            author=meta_of[(title, source)].get("author", ""),
        )
        for (title, source), facts in facts_of.items()
    ]
    queries: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    answers: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    unanswerable: set[str] = set()
    for record in queries_file["queries"]:
        qid = str(record["id"])
        if qid not in truth:
            raise ValueError(f"{folder}/ground_truth.json has no entry for question {qid}")
        queries[qid] = record["question"]
        kinds[qid] = record.get("question_type", "")
        gold = truth[qid]
        answer = gold.get("answer", "").strip().rstrip(".")
        answers[qid] = [] if answer.casefold() in JUDGEMENTS or not answer else [answer]
        # The article text went through normalise_text (non-breaking spaces -> spaces...);
        # the gold facts get the same treatment so the rule compares like with like.
        facts = list(dict.fromkeys(normalise_text(e["fact"]) for e in gold["evidence_list"]))
        if kinds[qid] == NULL_TYPE or not facts:
            unanswerable.add(qid)
        else:
            relevant[qid] = facts
    return EvalSet(
        name="multihop-rag",
        queries=queries,
        articles=articles,
        relevant=relevant,
        answers=answers,
        unanswerable=unanswerable,
        hit_rule=substring_hit,
        hit_rule_text=(
            "a gold fact, spaces and newlines removed, is a substring of the passage, spaces "
            "and newlines removed (official scorer)"
        ),
        credit=CREDIT,
        map_rule="multihop-rag",
        kinds=kinds,
        note=(
            "The corpus is only the evidence facts of the sampled questions, not the paper's "
            "609 full articles, so retrieval is far easier than in the paper: compare systems "
            "with each other, not with published numbers. Gold answers that judge (yes, no, "
            "consistent...) are not answer targets."
        ),
    )
