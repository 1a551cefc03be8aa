"""Load news articles from files, folders or pasted text into normalised ``Article`` records.

Formats: plain text, Markdown with YAML front matter, HTML pages, JSON / JSON Lines, and
RSS / Atom feeds. Every user mistake (missing file, bad encoding, bad JSON, empty article...)
becomes a one-line message naming the file and the problem: ``load_file`` raises it as a
``LoadError``; ``load_paths`` collects it as a ``Skipped`` entry and loads the rest.

The text is normalised once, here (``normalise_text``), and never rewritten later: every
citation offset downstream points into exactly this text.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dateparser.date
import feedparser
import frontmatter
import trafilatura
import yaml
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from trafilatura.settings import set_date_params

from qa.errors import LoadError
from qa.records import Article, Block, Skipped

__all__ = [
    "SUPPORTED_SUFFIXES",
    "LoadResult",
    "Skipped",
    "article_id",
    "entry_has_content",
    "feed_entry_article",
    "load_file",
    "load_paths",
    "make_article",
    "normalise_text",
    "parse_date",
    "parse_html",
    "parse_text",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom",
)  # fmt: skip

# Suffix -> the parser family that reads it. parse_text's ``fmt`` accepts the same names.
_FORMATS: dict[str, str] = {
    "txt": "text", "text": "text",
    "md": "markdown", "markdown": "markdown",
    "html": "html", "htm": "html",
    "json": "json", "jsonl": "jsonl",
    "xml": "feed", "rss": "feed", "atom": "feed", "feed": "feed",
}  # fmt: skip

# Longest first line still taken as a headline rather than the article's first sentence.
_MAX_TITLE_CHARS = 120
# A first line ending like this is a sentence (or a wrapped one), not a headline.
_NOT_HEADLINE_ENDINGS = (".", "!", "?", "…", ",", ";", ":", "-", ".”", '."', ".’", "!”", "?”")
# A credit line longer than this is prose that happens to mention a source.
_MAX_CREDIT_CHARS = 100
_CREDIT_PREFIXES = ("source:", "credit:", "credits:")
_TEXT_FIELDS = ("text", "body", "content")
_DATE_FIELDS = ("published", "published_at", "date")
_NO_TEXT_FIELD = 'no text field (expected "text", "body" or "content")'
_EMPTY = "the article is empty (no text after removing whitespace)"
_NOT_UTF8 = "not valid UTF-8 text (try saving it as UTF-8)"
_TOO_DEEP = "not valid JSON for an article (nested too deeply)"
# "Tuesday, 05 March 2024 10:00:00 +0000 (Coordinated Universal Time)" is 68 characters.
_MAX_DATE_CHARS = 100

# HTML elements that start a new paragraph when a feed entry's HTML is turned into text.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
})  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


@dataclass
class LoadResult:
    """What ``load_paths`` loaded, and what it had to skip."""

    articles: list[Article]
    skipped: list[Skipped]


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def load_paths(paths: Iterable[str | Path], *, follow_links: bool = False) -> LoadResult:
    """Load every supported file among ``paths``; folders are searched recursively.

    Files load in sorted order; hidden files and folders (".name") inside a folder are
    ignored, and so are unsupported suffixes there. A file named explicitly with an
    unsupported suffix is reported. A symbolic link inside a folder that points outside it
    is skipped and reported unless ``follow_links`` (a folder of articles must not pull in
    whatever a link reaches, say a home directory); paths named explicitly are always read.
    Problems never stop the batch: each becomes a ``Skipped``.
    """
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            skipped.append(Skipped(str(given), "no such file or folder"))
            continue
        if path.is_dir():
            files, refused = _supported_files(path, follow_links)
            skipped.extend(refused)
            if not files and not refused:
                skipped.append(Skipped(str(given), _no_supported_files()))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(Skipped(str(given), _unsupported(path)))
            files = []
        else:
            files = [path]
        for file in files:
            # The same file reached twice (named and inside a named folder) loads once.
            key = file.resolve()
            if key in seen:
                continue
            seen.add(key)
            try:
                loaded, problems = _load_lenient(file)
            except LoadError as error:
                skipped.append(Skipped(error.path, error.problem))
                continue
            articles.extend(loaded)
            skipped.extend(problems)
    return LoadResult(articles, skipped)


def load_file(path: str | Path) -> list[Article]:
    """Load the articles in one file. Strict: any problem, even in one JSONL line or one
    JSON record, raises ``LoadError`` (use ``load_paths`` to load around bad records)."""
    path = Path(path)
    if path.is_dir():
        raise LoadError(str(path), "is a folder, not a file (use load_paths for folders)")
    if not path.exists():
        raise LoadError(str(path), "no such file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise LoadError(str(path), _unsupported(path))
    articles, problems = _load_lenient(path)
    _raise_first(problems)
    return articles


def parse_text(text: str, *, name: str = "pasted text", fmt: str | None = None) -> list[Article]:
    """Parse pasted text as articles. ``fmt`` is one of txt/text, md/markdown, html, json,
    jsonl, feed/rss/atom/xml; when None it is detected from how the text starts.
    Raises ``LoadError(name, problem)`` on any problem."""
    if _SURROGATE.search(text):  # lone surrogates (bad JSON escapes) break every encoder
        text = text.encode("utf-8", "replace").decode("utf-8")
    if fmt is None:
        fmt = _detect_format(text)
    family = _FORMATS.get(fmt.lower().lstrip("."))
    if family is None:
        raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(sorted(_FORMATS))}")
    articles, problems = _parse(text, family, name=name, path="")
    _raise_first(problems)
    return articles


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


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
# Files and folders
# ---------------------------------------------------------------------------------------------


def _supported_files(folder: Path, follow_links: bool = False) -> tuple[list[Path], list[Skipped]]:
    """Supported, non-hidden files under ``folder``, sorted for a reproducible load order,
    and the links and folders skipped on the way (see ``load_paths``)."""
    root = folder.resolve()
    found: list[Path] = []
    skipped: list[Skipped] = []
    visited: set[Path] = set()

    def walk(directory: Path) -> None:
        real = directory.resolve()
        if real in visited:  # a link cycle, or a folder reached twice
            return
        visited.add(real)
        try:
            entries = sorted(directory.iterdir())
        except OSError as error:
            problem = f"could not read this folder ({error.strerror})"
            skipped.append(Skipped(str(directory), problem))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            wanted = entry.suffix.lower() in SUPPORTED_SUFFIXES
            if entry.is_symlink():
                target = entry.resolve()
                inside = target == root or root in target.parents
                if not inside and not follow_links:
                    if entry.is_dir() or (wanted and entry.is_file()):
                        skipped.append(Skipped(str(entry), _outside_link(target)))
                    continue
                if entry.is_dir() and (inside and not follow_links):
                    continue  # its files are read where they are, inside the folder
            if entry.is_dir():
                walk(entry)
            elif wanted and entry.is_file():
                found.append(entry)

    walk(folder)
    return sorted(found), skipped


def _outside_link(target: Path) -> str:
    return (
        f"a symbolic link to {target}, outside the folder; not followed (pass --follow-links, "
        "or follow_links=True, to read it)"
    )


def _load_lenient(path: Path) -> tuple[list[Article], list[Skipped]]:
    """Articles in one file plus the records skipped inside it. A problem with the whole
    file raises ``LoadError``; so does a file in which nothing at all could be loaded."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(name, f"could not read the file ({error.strerror or error})") from None
    family = _FORMATS[path.suffix.lower().lstrip(".")]
    if family in ("html", "feed"):
        # HTML and XML declare their own encoding (<meta charset>, <?xml encoding?>); the
        # libraries read it, so they get the raw bytes.
        content: str | bytes = data
    else:
        try:
            content = data.decode("utf-8-sig")  # -sig: drop the BOM Windows editors add
        except UnicodeDecodeError:
            raise LoadError(name, _NOT_UTF8) from None
        if not content.strip():
            raise LoadError(name, "the file is empty")
        if "\x00" in content:
            raise LoadError(name, "looks like a binary file, not text")
    return _parse(content, family, name=name, path=name)


def _parse(
    content: str | bytes, family: str, *, name: str, path: str
) -> tuple[list[Article], list[Skipped]]:
    """Dispatch to the parser for ``family``; ``path`` is "" for pasted text."""
    if family == "text":
        return [_parse_plain(_as_str(content), name=name, path=path)], []
    if family == "markdown":
        return [_parse_markdown(_as_str(content), name=name, path=path)], []
    if family == "html":
        return [_parse_html(content, name=name, path=path)], []
    if family == "json":
        articles, skipped = _parse_json(_as_str(content), name=name, path=path)
    elif family == "jsonl":
        articles, skipped = _parse_jsonl(_as_str(content), name=name, path=path)
    else:
        articles, skipped = _parse_feed(content, name=name, path=path)
    if not articles:
        if len(skipped) == 1:  # the only record was bad: that is the file's problem
            raise LoadError(skipped[0].path, skipped[0].reason)
        detail = f" ({len(skipped)} records skipped, first: {skipped[0]})" if skipped else ""
        raise LoadError(name, f"no articles found{detail}")
    return articles, skipped


def _raise_first(problems: list[Skipped]) -> None:
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise LoadError(problems[0].path, problems[0].reason + more)


def _as_str(content: str | bytes) -> str:
    return content if isinstance(content, str) else content.decode("utf-8-sig")


def _unsupported(path: Path) -> str:
    kind = f'"{path.suffix}"' if path.suffix else "(no suffix)"
    return f"unsupported file type {kind} (supported: {', '.join(SUPPORTED_SUFFIXES)})"


def _no_supported_files() -> str:
    return f"no supported files in this folder (looked for {', '.join(SUPPORTED_SUFFIXES)})"


def _detect_format(text: str) -> str:
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith(("[", "{")):
        try:
            json.loads(start)
        except RecursionError:
            return "json"  # nested too deeply: the JSON parser reports it
        except json.JSONDecodeError:
            # Several objects, one per line, is JSON Lines; anything else is broken JSON,
            # which the JSON parser reports with its line and column.
            return "jsonl" if start.startswith("{") and "\n" in start.strip() else "json"
        return "json"
    if start.startswith("---"):
        return "markdown"
    head = start[:1000].lower()
    # Feeds first: a feed's entries often carry escaped <p> tags that would look like HTML.
    if any(tag in head for tag in ("<rss", "<feed", "<rdf:rdf")):
        return "feed"
    if any(tag in head for tag in ("<!doctype html", "<html", "<body", "<p", "<article", "<div")):
        return "html"
    return "text"


# ---------------------------------------------------------------------------------------------
# Plain text and Markdown
# ---------------------------------------------------------------------------------------------


def _parse_plain(raw: str, *, name: str, path: str) -> Article:
    text = normalise_text(raw)
    if not text:
        raise LoadError(name, _EMPTY)
    title, body = _split_headline(text)
    if not title:
        title = _title_from_name(name) if path else _title_from_text(text)
        body = text
    return make_article(title=title, text=body, source=_credit(body), path=path)


def _split_headline(text: str) -> tuple[str, str]:
    """("headline", rest) when the first line is a headline, else ("", text).

    A headline is short, does not end like a sentence, and is followed by more text that
    does not continue it (a hard-wrapped first sentence continues in lower case)."""
    first, _, rest = text.partition("\n")
    rest = rest.strip()
    first = first.strip()
    if not rest or not first or len(first) > _MAX_TITLE_CHARS:
        return "", text
    if first.endswith(_NOT_HEADLINE_ENDINGS) or rest[0].islower():
        return "", text
    return first, rest


def _credit(text: str) -> str:
    """The source named by a trailing credit line ("© Reuters 2024", "Source: BBC News",
    "Claire © armenews.com"), else "". The line itself stays in the text."""
    last = text.rpartition("\n")[2].strip()
    if not last or len(last) > _MAX_CREDIT_CHARS:
        return ""
    lower = last.lower()
    if lower.startswith(_CREDIT_PREFIXES):
        name = last.partition(":")[2]
    elif "©" in last:
        before, _, name = last.partition("©")
        if not _strip_credit_noise(name):  # "Reuters ©" / "Reuters © 2024"
            name = before
    elif lower.startswith(("(c)", "copyright")):
        name = last[3:] if lower.startswith("(c)") else last[len("copyright") :]
    else:
        return ""
    return _strip_credit_noise(name)


def _strip_credit_noise(name: str) -> str:
    """Drop years, "Copyright" and "All rights reserved" around a credited name."""
    cut = name.lower().find("all rights reserved")
    if cut >= 0:
        name = name[:cut]
    words = [w for w in name.replace("©", " ").split() if w.lower() not in ("copyright", "(c)")]
    while words and words[0].strip(",.;-–").isdigit():
        words.pop(0)
    while words and words[-1].strip(",.;-–").isdigit():
        words.pop()
    return " ".join(words).strip(" ,.;:-–")


def _parse_markdown(raw: str, *, name: str, path: str) -> Article:
    try:
        post = frontmatter.loads(raw)
    except yaml.YAMLError as error:
        problem = _one_line(str(error).partition("\n")[0])
        raise LoadError(name, f"front matter is not valid YAML ({problem})") from None
    meta: dict[str, Any] = post.metadata if isinstance(post.metadata, dict) else {}
    layout = markdown_blocks(post.content)
    body = normalise_text("\n\n".join(block.text for block in layout))
    title = _text_value(meta.get("title"))
    first, _, rest = body.partition("\n")
    if first.startswith("# ") and first[2:].strip():
        heading = first[2:].strip()
        # A first "# Heading" is the document title: taken as the title when none is given,
        # dropped when it repeats the given one, else kept as a plain line.
        if not title or heading == title:
            title, body = heading, rest.strip()
        else:
            body = heading + "\n" + rest
    if not title:
        title = _title_from_name(name) if path else _title_from_text(body)
    if not normalise_text(body):
        raise LoadError(name, _EMPTY)
    return _with_metadata(meta, title=title, text=body, path=path, layout=layout)


@dataclass(frozen=True)
class RenderedBlock:
    """One block of rendered Markdown: its text and what the Markdown made it (see
    ``qa.records.Block`` for kinds and levels)."""

    text: str
    kind: str
    level: int


TEXT_LEVEL = 100
ITEM_LEVEL = 10


def markdown_to_text(markdown: str) -> str:
    """The text a reader sees: link and image syntax, emphasis, heading and list markers
    removed, one block per line. Citations quote this text, so it must read as prose.

    A "# Title" first line stays (as "# Title") so the caller can take it as the title.
    Line breaks inside a paragraph are kept: news text often puts one paragraph per line.
    """
    return "\n\n".join(block.text for block in markdown_blocks(markdown))


def markdown_blocks(markdown: str) -> list[RenderedBlock]:
    """The blocks of ``markdown`` as rendered text, with their kind: a heading, the first
    paragraph of a list item (an item: on a day's-events page, one story or topic each), or
    any other text (a paragraph, a further paragraph of an item, code)."""
    blocks: list[RenderedBlock] = []
    tokens = _MARKDOWN.parse(markdown)
    depth = 0  # list nesting
    item_started = False  # the next paragraph opens a list item
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            item_started = True
        elif token.type == "inline":
            text = "".join(_inline_text(child) for child in token.children or [])
            opening = tokens[i - 1] if i else None
            if opening is not None and opening.type == "heading_open":
                level = int(opening.tag[1:])
                if level == 1:
                    text = "# " + text
                kind = "heading"
            elif item_started:
                kind, level = "item", ITEM_LEVEL + depth
            else:
                kind, level = "text", TEXT_LEVEL
            item_started = False
            if text.strip():
                blocks.append(RenderedBlock(text, kind, level))
        elif token.type in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            if code.strip():
                blocks.append(RenderedBlock(code, "text", TEXT_LEVEL))
    return blocks


def _inline_text(token: Any) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type == "image":
        return "".join(_inline_text(child) for child in token.children or [])
    return ""  # link/emphasis markers and raw inline HTML carry no text of their own


_MARKDOWN = MarkdownIt("commonmark")


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def parse_html(content: str | bytes, *, name: str) -> Article:
    """The article of one HTML page (text and metadata by trafilatura), given as the raw
    bytes so the page's own <meta charset> is honoured. ``name`` (its url) appears in
    errors. Raises ``LoadError`` when no article text is found."""
    return _parse_html(content, name=name, path="")


def _parse_html(content: str | bytes, *, name: str, path: str) -> Article:
    # trafilatura 2.x returns a Document object (None when it finds nothing).
    doc = trafilatura.bare_extraction(
        content,
        with_metadata=True,
        include_comments=False,
        # trafilatura's defaults, but keeping the time and offset, not just the day.
        date_extraction_params={**set_date_params(), "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
    )
    text = normalise_text(doc.text or "") if doc is not None else ""
    if not text:
        # trafilatura drops very short pages as boilerplate; a pasted snippet is still text.
        text = _html_to_text(content)
    if not text:
        raise LoadError(name, "no article text found in this HTML (is it an article page?)")
    title = _one_line(doc.title or "") if doc is not None else ""
    if title:
        first, _, rest = text.partition("\n")
        if first.strip() == title and rest.strip():  # the page's <h1> repeats the title
            text = rest
    else:
        title = _title_from_name(name) if path else ""
    return make_article(
        title=title,
        text=text,
        source=(doc.sitename or doc.hostname or "") if doc is not None else "",
        url=(doc.url or "") if doc is not None else "",
        published=_html_date(doc.date) if doc is not None else "",
        author=(doc.author or "") if doc is not None else "",
        path=path,
    )


def _html_date(value: str | None) -> str:
    """trafilatura writes a date-only page date as midnight with no offset: keep the day."""
    if value and value.endswith("T00:00:00"):
        return value.partition("T")[0]
    return value or ""


def _html_to_text(markup: str | bytes) -> str:
    """Text of an HTML fragment with a paragraph break per block element.

    Used for feed entries (and tiny HTML snippets): trafilatura.extract drops anything it
    judges too short to be an article, which most feed summaries are."""
    if not (markup.strip() if isinstance(markup, str) else markup.strip()):
        return ""
    try:
        root = lxml_html.fromstring(markup)
    except (etree.ParserError, ValueError):  # nothing but comments or whitespace
        return ""
    body = root.find(".//body")
    parts: list[str] = []
    _collect_text(body if body is not None else root, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return normalise_text("\n".join(lines))


def _collect_text(element: Any, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""  # comments have a callable tag
    if tag and tag not in _SKIP_TAGS:
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n\n")
        if tag == "br":
            parts.append("\n")
        if element.text:
            parts.append(element.text.replace("\n", " "))
        for child in element:
            _collect_text(child, parts)
        if block:
            parts.append("\n\n")
    if element.tail:
        parts.append(element.tail.replace("\n", " "))


# ---------------------------------------------------------------------------------------------
# JSON and JSON Lines
# ---------------------------------------------------------------------------------------------


def _parse_json(raw: str, *, name: str, path: str) -> tuple[list[Article], list[Skipped]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        problem = f"{error.msg} at line {error.lineno}, column {error.colno}"
        raise LoadError(name, f"not valid JSON ({problem})") from None
    except RecursionError:  # "[[[[...]]]]" thousands deep: hostile or broken, never an article
        raise LoadError(name, _TOO_DEEP) from None
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        return [_record_article(data, label=name, name=name, path=path)], []
    if not isinstance(data, list):
        found = type(data).__name__
        raise LoadError(name, f"expected a JSON object or a list of objects, found a {found}")
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for number, record in enumerate(data, start=1):
        label = f"{name}:record {number}"
        try:
            articles.append(_record_article(record, label=label, name=name, path=path))
        except LoadError as error:
            skipped.append(Skipped(label, error.problem))
    return articles, skipped


def _parse_jsonl(raw: str, *, name: str, path: str) -> tuple[list[Article], list[Skipped]]:
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        label = f"{name}:line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            skipped.append(Skipped(label, f"not valid JSON ({error.msg}, column {error.colno})"))
            continue
        except RecursionError:
            skipped.append(Skipped(label, _TOO_DEEP))
            continue
        try:
            articles.append(_record_article(record, label=label, name=name, path=path))
        except LoadError as error:
            skipped.append(Skipped(label, error.problem))
    return articles, skipped


def _record_article(record: Any, *, label: str, name: str, path: str) -> Article:
    if not isinstance(record, dict):
        raise LoadError(label, f"expected a JSON object, found a {type(record).__name__}")
    field = next((f for f in _TEXT_FIELDS if f in record), None)
    if field is None:
        raise LoadError(label, _NO_TEXT_FIELD)
    value = record[field]
    if isinstance(value, list) and all(isinstance(p, str) for p in value):
        value = "\n\n".join(value)  # a list of paragraphs
    if not isinstance(value, str):
        raise LoadError(label, f'"{field}" must be a string, found a {type(value).__name__}')
    if not normalise_text(value):
        raise LoadError(label, _EMPTY)
    return _with_metadata(record, title=_text_value(record.get("title")), text=value, path=path)


# ---------------------------------------------------------------------------------------------
# RSS and Atom feeds
# ---------------------------------------------------------------------------------------------


def _parse_feed(
    content: str | bytes, *, name: str, path: str
) -> tuple[list[Article], list[Skipped]]:
    feed = feedparser.parse(content)
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
