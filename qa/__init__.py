"""newsqa: question answering over news articles, with sentence-exact citations.

    import qa
    index = qa.open_index("index/")
    for p in index.retrieve("What did Ohanian say?", k=5):
        print(p.score, p.article.title, p.text)
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

from qa.errors import (
    ArticleNotFoundError,
    EmptyQuestionError,
    IndexMismatchError,
    IndexNotFoundError,
    LoadError,
    NewsQAError,
)
from qa.records import Answer, AnswerGroup, Article, Citation, Filters, IndexInfo, Passage, Sentence

# Imported on first use (PEP 562), so `python -m qa --help` does not pay for FAISS, bm25s,
# trafilatura and datasketch before printing a line.
_LAZY = {
    "DEFAULT_INDEX_DIR": "qa.index",
    "Index": "qa.index",
    "IngestReport": "qa.index",
    "open_index": "qa.index",
    "LoadResult": "qa.load",
    "Skipped": "qa.load",
    "load_paths": "qa.load",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qa' has no attribute {name!r}")


if TYPE_CHECKING:
    from qa.index import Index, IngestReport, open_index
    from qa.load import LoadResult, Skipped, load_paths

__all__ = [
    "Answer",
    "AnswerGroup",
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
    from qa.index import DEFAULT_INDEX_DIR, open_index

    return open_index(os.environ.get("NEWSQA_INDEX", DEFAULT_INDEX_DIR))


def retrieve(question: str, k: int = 10, **options) -> list[Passage]:
    """``default_index().retrieve(...)``: passages for ``question`` from the default index."""
    return default_index().retrieve(question, k, **options)
