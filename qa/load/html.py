"""HTML pages as articles (text and metadata by trafilatura), and HTML fragments (feed
entries, tiny pasted snippets) as plain text with a paragraph per block element."""

from __future__ import annotations

from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import set_date_params

from qa.errors import LoadError
from qa.load.article import _one_line, _title_from_name, make_article, normalise_text
from qa.records import Article

# HTML elements that start a new paragraph when a feed entry's HTML is turned into text.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
})  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


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
