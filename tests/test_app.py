"""The web chat (app.py): filters, the add-articles handler, the page (fake embedder, fast),
and the real server called through gradio_client (real model). Rendering is tested in
test_present.py, the page in a real browser in test_browser.py."""

from __future__ import annotations

import json

import gradio as gr
import pytest
from gradio_client.exceptions import AppError

import app

from .conftest import EVIL_TEXT, EVIL_TITLE, OHANIAN_QUOTE, app_client, evil_article


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
    assert fake_index.info().articles == 2
    assert "evil.example" in fake_index.info().sources

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
@pytest.mark.model
def test_api_answers_with_citations(sample_server):
    client = app_client(sample_server)
    text, answer = client.predict("What did Ohanian say?", api_name="/ask")
    assert OHANIAN_QUOTE in text and "[1]" in text
    assert not answer["abstained"]
    cited = [c["sentence"] for c in answer["citations"]]
    assert any(OHANIAN_QUOTE in s for s in cited)
    assert {c["source"] for c in answer["citations"]} == {"armenews.com"}


@pytest.mark.model
def test_api_follow_up_uses_history_and_filters_are_validated(sample_server):
    client = app_client(sample_server)
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
