"""Which feeds to watch: ``Feed`` records from command-line arguments and feeds files
(feeds.toml), and intervals written like "90s", "15m", "2h" or "1d"."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.errors import NewsQAError
from qa.fetch import is_url

DEFAULT_INTERVAL = 15 * 60.0  # seconds between two polls of a feed
MIN_INTERVAL = 1.0
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*", re.IGNORECASE)


class FeedsFileError(NewsQAError):
    """A feeds file (feeds.toml) or a feed argument that cannot be used."""


@dataclass(frozen=True)
class Feed:
    """A feed to watch: an http(s) url or a local feed file."""

    url: str
    source: str = ""  # the articles' source name; default: the feed's own title
    interval: float = DEFAULT_INTERVAL  # seconds between polls


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
