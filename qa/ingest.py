"""The ingest step: articles in, sentences + chunks + vectors committed to the store.

    plan       which articles are new, changed (replaced) or unchanged (skipped: no
               re-embedding), by content hash
    prepare    segment (``qa.segment``), chunk (``qa.chunk``), and re-cut any chunk the
               embedder would truncate
    embed      the chunk texts of a batch, outside the index lock (questions are answered
               while a large upload is embedded)
    write      one SQLite transaction per batch of ``BATCH_ARTICLES``: a crash loses at most
               that batch, never leaves half an article; near-copies join their story's group

The search caches are refreshed by the caller after the writes (``qa.caches``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
from tqdm.auto import tqdm

from qa.chunk import chunk_sentences, chunk_stories
from qa.dedup import DuplicateFinder, signature
from qa.embed import Embedder, embed_with_spans
from qa.entities import find_entities
from qa.records import Article, ChunkSpan, IngestReport, Sentence, Skipped, Span
from qa.segment import split_sentences
from qa.store import Store
from qa.structure import analyse, chunk_context

BATCH_ARTICLES = 256  # committed together: a crash loses at most one batch

# An article ready to write: its sentences, its chunks and each chunk's context line.
Prepared = tuple[Article, list[Sentence], list[ChunkSpan], list[str]]


def _future(article: Article, today: str) -> bool:
    return bool(article.published) and article.published[:10] > today


def content_hash(article: Article) -> str:
    fields = (
        article.title,
        article.text,
        article.source,
        article.url,
        article.published,
        article.author,
    )
    return hashlib.sha1("\x1f".join(fields).encode("utf-8")).hexdigest()


def embed_prepared(
    embedder: Embedder, prepared: Sequence[Prepared], progress: bool = False
) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
    """The vectors of prepared articles: one per chunk (rows in order) and one per sentence
    inside a chunk (``None`` for a heading no chunk holds), from the same forward pass
    (``qa.embed.embed_with_spans``). A sentence that two overlapping chunks hold, or that is
    cut into pieces, gets the mean of its vectors.

    A chunk is embedded as its own text, without its context line: prepending the title and
    headings to the embedded text cost 0.01-0.09 MRR@10 on the sample, SQuAD and MultiHop-RAG
    (every chunk of an article then looks alike) and gained nothing on news-quiz, while the
    same context in the keyword index helps (see README, "Retrieval")."""
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    owners: list[list[tuple[int, int]]] = []  # (article number, sentence index) per span
    for number, (article, sentences, chunks, _) in enumerate(prepared):
        for chunk in chunks:
            texts.append(article.text[chunk.start : chunk.end])
            inside = sentences[chunk.first_sentence : chunk.last_sentence + 1]
            spans.append(
                [
                    (max(s.start, chunk.start) - chunk.start, min(s.end, chunk.end) - chunk.start)
                    for s in inside
                ]
            )
            owners.append([(number, s.index) for s in inside])
    vectors, span_vectors = embed_with_spans(
        embedder, texts, spans, progress=progress and len(texts) > 256
    )
    sums: dict[tuple[int, int], np.ndarray] = {}
    for keys, pooled in zip(owners, span_vectors, strict=True):
        for key, vector in zip(keys, pooled, strict=True):
            sums[key] = sums[key] + vector if key in sums else vector.copy()
    per_article: list[list[np.ndarray | None]] = []
    for number, (_, sentences, _, _) in enumerate(prepared):
        row: list[np.ndarray | None] = []
        for sentence in sentences:
            total = sums.get((number, sentence.index))
            row.append(None if total is None else total / (np.linalg.norm(total) or 1.0))
        per_article.append(row)
    return vectors, per_article


def split_article(
    article: Article, chunk_tokens: int, overlap: int, *, entities: bool = False
) -> tuple[list[Sentence], list[ChunkSpan], list[str]]:
    """An article's sentences (with their layout, and their entity types if ``entities``),
    its chunks and each chunk's context line, as the index cuts them (before any re-cut to
    the embedder's own token limit)."""
    found = split_sentences(article.text)
    spans = [span for span, _ in found]
    layout = analyse(article.text, spans, [paragraph for _, paragraph in found], article.blocks)
    # Entity types only where an answer can be: headings are never cited.
    texts = [span.text for i, span in enumerate(spans) if entities and not layout.heading[i]]
    tagged = iter(find_entities(texts))
    sentences = [
        Sentence(
            article.id, i, span.start, span.end, span.text, paragraph,
            layout.heading[i], layout.section[i],
            next(tagged) if entities and not layout.heading[i] else (),
        )
        for i, (span, paragraph) in enumerate(found)
    ]  # fmt: skip
    chunks = chunk_stories(
        article.text, spans, layout.heading, layout.section, chunk_tokens, overlap
    )
    contexts = [chunk_context(article, layout.headings_above[c.first_sentence]) for c in chunks]
    return sentences, chunks, contexts


class Ingester:
    """Adds articles to one index's store. ``lock`` is the index's lock (held for reads of
    the store and for writes, never while embedding); ``after_write`` refreshes the search
    caches once everything is committed."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        chunk_tokens: int,
        overlap: int,
        lock: threading.RLock,
        after_write: Callable[[], None],
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap = overlap
        self.lock = lock
        self.after_write = after_write
        self._finder: DuplicateFinder | None = None

    def add(self, articles: Sequence[Article], progress: bool = False) -> IngestReport:
        """Add articles: unchanged ones are skipped (no new vectors), changed ones replaced."""
        report = IngestReport()
        with self.lock:
            todo = self.plan(articles, report)
        bar = tqdm(total=len(todo), desc="Ingesting", unit="article", disable=not progress)
        for i in range(0, len(todo), BATCH_ARTICLES):
            batch = todo[i : i + BATCH_ARTICLES]
            prepared = [self.prepare(article, report) for article in batch]
            embedded, sentence_vectors = embed_prepared(self.embedder, prepared, progress)
            with self.lock:
                self.write_batch(prepared, embedded, report, sentence_vectors)
            bar.update(len(batch))
        bar.close()
        if todo:
            with self.lock:
                self.after_write()
        return report

    def forget(self, article_id: str) -> None:
        """An article was deleted: it can no longer be anyone's near-duplicate."""
        if self._finder is not None:
            self._finder.remove(article_id)

    def plan(self, articles: Sequence[Article], report: IngestReport) -> list[Article]:
        """The articles that need writing (new or changed), the later of two with one id;
        unchanged and replaced ones are recorded in ``report``. Call under the lock."""
        # Two entries with one id (a feed listing an update): the later one wins — unless
        # only it is dated in the future, a misdated copy (real data has them), which loses.
        latest: dict[str, Article] = {}
        today = date.today().isoformat()
        for article in articles:
            if article.id in latest:
                earlier = latest[article.id]
                if _future(article, today) and not _future(earlier, today):
                    report.skipped.append(
                        Skipped(
                            article.path or article.title,
                            f"dated {article.published[:10]}, in the future: the copy dated "
                            f"{earlier.published[:10]} with the same text or url is kept",
                        )
                    )
                    continue
                report.skipped.append(
                    Skipped(
                        earlier.path or earlier.title,
                        "replaced by a later entry with the same url in the same batch",
                    )
                )
                del latest[article.id]
            latest[article.id] = article
        todo: list[Article] = []
        for article in latest.values():
            stored = self.store.content_hash(article.id)
            if stored == content_hash(article):
                report.unchanged.append(article.id)
            else:
                (report.updated if stored else report.added).append(article.id)
                todo.append(article)
        return todo

    def write_batch(
        self,
        prepared: list[Prepared],
        embedded: np.ndarray,
        report: IngestReport,
        sentence_vectors: list[list[np.ndarray | None]] | None = None,
    ) -> None:
        """Commit prepared articles with their chunk vectors (rows in order) and, when
        given, their sentence vectors (one list per article, one entry per sentence) in one
        transaction. Call under the lock; refresh the caches after the last batch."""
        finder = self._duplicates()
        try:
            with self.store.transaction():
                offset = 0
                for number, (article, sentences, chunks, contexts) in enumerate(prepared):
                    self.store.delete_article(article.id)
                    finder.remove(article.id)
                    # A near-copy of a stored story joins that story's group.
                    minhash = signature(article.text)
                    near = [key for key, _ in finder.find(minhash)]
                    group = self.store.representative(near[0]) if near else None
                    self.store.insert_article(article, content_hash(article), minhash, group)
                    finder.add(article.id, minhash)
                    own = sentence_vectors[number] if sentence_vectors is not None else None
                    self.store.insert_sentences(sentences, own)
                    vectors_of = embedded[offset : offset + len(chunks)]
                    self.store.insert_chunks(article.id, chunks, vectors_of, contexts)
                    offset += len(chunks)
                    report.chunks_added += len(chunks)
                    if group:
                        report.duplicates.append((article.id, group))
                self.store.bump_generation()
        except BaseException:
            self._finder = None  # it saw rows that were rolled back: rebuild from the store
            raise

    def _duplicates(self) -> DuplicateFinder:
        """The near-duplicate finder over every stored article, built on first use."""
        if self._finder is None:
            self._finder = DuplicateFinder()
            for article_id, minhash in self.store.signatures():
                self._finder.add(article_id, minhash)
        return self._finder

    def prepare(self, article: Article, report: IngestReport) -> Prepared:
        """Segment, find the layout, tag entities, chunk and fit one article: no store
        access, so it can run anywhere (a worker process, a Ray task)."""
        sentences, chunks, contexts = split_article(
            article, self.chunk_tokens, self.overlap, entities=True
        )
        spans = [Span(s.start, s.end, s.text) for s in sentences]
        return article, sentences, *self._fit_model(article.text, spans, chunks, contexts, report)

    def _fit_model(
        self,
        text: str,
        spans: list[Span],
        chunks: list[ChunkSpan],
        contexts: list[str],
        report: IngestReport,
    ) -> tuple[list[ChunkSpan], list[str]]:
        """Never let the embedder truncate: re-cut any chunk that is too long in the model's
        own word pieces (2 are reserved for [CLS] and [SEP])."""
        limit = self.embedder.max_tokens - 2
        fitted: list[ChunkSpan] = []
        fitted_contexts: list[str] = []
        for chunk, context in zip(chunks, contexts, strict=True):
            body = text[chunk.start : chunk.end]
            if self.embedder.count_tokens(body) <= limit:
                fitted.append(chunk)
                fitted_contexts.append(context)
                continue
            report.chunks_resplit += 1
            inner = spans[chunk.first_sentence : chunk.last_sentence + 1]
            if chunk.partial:
                inner = [Span(chunk.start, chunk.end, body)]
            for piece in chunk_sentences(text, inner, limit, 0, count=self.embedder.count_tokens):
                first = chunk.first_sentence + (0 if chunk.partial else piece.first_sentence)
                last = chunk.first_sentence + (0 if chunk.partial else piece.last_sentence)
                fitted.append(
                    ChunkSpan(
                        piece.start,
                        piece.end,
                        first,
                        last,
                        piece.n_tokens,
                        chunk.partial or piece.partial,
                    )
                )
                fitted_contexts.append(context)
        return fitted, fitted_contexts
