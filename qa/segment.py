"""Sentence segmentation with exact character offsets.

``sentencex`` handles quotes and abbreviations well on news text, but when a quote mark is
unbalanced it can merge sentences across a line break. Paragraph breaks are therefore hard
boundaries: we segment each paragraph on its own and shift the offsets back.
"""

from __future__ import annotations

import re

from sentencex import get_sentence_boundaries

from qa.records import Span

_PARAGRAPH_BREAK = re.compile(r"\n\s*")  # any line break ends a paragraph in news text


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line block, with surrounding whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        start, stop = _trim(text, pos, end)
        if start < stop:
            spans.append((start, stop))
        if match:
            pos = match.end()
    return spans


def split_sentences(text: str, language: str = "en") -> list[tuple[Span, int]]:
    """Every sentence of ``text`` with its paragraph number, in reading order.

    Invariant (property-tested): ``text[s.start:s.end] == s.text`` and sentences neither
    overlap nor contain leading/trailing whitespace.
    """
    result: list[tuple[Span, int]] = []
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        block = text[p_start:p_end]
        for boundary in get_sentence_boundaries(language, block):
            start, end = _trim(block, boundary["start_index"], boundary["end_index"])
            if start < end:
                result.append((Span(p_start + start, p_start + end, block[start:end]), number))
    return _cover_gaps(text, result)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cover_gaps(text: str, found: list[tuple[Span, int]]) -> list[tuple[Span, int]]:
    """Guard against a segmenter that skips characters: any non-space text between two
    sentences is attached to the preceding sentence so nothing in an article is unquotable."""
    fixed: list[tuple[Span, int]] = []
    for span, para in found:
        if fixed:
            prev, prev_para = fixed[-1]
            gap = text[prev.end : span.start]
            if prev_para == para and gap.strip():
                merged_end = span.start - (len(gap) - len(gap.rstrip()))
                fixed[-1] = (Span(prev.start, merged_end, text[prev.start : merged_end]), prev_para)
        fixed.append((span, para))
    return fixed
