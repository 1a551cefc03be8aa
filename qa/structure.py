"""Story structure: which lines are headings, where one story ends and the next begins, and
what headings each sentence sits under.

Multi-story pages — a day's events, live blogs, digests, "in brief" columns — put several
stories in one article. A chunk that runs from one story into the next is found for either
and answers neither, so story boundaries are hard boundaries for the chunker:

* a Markdown heading or list item starts a new **section** (``Article.blocks``);
* a heading, a topic line (a list item that is only a label: "2025 Myanmar earthquake"), a
  byline or a caption is a **heading**: context for the sentences under it — kept with them
  for search (``context``), never cited as an answer or a statement;
* without layout (plain text, JSON, feeds) a line is a heading by its shape: short, no
  sentence-final punctuation, no quotation; paragraphs do not split stories there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.records import Article, Block, Span

MAX_LABEL_WORDS = 14  # a list item this short without final punctuation is a topic label
MAX_LINE_WORDS = 10  # a plain line this short without final punctuation is a heading
_FINAL = tuple(".!?…:;")
_QUOTES = "\"“”‘’«»"
_CREDIT_TAIL = re.compile(r"\s*\([^()]{1,60}\)$")  # "(AP)", "(The Guardian)": a story's credit


@dataclass(frozen=True)
class Layout:
    """Per sentence (parallel to the sentence spans): is it a heading, its section number,
    and the headings it sits under, outermost first."""

    heading: list[bool]
    section: list[int]
    headings_above: list[tuple[str, ...]]


def looks_like_label(line: str, max_words: int) -> bool:
    """A label, not a sentence: a few words, no final punctuation, no quotation."""
    text = _CREDIT_TAIL.sub("", line.strip()) if line.strip().endswith(")") else line.strip()
    if not text or any(q in text for q in _QUOTES):
        return False
    words = text.split()
    if len(words) > max_words or text.endswith(_FINAL):
        return False
    return text[0].isupper() or text[0].isdigit()


def analyse(
    text: str, spans: Sequence[Span], paragraphs: Sequence[int], blocks: Sequence[Block]
) -> Layout:
    """The layout of an article's sentences (``spans``, with their paragraph numbers).

    A section is a run of headings and the text under them. A new one starts where a heading
    follows text, or where a new heading or list-item block begins after text; headings
    directly above a story belong to its section.
    """
    heading: list[bool] = []
    section: list[int] = []
    above: list[tuple[str, ...]] = []
    # (level, heading text, has it had a body yet) of the headings still open
    stack: list[tuple[int, str, bool]] = []
    current = 0
    block_index = -1
    for i, span in enumerate(spans):
        previous_block = block_index
        while block_index + 1 < len(blocks) and blocks[block_index + 1].start <= span.start:
            block_index += 1
        block = blocks[block_index] if block_index >= 0 else None
        new_block = block is not None and block_index != previous_block
        whole_line = _is_whole_paragraph(paragraphs, i)
        if block is None or block.kind == "text":
            # No layout, or a paragraph: a heading (byline, caption) only by its shape.
            is_heading = whole_line and looks_like_label(span.text, MAX_LINE_WORDS)
            level = block.level if block is not None else 1
        elif block.kind == "heading":
            is_heading, level = True, block.level
        else:  # a list item: a story, or a topic label above stories
            is_heading = new_block and whole_line and looks_like_label(span.text, MAX_LABEL_WORDS)
            level = block.level
        opens = is_heading or (new_block and block is not None and block.kind != "text")
        if i > 0 and opens and not heading[-1]:
            current += 1
        if opens:
            # A heading with no body yet stays: "## Sports" then "## Football", or a label
            # line then a story, both head what follows; popped, no chunk would carry it
            # (found by tests/fuzz).
            while stack and stack[-1][0] >= level and stack[-1][2]:
                stack.pop()
        above.append(tuple(h for _, h, _ in stack))
        heading.append(is_heading)
        section.append(current)
        if is_heading:
            stack.append((level, span.text, False))
        else:
            stack = [(lvl, text, True) for lvl, text, _ in stack]
    return Layout(heading, section, above)


def _is_whole_paragraph(paragraphs: Sequence[int], i: int) -> bool:
    """Sentence ``i`` is its paragraph's only sentence (a line on its own)."""
    alone_before = i == 0 or paragraphs[i - 1] != paragraphs[i]
    alone_after = i + 1 == len(paragraphs) or paragraphs[i + 1] != paragraphs[i]
    return alone_before and alone_after


def chunk_context(article: Article, headings: Sequence[str]) -> str:
    """What a chunk is about beyond its own words: its article's title and source and the
    headings it sits under ("2025 March 30 — Disasters and accidents — 2025 Myanmar
    earthquake"). The keyword index reads it with the chunk; it is never cited: news passages
    often lack the names their headline, outlet or topic line carries. Each part was kept for
    what it gained on the evaluation suite with distractors (README, "Retrieval")."""
    parts = (article.title, article.source, *headings)
    return " — ".join(dict.fromkeys(part for part in parts if part))


def searchable_text(context: str, text: str) -> str:
    """The text a chunk is keyword-indexed as."""
    return f"{context}\n{text}" if context else text
