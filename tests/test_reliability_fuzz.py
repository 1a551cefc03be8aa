"""Hostile input, property-based (RELIABILITY.md, "Hostile input"): hypothesis generates
files, pasted text, questions and filters, built to hit the parsers' edges (front matter,
tags, entities, feeds, deep nesting, control and right-to-left characters), and
``tests/fuzz/targets.py`` checks every promise on each. The coverage-guided fuzzer over the
same checkers is ``python -m tests.fuzz``.

    NEWSQA_FUZZ_EXAMPLES=5000 python -m pytest tests/test_reliability_fuzz.py   # long run
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qa.ingest import IngestReport
from qa.load import Skipped, make_article
from qa.present import answer_markdown
from qa.records import Block, Filters

from .conftest import EVIL_TEXT, EVIL_TITLE, ROOT, require_module
from .fuzz import targets

EXAMPLES = int(os.environ.get("NEWSQA_FUZZ_EXAMPLES", "40"))
FUZZ_SECONDS = int(os.environ.get("NEWSQA_FUZZ_SECONDS", "10"))  # the atheris short run
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # hangs are caught per input by targets.time_limit, not by timing
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
    derandomize=os.environ.get("NEWSQA_FUZZ_RANDOM") != "1",  # CI: the same inputs each run
)  # fmt: skip

# Pieces hostile input is made of: markup, entities, Markdown tricks, direction overrides,
# zero-width and control characters, quotes, dates, emoji, surrogate-ish escapes.
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "[x](javascript:alert(1))", "![i](http://x/y.png)", "<a href='javascript:x'>a</a>",
    "&lt;b&gt;", "&amp;", "&#x3C;script&#x3E;", "&#0;", "\u202e", "\u202d", "\u2066",
    "\u200b", "\ufeff", "\x00", "\x0c", "\r\n", "\r", "\u2028", "\u2029", "\t", "---", "***",
    "# ", "> ", "1. ", "- ", "|a|b|", "```", "$x$", "{{x}}", "${7*7}", "“", "”", "’", "…",
    "Mr. ", "U.S. ", "e.g. ", "?", "!", ".", "\n\n", "\n", " ", "2024-03-05", "5 March 2024",
    "last week", "yesterday", "in March", "🙂", "ﬁ", "é", "é", "\ud800",
    "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", "<![CDATA[x]]>", "<?xml version='1.0'?>",
]  # fmt: skip
pieces = st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=12)
hostile_text = st.lists(pieces, max_size=40).map("".join)
prose_words = st.sampled_from(
    "The minister said on Monday that 40 boats were lost . Officials met in Baku ! "
    "Why ? He added : “ We will rebuild ” , and left".split()
)
prose = st.lists(prose_words | pieces, min_size=1, max_size=80).map(" ".join)


@pytest.fixture(scope="module", autouse=True)
def warmed_up():
    targets.warm_up()


# -- loaders --------------------------------------------------------------------------------------
@FUZZ
@given(text=hostile_text | prose, fmt=st.sampled_from(targets.FORMATS))
@example(text="", fmt="txt")
@example(text="---\ntitle: [unclosed\n---\nBody text.", fmt="md")
@example(text="<div>" * 5000 + "deep" + "</div>" * 5000, fmt="html")
@example(text="[" * 10_000 + "]" * 10_000, fmt="json")  # RecursionError, fixed
@example(text="[" * 10_000 + "]" * 10_000, fmt="jsonl")
@example(text='{"text": "\\ud800 lone surrogate"}', fmt="json")
@example(text="<rss><channel><item></item></channel></rss>", fmt="feed")
def test_pasted_text_in_any_format(text, fmt):
    targets.check_parse_text(text, fmt)


@st.composite
def json_records(draw):
    fields = {
        "title": hostile_text, "text": prose | hostile_text, "body": prose,
        "source": hostile_text, "url": hostile_text | st.just("https://x.example/a"),
        "published": hostile_text | st.integers() | st.floats(allow_nan=True),
        "author": hostile_text | st.none() | st.lists(st.text(max_size=5)),
    }  # fmt: skip
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True))
    return {name: draw(fields[name]) for name in chosen}


@FUZZ
@given(records=st.lists(json_records(), max_size=5), as_lines=st.booleans())
@example(records=[{"text": "The", "url": "\ud800"}], as_lines=False)  # UnicodeEncodeError, fixed
def test_json_and_jsonl_records(records, as_lines):
    if as_lines:
        text = "\n".join(json.dumps(r) for r in records)
        targets.check_parse_text(text, "jsonl")
    else:
        targets.check_parse_text(json.dumps(records), "json")


@FUZZ
@given(meta=st.dictionaries(st.sampled_from(["title", "date", "source", "url", "tags"]),
                            hostile_text | st.integers(), max_size=4),
       body=prose | hostile_text)  # fmt: skip
def test_markdown_front_matter(meta, body):
    header = "".join(f"{key}: {json.dumps(value)}\n" for key, value in meta.items())
    targets.check_parse_text(f"---\n{header}---\n{body}", "md")


@st.composite
def feeds(draw):
    atom = draw(st.booleans())
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        title, body, link = draw(hostile_text), draw(prose | hostile_text), draw(hostile_text)
        date_text = draw(st.sampled_from(["Mon, 05 Mar 2024 10:00:00 GMT", "2024-03-05", "",
                                          "garbage", "Tue, 31 Feb 2024 99:99:99 XYZ"]))
        if atom:
            entries.append(f"<entry><title>{title}</title><link href='{link}'/>"
                           f"<updated>{date_text}</updated><content type='html'>{body}"
                           "</content></entry>")
        else:
            entries.append(f"<item><title>{title}</title><link>{link}</link>"
                           f"<pubDate>{date_text}</pubDate><description>{body}</description>"
                           "</item>")  # fmt: skip
    if atom:
        return "<feed xmlns='http://www.w3.org/2005/Atom'><title>F</title>" + "".join(entries) + "</feed>"  # noqa: E501
    return "<rss version='2.0'><channel><title>F</title>" + "".join(entries) + "</channel></rss>"


@FUZZ
@given(feed=feeds())
def test_rss_and_atom_feeds(feed):
    targets.check_parse_text(feed, "feed")


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".md", ".html", ".json",
                                                               ".jsonl", ".xml", ".atom"]))
@example(data=b"\xff\xfe\x00t\x00e\x00x\x00t", suffix=".txt")
@example(data=b"\x1f\x8b\x08\x00compressed?", suffix=".json")
def test_any_bytes_in_any_file(data, suffix):
    targets.check_load_bytes(data, suffix)


def test_a_page_of_text_is_not_parsed_as_a_date(monkeypatch):
    """Found by fuzzing: dateparser spent ~3 s on each 10 KB "date" (a feed of many entries
    with long pubDates loaded for minutes). Over 100 characters is no date, unparsed."""
    from qa.load import article as loader  # where parse_date and _date_parser live

    def no_dateparser():
        raise AssertionError("dateparser was called")

    monkeypatch.setattr(loader, "_date_parser", no_dateparser)
    assert loader.parse_date("x" * 10_000) == ""
    assert loader.parse_date("2024-03-05") == "2024-03-05"


@pytest.mark.parametrize(("suffix", "body"), [
    (".xml", "<rss><channel><item><title>&a9;</title><description>&a9;</description></item>"
             "</channel></rss>"),
    (".atom", "<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>&a9;</title>"
              "<content>&a9;</content></entry></feed>"),
    (".html", "<html><body><article><h1>T</h1><p>&a9; and the article's text.</p>"
              "</article></body></html>"),
])  # fmt: skip
def test_entity_expansion_bombs_are_not_expanded(suffix, body):
    """An "XML bomb" (a billion laughs: 10^9 characters from 1 KB of nested entities) must
    not blow up memory or time: declared entities are never expanded."""
    lol = "<!DOCTYPE x [<!ENTITY a0 'lol'>" + "".join(
        f"<!ENTITY a{i} '{('&a' + str(i - 1) + ';') * 10}'>" for i in range(1, 10)
    ) + "]>"
    articles = targets.check_load_bytes((lol + body).encode(), suffix)
    assert all(len(a.text) < 1_000 for a in articles)


# -- segmenter, structure, chunker ----------------------------------------------------------------
@FUZZ
@given(text=prose | hostile_text, max_tokens=st.integers(8, 64), overlap=st.integers(0, 2))
@example(text="A" * 5000, max_tokens=8, overlap=0)
@example(text="Mr. A. B. Smith said: “Yes.” " * 30, max_tokens=8, overlap=2)
def test_segmenter_structure_and_chunker(text, max_tokens, overlap):
    text = targets.normalise_text(text)  # articles reach them normalised
    targets.check_structure_and_chunks(text, (), max_tokens, overlap)


@FUZZ
@given(lines=st.lists(st.tuples(st.sampled_from(["heading", "item", "text"]), prose),
                      min_size=1, max_size=12),
       max_tokens=st.integers(8, 48))  # fmt: skip
def test_structure_with_layout_blocks(lines, max_tokens):
    text, blocks = "", []
    for kind, line in lines:
        line = targets.normalise_text(line).replace("\n", " ")
        if not line:
            continue
        if text:
            text += "\n\n"
        blocks.append(Block(len(text), kind, {"heading": 2, "item": 10, "text": 100}[kind]))
        text += line
    if text:
        targets.check_structure_and_chunks(text, blocks, max_tokens)


# -- time expressions -----------------------------------------------------------------------------
TIME_WORDS = st.sampled_from(
    "in March 2025 last week yesterday today on 5 March between 2024-01-01 and 2024-02-01 "
    "3 days ago past 2 months this year since January until May Monday the weekend of "
    "October 2 October 10 2023-12-12T22:38 December 31 February 29 2024 0 99999 9999".split()
)


@FUZZ
@given(words=st.lists(TIME_WORDS | pieces, max_size=20),
       reference=st.dates(date(1900, 1, 1), date(2200, 12, 31)))  # fmt: skip
@example(words=["February", "29"], reference=date(2023, 3, 1))
@example(words=["past", "99999", "years"], reference=date(2025, 1, 1))
@example(words=["99999", "days", "ago"], reference=date(1, 1, 2))
def test_time_expressions(words, reference):
    targets.check_time_expression(" ".join(words), reference)


# -- the question path ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    from tests.conftest import hostile_index as make_hostile_index

    index = make_hostile_index(tmp_path_factory.mktemp("fuzz") / "ix")
    yield index
    index.close()


@FUZZ
@given(question=prose | hostile_text,
       history=st.lists(prose, max_size=2),
       sources=st.lists(st.sampled_from(["armenews.com", "wire.example", "<b>evil</b>.example",
                                         "nowhere"]), max_size=2),
       since=st.sampled_from(["", "2024-01-01", "2024-05-01"]),
       until=st.sampled_from(["", "2024-03-05", "2024-12-31"]))  # fmt: skip
@example(question="What did Ohanian say?", history=[], sources=[], since="", until="")
@example(question=EVIL_TITLE, history=[EVIL_TEXT], sources=[], since="", until="")
@example(question="What happened in May 2024?", history=[], sources=[], since="2024-01-01",
         until="2024-03-05")  # a question's dates outside the filter's (found by bench load)
def test_questions_are_answered_with_exact_citations(hostile_index, question, history, sources,
                                                     since, until):  # fmt: skip
    filters = Filters(tuple(sources), since, until) if since <= (until or "9") else None
    previous = []
    for earlier in history:
        answer = targets.check_ask(hostile_index, earlier, previous, filters)
        if answer is not None:
            previous.append(answer)
    targets.check_ask(hostile_index, question, previous, filters)


# -- what the chat shows --------------------------------------------------------------------------
@FUZZ
@given(text=hostile_text | prose)
@example(text="[click](javascript:alert(1)) ![x](y) <script>x</script> **b** _i_ `c`")
def test_escaped_markdown_renders_as_the_text(text):
    line = " ".join(targets.normalise_text(text).split())  # the chat shows one-line fields
    targets.check_escape_markdown(line)


@FUZZ
@given(titles=st.lists(hostile_text, max_size=3), names=st.lists(hostile_text, max_size=3))
@example(titles=[], names=["\r1. "])  # "\r" then "1. " rendered a list, fixed
def test_ingest_report_is_safe_markdown(titles, names):
    articles = [make_article(title=t, text=f"Body {i}.") for i, t in enumerate(titles)]
    report = IngestReport(added=[a.id for a in articles],
                          skipped=[Skipped(n, f"reason {n}") for n in names])  # fmt: skip
    targets.check_ingest_summary(report, articles)


# -- what the fuzzer found, replayed -------------------------------------------------------------
REGRESSIONS = sorted((Path(__file__).parent / "fuzz" / "regressions").glob("*.json"))


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda p: p.stem)
def test_inputs_the_fuzzer_crashed_on(case):
    record = json.loads(case.read_text())
    targets.check_parse_text(record["text"], record["fmt"])


def test_coverage_guided_fuzzer_short_run():
    """``python -m tests.fuzz all`` for a few seconds: libFuzzer drives every target from
    the seeds; any crash, broken invariant or hang fails it (the long runs are documented
    in RELIABILITY.md)."""
    require_module("atheris")
    done = subprocess.run(
        [sys.executable, "-m", "tests.fuzz", "all", "--seconds", str(FUZZ_SECONDS)],
        cwd=ROOT, capture_output=True, text=True, timeout=FUZZ_SECONDS + 240,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert re.search(r"all: fuzzed [1-9]\d* inputs in \d+ s, 0 crashes", done.stdout), done.stdout


def test_a_refused_question_with_line_breaks_cannot_shape_the_answer(hostile_index):
    """Found by the atheris ``ask`` target: a question's own line breaks and indents went into
    the refusal, whose lines the chat reads as a speaker heading and statements, and rendered
    a heading. The refusal quotes the question on one line."""
    question = "Which tanks zqx\n  \n- \n]] were sold to zqy?"
    answer = hostile_index.ask(question)
    assert answer.abstained
    assert "\n" not in answer.text.split("\n\n")[0]
    targets.check_markdown(answer_markdown(answer))
