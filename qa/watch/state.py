"""What the watcher remembers, in two tables of the index's own SQLite file (see the
``qa.watch`` docstring), and the "how fresh is this index" line the chat shows from them.
Times are stored as ISO 8601 UTC text; the helpers converting them live here too."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.index import Index
    from qa.store import Store

_TABLES = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_poll TEXT NOT NULL DEFAULT '',      -- ISO 8601 UTC
    last_success TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,     -- consecutive
    next_poll TEXT NOT NULL DEFAULT '',      -- due time, or retry time while failing
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_url TEXT NOT NULL,
    entry_key TEXT NOT NULL,                 -- the entry's id/guid, else its link
    updated TEXT NOT NULL DEFAULT '',        -- the entry's updated (else published) stamp
    article_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (feed_url, entry_key)
);
"""
_STATE_COLUMNS = (
    "url, title, etag, last_modified, last_poll, last_success, failures, next_poll, last_error"
)


@dataclass
class FeedState:
    """What the watcher remembers about a feed (a row of the ``feeds`` table)."""

    url: str
    title: str = ""
    etag: str = ""
    last_modified: str = ""
    last_poll: str = ""
    last_success: str = ""
    failures: int = 0
    next_poll: str = ""
    last_error: str = ""


@contextmanager
def _store(index: Index) -> Iterator[Store]:
    """The index's store, under the index's lock: one SQLite connection is shared by the
    app's threads, and the Index serialises every use of it with that lock."""
    with index._lock:  # the one lock that guards the store (see qa.index.Index)
        yield index.store


def ensure_tables(index: Index) -> None:
    """Create the watcher's tables if missing (in one transaction; the schema version of
    the articles tables is unchanged, so the index stays readable by every newsqa)."""
    with _store(index) as store:
        if _has_tables(store):  # the usual case: no write, no fsync
            return
        with store.transaction():
            for statement in _TABLES.split(";"):
                if statement.strip():
                    store.db.execute(statement)


def _has_tables(store: Store) -> bool:
    row = store.db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
        "AND name IN ('feeds', 'feed_entries')"
    )
    return row.fetchone()[0] == 2


def feed_states(index: Index) -> dict[str, FeedState]:
    """Every watched feed's state, by url (empty for an index that was never watched)."""
    with _store(index) as store:
        if not _has_tables(store):
            return {}
        rows = store.db.execute(f"SELECT {_STATE_COLUMNS} FROM feeds ORDER BY url").fetchall()
    return {row[0]: FeedState(*row) for row in rows}


def _save(
    index: Index, state: FeedState, entries: dict[str, tuple[str, str]] | None = None
) -> None:
    """Write a feed's state and, after a full read of the feed, its entries (key ->
    (updated, article id)), replacing the previous list: the table stays as big as the feed."""
    with _store(index) as store, store.transaction():
        store.db.execute(
            f"INSERT OR REPLACE INTO feeds({_STATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                state.url, state.title, state.etag, state.last_modified, state.last_poll,
                state.last_success, state.failures, state.next_poll, state.last_error,
            ),
        )  # fmt: skip
        if entries is not None:
            store.db.execute("DELETE FROM feed_entries WHERE feed_url = ?", (state.url,))
            store.db.executemany(
                "INSERT INTO feed_entries(feed_url, entry_key, updated, article_id) "
                "VALUES (?, ?, ?, ?)",
                [(state.url, key, updated, aid) for key, (updated, aid) in entries.items()],
            )


def _known_entries(index: Index, url: str) -> dict[str, tuple[str, str]]:
    with _store(index) as store:
        rows = store.db.execute(
            "SELECT entry_key, updated, article_id FROM feed_entries WHERE feed_url = ?", (url,)
        ).fetchall()
    return {key: (updated, aid) for key, updated, aid in rows}


def _stored(index: Index, article_ids: Sequence[str]) -> set[str]:
    with _store(index) as store:
        return {aid for aid in article_ids if store.content_hash(aid) is not None}


# ---------------------------------------------------------------------------------------------
# Freshness, for the chat's header
# ---------------------------------------------------------------------------------------------


def freshness(index: Index, now: datetime | None = None) -> list[str]:
    """Parts of a "how fresh is this index" line: "newest 12 minutes ago" (when the newest
    article has a time of day) and "3 feeds, checked 2 minutes ago" (when feeds are
    watched). Empty for an index without either."""
    now = now or datetime.now(UTC)
    with _store(index) as store:
        newest = store.date_range()[1]
        rows = (
            store.db.execute("SELECT last_poll, failures FROM feeds").fetchall()
            if _has_tables(store)
            else []
        )
    parts = []
    if "T" in newest:
        with suppress(ValueError):  # a stored date that is not ISO: say nothing about it
            parts.append(f"newest {_ago(_aware(datetime.fromisoformat(newest)), now)}")
    if rows:
        polls = [p for p, _ in rows if p]
        feeds = f"{len(rows)} feed" + ("" if len(rows) == 1 else "s")
        failing = sum(1 for _, f in rows if f)
        details = [f"{failing} failing"] if failing else []
        if polls:
            details.append(f"checked {_ago(_aware(datetime.fromisoformat(max(polls))), now)}")
        parts.append(feeds + (f" ({', '.join(details)})" if details else ""))
    return parts


def _ago(when: datetime, now: datetime) -> str:
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _seconds(iso: str) -> float:
    return _aware(datetime.fromisoformat(iso)).timestamp()


def _until(iso: str) -> str:
    if not iso:
        return "later"
    wait = _seconds(iso) - time.time()
    if wait < 60:
        return f"in {max(wait, 0):.0f} s"
    if wait < 3600:
        return f"in {wait / 60:.0f} min"
    return f"at {datetime.fromisoformat(iso).astimezone().strftime('%Y-%m-%d %H:%M')}"
