"""Quotations: where they are, so that words inside them never count as attribution, and
whether one touches its attribution (which makes a statement "direct")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.speakers.lexicon import QUOTES, ROLE_MODIFIERS, TITLE_WORDS

MAX_QUOTE_SENTENCES = 5  # a quotation longer than this is a stray mark, not a quotation


def mask_quotes(
    sentences: Sequence[str], paragraphs: Sequence[int] | None
) -> tuple[list[str], list[tuple[int, int]]]:
    """Each sentence with quoted text blanked (same length, quote marks become ``"``), and
    the groups of sentences (first, last) that one quotation spans.

    Every quote mark toggles in/out of a quotation, whatever its shape, because translated
    articles close quotes with an opening mark (``grow, “he added.``). A mark that leaves a
    quotation open with no quote mark in the next sentences is a stray and is ignored, so
    one typo does not hide the rest of the article."""
    masked: list[str] = []
    groups: list[tuple[int, int]] = []
    inside, opened = False, -1
    for i, sentence in enumerate(sentences):
        new_paragraph = paragraphs is not None and i > 0 and paragraphs[i] != paragraphs[i - 1]
        lead = len(sentence) - len(sentence.lstrip())
        # News style reopens a quotation that runs on into a new paragraph: that mark
        # continues the quotation instead of closing it.
        reopened = inside and new_paragraph and sentence[lead : lead + 1] in QUOTES
        if inside and ((new_paragraph and not reopened) or i - opened >= MAX_QUOTE_SENTENCES):
            inside = False
        marks = [k for k, c in enumerate(sentence) if c in QUOTES and not (reopened and k == lead)]
        toggles = set(marks)
        if (inside + len(marks)) % 2 and marks and not any(
            c in QUOTES for later in sentences[i + 1 : i + MAX_QUOTE_SENTENCES] for c in later
        ):
            toggles.discard(marks[-1])  # would stay open for good: a stray
        started_inside = inside
        chars = []
        for k, c in enumerate(sentence):
            if c in QUOTES:
                inside = inside != (k in toggles)
                chars.append('"')
            else:
                chars.append(" " if inside else c)
        masked.append("".join(chars))
        if started_inside and not inside:
            groups.append((opened, i))
        if inside and not started_inside:
            opened = i
        elif not inside:
            opened = -1
    return masked, groups


def touches_quote(text: str, start: int, end: int) -> bool:
    """Does a quotation sit right against the attribution text[start:end]? Only titles may
    come between: ``“...,” Senator Bernie Sanders wrote``, ``Ohanian said: “...”``.
    ``text`` is a masked sentence (every quote mark a ``"``)."""
    before = text[:start].rstrip(" ,—–-")
    while before and not before.endswith('"'):
        m = re.search(r"[\w'’.-]+$", before)
        word = m.group() if m else ""
        low = word.lower().rstrip(".")
        if not word or not (word[0].isupper() or low in TITLE_WORDS or low in ROLE_MODIFIERS):
            break
        before = before[: m.start()].rstrip(" ,—–-")
    return before.endswith('"') or bool(re.match(r"\s*[:,—–-]?\s*\"", text[end:]))
