"""The loader's entry points: files, folders and pasted text to articles.

Walks folders (sorted, hidden names skipped, links outside the folder refused unless
followed), tells the format from the suffix (or, for pasted text, from how it starts),
decodes, and dispatches to the parser of that format. ``load_paths`` is lenient (each problem
becomes a ``Skipped``); ``load_file`` and ``parse_text`` are strict (``LoadError``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.errors import LoadError
from qa.load.article import _SURROGATE
from qa.load.feeds import _parse_feed
from qa.load.html import _parse_html
from qa.load.json import _parse_json, _parse_jsonl
from qa.load.markdown import _parse_markdown, _parse_plain
from qa.records import Article, Skipped

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
_NOT_UTF8 = "not valid UTF-8 text (try saving it as UTF-8)"


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
