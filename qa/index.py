"""``Index``: the public front of an index folder. It opens the store, checks the model, and
hands each call to the step that does the work:

    ingest / add / delete     qa.ingest     (segment, chunk, embed, write; qa.caches refreshed)
    retrieve / retrieve_many  qa.search     (dense + BM25, fused; passages with sentences)
    ask / interpret_time      qa.answer     (follow-ups, time words, cited sentences)
    info / articles / ...     qa.store

Layout of an index folder::

    newsqa.sqlite        articles, sentences (offsets), chunks (+ vectors), manifest
    dense-<gen>.faiss    FAISS index of chunk vectors keyed by chunk id   (derived cache)
    bm25-<gen>/          bm25s index of chunk terms                        (derived cache)

Thread-safe: one lock guards the store connection and the caches, held for every read and
write but never while an ingest embeds (questions are answered during a large upload).

About 470 lines, all of them the public surface (opening and its checks, one short method
per operation) and the model-compatibility rules; the work itself is in the modules above.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qa import answer
from qa.caches import SearchCaches
from qa.chunk import DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_SENTENCES, TOKENIZER_NAME
from qa.embed import (
    DEFAULT_MODEL,
    Embedder,
    backend_of,
    default_backend,
    get_embedder,
    vector_kind,
)
from qa.errors import ArticleNotFoundError, IndexMismatchError, IndexNotFoundError
from qa.fusion import DEFAULT_MODE
from qa.records import Answer, Article, Filters, IndexInfo, IngestReport, Passage, Sentence
from qa.safety import write_error, writer_lock
from qa.search import Searcher
from qa.sentence_vectors import SentenceVectors
from qa.store import DB_NAME, SCHEMA_VERSION, Store, corrupt_error, is_corruption

if TYPE_CHECKING:
    from qa.ingest import Ingester

DEFAULT_INDEX_DIR = "index"

__all__ = [
    "DEFAULT_INDEX_DIR",
    "Filters",
    "Index",
    "IngestReport",
    "open_index",
    "rebuild_index",
]


class Index:
    """A persistent index of articles (see the module docstring)."""

    def __init__(self, folder: Path, store: Store, embedder: Embedder) -> None:
        self.folder = folder
        self.store = store
        self.embedder = embedder
        self._lock = threading.RLock()
        settings = store.manifest()
        self.chunk_tokens = int(settings["chunk_tokens"])  # type: ignore[arg-type]
        self.overlap = int(settings["overlap_sentences"])  # type: ignore[arg-type]
        self.caches = SearchCaches(folder, store, embedder.dimension)
        self.searcher = Searcher(store, self.caches, embedder, SentenceVectors(embedder, store))
        self._ingester: Ingester | None = None

    @property
    def ingester(self) -> Ingester:
        """The ingest step, made on first use: answering questions never loads the
        segmenter, the entity model or the near-duplicate finder."""
        if self._ingester is None:
            from qa.ingest import Ingester

            self._ingester = Ingester(
                self.store, self.embedder, self.chunk_tokens, self.overlap, self._lock,
                self.caches.refresh,
            )  # fmt: skip
        return self._ingester

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
        size_before = (path / DB_NAME).stat().st_size if exists else 0
        had_caches = any(path.glob("dense-*.faiss")) or any(path.glob("bm25-*"))
        if exists and not size_before and (not create or had_caches):
            # An empty database file beside an index's caches lost its pages; alone, it is
            # a crash while creating one. Never silently make a damaged index a new one.
            raise corrupt_error(path / DB_NAME, "it has no newsqa manifest")
        store = Store(path)
        try:
            manifest = store.manifest()
        except sqlite3.DatabaseError as error:
            store.close()
            raise (corrupt_error(store.path, error) if is_corruption(error) else error) from None
        if not manifest and size_before:  # not written by newsqa, or lost its manifest
            store.close()
            raise corrupt_error(store.path, "it has no newsqa manifest")
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
    def ingest(
        self,
        paths: Iterable[str | Path],
        progress: bool = False,
        engine: str = "local",
        follow_links: bool = False,
    ) -> IngestReport:
        """Load files and folders of articles and add them; bad files are skipped and
        reported, never fatal. Links out of a folder are skipped unless ``follow_links``.
        ``engine="ray"`` runs it on Ray (see ``add``)."""
        if _check_engine(engine) == "ray":  # the Ray engine (qa.distributed)
            from qa.distributed.ingest import load_paths_ray

            loaded = load_paths_ray(paths, follow_links=follow_links)
        else:
            from qa.load import load_paths

            loaded = load_paths(paths, follow_links=follow_links)
        report = self.add(loaded.articles, progress=progress, engine=engine)
        report.skipped[:0] = loaded.skipped
        return report

    def add(
        self, articles: Sequence[Article], progress: bool = False, engine: str = "local"
    ) -> IngestReport:
        """Add articles: unchanged ones are skipped (no new vectors), changed ones replaced.
        One writer at a time per index folder, across processes (``qa.safety``).
        ``engine="ray"`` prepares and embeds them on Ray (``qa.distributed.ingest``: the
        cluster at ``$RAY_ADDRESS``, else a local Ray) and stores the same chunks and
        vectors as the default ``"local"`` engine."""
        with self._writing():
            if _check_engine(engine) == "ray":  # the Ray engine (qa.distributed)
                from qa.distributed.ingest import add_with_ray

                return add_with_ray(self.ingester, articles, progress=progress)
            return self.ingester.add(articles, progress=progress)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the index's writer lock; a failed write (disk full) becomes one clear
        ``IndexWriteError`` and leaves the last committed state."""
        with writer_lock(self.folder):
            try:
                yield
            except Exception as error:
                failure = write_error(self.folder, error)
                if failure is None:
                    raise
                raise failure from error

    def delete(self, id_or_url: str) -> Article:
        """Remove an article (by id or url) with its sentences, chunks and vectors."""
        with self._writing(), self._lock:
            from qa.load import article_id

            wanted = id_or_url.strip()
            by_url = article_id(wanted, "") if "://" in wanted else ""
            found = self.store.find_article_id(wanted, by_url)
            article = self.store.article(found) if found else None
            if article is None:
                raise ArticleNotFoundError(
                    f"no article with id or url {id_or_url!r}; list ids with: python -m qa info "
                    f"--index {self.folder} --articles"
                )
            with self.store.transaction():
                self.store.delete_article(article.id)
                self.store.bump_generation()
            if self._ingester is not None:
                self._ingester.forget(article.id)
            self.caches.refresh()
            return article

    # -- retrieval ---------------------------------------------------------------------
    def retrieve(
        self,
        question: str,
        k: int = 10,
        *,
        mode: str = DEFAULT_MODE,
        filters: Filters | None = None,
        today: date | None = None,
    ) -> list[Passage]:
        """The ``k`` passages that best match ``question``, best first. ``today``: the date
        it is asked on (see ``retrieve_many``)."""
        return self.retrieve_many([question], k, mode=mode, filters=filters, today=today)[0]

    def retrieve_many(
        self,
        questions: Sequence[str],
        k: int = 10,
        *,
        mode: str = DEFAULT_MODE,
        filters: Filters | None = None,
        today: date | None = None,
    ) -> list[list[Passage]]:
        """Batch retrieval: one list of passages per question (embeds all questions at once).
        ``today`` is the date the questions are asked on: a question naming no time then
        prefers recent stories (a prior learned from data, ``qa.fusion.recency_prior``), as
        it does on a live index without it; "latest" questions look for the newest report
        up to it. Time words in a question are read by ``interpret_time``, not here."""
        with self._lock, self.store.snapshot():
            found = self.searcher.search(list(questions), k, mode, filters, today)
        return [retrieved.passages for retrieved in found]

    # -- answering --------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[Answer] | None = None,
        *,
        filters: Filters | None = None,
        mode: str = DEFAULT_MODE,
        today: date | None = None,
        abstain_below: float | None = None,
    ) -> Answer:
        """Answer with sentences quoted from the articles, each cited exactly, or abstain.

        ``history`` is the conversation so far (earlier ``Answer``s, oldest first): follow-ups
        like "What else did he say?" or "And Hasanov?" are resolved against it, and the
        resolved question is reported in ``Answer.resolved_question``. Time words ("in March
        2025") become a date filter, a narrow period ("last week", "on Monday") a preference,
        relative to ``today``, the date the question is asked on (default: the newest
        article's date; see ``retrieve_many`` for what else a date asked on changes); how
        they were read is reported in ``Answer.notes``.
        ``abstain_below`` is the confidence under which it says the articles don't answer:
        ``Answer.confidence`` is the answer model's best probability that a candidate
        answers (default threshold in its manifest, ``qa/models/reader.json``) or, for a
        question longer than it was trained on or with ``NEWSQA_ANSWER_SCORER=hand``, the
        abstention model's probability that the articles answer (``qa/answer/abstain.json``,
        its threshold learned with it by ``python -m eval.train_selector``); 0 never abstains.
        """
        # One lock for the whole answer: the store connection, the caches and the sentence
        # vectors are shared by the app's worker threads. One snapshot too: another process
        # committing a batch meanwhile is seen entirely or not at all.
        with self._lock, self.store.snapshot():
            return answer.ask(
                self.searcher,
                question,
                history or (),
                filters=filters,
                mode=mode,
                today=today,
                abstain_below=abstain_below,
            )

    def interpret_time(
        self, question: str, filters: Filters | None = None, today: date | None = None
    ) -> tuple[str, Filters, list[str]]:
        """(question without its time words, filters narrowed to them — a date filter, or
        for a narrow period ``Filters.prefer_since``/``prefer_until`` — notes saying how
        they were read). ``ask`` does this itself; use it before ``retrieve`` to get the same
        reading of "last week" or "in March 2025"."""
        with self._lock, self.store.snapshot():
            return answer.interpret_time(self.store, question, filters or Filters(), today)

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

    def info(self) -> IndexInfo:
        with self._lock, self.store.snapshot():
            self.caches.refresh()
            manifest = self.store.manifest()
            first, last = self.store.date_range()
            counts = self.store.counts()
            return IndexInfo(
                index=str(self.folder),
                articles=counts["articles"],
                sentences=counts["sentences"],
                chunks=counts["chunks"],
                model=str(manifest["model"]),
                backend=str(manifest.get("backend", "torch")),
                dimension=int(manifest["dimension"]),  # type: ignore[arg-type]
                tokenizer=str(manifest["tokenizer"]),
                chunk_tokens=int(manifest["chunk_tokens"]),  # type: ignore[arg-type]
                overlap_sentences=int(manifest["overlap_sentences"]),  # type: ignore[arg-type]
                schema_version=int(manifest["schema_version"]),  # type: ignore[arg-type]
                generation=int(manifest["generation"]),  # type: ignore[arg-type]
                dense_index=self.caches.dense.kind,
                sources=dict(self.store.sources()),
                published_from=first,
                published_to=last,
                size_bytes=_folder_size(self.folder),
            )


ENGINES = ("local", "ray")  # where ingest runs


def _check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown ingest engine {engine!r}; use one of {', '.join(ENGINES)}")
    return engine


def _folder_size(folder: Path) -> int:
    """Bytes under ``folder``; files another process removes meanwhile (old caches) count 0."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with suppress(FileNotFoundError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


def _check_compatible(
    path: Path, manifest: dict, embedder: Embedder | None, model: str | None, backend: str | None
) -> Embedder:
    rebuild = f"rebuild it: delete {path}/ and run python -m qa ingest FILES --index {path}"
    version = int(manifest.get("schema_version", 0))
    if version < SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the index at {path}/ was built by an older newsqa (schema {version}; this one "
            f"reads {SCHEMA_VERSION}); rebuild it from the articles it holds with: "
            f"python -m qa rebuild --index {path}"
        )
    if version != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the index at {path}/ has schema version {version}, newer than this newsqa reads "
            f"({SCHEMA_VERSION}); upgrade newsqa, or {rebuild}"
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


def rebuild_index(folder: str | Path, progress: bool = False) -> IngestReport:
    """Re-make the index in ``folder`` with this version of newsqa from the articles it holds
    (its model and chunk settings kept). Articles whose source file still exists are read
    from it again, so their layout (headings, lists) is known. The old index is kept beside
    it as ``<folder>.old`` until the new one is complete, then removed."""
    path = Path(folder)
    if not (path / DB_NAME).exists():
        raise IndexNotFoundError(f"no index at {path}/ to rebuild")
    old = Store(path)
    try:
        manifest = old.manifest()
        articles = old.articles_any_schema()
    finally:
        old.close()
    from qa.load import load_paths

    reread = []
    for article in articles:
        fresh: Article | None = None
        if article.path and Path(article.path).is_file():
            loaded = load_paths([article.path]).articles
            fresh = next((a for a in loaded if a.id == article.id), None)
        reread.append(fresh or article)
    staging = path.with_name(path.name + ".rebuild")
    shutil.rmtree(staging, ignore_errors=True)
    with Index.open(
        staging,
        create=True,
        model=str(manifest.get("model", DEFAULT_MODEL)),
        backend=str(manifest.get("backend", "")) or None,
        chunk_tokens=int(manifest.get("chunk_tokens", DEFAULT_CHUNK_TOKENS)),  # type: ignore[arg-type]
        overlap=int(manifest.get("overlap_sentences", DEFAULT_OVERLAP_SENTENCES)),  # type: ignore[arg-type]
    ) as index:
        report = index.add(reread, progress=progress)
    backup = path.with_name(path.name + ".old")
    shutil.rmtree(backup, ignore_errors=True)
    os.replace(path, backup)
    os.replace(staging, path)
    shutil.rmtree(backup, ignore_errors=True)
    return report


def open_index(folder: str | Path = DEFAULT_INDEX_DIR, **options) -> Index:
    """Open an existing index (see ``Index.open`` for options)."""
    return Index.open(folder, **options)
