"""What every hostile input must satisfy, one checker per part (RELIABILITY.md, "Hostile
input"). The property tests (``tests/test_reliability_fuzz.py``, hypothesis) and the
coverage-guided fuzzer (``python -m tests.fuzz``, atheris) feed them inputs; a checker
raises ``AssertionError`` on a broken promise, ``Hang`` when one input takes longer than its
time budget, and lets through only the errors the part documents (``LoadError`` for a bad
file, ``EmptyQuestionError`` for an empty question).

The promises: no crash, no hang, and exact offsets — every sentence, chunk and citation is a
slice of its article's text (``article.text[c.start:c.end] == c.sentence``); rendered
output (Markdown for the chat, HTML for the sources panel) shows hostile text as text, with
links only to http(s) urls.
"""

from __future__ import annotations

import html
import re
import signal
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from qa.chunk import chunk_sentences, chunk_stories, count_tokens
from qa.errors import EmptyQuestionError, LoadError
from qa.load import SUPPORTED_SUFFIXES, article_id, load_paths, normalise_text, parse_text
from qa.present import (
    answer_markdown,
    escape_markdown,
    ingest_summary,
    show_bidi_controls,
    sources_html,
)
from qa.records import Article, Block, Filters, Span
from qa.segment import split_sentences
from qa.structure import analyse
from qa.timeexpr import find_time_range, strip_time_phrase

FORMATS = ("txt", "md", "html", "json", "jsonl", "feed")
# Per-input time budgets (seconds). Generous: a shared CI machine is slow; a hang is not.
BUDGET_LOAD = 10.0
BUDGET_TEXT = 5.0
BUDGET_ASK = 15.0


class Hang(Exception):
    """One input took longer than its budget: an infinite loop or runaway backtracking."""


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise ``Hang`` in the main thread if the block runs longer than ``seconds``."""

    def expired(signum, frame):  # noqa: ARG001
        raise Hang(f"{what} took longer than {seconds:.0f}s on one input")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def warm_up() -> None:
    """Load what is loaded once per process (dateparser's locale tables take seconds), so
    the per-input budgets time the input, not the start-up."""
    from qa.load import parse_date

    parse_date("not a date")


# -- loaders --------------------------------------------------------------------------------------
def check_article(article: Article) -> None:
    text = article.text
    assert text and text == text.strip(), "an article's text is empty or not stripped"
    assert normalise_text(text) == text, "an article's text is not normalised"
    assert "\r" not in text and "\x00" not in text
    assert "\n" not in article.title and "\n" not in article.source
    assert article.id == article_id(article.url, text), "the id is not the url's or text's"
    if article.published:
        date.fromisoformat(article.published[:10])  # raises if it is not ISO 8601
    starts = [b.start for b in article.blocks]
    assert starts == sorted(starts) and all(0 <= s <= len(text) for s in starts)


def check_parse_text(text: str, fmt: str) -> list[Article]:
    """``parse_text`` gives normalised articles or one ``LoadError``, never anything else."""
    with time_limit(BUDGET_LOAD, f"parse_text(fmt={fmt!r})"):
        try:
            articles = parse_text(text, name="pasted text", fmt=fmt)
        except LoadError as error:
            assert str(error).startswith("pasted text"), str(error)
            assert "\n" not in error.problem, "a load error is more than one line"
            return []
    for article in articles:
        check_article(article)
    return articles


def check_load_bytes(data: bytes, suffix: str) -> list[Article]:
    """A file of any bytes loads as articles or one-line skips; ``load_paths`` never raises."""
    assert suffix in SUPPORTED_SUFFIXES
    with tempfile.TemporaryDirectory(prefix="newsqa-fuzz-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        with time_limit(BUDGET_LOAD, f"load_paths({suffix})"):
            loaded = load_paths([path])
    for skipped in loaded.skipped:
        assert "\n" not in skipped.reason, f"a skip reason is more than one line: {skipped}"
    for article in loaded.articles:
        check_article(article)
    return loaded.articles


# -- segmenter, structure, chunker ----------------------------------------------------------------
def check_segments(text: str) -> list[tuple[Span, int]]:
    with time_limit(BUDGET_TEXT, "split_sentences"):
        found = split_sentences(text)
    previous_end, previous_paragraph = 0, 0
    for span, paragraph in found:
        assert text[span.start : span.end] == span.text, "a sentence is not a slice of the text"
        assert span.text.strip() == span.text and span.text, "an empty or unstripped sentence"
        assert span.start >= previous_end, "sentences overlap or go backwards"
        assert paragraph >= previous_paragraph
        previous_end, previous_paragraph = span.end, paragraph
    # Nothing but whitespace is left out.
    covered = "".join(span.text for span, _ in found)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text), "text lost by the segmenter"
    return found


def check_structure_and_chunks(text: str, blocks: Sequence[Block] = (), max_tokens: int = 64,
                               overlap: int = 0) -> None:  # fmt: skip
    found = check_segments(text)
    spans = [span for span, _ in found]
    paragraphs = [paragraph for _, paragraph in found]
    with time_limit(BUDGET_TEXT, "analyse"):
        layout = analyse(text, spans, paragraphs, blocks)
    n = len(spans)
    assert len(layout.heading) == len(layout.section) == len(layout.headings_above) == n
    assert layout.section == sorted(layout.section), "sections go backwards"
    with time_limit(BUDGET_TEXT, "chunk_stories"):
        chunks = chunk_stories(text, spans, layout.heading, layout.section, max_tokens, overlap)
    covered: set[int] = set()
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert 0 <= chunk.first_sentence <= chunk.last_sentence < n
        first, last = spans[chunk.first_sentence], spans[chunk.last_sentence]
        assert layout.section[chunk.first_sentence] == layout.section[chunk.last_sentence], (
            "a chunk spans two stories"
        )
        if chunk.partial:
            assert chunk.first_sentence == chunk.last_sentence
            assert first.start <= chunk.start and chunk.end <= first.end
        else:
            assert (chunk.start, chunk.end) == (first.start, last.end), "chunk off its sentences"
            assert count_tokens(text[chunk.start : chunk.end]) <= max_tokens
        covered.update(range(chunk.first_sentence, chunk.last_sentence + 1))
    # Every line is searchable: a sentence is in a chunk, or it is a heading that a chunk of
    # its story carries as context (qa.structure.chunk_context).
    for i in set(range(n)) - covered:
        assert layout.heading[i], f"sentence {i} is in no chunk"
        assert any(
            layout.section[j] == layout.section[i] and spans[i].text in layout.headings_above[j]
            for j in covered
        ), f"heading {i} is in no chunk and no chunk's context"
    with time_limit(BUDGET_TEXT, "chunk_sentences"):
        plain = chunk_sentences(text, spans, max_tokens, overlap)
    assert {i for c in plain for i in range(c.first_sentence, c.last_sentence + 1)} == set(
        range(n)
    )


# -- time expressions -----------------------------------------------------------------------------
def check_time_expression(question: str, reference: date) -> None:
    with time_limit(BUDGET_TEXT, "find_time_range"):
        found = find_time_range(question, reference)
        if found is None:
            return
        stripped = strip_time_phrase(question, found)
    assert found.phrase and found.phrase in question
    for end in (found.since, found.until):
        if end:
            date.fromisoformat(end)
    if found.since and found.until:
        assert found.since <= found.until, f"a range that ends before it starts: {found}"
    assert isinstance(stripped, str) and stripped


# -- the question path and what the chat shows ----------------------------------------------------
def check_ask(index, question: str, history: Sequence = (), filters: Filters | None = None):
    """``Index.ask`` answers or abstains; every citation is exact; rendering is safe."""
    with time_limit(BUDGET_ASK, "Index.ask"):
        try:
            answer = index.ask(question, history=list(history), filters=filters)
        except EmptyQuestionError:
            assert not question.strip()
            return None
    for citation in answer.citations:
        article = citation.article
        assert article.text[citation.start : citation.end] == citation.sentence, (
            "a citation is not a slice of its article"
        )
    for passage in answer.closest:
        assert passage.article.text[passage.start : passage.end] == passage.text
    check_markdown(answer_markdown(answer))
    check_html(sources_html(answer))
    return answer


ALLOWED_TAGS = {"div", "span", "p", "mark", "a", "sup", "em", "strong", "ul", "li", "br"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{tag} {name}=")
            if name == "href" and not re.match(r"https?://", value or "", re.IGNORECASE):
                self.problems.append(f"a href={value!r}")


def check_html(markup: str) -> None:
    """Only the panel's own tags, no event handlers or styles, links only http(s), no
    direction override that would reorder what is shown."""
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", markup), "a bidi control is shown"
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    assert not parser.problems, f"unsafe HTML: {parser.problems[:3]}"


def check_markdown(markdown: str) -> None:
    """The chat's Markdown, rendered (CommonMark, raw HTML on as in a chat), is safe HTML."""
    from markdown_it import MarkdownIt

    check_html(MarkdownIt("commonmark", {"html": True}).render(markdown))


def check_escape_markdown(text: str) -> None:
    """Escaped text renders to exactly the text: no link, emphasis or tag comes out."""
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(escape_markdown(text))
    check_html(rendered)
    inner = re.sub(r"</?p>", "", rendered).strip()
    shown = html.unescape(re.sub(r"<br />", "", inner))
    # Direction overrides are shown as "[U+202E]"; CommonMark shows NUL as U+FFFD, on purpose.
    expected = show_bidi_controls(text).replace("\x00", "\ufffd")
    assert re.sub(r"\s+", " ", shown).strip() == re.sub(r"\s+", " ", expected).strip(), (
        f"escaped Markdown shows {shown!r}, not {text!r}"
    )


def check_ingest_summary(report, articles: Sequence[Article]) -> None:
    check_markdown(ingest_summary(report, articles))
