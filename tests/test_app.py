"""The web chat (app.py): rendering and escaping, filters, the add-articles handler (fake
embedder, fast), and the real server called through gradio_client (real model)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

import app
from qa import Answer, Citation, Index, Sentence
from qa.load import make_article
from qa.present import excerpts, highlighted_html

from .conftest import SAMPLE

EVIL_TITLE = "<script>alert(1)</script> **Breaking** [click](javascript:alert(2))"
EVIL_TEXT = (
    "Officials met on Monday.\n"
    "The minister said <img src=x onerror=alert(3)> was **not** acceptable. "
    "Nobody commented.\n"
    "A later paragraph ${7*7} {{value}}."
)
OHANIAN_QUOTE = "We want to maintain our strategic partnership"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(index: Index) -> Iterator[str]:
    """The real app for ``index`` on a free local port; yields its url, stops it after."""
    blocks = app.create_app(index)
    url = app.serve(blocks, "127.0.0.1", free_port(), block=False)
    try:
        yield url
    finally:
        blocks.close()


def evil_article():
    return make_article(
        title=EVIL_TITLE,
        text=EVIL_TEXT,
        source="<b>evil</b>.example",
        url="javascript:alert(4)",
        published="2024-03-05",
    )


@pytest.fixture
def fake_index(tmp_path, fake_embedder) -> Iterator[Index]:
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        yield ix


# -- escaping --------------------------------------------------------------------------------
def test_sources_panel_escapes_article_text_and_highlights_the_cited_sentence(fake_index):
    article = evil_article()
    fake_index.add([article])
    cited = next(s for s in fake_index.sentences(article.id) if "minister" in s.text)
    answer = Answer(
        question="What did the minister say?",
        text=f"{cited.text} [1]",
        abstained=False,
        confidence=0.9,
        citations=(Citation(1, article, cited.text, cited.start, cited.end, cited.index),),
    )
    panel = app.sources_html(fake_index, answer)
    assert "<script" not in panel and "<img" not in panel and "<b>" not in panel
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert "&lt;img src=x onerror=alert(3)&gt;" in panel
    assert "href" not in panel  # a javascript: url is not a link; only http(s) urls are
    assert "&lt;b&gt;evil&lt;/b&gt;.example · 2024-03-05" in panel
    # The cited sentence is marked inside its paragraph, next to its neighbour.
    assert "<mark>The minister said &lt;img" in panel
    assert "acceptable.</mark> Nobody commented." in panel
    assert "Officials met on Monday." not in panel  # another paragraph


def test_answer_markdown_cannot_inject_html_or_markdown():
    article = evil_article()
    answer = Answer(
        question="q",
        text=f"{EVIL_TITLE} [1]\n1. $$x$$ ~~gone~~ | a | b |",
        abstained=False,
        confidence=1.0,
        citations=(Citation(1, article, "s", 0, 1, 0),),
    )
    markdown = app.answer_markdown(answer)
    assert "<script" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert r"\*\*Breaking\*\* \[click\](javascript:alert(2))" in markdown
    assert r"1\. \$\$x\$\$ \~\~gone\~\~ \| a \| b \|" in markdown
    assert markdown.startswith("&lt;") and "<sup>[1]</sup>" in markdown


def test_abstention_shows_closest_passages_labelled_not_an_answer(fake_index):
    fake_index.add([evil_article()])
    passages = fake_index.retrieve("minister", 2)
    answer = Answer("q", "The articles don't say.", True, 0.1, closest=tuple(passages))
    panel = app.sources_html(fake_index, answer)
    assert "Closest passages (not an answer)" in panel
    assert "&lt;img src=x onerror=alert(3)&gt;" in panel and "<img" not in panel
    assert "closest passages (not an answer)" in app.answer_markdown(answer)


def test_excerpts_stay_in_the_paragraph_and_merge_touching_windows():
    para = [0, 0, 0, 0, 0, 0, 0, 1]
    sentences = [Sentence("a", i, 0, 0, f"s{i}.", p) for i, p in enumerate(para)]
    shown = excerpts(sentences, [1, 3], around=1)
    assert [[(s.index, cited) for s, cited in e] for e in shown] == [
        [(0, False), (1, True), (2, False), (3, True), (4, False)]
    ]
    assert [[s.index for s, _ in e] for e in excerpts(sentences, [6], around=2)] == [[4, 5, 6]]
    assert highlighted_html(shown[0][:2]) == "s0. <mark>s1.</mark>"


# -- filters ---------------------------------------------------------------------------------
def test_filters_accept_iso_dates_and_explain_bad_ones():
    filters = app.parse_filters(["armenews.com"], " 2024-01-01 ", "")
    assert (filters.sources, filters.since, filters.until) == (("armenews.com",), "2024-01-01", "")
    with pytest.raises(ValueError, match=r"'5 March' is not a date written YYYY-MM-DD"):
        app.parse_filters([], "5 March", "")
    with pytest.raises(ValueError, match="2024-02-30"):
        app.parse_filters([], "", "2024-02-30")
    with pytest.raises(ValueError, match="2024-05-01 is after published to 2024-01-01"):
        app.parse_filters([], "2024-05-01", "2024-01-01")


# -- adding articles -------------------------------------------------------------------------
def test_add_articles_reports_added_unchanged_and_skipped(fake_index, tmp_path, monkeypatch):
    good = tmp_path / "uploads" / "storm.txt"
    good.parent.mkdir()
    good.write_text("Storm hits coast\n\nA storm flooded the harbour. Fishermen lost 40 boats.")
    broken = tmp_path / "uploads" / "broken.json"
    broken.write_text('{"title": "x"')
    big = tmp_path / "uploads" / "big.txt"
    big.write_text("word " * 300_000)  # 1.5 MB, over the limit set below
    monkeypatch.setattr(app, "MAX_UPLOAD_MB", 1)
    pasted = json.dumps({"title": EVIL_TITLE, "text": EVIL_TEXT, "source": "evil.example"})

    report = app.add_articles(fake_index, [str(good), str(broken), str(big)], pasted)
    assert report.startswith("**2 added, 0 updated, 0 unchanged, 2 skipped**")
    assert "- Added: Storm hits coast" in report
    assert r"- Added: &lt;script&gt;alert(1)&lt;/script&gt; \*\*Breaking\*\*" in report
    assert "Skipped big.txt: 1.4 MB is over the 1 MB upload limit" in report
    assert "Skipped broken.json: not valid JSON" in report
    assert str(tmp_path) not in report  # files are named as the user knows them
    assert fake_index.info()["articles"] == 2
    assert "evil.example" in fake_index.info()["sources"]

    again = app.add_articles(fake_index, [str(good)], "")
    assert again.startswith("**0 added, 0 updated, 1 unchanged, 0 skipped**")
    assert app.add_articles(fake_index, [], "  ") == "Choose files or paste an article first."
    bad_paste = app.add_articles(fake_index, None, "{not json")
    assert "Skipped pasted text: not valid JSON" in bad_paste


def test_create_app_builds_the_page_on_any_index(fake_index):
    fake_index.add([evil_article()])
    blocks = app.create_app(fake_index, examples=["What did the minister say?"])
    assert isinstance(blocks, gr.Blocks)
    api = blocks.get_api_info()
    assert "/ask" in api["named_endpoints"]
    assert [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]] == [
        "question",
        "history",
        "sources",
        "since",
        "until",
    ]


def test_help_explains_options_and_binds_locally_by_default():
    text = app.build_parser().format_help()
    for option in ("--index DIR", "--host HOST", "--port PORT", "--data DIR", "127.0.0.1"):
        assert option in text
    assert app.build_parser().parse_args([]).host == "127.0.0.1"


# -- the real server -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("app") / "ix"
    with Index.open(folder, create=True) as index:
        index.ingest([SAMPLE])
        with running_app(index) as url:
            yield url


@pytest.mark.model
def test_api_answers_with_citations(server):
    client = Client(server, verbose=False)
    text, answer = client.predict("What did Ohanian say?", api_name="/ask")
    assert OHANIAN_QUOTE in text and "[1]" in text
    assert not answer["abstained"]
    cited = [c["sentence"] for c in answer["citations"]]
    assert any(OHANIAN_QUOTE in s for s in cited)
    assert {c["source"] for c in answer["citations"]} == {"armenews.com"}


@pytest.mark.model
def test_api_follow_up_uses_history_and_filters_are_validated(server):
    client = Client(server, verbose=False)
    text, answer = client.predict(
        "What else did he say?", ["What did Ohanian say?"], api_name="/ask"
    )
    assert "Ohanian" in answer["resolved_question"]  # "he" resolved from the history
    assert text == answer["answer"]
    with pytest.raises(AppError, match="not a date written YYYY-MM-DD"):
        client.predict("What did Ohanian say?", None, None, "March 2024", "", api_name="/ask")
    _, filtered = client.predict(
        "What did Ohanian say?", None, ["no-such-source.example"], "", "", api_name="/ask"
    )
    assert filtered["abstained"] and not filtered["citations"]
