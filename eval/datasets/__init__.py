"""Dataset loaders, one module each, all returning an ``EvalSet``; looked up by name here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eval.datasets import (
    multihop_rag,
    news_digest,
    news_quiz,
    news_quiz_asked,
    sample,
    squad2,
    squad2_long,
)
from eval.datasets.base import EvalSet


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    folder: str | None  # sub-folder of the data dir it reads, None for bundled data
    load: Callable[[Path], EvalSet]
    description: str


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "sample", None, lambda _folder: sample.load(), "hand-written questions, 1 article"
        ),
        DatasetSpec("squad2", squad2.FOLDER, squad2.load, "SQuAD 2.0 sample, 500 questions"),
        DatasetSpec(
            "squad2-long",
            squad2_long.FOLDER,
            squad2_long.load,
            "the squad2 sample over its 35 whole Wikipedia articles (long documents)",
        ),
        DatasetSpec(
            "multihop-rag", multihop_rag.FOLDER, multihop_rag.load, "MultiHop-RAG sample, 500"
        ),
        DatasetSpec(
            "news-quiz",
            news_quiz.FOLDER,
            news_quiz.load,
            "paraphrased quiz questions over Wikipedia Current events, 601 day pages",
        ),
        DatasetSpec(
            "news-quiz-asked",
            news_quiz.FOLDER,
            news_quiz_asked.load,
            "news-quiz asked undated on the Sunday after each story, as a weekly quiz asks",
        ),
        DatasetSpec(
            "news-digest",
            news_digest.FOLDER,
            news_digest.load,
            "what happened on a topic (in a month): dated digests over the same pages, 40",
        ),
    )
}

__all__ = ["DATASETS", "DatasetSpec", "EvalSet"]
