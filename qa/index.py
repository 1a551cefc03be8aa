"""An index on disk: ingest articles, delete them, retrieve cited passages.

Layout of an index folder::

    newsqa.sqlite        articles, sentences (offsets), chunks (+ vectors), manifest
    dense-<gen>.faiss    FAISS index of chunk vectors keyed by chunk id   (derived cache)
    bm25-<gen>/          bm25s index of chunk texts                        (derived cache)

``<gen>`` is the store's generation, bumped by every committed change; a cache of another
generation is stale and rebuilt from the store (no re-embedding needed).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from qa import vectors
from qa.answer import ABSTAIN_BELOW, select_answer
from qa.chunk import (
    DEFAULT_CHUNK_TOKENS,
    DEFAULT_OVERLAP_SENTENCES,
    TOKENIZER_NAME,
    chunk_sentences,
)
from qa.embed import (
    DEFAULT_MODEL,
    Embedder,
    backend_of,
    default_backend,
    get_embedder,
    vector_kind,
)
from qa.errors import (
    ArticleNotFoundError,
    EmptyQuestionError,
    IndexMismatchError,
    IndexNotFoundError,
)
from qa.followup import resolve as resolve_followup
from qa.lexical import LexicalIndex
from qa.records import Answer, Article, ChunkSpan, Passage, Sentence, Span
from qa.rescore import RESCORE_DEPTH, best_sentence_scores, rescore
from qa.retrieve import DEFAULT_MODE, FUSED_MODES, FUSION_DEPTH, check_mode, convex_fusion
from qa.segment import split_sentences
from qa.speakers import speaker_in_question
from qa.store import DB_NAME, SCHEMA_VERSION, Store
from qa.timeexpr import find_time_range, strip_time_phrase

if TYPE_CHECKING:  # imported where used: loading (trafilatura) and dedup (datasketch, scipy)
    from qa.dedup import DuplicateFinder  # take ~1.5 s to import, which `ask` and `info` skip
    from qa.load import Skipped

DEFAULT_INDEX_DIR = "index"
_CACHE_NAME = re.compile(r"(?:dense-(\d+)\.faiss|bm25-(\d+))")
ANSWER_K = 8  # passages an answer is chosen from
SPEAKER_K = 20  # "what did X say": gather X's statements from more articles
SENTENCE_CACHE = 50_000  # sentence vectors kept in memory (~77 MB at 384-d)
INGEST_BATCH_ARTICLES = 256  # committed together: a crash loses at most one batch


@dataclass
class IngestReport:
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


@dataclass(frozen=True)
class Filters:
    """Narrow a search to some sources, a date range (ISO dates, inclusive) or articles."""

    sources: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    article_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for label, value in (("since", self.since), ("until", self.until)):
            if value:
                try:
                    date.fromisoformat(value[:10])
                except ValueError:
                    raise ValueError(
                        f"{label} date {value!r} is not a date written YYYY-MM-DD "
                        "(e.g. 2025-03-05)"
                    ) from None
        if self.since and self.until and self.since[:10] > self.until[:10]:
            raise ValueError(f"since {self.since} is after until {self.until}; swap them")

    def active(self) -> bool:
        return bool(self.sources or self.since or self.until or self.article_ids)


class Index:
    """A persistent index of articles. Thread-safe: one lock guards the store and caches."""

    def __init__(self, folder: Path, store: Store, embedder: Embedder) -> None:
        self.folder = folder
        self.store = store
        self.embedder = embedder
        self._lock = threading.RLock()
        self._dense = None
        self._lexical: LexicalIndex | None = None
        self._cache_generation = -1
        self._finder: DuplicateFinder | None = None
        self._sentence_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        settings = store.manifest()
        self.chunk_tokens = int(settings["chunk_tokens"])  # type: ignore[arg-type]
        self.overlap = int(settings["overlap_sentences"])  # type: ignore[arg-type]

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        folder: str | Path = DEFAULT_INDEX_DIR,
        *,
        create: bool = False,
        embedder: Embedder | None = None,
        model: str | None = None,
        chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
        overlap: int = DEFAULT_OVERLAP_SENTENCES,
        backend: str | None = None,
    ) -> Index:
        """Open the index in ``folder``; with ``create=True`` make it if it does not exist.

        The embedder comes from the index's manifest unless one is given; a different model
        or dimension than the index was built with raises ``IndexMismatchError``, and so does
        a ``backend`` whose vectors differ from the stored ones (``qa.embed.vector_kind``).
        """
        path = Path(folder)
        if chunk_tokens < 8:
            raise ValueError(f"chunk_tokens of {chunk_tokens} is too small; use at least 8")
        if overlap < 0:
            raise ValueError(f"overlap of {overlap} sentences is negative; use 0 or more")
        if path.exists() and not path.is_dir():
            raise IndexNotFoundError(f"{path} is a file, not an index folder; pick another --index")
        exists = (path / DB_NAME).exists()
        if not exists and not create:
            raise IndexNotFoundError(
                f"no index at {path}/ ; build one with: python -m qa ingest FILES --index {path}"
            )
        path.mkdir(parents=True, exist_ok=True)
        store = Store(path)
        manifest = store.manifest()
        if not manifest:
            embedder = embedder or get_embedder(model or DEFAULT_MODEL, backend)
            with store.transaction():
                store.set_manifest(
                    schema_version=SCHEMA_VERSION,
                    model=embedder.name,
                    backend=backend_of(embedder),
                    dimension=embedder.dimension,
                    tokenizer=TOKENIZER_NAME,
                    chunk_tokens=chunk_tokens,
                    overlap_sentences=overlap,
                    generation=0,
                )
        else:
            embedder = _check_compatible(path, manifest, embedder, model, backend)
        return cls(path, store, embedder)

    def close(self) -> None:
        with self._lock:
            self.store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest ------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], progress: bool = False) -> IngestReport:
        """Load files and folders of articles and add them; bad files are skipped and
        reported, never fatal."""
        from qa.load import load_paths

        loaded = load_paths(paths)
        report = self.add(loaded.articles, progress=progress)
        report.skipped[:0] = loaded.skipped
        return report

    def add(self, articles: Sequence[Article], progress: bool = False) -> IngestReport:
        """Add articles: unchanged ones are skipped (no new vectors), changed ones replaced."""
        from qa.load import Skipped

        report = IngestReport()
        with self._lock:
            # Two entries with one id (a feed listing an update): the later one wins.
            latest: dict[str, Article] = {}
            for article in articles:
                if article.id in latest:
                    earlier = latest.pop(article.id)
                    report.skipped.append(
                        Skipped(
                            earlier.path or earlier.title,
                            "replaced by a later entry with the same url in the same batch",
                        )
                    )
                latest[article.id] = article
            todo: list[Article] = []
            for article in latest.values():
                digest = _content_hash(article)
                stored = self.store.content_hash(article.id)
                if stored == digest:
                    report.unchanged.append(article.id)
                else:
                    (report.updated if stored else report.added).append(article.id)
                    todo.append(article)
        # Segmenting and embedding run outside the lock, so questions are answered while a
        # large upload is being embedded; only the writes and the cache refresh take it.
        bar = tqdm(total=len(todo), desc="Ingesting", unit="article", disable=not progress)
        for i in range(0, len(todo), INGEST_BATCH_ARTICLES):
            batch = todo[i : i + INGEST_BATCH_ARTICLES]
            prepared = [self._prepare(article, report) for article in batch]
            texts = [a.text[c.start : c.end] for a, _, chunks in prepared for c in chunks]
            embedded = self.embedder.embed(texts, progress=progress and len(texts) > 256)
            with self._lock:
                self._write_batch(prepared, embedded, report)
            bar.update(len(batch))
        bar.close()
        if todo:
            with self._lock:
                self._refresh_caches()
        return report

    def _write_batch(
        self,
        prepared: list[tuple[Article, list[Sentence], list[ChunkSpan]]],
        embedded: np.ndarray,
        report: IngestReport,
    ) -> None:
        from qa.dedup import signature

        finder = self._duplicates()
        try:
            with self.store.transaction():
                offset = 0
                for article, sentences, chunks in prepared:
                    self.store.delete_article(article.id)
                    finder.remove(article.id)
                    # A near-copy of a stored story joins that story's group.
                    minhash = signature(article.text)
                    near = [key for key, _ in finder.find(minhash)]
                    group = self.store.representative(near[0]) if near else None
                    self.store.insert_article(article, _content_hash(article), minhash, group)
                    finder.add(article.id, minhash)
                    self.store.insert_sentences(sentences)
                    vectors_of = embedded[offset : offset + len(chunks)]
                    self.store.insert_chunks(article.id, chunks, vectors_of)
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
            from qa.dedup import DuplicateFinder

            self._finder = DuplicateFinder()
            for article_id, minhash in self.store.signatures():
                self._finder.add(article_id, minhash)
        return self._finder

    def _prepare(
        self, article: Article, report: IngestReport
    ) -> tuple[Article, list[Sentence], list[ChunkSpan]]:
        found = split_sentences(article.text)
        spans = [span for span, _ in found]
        sentences = [
            Sentence(article.id, i, span.start, span.end, span.text, paragraph)
            for i, (span, paragraph) in enumerate(found)
        ]
        chunks = chunk_sentences(article.text, spans, self.chunk_tokens, self.overlap)
        return article, sentences, self._fit_model(article.text, spans, chunks, report)

    def _fit_model(
        self, text: str, spans: list[Span], chunks: list[ChunkSpan], report: IngestReport
    ) -> list[ChunkSpan]:
        """Never let the embedder truncate: re-cut any chunk that is too long in the model's
        own word pieces (2 are reserved for [CLS] and [SEP])."""
        limit = self.embedder.max_tokens - 2
        fitted: list[ChunkSpan] = []
        for chunk in chunks:
            if self.embedder.count_tokens(text[chunk.start : chunk.end]) <= limit:
                fitted.append(chunk)
                continue
            report.chunks_resplit += 1
            inner = spans[chunk.first_sentence : chunk.last_sentence + 1]
            if chunk.partial:
                inner = [Span(chunk.start, chunk.end, text[chunk.start : chunk.end])]
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
        return fitted

    def delete(self, id_or_url: str) -> Article:
        """Remove an article (by id or url) with its sentences, chunks and vectors."""
        with self._lock:
            article_id = self.store.find_article_id(id_or_url)
            if article_id is None:
                raise ArticleNotFoundError(
                    f"no article with id or url {id_or_url!r}; list ids with: python -m qa info "
                    f"--index {self.folder} --articles"
                )
            article = self.store.article(article_id)
            with self.store.transaction():
                self.store.delete_article(article_id)
                self.store.bump_generation()
            if self._finder is not None:
                self._finder.remove(article_id)
            self._refresh_caches()
            assert article is not None
            return article

    # -- caches ------------------------------------------------------------------------
    def _refresh_caches(self) -> None:
        """Bring the FAISS and BM25 caches to the store's generation, rebuilding what is
        stale, then drop older generations."""
        generation = self.store.generation()
        if self._cache_generation == generation:
            return
        dense_path = self.folder / f"dense-{generation}.faiss"
        lexical_path = self.folder / f"bm25-{generation}"
        if dense_path.exists():
            self._dense = vectors.load(dense_path)
        else:
            self._dense = self._updated_dense() or self._rebuilt_dense()
            vectors.save(self._dense, dense_path)
        if (lexical_path / "ok.json").exists():
            self._lexical = LexicalIndex.load(lexical_path)
        else:
            ids, texts = self.store.all_chunk_texts()
            self._lexical = LexicalIndex.build(ids, texts)
            self._lexical.save(lexical_path)
        self._cache_generation = generation
        # Drop caches of older generations only: another process may be writing a newer one.
        for old in self.folder.iterdir():
            stale = _CACHE_NAME.fullmatch(old.name)
            if stale and int(stale.group(1) or stale.group(2)) < generation:
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)

    def _rebuilt_dense(self):
        ids, matrix = self.store.all_vectors(self.embedder.dimension)
        return vectors.build(ids, matrix, self.embedder.dimension)

    def _updated_dense(self):
        """The previous dense index brought up to date in place — add the new chunks' vectors,
        remove the deleted ones — instead of re-reading every vector; None when a rebuild is
        needed (no previous index, HNSW asked to delete, or the index type should change)."""
        previous = self._dense
        if previous is None:
            older = sorted(
                (int(m.group(1)), p)
                for p in self.folder.glob("dense-*.faiss")
                if (m := re.fullmatch(r"dense-(\d+)\.faiss", p.name))
            )
            if not older:
                return None
            try:
                previous = vectors.load(older[-1][1])
            except RuntimeError:  # unreadable: fall back to a rebuild
                return None
        stored = self.store.chunk_ids()
        cached = vectors.ids(previous)
        removed = np.setdiff1d(cached, stored, assume_unique=True)
        added = np.setdiff1d(stored, cached, assume_unique=True)
        kind = vectors.index_type(previous)
        if kind != vectors.choose_index_type(len(stored)) or (len(removed) and kind == "hnsw"):
            return None
        if len(removed):
            previous.remove_ids(removed)
        if len(added):
            previous.add_with_ids(self.store.vectors(added, self.embedder.dimension), added)
        return previous

    # -- retrieval ---------------------------------------------------------------------
    def retrieve(
        self,
        question: str,
        k: int = 10,
        *,
        mode: str = DEFAULT_MODE,
        filters: Filters | None = None,
    ) -> list[Passage]:
        """The ``k`` passages that best match ``question``, best first."""
        return self.retrieve_many([question], k, mode=mode, filters=filters)[0]

    def retrieve_many(
        self,
        questions: Sequence[str],
        k: int = 10,
        *,
        mode: str = DEFAULT_MODE,
        filters: Filters | None = None,
    ) -> list[list[Passage]]:
        """Batch retrieval: one list of passages per question (embeds all questions at once)."""
        check_mode(mode)
        for question in questions:
            if not isinstance(question, str) or not question.strip():
                raise EmptyQuestionError(
                    "the question is empty; type a question about the articles"
                )
        if k < 1:
            raise ValueError(f"k of {k} is too small; ask for at least 1 passage")
        with self._lock:
            self._refresh_caches()
            allowed = None
            if filters is not None and filters.active():
                allowed = self.store.chunk_ids_where(
                    filters.sources,
                    filters.since or None,
                    filters.until or None,
                    filters.article_ids,
                )
            grouped = self.store.has_duplicates()
            # Copies of one story collapse into one result, so look deeper to still fill k.
            depth = 3 * k if grouped else k
            rankings = self._rank(list(questions), depth, mode, allowed)
            results = [self._passages(ranking) for ranking in rankings]
            if grouped:
                results = [self._collapse_copies(passages) for passages in results]
            return [passages[:k] for passages in results]

    def _collapse_copies(self, passages: list[Passage]) -> list[Passage]:
        """Show each story once: passages from a second copy of a story already shown are
        dropped, and the shown one lists the other copies as "also reported by"."""
        group_of = self.store.representatives(p.article.id for p in passages)
        shown: dict[str, str] = {}  # group -> the article shown for it
        kept = []
        for passage in passages:
            group = group_of.get(passage.article.id, passage.article.id)
            if shown.setdefault(group, passage.article.id) == passage.article.id:
                kept.append(passage)
        members = self.store.group_members(shown)
        return [
            replace(
                passage,
                rank=rank,
                also_reported_by=tuple(
                    a
                    for a in members.get(group_of[passage.article.id], [])
                    if a.id != passage.article.id
                ),
            )
            for rank, passage in enumerate(kept, start=1)
        ]

    def _rank(
        self, questions: list[str], k: int, mode: str, allowed: np.ndarray | None
    ) -> list[list[tuple[int, float]]]:
        fused = mode in FUSED_MODES
        depth = max(FUSION_DEPTH, k) if fused else k  # fusion needs candidates to fuse
        dense_hits: list[tuple[np.ndarray, np.ndarray]] = []
        lexical_hits: list[tuple[np.ndarray, np.ndarray]] = []
        query = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        if mode != "bm25":
            query = self.embedder.embed(questions)
            scores, ids = vectors.search(self._dense, query, depth, allowed)
            for row_scores, row_ids in zip(scores, ids, strict=True):
                keep = row_ids >= 0
                dense_hits.append((row_scores[keep], row_ids[keep]))
        if mode != "dense":
            assert self._lexical is not None
            lexical_hits = self._lexical.search(questions, depth, allowed)
        rankings: list[list[tuple[int, float]]] = []
        for i in range(len(questions)):
            if mode == "dense":
                ranking = [(int(c), float(s)) for s, c in zip(*dense_hits[i], strict=True)]
            elif mode == "bm25":
                ranking = [(int(c), float(s)) for s, c in zip(*lexical_hits[i], strict=True)]
            else:
                ranking = convex_fusion([dense_hits[i], lexical_hits[i]])
            rankings.append(ranking)
        if mode == "hybrid+rescore":
            rankings = self._rescore(query, rankings)
        return [ranking[:k] for ranking in rankings]

    def _rescore(
        self, query: np.ndarray, rankings: list[list[tuple[int, float]]]
    ) -> list[list[tuple[int, float]]]:
        """Re-rank each question's first ``RESCORE_DEPTH`` candidates by their best sentence
        (``qa.rescore``). Sentence vectors come from, and stay in, the answer's cache."""
        heads = [[chunk_id for chunk_id, _ in ranking[:RESCORE_DEPTH]] for ranking in rankings]
        chunks = self.store.chunks(list({c for head in heads for c in head}))
        articles = {a.id: a for a in self.store.articles({c.article_id for c in chunks.values()})}
        stored = {a.id: self.store.sentences(a.id, a.text) for a in articles.values()}
        sentences: dict[int, list[str]] = {}  # chunk id -> the texts of its sentences
        for chunk_id, chunk in chunks.items():
            if chunk.partial:  # a piece of one over-long sentence: score the piece itself
                text = articles[chunk.article_id].text[chunk.start : chunk.end]
                sentences[chunk_id] = [text]
            else:
                span = stored[chunk.article_id][chunk.first_sentence : chunk.last_sentence + 1]
                sentences[chunk_id] = [s.text for s in span]
        unique = list(dict.fromkeys(t for texts in sentences.values() for t in texts))
        row_of = {text: row for row, text in enumerate(unique)}
        found = self._embed_cached(unique) if unique else np.zeros((0, query.shape[1]))
        rescored = []
        for question, ranking, head in zip(query, rankings, heads, strict=True):
            rows = [row_of[t] for c in head for t in sentences[c]]
            owners = [i for i, c in enumerate(head) for _ in sentences[c]]
            best = best_sentence_scores(question, found[rows], owners, len(head))
            rescored.append(rescore(ranking, best))
        return rescored

    def _passages(self, ranking: list[tuple[int, float]]) -> list[Passage]:
        chunks = self.store.chunks([chunk_id for chunk_id, _ in ranking])
        articles = {a.id: a for a in self.store.articles({c.article_id for c in chunks.values()})}
        sentences: dict[str, list[Sentence]] = {}
        passages = []
        ranking = [(c, score) for c, score in ranking if c in chunks]  # deleted meanwhile
        for rank, (chunk_id, score) in enumerate(ranking, start=1):
            chunk = chunks[chunk_id]
            article = articles[chunk.article_id]
            if article.id not in sentences:
                sentences[article.id] = self.store.sentences(article.id, article.text)
            passages.append(
                Passage(
                    score=score,
                    chunk_id=chunk_id,
                    text=article.text[chunk.start : chunk.end],
                    start=chunk.start,
                    end=chunk.end,
                    article=article,
                    sentences=tuple(
                        sentences[article.id][chunk.first_sentence : chunk.last_sentence + 1]
                    ),
                    rank=rank,
                )
            )
        return passages

    # -- answering --------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[Answer] | None = None,
        *,
        filters: Filters | None = None,
        mode: str = DEFAULT_MODE,
        today: date | None = None,
        abstain_below: float = ABSTAIN_BELOW,
    ) -> Answer:
        """Answer with sentences quoted from the articles, each cited exactly, or abstain.

        ``history`` is the conversation so far (earlier ``Answer``s, oldest first): follow-ups
        like "What else did he say?" or "And Hasanov?" are resolved against it, and the
        resolved question is reported in ``Answer.resolved_question``. Time words ("last
        week", "in March 2025") become a date filter relative to ``today`` (default: the
        newest article's date); how they were read is reported in ``Answer.notes``.
        ``abstain_below`` is the answer score under which it says the articles don't answer
        (calibrated by ``python -m eval.calibrate``).
        """
        if not isinstance(question, str) or not question.strip():
            raise EmptyQuestionError("the question is empty; type a question about the articles")
        resolved = resolve_followup(question.strip(), list(history or []))
        filters = filters or Filters()
        if resolved.article_ids:
            filters = replace(filters, article_ids=resolved.article_ids)
        # One lock for the whole answer: the store connection, the caches and the sentence
        # vectors are shared by the app's worker threads.
        with self._lock:
            # Time words count only in what the user typed, not in context a follow-up added.
            query, filters, notes = self._apply_time(
                resolved.question, filters, today, asked=question
            )
            # "What did X say?" wants every article quoting X, so it looks further.
            k = SPEAKER_K if speaker_in_question(query) else ANSWER_K
            passages = self.retrieve(query, k, mode=mode, filters=filters)
            sentences_of = {
                p.article.id: self.store.sentences(p.article.id, p.article.text) for p in passages
            }
            answer = select_answer(
                query,
                passages,
                sentences_of,
                self._embed_cached,
                exclude=resolved.exclude,
                abstain_below=abstain_below,
                filtered=filters.active(),
            )
        answer = _cite_copies(answer, passages)
        shown = resolved.question if resolved.changed(question.strip()) else ""
        return replace(answer, question=question, resolved_question=shown, notes=tuple(notes))

    def _embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts, remembering sentence vectors: answering re-reads the same candidate
        sentences again and again, and embedding them is most of an answer's time."""
        cache = self._sentence_vectors
        for text in texts:
            if text in cache:
                cache.move_to_end(text)  # recently used: evicted last
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                self._sentence_vectors[text] = vector
                self._sentence_vectors.move_to_end(text)
            while len(self._sentence_vectors) > SENTENCE_CACHE:
                self._sentence_vectors.popitem(last=False)
        return np.stack([self._sentence_vectors[t] for t in texts])

    def interpret_time(
        self, question: str, filters: Filters | None = None, today: date | None = None
    ) -> tuple[str, Filters, list[str]]:
        """(question without its time words, filters narrowed to them, notes saying how
        they were read). ``ask`` does this itself; use it before ``retrieve`` to get the same
        reading of "last week" or "in March 2025"."""
        with self._lock:
            return self._apply_time(question, filters or Filters(), today)

    def _apply_time(
        self, question: str, filters: Filters, today: date | None, asked: str = ""
    ) -> tuple[str, Filters, list[str]]:
        """Turn "last week", "in March 2025"... into a date filter, relative to ``today``
        (default: the newest article's date, so an archive is read as of its own time).
        Only words of ``asked`` (the user's own question) count when it is given."""
        reference = today or self._newest_date()
        found = find_time_range(asked or question, reference) if reference else None
        if found is not None and found.phrase not in question:
            found = None
        if found is None:
            return question, filters, []
        since = max(filter(None, [found.since, filters.since]), default="")
        until = min(filter(None, [found.until, filters.until]), default="")
        narrowed = replace(filters, since=since, until=until)
        matching = self.store.chunk_ids_where(
            narrowed.sources, since or None, until or None, narrowed.article_ids
        )
        if not len(matching):
            note = (
                f"dates: {found.description}, but no article is dated then; searched all dates"
            )
            return question, filters, [note]
        note = f"dates: {found.description}"
        return strip_time_phrase(question, found) or question, narrowed, [note]

    def _newest_date(self) -> date | None:
        newest = self.store.date_range()[1]
        try:
            return date.fromisoformat(newest[:10]) if newest else None
        except ValueError:
            return None

    # -- reading -----------------------------------------------------------------------
    def articles(self) -> list[Article]:
        with self._lock:
            return self.store.articles()

    def article(self, article_id: str) -> Article:
        with self._lock:
            article = self.store.article(article_id)
        if article is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r}")
        return article

    def sentences(self, article_id: str) -> list[Sentence]:
        with self._lock:
            return self.store.sentences(article_id)

    def info(self) -> dict[str, object]:
        with self._lock:
            self._refresh_caches()
            manifest = self.store.manifest()
            first, last = self.store.date_range()
            files = [p for p in self.folder.rglob("*") if p.is_file()]
            return {
                "index": str(self.folder),
                **self.store.counts(),
                "model": manifest["model"],
                "backend": manifest.get("backend", "torch"),
                "dimension": manifest["dimension"],
                "tokenizer": manifest["tokenizer"],
                "chunk_tokens": manifest["chunk_tokens"],
                "overlap_sentences": manifest["overlap_sentences"],
                "schema_version": manifest["schema_version"],
                "generation": manifest["generation"],
                "dense_index": vectors.index_type(self._dense),
                "sources": dict(self.store.sources()),
                "published_from": first,
                "published_to": last,
                "size_bytes": sum(p.stat().st_size for p in files),
            }


def _cite_copies(answer: Answer, passages: Sequence[Passage]) -> Answer:
    """A cited sentence that a syndicated copy carries word for word lists that copy too."""
    copies = {p.article.id: p.also_reported_by for p in passages if p.also_reported_by}
    if not copies:
        return answer
    citations = tuple(
        replace(
            c,
            also_in=c.also_in
            + tuple(
                a
                for a in copies.get(c.article.id, ())
                if c.sentence in a.text and a not in c.also_in
            ),
        )
        for c in answer.citations
    )
    return replace(answer, citations=citations)


def _check_compatible(
    path: Path, manifest: dict, embedder: Embedder | None, model: str | None, backend: str | None
) -> Embedder:
    rebuild = f"rebuild it: delete {path}/ and run python -m qa ingest FILES --index {path}"
    if int(manifest.get("schema_version", 0)) != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the index at {path}/ has schema version {manifest.get('schema_version')}, this "
            f"newsqa reads version {SCHEMA_VERSION}; {rebuild}"
        )
    wanted = model or (embedder.name if embedder else None) or str(manifest["model"])
    if wanted != manifest["model"]:
        raise IndexMismatchError(
            f"the index at {path}/ was built with model {manifest['model']!r}, not {wanted!r}; "
            f"open it without naming a model, or {rebuild} --model {wanted}"
        )
    # Indexes made before backends were recorded hold torch vectors.
    stored = str(manifest.get("backend", "torch"))
    asked = backend or (backend_of(embedder) if embedder else "")
    if not asked and embedder is None and stored:
        # The default backend when it makes the stored kind of vectors (torch and ONNX fp32
        # are identical to float precision), else the stored one: int8 indexes stay int8.
        asked = default_backend()
        if vector_kind(asked) != vector_kind(stored):
            asked = stored
    if asked and stored and vector_kind(asked) != vector_kind(stored):
        raise IndexMismatchError(
            f"the index at {path}/ holds vectors made by the {stored!r} backend, and the "
            f"{asked!r} backend makes different ones (mixing them would skew every score); "
            f"open it with backend={stored!r} (NEWSQA_BACKEND={stored}), or {rebuild} "
            f"--backend {asked}"
        )
    embedder = embedder or get_embedder(wanted, asked or None)
    if embedder.dimension != manifest["dimension"]:
        raise IndexMismatchError(
            f"the index at {path}/ holds {manifest['dimension']}-d vectors but model "
            f"{embedder.name!r} makes {embedder.dimension}-d ones; {rebuild}"
        )
    return embedder


def _content_hash(article: Article) -> str:
    fields = (
        article.title,
        article.text,
        article.source,
        article.url,
        article.published,
        article.author,
    )
    return hashlib.sha1("\x1f".join(fields).encode("utf-8")).hexdigest()


def open_index(folder: str | Path = DEFAULT_INDEX_DIR, **options) -> Index:
    """Open an existing index (see ``Index.open`` for options)."""
    return Index.open(folder, **options)
