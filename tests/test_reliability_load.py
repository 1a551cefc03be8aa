"""Load (RELIABILITY.md, "Load"): many users at once get answers, never errors; past the
queue's limit a newcomer is told "busy, try again" at once, never left hanging or given a
server error. The long run is ``python -m bench load`` (100 users, a 22,000-chunk index)."""

from __future__ import annotations

import json
import threading
import time

import pytest

import app
from bench import load
from qa import Index
from qa.load import make_article
from qa.records import Filters

from .conftest import ROOT, FakeEmbedder, app_client, free_port, loopback_http

SHORT_USERS = 20
SHORT_SECONDS = 20


@pytest.mark.model
def test_twenty_users_for_twenty_seconds_get_answers(sample_server):
    pool = [*app.SAMPLE_QUESTIONS, "What did the Armenian leaders say?", "Who met in Moscow?"]
    outcomes, wall = load.run_users(
        sample_server, SHORT_USERS, SHORT_SECONDS, think=(0.2, 1.0), ramp=2.0, timeout=120,
        pool=pool, sources=["armenews.com"],
    )  # fmt: skip
    figures = load.summarise(outcomes, SHORT_USERS, wall)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "load-short.json").write_text(json.dumps(figures.__dict__, indent=2))
    assert figures.errors == 0, figures.error_kinds
    assert figures.requests >= SHORT_USERS * 2
    assert {o.kind for o in outcomes} == {"ask", "follow-up", "filter"}
    print(f"\n{load.table({'short': figures})}")


class SlowEmbedder(FakeEmbedder):
    """Each question takes a while to embed, so requests pile up in the queue."""

    def embed(self, texts, progress=False):
        if len(texts) == 1:
            time.sleep(0.4)
        return super().embed(texts, progress)


@pytest.fixture
def small_queue_app(tmp_path):
    """The real app with a queue of 3 on a slow index (answers take ~0.4 s, one at a time)."""
    with Index.open(tmp_path / "ix", create=True, embedder=SlowEmbedder()) as index:
        index.add([make_article(title="Storm", text="A storm hit. Fishermen lost 40 boats.")])
        blocks = app.create_app(index, examples=["What did the fishermen lose?"])
        url = app.serve(blocks, "127.0.0.1", free_port(), block=False, max_queue=3)
        try:
            yield url
        finally:
            blocks.close()


def test_a_full_queue_says_busy_at_once_and_serves_the_rest(small_queue_app):
    results: list[tuple[str, float]] = []
    lock = threading.Lock()

    def ask(number: int) -> None:
        started = time.monotonic()
        try:
            # A new question each time: a repeated one's vector is cached, and answered at once.
            app_client(small_queue_app).predict(f"What did they lose ({number})?",
                                                api_name="/ask")  # fmt: skip
            outcome = "answered"
        except Exception as error:  # noqa: BLE001 - sorted below
            outcome = str(error)
        with lock:
            results.append((outcome, time.monotonic() - started))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 12, "a request hung"
    answered = [took for outcome, took in results if outcome == "answered"]
    busy = [took for outcome, took in results if "Queue is full! Please try again" in outcome]
    assert len(answered) + len(busy) == 12, [o for o, _ in results]  # nothing else, no 500
    assert answered and busy
    assert max(busy) < max(answered), "a busy reply waited like an answer"

    # The HTTP reply itself: 503 with a reason, the way the page learns it is busy.
    for n in range(12, 18):  # fill the queue again
        threading.Thread(target=ask, args=(n,)).start()
    # Posted until the queue of 3 is full (each accepted post waits in it too), within a
    # bound: on a busy machine the clients above may not have queued anything yet.
    replies: list = []
    deadline = time.monotonic() + 30
    with loopback_http(timeout=10) as http:
        while time.monotonic() < deadline and not any(r.status_code == 503 for r in replies):
            data = [f"Boats ({len(replies)})?", [], [], "", ""]
            replies.append(http.post(f"{small_queue_app}gradio_api/call/ask", json={"data": data}))
            time.sleep(0.05)
    full = [r for r in replies if r.status_code == 503]
    assert full and all(r.status_code in (200, 503) for r in replies)
    assert "Queue is full" in full[0].json()["detail"]


def test_question_dates_outside_the_filter_are_noted_not_an_error(fake_index):
    """Found by ``bench load``: "What happened in April 2025?" with a filter of October 2026
    raised "since ... is after until ...; swap them", dates the user never typed."""
    fake_index.add([
        make_article(title="A", text="Tariffs rose in April.", published="2025-04-10"),
        make_article(title="B", text="Elections were held.", published="2026-10-05"),
    ])  # fmt: skip
    answer = fake_index.ask(
        "What happened in April 2025?", filters=Filters(since="2026-10-01", until="2026-10-28")
    )
    assert "outside the dates of the filter" in answer.notes[0]
    assert all(c.article.published.startswith("2026-10") for c in answer.citations)


def test_serve_sets_the_queue_limits_and_auth(tmp_path, fake_embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        index.add([make_article(title="Storm", text="A storm hit the coast.")])
        blocks = app.create_app(index)
        url = app.serve(blocks, "127.0.0.1", free_port(), block=False, max_queue=7,
                        auth=("editor", "a long secret"))  # fmt: skip
        try:
            assert blocks._queue.max_size == 7
            with loopback_http(timeout=10) as http:
                assert http.get(f"{url}config").status_code == 401
            with pytest.raises(ValueError, match="Could not login"):
                app_client(url, auth=("editor", "wrong"))
            client = app_client(url, auth=("editor", "a long secret"))
            text, _ = client.predict("What hit the coast?", api_name="/ask")
            assert "storm" in text.lower()
        finally:
            blocks.close()
    assert app.parse_auth("") is None
    assert app.parse_auth("a:b:c") == ("a", "b:c")
    with pytest.raises(ValueError, match="USER:PASSWORD"):
        app.parse_auth("nopassword")
    text = app.build_parser().format_help()
    assert "--auth USER:PASSWORD" in text and "--max-queue N" in text
