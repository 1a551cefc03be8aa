"""The bottom of the loader: ``make_article`` and what every parser shares with it.

Normalising text (once: every citation offset downstream points into exactly this text),
stable article ids, dates in almost any notation to ISO 8601, one-line metadata values and
titles from a file name or the text's first line. Imports no other ``qa.load`` module.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dateparser.date

from qa.errors import LoadError
from qa.records import Article, Block

_DATE_FIELDS = ("published", "published_at", "date")
_EMPTY = "the article is empty (no text after removing whitespace)"
# "Tuesday, 05 March 2024 10:00:00 +0000 (Coordinated Universal Time)" is 68 characters.
_MAX_DATE_CHARS = 100

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


# Here, not in markdown.py, because make_article takes the blocks (``layout``) it locates.
@dataclass(frozen=True)
class RenderedBlock:
    """One block of rendered Markdown: its text and what the Markdown made it (see
    ``qa.records.Block`` for kinds and levels)."""

    text: str
    kind: str
    level: int


def normalise_text(text: str) -> str:
    """Normalise article text: NFC, "\\n" line ends, no trailing spaces, non-breaking spaces
    as spaces, at most one blank line in a row, no surrounding whitespace. Quotes, dashes and
    every other character stay as written, so quoted citations match the source exactly."""
    # Lone surrogates (from bad JSON escapes) cannot be stored or encoded: make them U+FFFD.
    text = text.encode("utf-8", "replace").decode("utf-8") if _SURROGATE.search(text) else text
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters (NUL, backspace, ...) are not text and break SQLite's substr().
    text = _CONTROL.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    # split("\n"), not splitlines(): the latter also breaks on \x0c, \u2028... which we keep.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def article_id(url: str, text: str) -> str:
    """A stable id: "u" + 16 hex of sha1(normalised url) when there is a url, else
    "h" + 16 hex of sha1(normalised text). The same article gets the same id on every run."""
    url = _normalise_url(url)
    if url:
        return "u" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
    return "h" + hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()[:16]


def make_article(
    *,
    title: str,
    text: str,
    source: str = "",
    url: str = "",
    published: str | date | int | float | None = "",
    author: str = "",
    path: str = "",
    layout: Sequence[RenderedBlock] = (),
) -> Article:
    """Build an ``Article``: normalise the text, parse the date to ISO 8601, derive the id.
    An empty title falls back to the text's first line. ``layout`` is the blocks the text was
    rendered from (Markdown), located in the text as ``Article.blocks``. Raises ``LoadError``
    if the text is empty (the error names ``path``, else the title)."""
    text = normalise_text(text)
    if not text:
        raise LoadError(path or _one_line(title) or "article", _EMPTY)
    url = _no_surrogates(url or "").strip()
    return Article(
        id=article_id(url, text),
        title=_one_line(title) or _title_from_text(text),
        text=text,
        source=_one_line(source),
        url=url,
        published=parse_date(published),
        author=_one_line(author),
        path=str(path),
        blocks=_locate(text, layout),
    )


def _locate(text: str, layout: Sequence[RenderedBlock]) -> tuple[Block, ...]:
    """Each rendered block's start in the normalised text, in order; a block that is not
    found (a first "# Title" taken as the title) is left out."""
    found: list[Block] = []
    position = 0
    for block in layout:
        wanted = normalise_text(block.text)
        start = text.find(wanted, position) if wanted else -1
        if start >= 0:
            found.append(Block(start, block.kind, block.level))
            position = start + len(wanted)
    return tuple(found)


def parse_date(value: str | date | int | float | None) -> str:
    """ISO 8601 for a date written in almost any way: "YYYY-MM-DD" when only a date is
    known, else "YYYY-MM-DDTHH:MM:SS" (+offset when given). Unparseable or relative dates
    ("yesterday") give "" -- a missing date is not an error."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):  # a Unix timestamp, as some JSON exports write it
        try:
            return _iso(datetime.fromtimestamp(value, tz=UTC))
        except (OverflowError, OSError, ValueError):
            return ""
    text = _one_line(str(value))
    if not text or len(text) > _MAX_DATE_CHARS:  # a page of text is no date: don't spend
        return ""  # seconds in dateparser on it (found by tests/fuzz: 3 s per 10 KB)
    try:
        return _checked(date.fromisoformat(text))
    except ValueError:
        pass
    try:
        return _checked(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:  # RFC 2822, the date format of RSS feeds and e-mail
        return _checked(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    found = _date_parser().get_date_data(text)
    if found.date_obj is None:
        return ""
    # "time" means the text gave a time of day; otherwise only the date is meaningful.
    return _checked(found.date_obj if found.period == "time" else found.date_obj.date())


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", _no_surrogates(value or "")).split())


def _no_surrogates(value: str) -> str:
    """Lone surrogates (a JSON "\\ud800") replaced: they can be neither encoded nor stored."""
    return value.encode("utf-8", "replace").decode("utf-8") if _SURROGATE.search(value) else value


def _text_value(value: Any) -> str:
    """A metadata value as one line: strings as-is, {"name": ...} objects (as news APIs
    write source and author), lists joined with commas, numbers and dates as text."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return _text_value(value.get("name") or value.get("title") or "")
    if isinstance(value, list):
        return ", ".join(v for v in (_text_value(item) for item in value) if v)
    return _one_line(str(value))


def _with_metadata(
    record: dict[str, Any],
    *,
    title: str,
    text: str,
    path: str,
    layout: Sequence[RenderedBlock] = (),
) -> Article:
    """An article whose source, url, date and author come from a front matter or JSON record."""
    return make_article(
        title=title,
        text=text,
        source=_text_value(record.get("source")),
        url=_text_value(record.get("url")),
        published=_first_date(record),
        author=_text_value(record.get("author")),
        path=path,
        layout=layout,
    )


def _first_date(record: dict[str, Any]) -> str:
    """The first date field that parses. ``published`` can be a flag (Jekyll's
    ``published: true``), so an unparseable field gives way to the next one."""
    for field_name in _DATE_FIELDS:
        value = record.get(field_name)
        if value in (None, "") or isinstance(value, bool):
            continue
        parsed = parse_date(value)
        if parsed:
            return parsed
    return ""


def _title_from_name(name: str) -> str:
    """A title from a file name: "shoigu-meets-hasanov_2024.txt" -> "Shoigu meets hasanov 2024"."""
    words = " ".join(Path(name).stem.replace("-", " ").replace("_", " ").split())
    return words[:1].upper() + words[1:]


def _title_from_text(text: str, limit: int = 80) -> str:
    """The first line, cut at a word boundary near ``limit`` characters."""
    first = text.strip().partition("\n")[0].strip()
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _normalise_url(url: str) -> str:
    """Lowercase scheme and host, no #fragment, no trailing slash: one url, one id."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


@lru_cache(maxsize=1)
def _date_parser() -> dateparser.date.DateDataParser:
    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_MONTH_OF_YEAR": "first",
        "RETURN_TIME_AS_PERIOD": True,  # tells a date-only text from one with a time of day
        # No "relative-time" (an article's date is never "yesterday" relative to loading it)
        # and no "no-spaces-time", which reads "20240305" as the year 4030.
        # No "timestamp" either: it reads a bare "2024" as 2024 seconds after 1970.
        "PARSERS": ["absolute-time", "custom-formats"],
        "REQUIRE_PARTS": ["year"],  # "5 March" would otherwise get the current year
    }
    return dateparser.date.DateDataParser(settings=settings)


def _checked(value: date) -> str:
    """ISO text for a parsed date, or "" for a year no news article has."""
    if not 1000 <= value.year <= 2999:
        return ""
    return _iso(value) if isinstance(value, datetime) else value.isoformat()


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
