"""Plain text and Markdown (with YAML front matter) files as articles.

Plain text: a short first line is the headline, a trailing credit line names the source.
Markdown: rendered to the text a reader sees (``markdown_to_text``), block by block
(``markdown_blocks``: headings, list items, paragraphs), with title, source, url, date and
author from the front matter.
"""

from __future__ import annotations

from typing import Any

import frontmatter
import yaml
from markdown_it import MarkdownIt

from qa.errors import LoadError
from qa.load.article import (
    _EMPTY,
    RenderedBlock,
    _one_line,
    _text_value,
    _title_from_name,
    _title_from_text,
    _with_metadata,
    make_article,
    normalise_text,
)
from qa.records import Article

# Longest first line still taken as a headline rather than the article's first sentence.
_MAX_TITLE_CHARS = 120
# A first line ending like this is a sentence (or a wrapped one), not a headline.
_NOT_HEADLINE_ENDINGS = (".", "!", "?", "…", ",", ";", ":", "-", ".”", '."', ".’", "!”", "?”")
# A credit line longer than this is prose that happens to mention a source.
_MAX_CREDIT_CHARS = 100
_CREDIT_PREFIXES = ("source:", "credit:", "credits:")


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
