"""Presenting answers safely: escaping article text for HTML and Markdown, and showing a cited
sentence highlighted inside its paragraph.

Article text is untrusted input (a scraped page may contain ``<script>`` or Markdown that
would restyle a chat), so every function here returns text that displays as written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from qa.records import Sentence

__all__ = ["escape_markdown", "excerpts", "highlighted_html", "safe_url"]

# Characters that start Markdown syntax anywhere in a line (emphasis, code, links, headings,
# tables, strikethrough, LaTeX). Escaping only these keeps copied answers readable.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]#|~$])")
# Syntax that only counts at the start of a line: "1." / "2)" lists, "-" "+" "=" (lists,
# rules, setext headings).
_MARKDOWN_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+=])", re.MULTILINE)
# Sentences shown either side of a cited one, within its paragraph: enough to read it in
# context, short enough that a sources panel with several citations stays scannable.
CONTEXT_SENTENCES = 2


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that renders to exactly ``text``: no emphasis, links, headings,
    lists, LaTeX or raw HTML can come out of it."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", text)
    escaped = _MARKDOWN_LINE_START.sub(_escape_line_start, escaped)
    # Entities, not backslashes, for these: "\<" would still let some renderers see a tag.
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        return f"{match.group(1)}{match.group(2)}\\{match.group(3)}"
    return f"{match.group(4)}\\{match.group(5)}"


def safe_url(url: str) -> str:
    """``url`` if it is an http(s) link, else "" (a ``javascript:`` url must never be a link)."""
    url = (url or "").strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def excerpts(
    sentences: Sequence[Sentence], cited: Iterable[int], around: int = CONTEXT_SENTENCES
) -> list[list[tuple[Sentence, bool]]]:
    """The passages to show for the cited sentence indices of one article: each cited
    sentence with up to ``around`` sentences either side from its own paragraph, windows that
    touch merged into one, in reading order. Each item is ``(sentence, is_cited)``."""
    by_index = {s.index: s for s in sentences}
    wanted = sorted({i for i in cited if i in by_index})
    windows: list[tuple[int, int]] = []
    for i in wanted:
        paragraph = by_index[i].paragraph
        first, last = i, i
        while (
            first - 1 in by_index
            and i - first < around
            and (by_index[first - 1].paragraph == paragraph)
        ):
            first -= 1
        while (
            last + 1 in by_index
            and last - i < around
            and (by_index[last + 1].paragraph == paragraph)
        ):
            last += 1
        if windows and first <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], max(last, windows[-1][1]))
        else:
            windows.append((first, last))
    marked = set(wanted)
    return [[(by_index[i], i in marked) for i in range(first, last + 1)] for first, last in windows]


def highlighted_html(excerpt: Sequence[tuple[Sentence, bool]]) -> str:
    """One excerpt as escaped HTML, the cited sentences inside ``<mark>``."""
    parts = []
    for sentence, cited in excerpt:
        text = html.escape(sentence.text)
        parts.append(f"<mark>{text}</mark>" if cited else text)
    return " ".join(parts)
