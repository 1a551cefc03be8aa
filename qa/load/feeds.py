"""RSS and Atom feeds as articles, one per entry (its full content, else its summary).
``feed_entry_article`` and ``entry_has_content`` are shared with the feed watcher (qa.watch)."""

from __future__ import annotations

import io
from typing import Any

import feedparser

from qa.errors import LoadError
from qa.load.article import _one_line, make_article, normalise_text
from qa.load.html import _html_to_text
from qa.records import Article, Skipped


def _parse_feed(
    content: str | bytes, *, name: str, path: str
) -> tuple[list[Article], list[Skipped]]:
    # Always a stream: given a str (or bytes), feedparser first tries it as a URL to fetch
    # and then as a file name to open, so pasted text such as "http://host/<rss>" would make
    # the server fetch that URL (found by tests/fuzz: a pasted "feed" that is not a valid URL).
    data = content.encode("utf-8") if isinstance(content, str) else content
    feed = feedparser.parse(io.BytesIO(data))
    if not feed.entries:
        if not feed.get("version"):  # no RSS/Atom at all (an empty text has no version key)
            raise LoadError(name, "not an RSS or Atom feed (no feed entries found)")
        raise LoadError(name, "the feed has no entries")
    source = _one_line(feed.feed.get("title", ""))
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for number, entry in enumerate(feed.entries, start=1):
        label = f"{name}:entry {number}"
        article = feed_entry_article(entry, source=source, path=path)
        if article is None:
            skipped.append(Skipped(label, "the entry has no content or summary"))
            continue
        articles.append(article)
    return articles, skipped


def feed_entry_article(entry: Any, *, source: str, path: str = "") -> Article | None:
    """The article of one feedparser entry (its full content, else its summary), or None
    when it has neither. Shared by the feed loader and the feed watcher (qa.watch)."""
    text = _entry_text(entry)
    if not text:
        return None
    return make_article(
        title=entry.get("title", ""),
        text=text,
        source=source,
        url=entry.get("link", ""),
        published=entry.get("published") or entry.get("updated") or "",
        author=entry.get("author", ""),
        path=path,
    )


def entry_has_content(entry: Any) -> bool:
    """Whether a feed entry carries its full text (atom:content, content:encoded) rather
    than only a summary or description."""
    return bool(entry.get("content")) and any(
        (part.get("value") or "").strip() for part in entry.content
    )


def _entry_text(entry: Any) -> str:
    """An entry's full content if present, else its summary, as plain text."""
    if entry.get("content"):
        value, kind = entry.content[0].get("value", ""), entry.content[0].get("type", "")
    else:
        value = entry.get("summary", "")
        kind = entry.get("summary_detail", {}).get("type", "text/html")
    # feedparser gives None for a broken entry's value or type (found by tests/fuzz).
    value, kind = value or "", kind or "text/html"
    if "html" in kind:
        return _html_to_text(value)
    return normalise_text(value)
