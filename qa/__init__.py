"""newsqa: question answering over news articles, with sentence-exact citations.

    import qa
    index = qa.open_index("index/")
    for p in index.retrieve("What did Ohanian say?", k=5):
        print(p.score, p.article.title, p.text)
"""

from __future__ import annotations

import os
from functools import lru_cache

from qa.errors import (
    ArticleNotFoundError,
    EmptyQuestionError,
    IndexMismatchError,
    IndexNotFoundError,
    LoadError,
    NewsQAError,
)
from qa.index import DEFAULT_INDEX_DIR, Index, IngestReport, open_index
from qa.load import LoadResult, Skipped, load_paths
from qa.records import Answer, Article, Citation, Filters, IndexInfo, Passage, Sentence

__all__ = [
    "Answer",
    "Article",
    "ArticleNotFoundError",
    "Citation",
    "EmptyQuestionError",
    "Filters",
    "Index",
    "IndexInfo",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IngestReport",
    "LoadError",
    "LoadResult",
    "NewsQAError",
    "Passage",
    "Sentence",
    "Skipped",
    "default_index",
    "load_paths",
    "open_index",
    "retrieve",
]


@lru_cache(maxsize=1)
def default_index() -> Index:
    """The index in ``$NEWSQA_INDEX`` or ``index/``, opened once per process."""
    return open_index(os.environ.get("NEWSQA_INDEX", DEFAULT_INDEX_DIR))


def retrieve(question: str, k: int = 10, **options) -> list[Passage]:
    """``default_index().retrieve(...)``: passages for ``question`` from the default index."""
    return default_index().retrieve(question, k, **options)
