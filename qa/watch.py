"""Watch RSS/Atom feeds and keep an index current: ``python -m qa watch URL... --index DIR``.

Each poll of a feed is one conditional GET (ETag / Last-Modified: a 304 costs one request and
nothing else). A changed feed's entries become articles through the feed loader's own code
(``qa.load.feed_entry_article``); an entry that carries only a summary gets its page fetched
(robots.txt, politeness delay, timeout and size limit in ``qa.fetch``) and extracted with
trafilatura (``qa.load.parse_html``) -- unless its url is already stored and the feed does not
say it was updated. ``Index.add`` then skips unchanged articles by content hash (no
re-embedding), replaces changed ones and groups near-duplicates, committing in transactions.

What the watcher remembers lives in the index's own SQLite file, in two tables this module
creates (the articles schema and its version are untouched, so any newsqa reads the index):

    feeds          one row per feed: validators, last poll, last success, failures, next poll
    feed_entries   one row per entry of a feed's latest copy: its key, "updated" stamp, article

so a restarted watcher sends the stored ETag and fetches nothing it already has. A feed that
fails (timeout, 5xx, not a feed) is reported in one line and retried with exponential
backoff (and never sooner than its Retry-After); the other feeds go on.
"""

from __future__ import annotations

import argparse
import io
import re
import signal
import sys
import threading
import time
import tomllib
import xml.sax
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import feedparser

from qa.errors import LoadError, NewsQAError
from qa.fetch import Fetcher, FetchError, Response, is_url
from qa.load import article_id, entry_has_content, feed_entry_article, make_article, parse_html
from qa.records import Article

if TYPE_CHECKING:
    from qa.index import Index, IngestReport
    from qa.store import Store

__all__ = [
    "DEFAULT_INTERVAL",
    "Feed",
    "FeedState",
    "FeedsFileError",
    "PollResult",
    "ensure_tables",
    "feed_states",
    "feeds_from_arguments",
    "freshness",
    "load_feeds_file",
    "parse_interval",
    "poll_feed",
    "poll_once",
    "start_background",
    "watch",
]

DEFAULT_INTERVAL = 15 * 60.0  # seconds between two polls of a feed
MIN_INTERVAL = 1.0
MAX_BACKOFF = 24 * 3600.0  # a failing feed is still tried once a day

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
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


class FeedsFileError(NewsQAError):
    """A feeds file (feeds.toml) or a feed argument that cannot be used."""


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """A feed to watch: an http(s) url or a local feed file."""

    url: str
    source: str = ""  # the articles' source name; default: the feed's own title
    interval: float = DEFAULT_INTERVAL  # seconds between polls


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


@dataclass
class PollResult:
    """One poll of one feed, printable as one line."""

    feed: str
    outcome: str  # "updated", "not modified", "failed", "waiting"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0  # article pages fetched
    chunks_added: int = 0
    error: str = ""
    next_poll: str = ""  # ISO time of the next attempt
    failures: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # entries that could not be read fully
    added_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.outcome == "failed":
            retry = _until(self.next_poll)
            return (
                f"{self.feed}: failed ({self.error}); retry {retry} "
                f"(failure {self.failures} in a row)"
            )
        if self.outcome == "waiting":
            retry = _until(self.next_poll)
            return f"{self.feed}: backing off after {self.failures} failures; next try {retry}"
        if self.outcome == "not modified":
            return f"{self.feed}: not modified ({self.seconds:.2f} s)"
        pages = f", {self.pages} pages fetched" if self.pages else ""
        return (
            f"{self.feed}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged "
            f"({self.chunks_added} new chunks{pages}, {self.seconds:.1f} s)"
        )


# ---------------------------------------------------------------------------------------------
# Feeds from the command line and feeds files
# ---------------------------------------------------------------------------------------------


def parse_interval(value: str | float | int) -> float:
    """Seconds in "90s", "15m", "2h", "1d" (a bare number is seconds)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _INTERVAL.fullmatch(str(value))
        if match is None:
            raise ValueError(
                f"interval {value!r} is not a duration; write it like 90s, 15m, 2h or 1d"
            )
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s")[0].lower()]
    if seconds < MIN_INTERVAL:
        raise ValueError(f"interval {value!r} is too short; use at least {MIN_INTERVAL:g}s")
    return seconds


def load_feeds_file(path: str | Path, every: float = DEFAULT_INTERVAL) -> list[Feed]:
    """The feeds of a TOML file: ``[[feed]]`` tables with ``url`` and optional ``source``
    and ``interval`` ("30m"); a top-level ``interval`` is the default for all of them."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FeedsFileError(f"{path}: no such feeds file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FeedsFileError(f"{path}: cannot read the feeds file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise FeedsFileError(f"{path}: not valid TOML ({error})") from None
    try:
        default = parse_interval(data["interval"]) if "interval" in data else every
    except ValueError as error:
        raise FeedsFileError(f"{path}: {error}") from None
    tables = data.get("feed", [])
    if not isinstance(tables, list) or not tables:
        raise FeedsFileError(
            f'{path}: no feeds; add one per [[feed]] table with url = "https://..."'
        )
    feeds = []
    for number, table in enumerate(tables, start=1):
        where = f"{path}: feed {number}"
        url = table.get("url") if isinstance(table, dict) else None
        if not isinstance(url, str) or not url.strip():
            raise FeedsFileError(f'{where} has no url; write url = "https://..."')
        unknown = set(table) - {"url", "source", "interval"}
        if unknown:
            raise FeedsFileError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                "(known: url, source, interval)"
            )
        url = url.strip()
        if not is_url(url):
            url = str((path.parent / url).resolve())  # a local feed file, relative to the toml
        try:
            interval = parse_interval(table["interval"]) if "interval" in table else default
        except ValueError as error:
            raise FeedsFileError(f"{where}: {error}") from None
        feeds.append(Feed(url, str(table.get("source", "")).strip(), interval))
    return _unique(feeds)


def feeds_from_arguments(
    items: Sequence[str], feeds_files: Sequence[str] = (), every: float = DEFAULT_INTERVAL
) -> list[Feed]:
    """Feeds named on the command line: urls, local feed files, and feeds files (.toml)."""
    feeds: list[Feed] = []
    for item in feeds_files:
        feeds += load_feeds_file(item, every)
    for item in items:
        if is_url(item):
            feeds.append(Feed(item, interval=every))
        elif item.lower().endswith(".toml"):
            feeds += load_feeds_file(item, every)
        elif Path(item).is_file():
            feeds.append(Feed(str(Path(item).resolve()), interval=every))
        else:
            raise FeedsFileError(
                f"{item}: not an http(s) url, a feeds file (.toml) or an existing feed file"
            )
    if not feeds:
        raise FeedsFileError("no feeds to watch; name feed urls or a feeds file (--feeds)")
    return _unique(feeds)


def _unique(feeds: list[Feed]) -> list[Feed]:
    """One entry per url: a feed named twice is polled once (the first settings win)."""
    first: dict[str, Feed] = {}
    for feed in feeds:
        first.setdefault(feed.url, feed)
    return list(first.values())


# ---------------------------------------------------------------------------------------------
# State in the index's SQLite store
# ---------------------------------------------------------------------------------------------


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
# Polling
# ---------------------------------------------------------------------------------------------


def poll_feed(
    index: Index,
    feed: Feed,
    fetcher: Fetcher,
    *,
    clock: Callable[[], float] = time.time,
    stop: threading.Event | None = None,
) -> PollResult:
    """Poll one feed now and add what is new. Never raises for a feed's failure: it is
    recorded (with the next retry time) and returned as a "failed" result."""
    started = time.monotonic()
    ensure_tables(index)
    state = feed_states(index).get(feed.url) or FeedState(feed.url)
    now = clock()
    state.last_poll = _iso(now)
    try:
        response = fetcher.get_feed(feed.url, state.etag, state.last_modified)
        if response.not_modified:
            return _succeeded(index, feed, state, now, started, "not modified")
        parsed = _parse_feed(response)
    except FetchError as error:
        return _failed(index, feed, state, now, error.problem, error.retry_after, started)
    source = feed.source or " ".join(str(parsed.feed.get("title", "")).split())
    state.title = " ".join(str(parsed.feed.get("title", "")).split())
    gathered = _gather(index, feed, parsed.entries, source, fetcher, stop)
    malformed = _xml_error(parsed)
    if malformed and not gathered.entries:  # nothing usable: a broken feed, not an empty one
        return _failed(index, feed, state, now, f"malformed XML ({malformed})", None, started)
    if malformed:  # feedparser read what it could (a truncated download, a stray "&")
        gathered.problems.insert(
            0, f"{feed.url}: malformed XML ({malformed}); read {len(gathered.entries)} "
            "entries, will read it again next poll",
        )  # fmt: skip
    report = index.add(gathered.articles)
    complete = not (malformed or gathered.retry_later or (stop is not None and stop.is_set()))
    # Validators are kept only when every entry was handled: otherwise the next poll must
    # get the feed again (a 200, not a 304) to retry what failed.
    state.etag = response.etag if complete else ""
    state.last_modified = response.last_modified if complete else ""
    result = _succeeded(
        index, feed, state, now, started, "updated", gathered.entries if complete else None
    )
    _count(result, report)
    result.pages = gathered.pages
    result.problems = gathered.problems
    return result


@dataclass
class _Gathered:
    articles: list[Article] = field(default_factory=list)
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (updated, id)
    pages: int = 0
    problems: list[str] = field(default_factory=list)
    retry_later: bool = False


def _gather(
    index: Index,
    feed: Feed,
    entries: Sequence[Any],
    source: str,
    fetcher: Fetcher,
    stop: threading.Event | None,
) -> _Gathered:
    """The articles of a feed's entries: full-content entries as they are, summary-only
    ones from their pages (fetched only when new or updated)."""
    out = _Gathered()
    known = _known_entries(index, feed.url)
    links = {e.get("link", ""): article_id(e.get("link", ""), "") for e in entries}
    stored = _stored(index, [aid for link, aid in links.items() if link])
    for number, entry in enumerate(entries, start=1):
        if stop is not None and stop.is_set():
            break
        link = str(entry.get("link", "")).strip()
        key = str(entry.get("id") or link or entry.get("title") or f"entry {number}")
        updated = str(entry.get("updated") or entry.get("published") or "")
        if entry_has_content(entry) or not link:
            article = feed_entry_article(entry, source=source)
        else:
            aid = links[entry.get("link", "")]
            before = known.get(key)
            if aid in stored and (before is None or before[0] == updated):
                out.entries[key] = (updated, aid)  # already indexed, and not updated since
                continue
            try:
                page = fetcher.get_page(link)
                out.pages += 1
                article = _page_article(page, entry, source)
            except FetchError as error:
                if not error.permanent:
                    out.problems.append(f"{link}: {error.problem}; will retry")
                    out.retry_later = True
                    continue
                out.problems.append(f"{link}: {error.problem}; indexed the feed's summary")
                article = feed_entry_article(entry, source=source)
            except LoadError as error:
                out.problems.append(f"{link}: {error.problem}; indexed the feed's summary")
                article = feed_entry_article(entry, source=source)
        if article is None:
            out.problems.append(f"{feed.url}: entry {number} has no content or summary")
            continue
        out.articles.append(article)
        out.entries[key] = (updated, article.id)
    return out


def _page_article(page: Response, entry: Any, source: str) -> Article:
    """The article on an entry's page, keeping the feed's title, date and author (the
    publisher's own metadata) and the entry's link as its url, so its id stays stable."""
    if page.content_type and "html" not in page.content_type:
        raise FetchError(page.url, f"not an HTML page ({page.content_type})", permanent=True)
    found = parse_html(page.content, name=page.url)
    return make_article(
        title=str(entry.get("title") or found.title),
        text=found.text,
        source=source or found.source,
        url=str(entry.get("link", "")).strip(),
        published=entry.get("published") or entry.get("updated") or found.published,
        author=str(entry.get("author") or found.author),
    )


def _parse_feed(response: Response) -> Any:
    """feedparser's reading of a fetched feed; raises FetchError for what is not a feed."""
    # A stream, not bytes: feedparser would take a bytes body that looks like a path or url
    # for a file to open or fetch.
    headers = {"content-location": response.url}
    if response.content_type:
        headers["content-type"] = response.content_type
    parsed = feedparser.parse(io.BytesIO(response.content), response_headers=headers)
    if parsed.version:
        return parsed  # a feed, even if slightly malformed (feedparser reads what it can)
    if "html" in response.content_type or _HTML_START.match(response.content[:2048]):
        raise FetchError(response.url, "served an HTML page, not a feed (an error page?)")
    detail = parsed.get("bozo_exception")
    reason = f" ({' '.join(str(detail).split())[:120]})" if detail else ""
    raise FetchError(response.url, f"not an RSS or Atom feed{reason}")


def _xml_error(parsed: Any) -> str:
    """The XML error feedparser worked around, "" for well-formed XML. (Other "bozo" flags,
    such as a declared encoding that was wrong, are harmless and ignored.)"""
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(error, xml.sax.SAXParseException):
        return " ".join(str(error).split())[:120]
    return ""


def _succeeded(
    index: Index,
    feed: Feed,
    state: FeedState,
    now: float,
    started: float,
    outcome: str,
    entries: dict[str, tuple[str, str]] | None = None,
) -> PollResult:
    state.last_success = state.last_poll
    state.failures = 0
    state.last_error = ""
    state.next_poll = _iso(now + feed.interval)
    _save(index, state, entries)
    return PollResult(
        feed.url, outcome, next_poll=state.next_poll, seconds=time.monotonic() - started
    )


def _failed(
    index: Index,
    feed: Feed,
    state: FeedState,
    now: float,
    problem: str,
    retry_after: float | None,
    started: float,
) -> PollResult:
    state.failures += 1
    wait = min(feed.interval * 2 ** (state.failures - 1), MAX_BACKOFF)
    if retry_after is not None:
        wait = max(wait, retry_after)  # the server said when to come back
    state.last_error = problem
    state.next_poll = _iso(now + wait)
    _save(index, state)
    return PollResult(
        feed.url,
        "failed",
        error=problem,
        next_poll=state.next_poll,
        failures=state.failures,
        seconds=time.monotonic() - started,
    )


def _unexpected(index: Index, feed: Feed, now: float, error: Exception) -> PollResult:
    """A poll that failed in an unforeseen way (a parser bug on odd input, a locked
    database): recorded and backed off like any failure, named so it can be reported."""
    state = feed_states(index).get(feed.url) or FeedState(feed.url)
    state.last_poll = _iso(now)
    problem = f"unexpected {type(error).__name__}: {' '.join(str(error).split())[:200]}"
    return _failed(index, feed, state, now, problem, None, time.monotonic())


def _count(result: PollResult, report: IngestReport) -> None:
    result.added, result.updated = len(report.added), len(report.updated)
    result.unchanged = len(report.unchanged)
    result.chunks_added = report.chunks_added
    result.added_ids = list(report.added)


def _due(state: FeedState | None, now: float, schedule: bool) -> bool:
    """A feed is due when its next poll time has come. Without a schedule (``--once``) every
    feed is due except one still backing off after failures."""
    if state is None or not state.next_poll:
        return True
    if not schedule and state.failures == 0:
        return True
    return _seconds(state.next_poll) <= now


def poll_once(
    index: Index,
    feeds: Sequence[Feed],
    *,
    fetcher: Fetcher | None = None,
    clock: Callable[[], float] = time.time,
    schedule: bool = False,
    stop: threading.Event | None = None,
    log: Callable[[str], None] | None = None,
) -> list[PollResult]:
    """Poll each due feed once, one after the other; a failing feed does not stop the
    others. ``schedule=True`` polls only feeds whose interval has passed."""
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    ensure_tables(index)
    results = []
    try:
        states = feed_states(index)
        for feed in feeds:
            if stop is not None and stop.is_set():
                break
            state = states.get(feed.url)
            if not _due(state, clock(), schedule):
                if not schedule and state is not None:  # --once: say why it was left out
                    waiting = PollResult(
                        feed.url, "waiting", next_poll=state.next_poll, failures=state.failures
                    )
                    results.append(waiting)
                    if log:
                        log(waiting.line())
                continue
            try:
                result = poll_feed(index, feed, fetcher, clock=clock, stop=stop)
            except Exception as error:  # one odd feed must not stop the others
                result = _unexpected(index, feed, clock(), error)
            results.append(result)
            if log:
                log(result.line())
                for problem in result.problems:
                    log(f"  {problem}")
    finally:
        if own:
            fetcher.close()
    return results


def watch(
    index: Index,
    feeds: Sequence[Feed],
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    fetcher: Fetcher | None = None,
    clock: Callable[[], float] = time.time,
    log: Callable[[str], None] | None = print,
) -> list[PollResult]:
    """Keep ``index`` current with ``feeds`` until ``stop`` is set (or after one round with
    ``once``). Returns the last round's results."""
    stop = stop or threading.Event()
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    results: list[PollResult] = []
    try:
        while not stop.is_set():
            results = poll_once(
                index, feeds, fetcher=fetcher, clock=clock, schedule=not once, stop=stop, log=log
            )
            if once:
                break
            stop.wait(_seconds_to_next(index, feeds, clock()))
    finally:
        if own:
            fetcher.close()
    return results


def _seconds_to_next(index: Index, feeds: Sequence[Feed], now: float) -> float:
    states = feed_states(index)
    times = [_seconds(states[f.url].next_poll) if f.url in states else now for f in feeds]
    return min(max(min(times, default=now) - now, 0.5), DEFAULT_INTERVAL)


def start_background(
    index: Index,
    feeds: Sequence[Feed],
    log: Callable[[str], None] | None = print,
    fetcher: Fetcher | None = None,
) -> tuple[threading.Thread, threading.Event]:
    """Run ``watch`` in a daemon thread (the chat app's ``--watch``); set the returned event
    to stop it after the current feed."""
    stop = threading.Event()

    def run() -> None:
        try:
            watch(index, feeds, stop=stop, log=log, fetcher=fetcher)
        except Exception as error:  # the chat goes on serving; say why watching stopped
            if log:
                log(f"feed watcher stopped: {type(error).__name__}: {error}")

    thread = threading.Thread(target=run, name="newsqa-watch", daemon=True)
    thread.start()
    return thread, stop


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


# ---------------------------------------------------------------------------------------------
# Command line: python -m qa watch
# ---------------------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    """``python -m qa watch``: 0 when done (or stopped), 1 when a feed failed in --once mode,
    130 when stopped by Ctrl+C."""
    from qa.index import Index  # late: qa.index imports this module's users

    every = parse_interval(args.every)
    feeds = feeds_from_arguments(args.feeds, args.feeds_files, every)
    if args.delay < 0:
        raise ValueError(f"--delay of {args.delay:g} s is negative; use 0 or more")
    stop = threading.Event()
    interrupted = _stop_on_interrupt(stop)
    with Index.open(args.index, create=True) as index:
        plural = "" if len(feeds) == 1 else "s"
        how = "once" if args.once else f"every {args.every} (Ctrl+C to stop)"
        _log(f"watching {len(feeds)} feed{plural} for {args.index}/ {how}")
        try:
            with Fetcher(delay=args.delay) as fetcher:
                results = watch(index, feeds, once=args.once, stop=stop, fetcher=fetcher, log=_log)
        finally:
            signal.signal(signal.SIGINT, interrupted.previous)
    if interrupted.count:
        print("stopped; the index keeps everything added so far", file=sys.stderr)
        return 130
    return 1 if args.once and any(r.outcome == "failed" for r in results) else 0


@dataclass
class _Interrupts:
    previous: Any
    count: int = 0


def _stop_on_interrupt(stop: threading.Event) -> _Interrupts:
    """First Ctrl+C: finish the current feed's batch, then stop. Second: stop now (the
    open transaction rolls back, so the index still holds only whole batches)."""
    seen = _Interrupts(signal.getsignal(signal.SIGINT))

    def handler(signum: int, frame: object) -> None:
        seen.count += 1
        if seen.count > 1:
            raise KeyboardInterrupt
        stop.set()
        print("stopping after the current feed (Ctrl+C again to stop now)", file=sys.stderr)

    seen.previous = signal.signal(signal.SIGINT, handler)
    return seen


def _log(line: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {line}", flush=True)
