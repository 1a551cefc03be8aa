"""The records that flow through the pipeline: load -> segment -> chunk -> retrieve -> answer.

All offsets are character offsets into ``Article.text`` (Python str indices), so for every
sentence ``article.text[s.start:s.end] == s.text`` holds by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article, normalised. ``id`` is stable: derived from the url, else the text."""

    id: str
    title: str
    text: str
    source: str = ""
    url: str = ""
    published: str = ""  # ISO 8601 date or datetime, "" when unknown
    author: str = ""
    path: str = ""  # file it was loaded from, "" when not from a file


@dataclass(frozen=True)
class Span:
    """A sentence found by the segmenter: ``text == article_text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """A stored sentence of an article, numbered from 0 in reading order."""

    article_id: str
    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass(frozen=True)
class ChunkSpan:
    """A chunk made by the chunker: whole sentences ``first..last`` (inclusive), unless
    ``partial`` says one over-long sentence was cut at a clause or word boundary."""

    start: int
    end: int
    first_sentence: int
    last_sentence: int
    n_tokens: int
    partial: bool = False


@dataclass(frozen=True)
class Passage:
    """One retrieval result: a chunk of an article with its sentences and metadata."""

    score: float
    chunk_id: int
    text: str
    start: int
    end: int
    article: Article
    sentences: tuple[Sentence, ...]
    rank: int = 0
    also_reported_by: tuple[Article, ...] = ()

    def to_dict(self) -> dict:
        return {
            "article_id": self.article.id,
            "title": self.article.title,
            "source": self.article.source,
            "published": self.article.published,
            "url": self.article.url,
            "score": round(float(self.score), 6),
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "also_reported_by": [a.source or a.title for a in self.also_reported_by],
        }


@dataclass(frozen=True)
class Citation:
    """A cited sentence: ``article.text[start:end] == sentence``. ``n`` is the marker [n],
    numbered per article in order of first appearance."""

    n: int
    article: Article
    sentence: str
    start: int
    end: int
    sentence_index: int
    also_in: tuple[Article, ...] = ()

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "article_id": self.article.id,
            "title": self.article.title,
            "source": self.article.source,
            "published": self.article.published,
            "url": self.article.url,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "also_in": [a.source or a.title for a in self.also_in],
        }


@dataclass(frozen=True)
class Answer:
    """An extractive answer: the chosen sentences, each with its citation, or an abstention
    with the closest passages shown separately (never as an answer)."""

    question: str
    text: str
    abstained: bool
    confidence: float
    citations: tuple[Citation, ...] = ()
    closest: tuple[Passage, ...] = ()
    resolved_question: str = ""  # the question after follow-up resolution, if it changed
    speaker: str = ""  # for "what did X say" answers: the person quoted (follow-ups use it)
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. "interpreted 'last week' as …"

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "resolved_question": self.resolved_question or self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "confidence": round(float(self.confidence), 4),
            "citations": [c.to_dict() for c in self.citations],
            "closest": [p.to_dict() for p in self.closest],
            "notes": list(self.notes),
            "speaker": self.speaker,
        }
