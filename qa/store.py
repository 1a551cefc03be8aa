"""The SQLite store: articles, sentences with offsets, chunks with their vectors, a manifest.

SQLite is the source of truth. The FAISS and BM25 files beside it are derived caches
stamped with the store's ``generation``; a cache whose stamp is stale (say, after a crash
between the SQLite commit and the cache write) is rebuilt from the vectors kept here, so a
crash can never leave an index that disagrees with its store.

One cohesive thing (~530 lines): every SQL statement of the product is here, so the schema,
its migrations and the transaction and snapshot rules can be read in one place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import ArticleNotFoundError, IndexCorruptError
from qa.records import Article, Block, ChunkSpan, Sentence
from qa.structure import searchable_text

SCHEMA_VERSION = 2  # 2: article layout, sentence headings/sections, chunk context
DB_NAME = "newsqa.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    minhash BLOB,                -- near-duplicate signature (qa.dedup)
    duplicate_of TEXT,           -- the group's representative (NULL for a representative)
    blocks TEXT NOT NULL DEFAULT '[]'  -- the layout the format gave (qa.records.Block)
);
CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE TABLE IF NOT EXISTS sentences (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    heading INTEGER NOT NULL DEFAULT 0,  -- a heading, label, byline: context, never an answer
    section INTEGER NOT NULL DEFAULT 0,  -- which story of a multi-story page
    vector BLOB,  -- float16, pooled from its chunk's embedding (qa.embed.embed_with_spans)
    entities TEXT NOT NULL DEFAULT '[]',  -- [[start, end, label], ...] in the sentence
    PRIMARY KEY (article_id, idx)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL,
    last_sentence INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,
    partial INTEGER NOT NULL,
    context TEXT NOT NULL DEFAULT '',  -- title and headings: searched with the chunk, not cited
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
"""


@dataclass(frozen=True)
class StoredChunk:
    id: int
    article_id: str
    start: int
    end: int
    first_sentence: int
    last_sentence: int
    partial: bool
    context: str = ""


class Store:
    """Thin typed access to the SQLite file through one connection. ``Index`` serialises
    every use of it with its lock, so the app's worker threads can share one Store."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / DB_NAME
        self.db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30
        )
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            self.db.close()
            if isinstance(error, sqlite3.OperationalError) and not _is_corruption(error):
                raise  # locked, read-only, unable to open: not damage
            raise corrupt_error(self.path, error) from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a crash inside leaves the store as it was before."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # SQLite has already rolled back after some errors (a failed write, disk full):
            # a second ROLLBACK would raise and hide the error that matters.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one committed state of the store, even while another process
        commits batches (a WAL read transaction); nested uses share the outer one."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")  # deferred: the snapshot is taken at the first read
        try:
            yield
        finally:
            if self.db.in_transaction:
                self.db.execute("COMMIT")  # nothing was written: this only ends the read

    # -- manifest ---------------------------------------------------------------------
    def manifest(self) -> dict[str, object]:
        rows = self.db.execute("SELECT key, value FROM manifest").fetchall()
        return {key: json.loads(value) for key, value in rows}

    def set_manifest(self, **values: object) -> None:
        self.db.executemany(
            "INSERT INTO manifest(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [(key, json.dumps(value)) for key, value in values.items()],
        )

    def generation(self) -> int:
        return int(self.manifest().get("generation", 0))  # type: ignore[arg-type]

    def bump_generation(self) -> int:
        generation = self.generation() + 1
        self.set_manifest(generation=generation)
        return generation

    # -- articles ---------------------------------------------------------------------
    def content_hash(self, article_id: str) -> str | None:
        row = self.db.execute(
            "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def insert_article(
        self,
        article: Article,
        content_hash: str,
        minhash: bytes | None = None,
        duplicate_of: str | None = None,
    ) -> None:
        blocks = json.dumps([[b.start, b.kind, b.level] for b in article.blocks])
        self.db.execute(
            "INSERT INTO articles(id, title, text, source, url, published, author, path, "
            "content_hash, minhash, duplicate_of, blocks) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id, article.title, article.text, article.source, article.url,
                article.published, article.author, article.path, content_hash, minhash,
                duplicate_of, blocks,
            ),
        )  # fmt: skip

    # -- near-duplicate groups --------------------------------------------------------
    def signatures(self) -> list[tuple[str, bytes]]:
        return self.db.execute(
            "SELECT id, minhash FROM articles WHERE minhash IS NOT NULL"
        ).fetchall()

    def representative(self, article_id: str) -> str:
        row = self.db.execute(
            "SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else article_id

    def representatives(self, article_ids: Iterable[str]) -> dict[str, str]:
        rows = _select_in(
            self.db,
            "SELECT id, coalesce(duplicate_of, id) FROM articles WHERE id IN ({})",
            list(dict.fromkeys(article_ids)),
        )
        return dict(rows)

    def has_duplicates(self) -> bool:
        row = self.db.execute("SELECT 1 FROM articles WHERE duplicate_of IS NOT NULL LIMIT 1")
        return row.fetchone() is not None

    def group_members(self, representatives: Iterable[str]) -> dict[str, list[Article]]:
        """Each representative's group (itself first, then its copies in insertion order)."""
        wanted = list(dict.fromkeys(representatives))
        rows = _select_in(
            self.db,
            f"SELECT coalesce(duplicate_of, id), {_ARTICLE_COLUMNS} FROM articles "
            "WHERE id IN ({0}) OR duplicate_of IN ({0}) ORDER BY duplicate_of IS NOT NULL, rowid",
            wanted,
            repeat=2,
        )
        groups: dict[str, list[Article]] = {rep: [] for rep in wanted}
        for row in rows:
            groups.setdefault(row[0], []).append(_article(row[1:]))
        return groups

    def regroup_after_delete(self, article_id: str) -> None:
        """When a group's representative goes, its oldest copy represents the rest."""
        copies = [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM articles WHERE duplicate_of = ? ORDER BY rowid", (article_id,)
            )
        ]
        if copies:
            self.db.execute("UPDATE articles SET duplicate_of = NULL WHERE id = ?", (copies[0],))
            self.db.execute(
                "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ?",
                (copies[0], article_id),
            )

    def delete_article(self, article_id: str) -> list[int]:
        """Remove an article with its sentences and chunks; returns the removed chunk ids.
        Copies it represented get a new representative."""
        self.regroup_after_delete(article_id)
        chunk_ids = [
            row[0]
            for row in self.db.execute("SELECT id FROM chunks WHERE article_id = ?", (article_id,))
        ]
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return chunk_ids

    def find_article_id(self, id_or_url: str, id_from_url: str = "") -> str | None:
        """The id of the article with this id or url. A url matches however it is written
        when the caller passes the id derived from it (``qa.load.article_id``)."""
        if not id_or_url.strip():
            return None
        row = self.db.execute(
            "SELECT id FROM articles WHERE id IN (?, ?) OR (url != '' AND url = ?) LIMIT 1",
            (id_or_url, id_from_url or id_or_url, id_or_url),
        ).fetchone()
        return row[0] if row else None

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _article(row) if row else None

    def articles_any_schema(self) -> list[Article]:
        """Every article as written by any schema version (for a rebuild): the columns all
        versions have, plus the layout where it was stored."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}
        wanted = [c for c in _ARTICLE_COLUMNS.split(", ") if c in columns]
        rows = self.db.execute(f"SELECT {', '.join(wanted)} FROM articles ORDER BY rowid")
        found = []
        for row in rows:
            values = dict(zip(wanted, row, strict=True))
            blocks = json.loads(values.pop("blocks", "[]") or "[]")
            found.append(Article(**values, blocks=tuple(Block(*b) for b in blocks)))
        return found

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        if ids is None:
            rows = self.db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY published, title"
            ).fetchall()
        else:
            wanted = list(dict.fromkeys(ids))
            rows = _select_in(
                self.db, f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({{}})", wanted
            )
        return [_article(row) for row in rows]

    # -- sentences and chunks -----------------------------------------------------------
    def insert_sentences(
        self, sentences: Sequence[Sentence], vectors: Sequence[np.ndarray | None] | None = None
    ) -> None:
        """Store sentences, with their vectors when given (kept as float16: half the room,
        and a cosine changes by ~1e-3)."""
        vectors = vectors if vectors is not None else [None] * len(sentences)
        self.db.executemany(
            "INSERT INTO sentences(article_id, idx, start, end, paragraph, heading, section, "
            "vector, entities) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s.article_id, s.index, s.start, s.end, s.paragraph, int(s.heading),
                    s.section, None if v is None else np.asarray(v, np.float16).tobytes(),
                    json.dumps([list(e) for e in s.entities]),
                )
                for s, v in zip(sentences, vectors, strict=True)
            ],
        )  # fmt: skip

    def sentence_vectors(
        self, keys: Sequence[tuple[str, int]], dimension: int
    ) -> dict[tuple[str, int], np.ndarray]:
        """The stored vectors of these (article id, sentence index) keys, as float32; keys
        without one are left out."""
        found: dict[tuple[str, int], np.ndarray] = {}
        by_article: dict[str, list[int]] = {}
        for article_id, index in keys:
            by_article.setdefault(article_id, []).append(index)
        for article_id, indices in by_article.items():
            rows = _select_in(
                self.db,
                "SELECT idx, vector FROM sentences WHERE article_id = ? AND vector IS NOT NULL "
                "AND idx IN ({})",
                indices,
                prefix=[article_id],
            )
            for index, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
                if len(vector) == dimension:
                    found[(article_id, index)] = vector
        return found

    def sentences(self, article_id: str, text: str | None = None) -> list[Sentence]:
        if text is None:
            row = self.db.execute("SELECT text FROM articles WHERE id = ?", (article_id,))
            found = row.fetchone()
            if found is None:
                raise ArticleNotFoundError(f"no article with id {article_id!r}")
            text = found[0]
        rows = self.db.execute(
            "SELECT idx, start, end, paragraph, heading, section, entities FROM sentences "
            "WHERE article_id = ? ORDER BY idx",
            (article_id,),
        ).fetchall()
        return [
            Sentence(article_id, i, s, e, text[s:e], p, bool(h), section, _entities(found))
            for i, s, e, p, h, section, found in rows
        ]

    def insert_chunks(
        self,
        article_id: str,
        chunks: Sequence[ChunkSpan],
        vectors: np.ndarray,
        contexts: Sequence[str] | None = None,
    ) -> list[int]:
        ids = []
        contexts = contexts if contexts is not None else [""] * len(chunks)
        for chunk, vector, context in zip(chunks, vectors, contexts, strict=True):
            cursor = self.db.execute(
                "INSERT INTO chunks(article_id, start, end, first_sentence, last_sentence, "
                "n_tokens, partial, context, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    chunk.start,
                    chunk.end,
                    chunk.first_sentence,
                    chunk.last_sentence,
                    chunk.n_tokens,
                    int(chunk.partial),
                    context,
                    np.asarray(vector, dtype=np.float32).tobytes(),
                ),
            )
            ids.append(int(cursor.lastrowid))
        return ids

    def chunks(self, ids: Sequence[int]) -> dict[int, StoredChunk]:
        rows = _select_in(
            self.db,
            "SELECT id, article_id, start, end, first_sentence, last_sentence, partial, context "
            "FROM chunks WHERE id IN ({})",
            list(ids),
        )
        return {row[0]: StoredChunk(*row[:6], bool(row[6]), row[7]) for row in rows}

    def all_vectors(self, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, vectors) of every chunk, in id order."""
        rows = self.db.execute("SELECT id, vector FROM chunks ORDER BY id").fetchall()
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
        return ids, vectors.reshape(len(rows), dimension)

    def chunk_ids(self) -> np.ndarray:
        rows = self.db.execute("SELECT id FROM chunks ORDER BY id").fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def vectors(self, ids: np.ndarray, dimension: int) -> np.ndarray:
        """The vectors of these chunks, in the order given."""
        rows = dict(_select_in(self.db, "SELECT id, vector FROM chunks WHERE id IN ({})",
                               [int(i) for i in ids]))
        blob = b"".join(rows[int(i)] for i in ids)
        return np.frombuffer(blob, dtype=np.float32).reshape(len(ids), dimension)

    def all_chunk_texts(self, with_context: bool = False) -> tuple[np.ndarray, list[str]]:
        """(chunk ids, texts) of every chunk in id order; ``with_context`` prefixes each text
        with its context line, as it is embedded and keyword-indexed."""
        # Sliced in Python: character offsets are Python str indices, SQLite's substr() is not
        # always the same thing (it stops at a NUL, for one).
        texts = dict(self.db.execute("SELECT id, text FROM articles"))
        rows = self.db.execute(
            "SELECT id, article_id, start, end, context FROM chunks ORDER BY id"
        ).fetchall()
        chunk_texts = [texts[r[1]][r[2] : r[3]] for r in rows]
        if with_context:
            chunk_texts = [searchable_text(r[4], t) for r, t in zip(rows, chunk_texts, strict=True)]
        return np.array([r[0] for r in rows], dtype=np.int64), chunk_texts

    def chunk_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """These chunks' texts with their context lines, as they are keyword-indexed."""
        rows = _select_in(
            self.db,
            "SELECT c.id, c.start, c.end, c.context, a.text FROM chunks c "
            "JOIN articles a ON a.id = c.article_id WHERE c.id IN ({})",
            [int(i) for i in ids],
        )
        return {row[0]: searchable_text(row[3], row[4][row[1] : row[2]]) for row in rows}

    def published_of_chunks(self, ids: Sequence[int]) -> dict[int, str]:
        """Each chunk's article publication date (YYYY-MM-DD), "" when undated."""
        rows = _select_in(
            self.db,
            "SELECT c.id, substr(a.published, 1, 10) FROM chunks c "
            "JOIN articles a ON a.id = c.article_id WHERE c.id IN ({})",
            [int(i) for i in ids],
        )
        return dict(rows)

    def chunk_ids_where(
        self,
        sources: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        article_ids: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Ids of the chunks whose article passes every given filter."""
        clauses, params = ["1 = 1"], []
        if sources:
            clauses.append(f"lower(a.source) IN ({', '.join('?' * len(sources))})")
            params += [s.lower() for s in sources]
        if since:
            clauses.append("a.published != '' AND substr(a.published, 1, 10) >= ?")
            params.append(since[:10])
        if until:
            clauses.append("a.published != '' AND substr(a.published, 1, 10) <= ?")
            params.append(until[:10])
        if article_ids:
            clauses.append(f"a.id IN ({', '.join('?' * len(article_ids))})")
            params += list(article_ids)
        rows = self.db.execute(
            "SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id WHERE "
            + " AND ".join(clauses),
            params,
        ).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def counts(self) -> dict[str, int]:
        count = lambda table: self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        return {t: int(count(t)) for t in ("articles", "sentences", "chunks")}

    def sources(self) -> list[tuple[str, int]]:
        return self.db.execute(
            "SELECT source, count(*) FROM articles GROUP BY source ORDER BY count(*) DESC"
        ).fetchall()

    def newest_date(self, not_after: str) -> str:
        """The newest publication date (YYYY-MM-DD) on or before ``not_after``, "" if none."""
        row = self.db.execute(
            "SELECT max(substr(published, 1, 10)) FROM articles "
            "WHERE published != '' AND substr(published, 1, 10) <= ?",
            (not_after[:10],),
        ).fetchone()
        return row[0] or ""

    def date_range(self) -> tuple[str, str]:
        row = self.db.execute(
            "SELECT min(published), max(published) FROM articles WHERE published != ''"
        ).fetchone()
        return (row[0] or "", row[1] or "")


_ARTICLE_COLUMNS = "id, title, text, source, url, published, author, path, blocks"


def _entities(stored: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((a, b, label) for a, b, label in json.loads(stored)) if stored != "[]" else ()


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(error)


def is_corruption(error: BaseException) -> bool:
    """True for SQLite's "this file is damaged / not a database" errors."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    return not isinstance(error, sqlite3.OperationalError) or _is_corruption(error)


def corrupt_error(path: Path, error: BaseException | str) -> IndexCorruptError:
    """The error for a damaged index database: which file, and what to do."""
    folder = path.parent
    return IndexCorruptError(
        f"the index database {path} is damaged or not a newsqa index ({error}). Restore it "
        f"from a backup, or move the folder {folder}/ aside and build the index again from "
        f"your articles: python -m qa ingest FILES --index {folder}"
    )


def _article(row: Sequence) -> Article:
    blocks = tuple(Block(*b) for b in json.loads(row[8])) if row[8] != "[]" else ()
    return Article(*row[:8], blocks=blocks)


def _select_in(
    db: sqlite3.Connection, sql: str, values: list, repeat: int = 1, prefix: Sequence = ()
) -> list[tuple]:
    """Run ``sql`` with ``IN ({})`` filled for ``values``, in batches under SQLite's limit;
    ``repeat`` is how many times the placeholder list appears in ``sql``, ``prefix`` the
    parameters that come before it."""
    rows: list[tuple] = []
    for i in range(0, len(values), 400):
        batch = values[i : i + 400]
        params = [*prefix, *(batch * repeat)]
        rows += db.execute(sql.format(", ".join("?" * len(batch))), params).fetchall()
    return rows
