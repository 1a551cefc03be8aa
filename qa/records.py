"""The records that flow through the pipeline: load -> segment -> chunk -> retrieve -> answer.

All offsets are character offsets into ``Article.text`` (Python str indices), so for every
sentence ``article.text[s.start:s.end] == s.text`` holds by construction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class Block:
    """Where a block of an article's layout starts in its text, as its format said: a
    ``heading`` (level 1-6), a list ``item`` (level 10 + nesting depth) or ``text`` (a
    paragraph, level 100). Multi-story pages (a day's events, live blogs, digests) mark their
    stories with headings and items; ``qa.structure`` turns blocks into story sections."""

    start: int
    kind: str  # "heading" | "item" | "text"
    level: int


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
    # The layout the format gave (Markdown headings and lists); () when unknown, as for
    # plain text, where headings are recognised by their shape instead.
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Span:
    """A sentence found by the segmenter: ``text == article_text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """A stored sentence of an article, numbered from 0 in reading order. ``heading`` marks
    a heading, topic label, byline or caption: context for the sentences under it, never an
    answer or a statement. ``section`` numbers the stories of a multi-story page."""

    article_id: str
    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0
    heading: bool = False
    section: int = 0
    # Named entities (start, end, label) inside ``text``, found at ingest (qa.entities).
    entities: tuple[tuple[int, int, str], ...] = ()


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
    context: str = ""  # the title and headings it sits under (searched with it, not cited)

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
    # The sentences of the cited one's paragraph: what a reader is shown around it, carried
    # so that presenting an answer needs no further reads of the store.
    paragraph: tuple[Sentence, ...] = ()

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
class AnswerGroup:
    """A labelled, dated group of an answer's citations: one story of a digest, the latest
    report or an earlier one, one day's statements, reports that disagree. ``citations``
    are indexes into ``Answer.citations``."""

    label: str  # "2025-03-28", "latest", "earlier", "reports differ"...
    date: str  # ISO date of the reports ("" when undated)
    citations: tuple[int, ...]

    def to_dict(self) -> dict:
        return {"label": self.label, "date": self.date, "citations": list(self.citations)}


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
    # What kind of question it answered (``qa.kinds``): "fact", "event",
    # "development", "latest" or "statements"; how its citations are grouped and dated; and
    # how many of the last groups the text leaves out (a digest's "N more stories").
    kind: str = "fact"
    groups: tuple[AnswerGroup, ...] = ()
    more: int = 0

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
            "kind": self.kind,
            "groups": [g.to_dict() for g in self.groups],
            "more": self.more,
        }


@dataclass(frozen=True)
class Filters:
    """Narrow a search to some sources, a date range (ISO dates, inclusive) or articles.

    ``prefer_since``/``prefer_until`` are not a filter but a preference: a narrow period a
    question names ("on Wednesday", "this week"). Its stories come first, those of the days
    just after it next (news is reported a day or two after it happens), every other date
    after them (``qa.fusion.prefer_period``)."""

    sources: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    article_ids: tuple[str, ...] = ()
    prefer_since: str = ""
    prefer_until: str = ""

    def __post_init__(self) -> None:
        for label, value in (
            ("since", self.since),
            ("until", self.until),
            ("prefer_since", self.prefer_since),
            ("prefer_until", self.prefer_until),
        ):
            if value:
                check_date(value, label)
        if self.since and self.until and self.since[:10] > self.until[:10]:
            raise ValueError(f"since {self.since} is after until {self.until}; swap them")
        if bool(self.prefer_since) != bool(self.prefer_until):
            raise ValueError("a preferred period needs both prefer_since and prefer_until")
        if self.prefer_since[:10] > self.prefer_until[:10]:
            raise ValueError(
                f"prefer_since {self.prefer_since} is after prefer_until {self.prefer_until}; "
                "swap them"
            )

    def active(self) -> bool:
        """Does it filter anything out? (A preferred period does not.)"""
        return bool(self.sources or self.since or self.until or self.article_ids)


def published_day(value: str) -> date | None:
    """The day of a published date ("2025-03-05", "2025-03-05T10:00:00Z"); None when undated
    or not written YYYY-MM-DD ("2024", "March 2025": an article loaded as is)."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def check_date(value: str, label: str) -> str:
    """``value`` if it starts with a real YYYY-MM-DD date, else ``ValueError`` saying how to
    write it (``label`` names the field in the message)."""
    head = value[:10]
    try:
        shaped = len(head) == 10 and head[4] == head[7] == "-"
        if not shaped or value[10:11] not in ("", "T", " "):
            raise ValueError
        date.fromisoformat(head)
    except ValueError:
        raise ValueError(
            f"{label} date {value!r} is not a date written YYYY-MM-DD (e.g. 2025-03-05)"
        ) from None
    return value


@dataclass(frozen=True)
class IndexInfo:
    """What ``Index.info()`` reports: counts, settings and size of an index."""

    index: str
    articles: int
    sentences: int
    chunks: int
    model: str
    backend: str  # how the model runs: "onnx", "onnx-int8" or "torch" (qa.embed)
    dimension: int
    tokenizer: str
    chunk_tokens: int
    overlap_sentences: int
    schema_version: int
    generation: int
    dense_index: str  # "flat" or "hnsw"
    sources: dict[str, int]  # source name -> article count, most articles first
    published_from: str  # oldest article date, "" when none is dated
    published_to: str
    size_bytes: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Skipped:
    """An input that was not loaded, and why."""

    path: str  # file (or "file:line N" for a JSONL line, "file:record N", "file:entry N")
    reason: str  # one clear line, e.g. "not valid UTF-8 text (try saving it as UTF-8)"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class IngestReport:
    """What an ingest did: articles added, updated, left unchanged (same content: nothing
    embedded again) and skipped with the reason; chunks written."""

    added: list[str] = field(default_factory=list)  # article ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_added: int = 0
    chunks_resplit: int = 0  # chunks re-cut to fit the embedder's own token limit
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (article, its group)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.skipped)} skipped",
        ]
        grouped = f", {len(self.duplicates)} near-duplicates grouped" if self.duplicates else ""
        return ", ".join(parts) + f" ({self.chunks_added} new chunks{grouped})"
