"""One poll of one feed: a conditional GET, the entries turned into articles (an entry
with only a summary gets its page fetched), ``Index.add``, and the feed's state saved --
recorded as a failure with exponential backoff when anything goes wrong."""

from __future__ import annotations

import io
import re
import threading
import time
import xml.sax
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import feedparser

from qa.errors import LoadError
from qa.fetch import Fetcher, FetchError, Response
from qa.load import article_id, entry_has_content, feed_entry_article, make_article, parse_html
from qa.records import Article
from qa.watch.feeds import Feed
from qa.watch.state import (
    FeedState,
    _iso,
    _known_entries,
    _save,
    _stored,
    _until,
    ensure_tables,
    feed_states,
)

if TYPE_CHECKING:
    from qa.index import Index, IngestReport

MAX_BACKOFF = 24 * 3600.0  # a failing feed is still tried once a day
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


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
