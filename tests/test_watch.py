"""The feed watcher (qa/watch/, qa/fetch.py) against a real HTTP server on 127.0.0.1.

The feeds and pages are built here from data/ and the shared Wikipedia current-events pages;
nothing leaves loopback. Indexes are real (SQLite, FAISS, BM25) with the fake embedder,
wrapped to count what it embeds; one test runs the real model in a second process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from qa import Index
from qa.cli import main
from qa.fetch import USER_AGENT, Fetcher
from qa.watch import (
    Feed,
    FeedsFileError,
    feed_states,
    feeds_from_arguments,
    freshness,
    load_feeds_file,
    parse_interval,
    poll_once,
    start_background,
    watch,
)

from .conftest import PROXY_VARIABLES, ROOT, FakeEmbedder, require, require_module
from .feedserver import (
    DAYS,
    FeedServer,
    Item,
    article_page,
    atom,
    current_events,
    paragraphs_for,
    rss,
    rss_item,
    sample_item,
    wait_until,
)

INTERVAL = 60.0  # seconds; the tests move a fake clock instead of sleeping


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting every text it is asked to embed."""

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts, progress=False):
        self.texts += len(texts)
        return super().embed(texts, progress)


@dataclass
class News:
    """Three feeds on one loopback site: full-content RSS, full-content Atom, and an RSS feed
    of summaries whose stories are on article pages."""

    server: FeedServer
    desk: list[Item]
    wire: list[Item]
    summaries: list[Item]
    page_extra: dict[str, list[str]]  # slug -> the page's paragraphs

    @property
    def feeds(self) -> list[Feed]:
        return [
            Feed(self.server.url("/desk.xml"), interval=INTERVAL),
            Feed(self.server.url("/wire.atom"), "Wire Service", interval=INTERVAL),
            Feed(self.server.url("/summaries.xml"), interval=INTERVAL),
        ]

    def page_url(self, item: Item) -> str:
        return self.server.url(f"/news/{item.slug}.html")

    def publish_summaries(self, items: list[Item], **updated: datetime) -> None:
        """(Re)write the summaries feed and its pages; ``updated[slug]`` marks an update."""
        for item in items:
            if item.slug not in self.page_extra:
                self.page_extra[item.slug] = paragraphs_for(item, self.desk[:2])
            self.server.route(
                f"/news/{item.slug}.html",
                article_page(item.title, self.page_extra[item.slug], "Ada Reporter"),
                content_type="text/html; charset=utf-8",
            )
        entries = [
            rss_item(i, self.page_url(i), full=False, updated=updated.get(i.slug)) for i in items
        ]
        self.server.route("/summaries.xml", rss("Loopback Times", self.server.base, entries))
        self.summaries = items

    def publish_desk(self, items: list[Item]) -> None:
        entries = [rss_item(i, self.server.url(f"/desk/{i.slug}"), full=True) for i in items]
        self.server.route("/desk.xml", rss("World Desk", self.server.base, entries))
        self.desk = items


@pytest.fixture
def news():
    require(DAYS.is_dir(), f"needs {DAYS} (the shared datasets)")
    with FeedServer() as server:
        news = News(server, [], [], [], {})
        news.publish_desk(current_events("2026-08-20", 4))
        news.wire = current_events("2026-08-21", 4)
        server.route(
            "/wire.atom",
            atom("Wire", server.base, news.wire),
            content_type="application/atom+xml",
            etag=None,  # this one validates by Last-Modified only
            last_modified="Fri, 21 Aug 2026 10:00:00 GMT",
        )
        news.publish_summaries(current_events("2026-08-22", 3))
        server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n",
                     content_type="text/plain")  # fmt: skip
        yield news


@pytest.fixture
def embedder():
    return CountingEmbedder()


@pytest.fixture
def index(tmp_path, embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=embedder) as index:
        yield index


@pytest.fixture
def fetcher():
    with Fetcher(trust_env=False, timeout=1.0, delay=0.0) as fetcher:
        yield fetcher


class Clock:
    """A settable wall clock, so backoff and schedules are tested without sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def total_entries(news: News) -> int:
    return len(news.desk) + len(news.wire) + len(news.summaries)


# ---------------------------------------------------------------------------------------------
# Incremental and idempotent
# ---------------------------------------------------------------------------------------------


def test_first_poll_adds_everything_second_gets_304s_and_embeds_nothing(
    news, index, embedder, fetcher
):
    first = poll_once(index, news.feeds, fetcher=fetcher)
    assert [r.outcome for r in first] == ["updated"] * 3
    assert sum(r.added for r in first) == total_entries(news) == index.info().articles
    assert first[2].pages == len(news.summaries)
    embedded, chunks = embedder.texts, index.info().chunks
    assert embedded == chunks > 0

    second = poll_once(index, news.feeds, fetcher=fetcher)
    assert [r.outcome for r in second] == ["not modified"] * 3
    assert embedder.texts == embedded  # nothing embedded again
    assert index.info().chunks == chunks
    desk, wire, summaries = (news.server.hits_of(p) for p in ("/desk.xml", "/wire.atom",
                                                               "/summaries.xml"))  # fmt: skip
    assert [h.status for h in desk + wire + summaries] == [200, 304] * 3
    assert desk[1].headers["if-none-match"] == news.server.routes["/desk.xml"].etag
    assert wire[1].headers["if-modified-since"] == "Fri, 21 Aug 2026 10:00:00 GMT"
    assert "if-none-match" not in wire[1].headers  # it never sent an ETag
    for item in news.summaries:  # pages are fetched once, never on a 304
        assert len(news.server.hits_of(f"/news/{item.slug}.html")) == 1


def test_feed_changed_elsewhere_refetches_no_page_and_embeds_nothing(news, index, embedder,
                                                                     fetcher):  # fmt: skip
    poll_once(index, news.feeds, fetcher=fetcher)
    embedded = embedder.texts
    # The feed body changes (a new channel description) but no entry does.
    news.server.route(
        "/summaries.xml",
        news.server.routes["/summaries.xml"].body.replace(b"test feed", b"test feed, v2"),
    )
    news.publish_desk(news.desk)  # same entries, served again with a 200
    news.server.routes["/desk.xml"].etag = '"v2"'
    results = poll_once(index, news.feeds, fetcher=fetcher)
    by_url = {r.feed: r for r in results}
    assert by_url[news.server.url("/summaries.xml")].outcome == "updated"
    assert by_url[news.server.url("/summaries.xml")].pages == 0  # stored urls: no page fetch
    assert by_url[news.server.url("/desk.xml")].unchanged == len(news.desk)
    assert sum(r.added + r.updated for r in results) == 0
    assert embedder.texts == embedded


def test_new_entry_is_added_once_and_answerable(news, index, embedder, fetcher):
    poll_once(index, news.feeds, fetcher=fetcher)
    before = index.info().articles
    shoigu, paragraphs = sample_item(ROOT)
    news.page_extra[shoigu.slug] = paragraphs
    news.publish_summaries([shoigu, *news.summaries])

    results = poll_once(index, news.feeds, fetcher=fetcher)
    summaries = results[2]
    assert (summaries.added, summaries.updated, summaries.pages) == (1, 0, 1)
    assert [r.outcome for r in results[:2]] == ["not modified", "not modified"]
    assert index.info().articles == before + 1
    for item in news.summaries[1:]:  # the old pages were not fetched again
        assert len(news.server.hits_of(f"/news/{item.slug}.html")) == 1

    answer = index.ask("What did Ohanian say?")
    assert not answer.abstained
    assert "We want to maintain our strategic partnership" in answer.text
    assert answer.citations[0].article.url == news.page_url(shoigu)
    assert answer.citations[0].article.id == summaries.added_ids[0]


def test_summary_only_entry_gets_its_page_fetched_and_extracted(news, index, fetcher):
    poll_once(index, news.feeds, fetcher=fetcher)
    item = news.summaries[0]
    stored = next(a for a in index.articles() if a.url == news.page_url(item))
    assert stored.title == item.title  # the feed's title, not the page's "... | Loopback Times"
    assert stored.text.startswith(item.text)
    assert news.desk[0].text in stored.text  # text only the page has, not the summary
    assert "Subscribe" not in stored.text and "Cookie" not in stored.text  # boilerplate
    assert stored.author == "Ada Reporter"  # from the page's metadata
    assert stored.source == "Loopback Times"  # the feed's title
    assert stored.published.startswith(item.published.strftime("%Y-%m-%dT%H:%M"))
    page = news.server.hits_of(f"/news/{item.slug}.html")[0]
    assert page.headers["user-agent"] == USER_AGENT
    assert "text/html" in page.headers["accept"]


def test_full_content_entries_use_the_feed_text_and_source_name(news, index, fetcher):
    poll_once(index, news.feeds, fetcher=fetcher)
    articles = {a.url: a for a in index.articles()}
    desk = articles[news.server.url(f"/desk/{news.desk[0].slug}")]
    wire = articles[news.server.url(f"/wire/{news.wire[0].slug}")]
    assert desk.text == news.desk[0].text and desk.source == "World Desk"
    assert wire.text == news.wire[0].text and wire.source == "Wire Service"  # feeds file name
    assert not news.server.hits_of(f"/desk/{news.desk[0].slug}")  # full text: no page fetch


def test_an_updated_entry_replaces_its_article(news, index, embedder, fetcher):
    poll_once(index, news.feeds, fetcher=fetcher)
    item = news.summaries[1]
    news.page_extra[item.slug] = [item.text, "Correction: the figures were revised on Sunday."]
    later = item.published + timedelta(hours=3)
    news.publish_summaries(news.summaries, **{item.slug: later})
    result = poll_once(index, news.feeds, fetcher=fetcher)[2]
    assert (result.added, result.updated, result.pages) == (0, 1, 1)
    matching = [a for a in index.articles() if a.url == news.page_url(item)]
    assert len(matching) == 1 and "Correction" in matching[0].text


def test_a_copy_from_another_outlet_is_grouped(news, index, fetcher):
    news.server.route(
        "/copies.xml",
        rss("Copy Desk", news.server.base,
            [rss_item(news.desk[0], news.server.url("/copy/1"), full=True)]),
    )  # fmt: skip
    feeds = [*news.feeds, Feed(news.server.url("/copies.xml"), interval=INTERVAL)]
    results = poll_once(index, feeds, fetcher=fetcher)
    assert results[3].added == 1
    passages = index.retrieve(news.desk[0].text, k=3)
    assert [a.source for a in passages[0].also_reported_by] in (["Copy Desk"], ["World Desk"])


# ---------------------------------------------------------------------------------------------
# Politeness
# ---------------------------------------------------------------------------------------------


def test_robots_txt_disallow_is_honoured(news, index, fetcher):
    private = Item("A private story in the newsroom", news.summaries[0].text + " (private)",
                   "x", news.summaries[0].published, "private-1")  # fmt: skip
    entries = [rss_item(i, news.page_url(i), full=False) for i in news.summaries]
    entries.append(rss_item(private, news.server.url("/private/1.html"), full=False))
    news.server.route("/private/1.html", article_page("x", ["secret"], "y"),
                      content_type="text/html")  # fmt: skip
    news.server.route("/summaries.xml", rss("Loopback Times", news.server.base, entries))
    result = poll_once(index, news.feeds, fetcher=fetcher)[2]
    assert not news.server.hits_of("/private/1.html")
    assert len(news.server.hits_of("/robots.txt")) == 1  # read once for the site
    assert any("robots.txt disallows" in p for p in result.problems)
    stored = next(a for a in index.articles() if a.url.endswith("/private/1.html"))
    assert "secret" not in stored.text  # the feed's summary was indexed instead
    assert result.pages == len(news.summaries)


def test_pages_on_one_site_are_spaced_by_the_politeness_delay(news, index):
    with Fetcher(trust_env=False, timeout=2.0, delay=0.25) as fetcher:
        poll_once(index, news.feeds[2:], fetcher=fetcher)
    hits = [h for h in news.server.hits if h.path.startswith(("/news/", "/robots", "/summ"))]
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:], strict=False)]
    assert len(hits) == 2 + len(news.summaries)
    assert min(gaps) >= 0.24


def test_a_robots_txt_crawl_delay_is_honoured(news, index, fetcher):
    # robotparser reads whole seconds only.
    news.server.route("/robots.txt", "User-agent: newsqa\nCrawl-delay: 1\n",
                      content_type="text/plain")  # fmt: skip
    poll_once(index, news.feeds[2:], fetcher=fetcher)  # the fetcher's own delay is 0
    pages = [h for h in news.server.hits if h.path.startswith("/news/")]
    assert len(pages) == len(news.summaries)
    assert min(b.at - a.at for a, b in zip(pages, pages[1:], strict=False)) >= 0.99


def test_a_page_over_the_size_limit_is_not_read_and_the_summary_is_kept(news, index):
    item = news.summaries[0]
    news.page_extra[item.slug] = [item.text] + ["Filler paragraph. " * 50] * 40
    news.publish_summaries(news.summaries)
    with Fetcher(trust_env=False, timeout=2.0, delay=0.0, max_bytes=20_000) as fetcher:
        result = poll_once(index, news.feeds[2:], fetcher=fetcher)[0]
    assert any("larger than" in p for p in result.problems)
    stored = next(a for a in index.articles() if a.url == news.page_url(item))
    assert "Filler" not in stored.text


def test_a_page_that_times_out_is_retried_on_the_next_poll(news, index, fetcher):
    item = news.summaries[0]
    news.server.routes[f"/news/{item.slug}.html"].delay = 2.0  # over the 1 s timeout
    first = poll_once(index, news.feeds[2:], fetcher=fetcher)[0]
    assert first.added == len(news.summaries) - 1
    assert any("timed out" in p and "will retry" in p for p in first.problems)
    news.server.routes[f"/news/{item.slug}.html"].delay = 0.0
    second = poll_once(index, news.feeds[2:], fetcher=fetcher)[0]
    # The ETag was not kept, so the feed came back whole and only the missing page was read.
    assert news.server.hits_of("/summaries.xml")[1].status == 200
    assert (second.added, second.pages) == (1, 1)


# ---------------------------------------------------------------------------------------------
# Failures and backoff
# ---------------------------------------------------------------------------------------------


def test_failing_feeds_do_not_stop_the_others_and_back_off(news, index, fetcher):
    server = news.server
    server.route("/500.xml", "oops", status=500, content_type="text/plain")
    server.route("/garbage.xml", b"\x00\x01 this is <not <xml", content_type="application/xml")
    server.route("/error-page.xml", "<!DOCTYPE html><html><body><h1>502 Bad gateway</h1>"
                 "</body></html>", content_type="text/html")  # fmt: skip
    server.route("/slow.xml", news.server.routes["/desk.xml"].body, delay=3.0)
    broken = ["/500.xml", "/garbage.xml", "/error-page.xml", "/slow.xml"]
    feeds = [Feed(server.url(p), interval=INTERVAL) for p in broken] + news.feeds
    clock = Clock()
    lines: list[str] = []

    results = poll_once(index, feeds, fetcher=fetcher, clock=clock, log=lines.append)
    outcomes = {r.feed.rsplit("/", 1)[1]: r for r in results}
    assert [outcomes[p[1:]].outcome for p in broken] == ["failed"] * 4
    assert "HTTP 500" in outcomes["500.xml"].error
    assert "not an RSS or Atom feed" in outcomes["garbage.xml"].error
    assert "HTML page" in outcomes["error-page.xml"].error
    assert "timed out" in outcomes["slow.xml"].error
    assert sum(r.added for r in results) == total_entries(news)  # the good feeds went on
    failure_lines = [line for line in lines if "failed" in line]
    assert len(failure_lines) == 4 and all("\n" not in line for line in failure_lines)

    # Half an interval later a --once round leaves the failing feeds alone...
    clock.advance(INTERVAL / 2)
    again = poll_once(index, feeds, fetcher=fetcher, clock=clock)
    assert [r.outcome for r in again[:4]] == ["waiting"] * 4
    assert all(len(server.hits_of(p)) == 1 for p in broken)
    # ...after the first backoff it tries again and doubles the wait.
    clock.advance(INTERVAL)
    third = poll_once(index, feeds[:1], fetcher=fetcher, clock=clock)[0]
    assert (third.outcome, third.failures) == ("failed", 2)
    state = feed_states(index)[server.url("/500.xml")]
    wait = datetime.fromisoformat(state.next_poll).timestamp() - clock.now
    assert wait == pytest.approx(2 * INTERVAL, abs=1)
    assert state.last_error.startswith("HTTP 500")
    # Fixed: the next try succeeds and the failures are forgotten.
    server.routes["/500.xml"] = server.routes["/desk.xml"]
    clock.advance(2 * INTERVAL)
    fixed = poll_once(index, feeds[:1], fetcher=fetcher, clock=clock)[0]
    assert fixed.outcome == "updated"
    assert feed_states(index)[server.url("/500.xml")].failures == 0


def test_a_feed_that_turns_to_garbage_keeps_its_articles_and_the_others_go_on(news, index,
                                                                             fetcher):  # fmt: skip
    poll_once(index, news.feeds, fetcher=fetcher)
    before = {a.id for a in index.articles()}
    news.server.route("/desk.xml", b"<rss><channel><item><title>cut off", etag='"broken"')
    news.server.route("/wire.atom", "upstream error", status=502, content_type="text/plain")
    shoigu, paragraphs = sample_item(ROOT)
    news.page_extra[shoigu.slug] = paragraphs
    news.publish_summaries([shoigu, *news.summaries])
    results = poll_once(index, news.feeds, fetcher=fetcher)
    assert [r.outcome for r in results] == ["failed", "failed", "updated"]
    assert "malformed XML" in results[0].error and "HTTP 502" in results[1].error
    assert results[2].added == 1
    assert before < {a.id for a in index.articles()}  # nothing of the broken feeds removed


def test_a_truncated_feed_is_read_as_far_as_it_goes_and_fetched_whole_next_time(news, index,
                                                                              fetcher):  # fmt: skip
    body = news.server.routes["/desk.xml"].body
    cut = body.index(b"</item>", body.index(b"</item>") + 1) + len(b"</item>")  # two items
    news.server.route("/desk.xml", body[: cut + 20])
    result = poll_once(index, news.feeds[:1], fetcher=fetcher)[0]
    assert (result.outcome, result.added) == ("updated", 2)
    assert "malformed XML" in result.problems[0]
    news.server.route("/desk.xml", body)
    again = poll_once(index, news.feeds[:1], fetcher=fetcher)[0]
    assert "if-none-match" not in news.server.hits_of("/desk.xml")[-1].headers
    assert (again.added, again.unchanged) == (len(news.desk) - 2, 2)


def test_an_unexpected_error_in_one_feed_is_reported_and_backed_off(news, index, fetcher,
                                                                   monkeypatch):  # fmt: skip
    import qa.watch.poll  # where _page_article looks parse_html up

    def broken_parser(content, *, name):
        raise RuntimeError("parser bug on odd input")

    monkeypatch.setattr(qa.watch.poll, "parse_html", broken_parser)
    results = watch(index, news.feeds, once=True, fetcher=fetcher, log=None)
    assert [r.outcome for r in results] == ["updated", "updated", "failed"]
    assert results[2].error == "unexpected RuntimeError: parser bug on odd input"
    assert feed_states(index)[news.feeds[2].url].failures == 1


def test_retry_after_is_honoured(news, index, fetcher):
    news.server.route("/busy.xml", "busy", status=503, headers={"Retry-After": "7200"})
    clock = Clock()
    result = poll_once(index, [Feed(news.server.url("/busy.xml"), interval=INTERVAL)],
                       fetcher=fetcher, clock=clock)[0]  # fmt: skip
    assert "Retry-After" in result.error
    wait = datetime.fromisoformat(result.next_poll).timestamp() - clock.now
    assert wait == pytest.approx(7200, abs=1)


def test_the_schedule_polls_a_feed_only_when_its_interval_has_passed(news, index, fetcher):
    clock = Clock()
    poll_once(index, news.feeds, fetcher=fetcher, clock=clock, schedule=True)
    clock.advance(INTERVAL / 2)
    assert poll_once(index, news.feeds, fetcher=fetcher, clock=clock, schedule=True) == []
    clock.advance(INTERVAL)
    later = poll_once(index, news.feeds, fetcher=fetcher, clock=clock, schedule=True)
    assert [r.outcome for r in later] == ["not modified"] * 3


# ---------------------------------------------------------------------------------------------
# Restart, a second process, the app's background watcher
# ---------------------------------------------------------------------------------------------


def test_restart_resumes_with_the_stored_etag_and_no_duplicates(news, tmp_path, fetcher):
    folder = tmp_path / "restart"
    with Index.open(folder, create=True, embedder=FakeEmbedder()) as first:
        poll_once(first, news.feeds, fetcher=fetcher)
        count = first.info().articles
    shoigu, paragraphs = sample_item(ROOT)
    news.page_extra[shoigu.slug] = paragraphs
    news.publish_summaries([shoigu, *news.summaries])  # published while the watcher was down
    etag = news.server.routes["/desk.xml"].etag
    embedder = CountingEmbedder()
    with Index.open(folder, embedder=embedder) as second:
        results = poll_once(second, news.feeds, fetcher=fetcher)
        assert news.server.hits_of("/desk.xml")[-1].headers["if-none-match"] == etag
        assert [r.outcome for r in results] == ["not modified", "not modified", "updated"]
        assert results[2].added == 1 and results[2].pages == 1
        assert second.info().articles == count + 1
        urls = [a.url for a in second.articles()]
        assert len(urls) == len(set(urls))
        # Only the new article was embedded.
        new_chunks = second.store.chunk_ids_where(article_ids=tuple(results[2].added_ids))
        assert embedder.texts == len(new_chunks) > 0


def test_an_open_index_sees_what_another_connection_added(news, tmp_path, fetcher):
    """The app's Index and a second `python -m qa watch` process share the folder: the
    reader picks up the writer's commits (the store's generation changes) without reopening."""
    folder = tmp_path / "shared"
    with Index.open(folder, create=True, embedder=FakeEmbedder()) as reader:
        poll_once(reader, news.feeds[:1], fetcher=fetcher)
        assert reader.ask("What did Ohanian say?").abstained
        shoigu, paragraphs = sample_item(ROOT)
        news.page_extra[shoigu.slug] = paragraphs
        news.publish_summaries([shoigu])
        with Index.open(folder, embedder=FakeEmbedder()) as writer:  # its own connection
            assert poll_once(writer, news.feeds[2:], fetcher=fetcher)[0].added == 1
        answer = reader.ask("What did Ohanian say?")
        assert "We want to maintain our strategic partnership" in answer.text


def test_background_watcher_keeps_the_chat_answering(news, index, fetcher):
    feeds = [Feed(f.url, f.source, interval=1.0) for f in news.feeds]
    lines: list[str] = []
    thread, stop = start_background(index, feeds, log=lines.append, fetcher=fetcher)
    try:
        assert wait_until(lambda: index.info().articles == total_entries(news))
        shoigu, paragraphs = sample_item(ROOT)
        news.page_extra[shoigu.slug] = paragraphs
        news.publish_summaries([shoigu, *news.summaries])
        # The chat keeps answering while the watcher fetches, embeds and writes.
        answers = []
        deadline = time.monotonic() + 30
        while not any(a.title == shoigu.title for a in index.articles()):
            assert time.monotonic() < deadline, lines
            answers.append(index.ask(news.desk[0].title))
        assert answers and all(a.citations or a.closest for a in answers)
        assert "We want to maintain" in index.ask("What did Ohanian say?").text
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert not any("watcher stopped" in line for line in lines)


def test_freshness_line(news, index, fetcher):
    assert freshness(index) == []
    poll_once(index, news.feeds, fetcher=fetcher)
    newest = max(i.published for i in news.summaries)
    parts = freshness(index, now=newest + timedelta(minutes=12))
    assert parts[0] == "newest 12 minutes ago"
    assert parts[1].startswith("3 feeds")
    news.server.route("/down.xml", "x", status=500)
    poll_once(index, [Feed(news.server.url("/down.xml"))], fetcher=fetcher)
    assert "4 feeds (1 failing, checked just now)" in freshness(index)


def test_app_header_shows_freshness(news, index, fetcher):
    app = require_module("app")
    poll_once(index, news.feeds, fetcher=fetcher)
    stats = app.header_html(index)
    assert f"{total_entries(news)} articles" in stats
    assert "3 feeds (checked just now)" in stats and "newest " in stats


# ---------------------------------------------------------------------------------------------
# Feeds files, arguments, the command line
# ---------------------------------------------------------------------------------------------


def test_feeds_file(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text(
        'interval = "30m"\n'
        '[[feed]]\nurl = "https://news.example/rss"\nsource = "Example News"\n'
        '[[feed]]\nurl = "https://wire.example/atom"\ninterval = "2h"\n'
        '[[feed]]\nurl = "local.xml"\n'
    )
    feeds = load_feeds_file(path)
    assert feeds == [
        Feed("https://news.example/rss", "Example News", 1800.0),
        Feed("https://wire.example/atom", "", 7200.0),
        Feed(str(tmp_path / "local.xml"), "", 1800.0),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[feed]]\nsource = 'x'\n", "feed 1 has no url"),
        ("[[feed]]\nurl = 'https://a'\ntitle = 'x'\n", "unknown key(s) title"),
        ("[[feed]]\nurl = 'https://a'\ninterval = 'soon'\n", "not a duration"),
        ("[[feed\nurl = 'https://a'\n", "not valid TOML"),
        ("interval = '5m'\n", "no feeds"),
    ],
)
def test_feeds_file_mistakes_are_explained(tmp_path, text, message):
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    with pytest.raises(FeedsFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_feeds_file(path)


def test_intervals_and_arguments(tmp_path):
    assert parse_interval("90s") == 90 and parse_interval("15m") == 900
    assert parse_interval("2h") == 7200 and parse_interval("1d") == 86400
    with pytest.raises(ValueError, match="too short"):
        parse_interval("0s")
    with pytest.raises(FeedsFileError, match="not an http"):
        feeds_from_arguments(["no-such-feed.xml"])
    local = tmp_path / "feed.xml"
    local.write_text("<rss/>")
    feeds = feeds_from_arguments(["https://a.example/rss", str(local), "https://a.example/rss"])
    assert [f.url for f in feeds] == ["https://a.example/rss", str(local)]


def test_a_local_feed_file_is_watched_by_its_modification_time(news, index, tmp_path, fetcher):
    path = tmp_path / "local.xml"
    path.write_bytes(news.server.routes["/desk.xml"].body)
    feed = [Feed(str(path), "Local Desk")]
    assert poll_once(index, feed, fetcher=fetcher)[0].added == len(news.desk)
    assert poll_once(index, feed, fetcher=fetcher)[0].outcome == "not modified"
    extra = current_events("2026-08-19", 1)[0]
    news.publish_desk([extra, *news.desk])
    path.write_bytes(news.server.routes["/desk.xml"].body)
    assert poll_once(index, feed, fetcher=fetcher)[0].added == 1


@pytest.fixture
def fake_model(monkeypatch):
    """Index.open finds the fake embedder by the name an index records."""
    import qa.index

    monkeypatch.setattr(qa.index, "get_embedder", lambda name=None, backend=None: FakeEmbedder())


def test_cli_watch_once(news, tmp_path, fake_model, capsys):
    folder = str(tmp_path / "cli")
    urls = [f.url for f in news.feeds]
    assert main(["watch", *urls, "--index", folder, "--once", "--delay", "0"]) == 0
    out = capsys.readouterr().out
    assert f"{len(news.desk)} added" in out and "pages fetched" in out
    assert main(["watch", *urls, "--index", folder, "--once", "--delay", "0"]) == 0
    assert capsys.readouterr().out.count("not modified") == 3
    news.server.route("/down.xml", "x", status=500)
    assert (
        main(["watch", news.server.url("/down.xml"), "--index", folder, "--once", "--delay", "0"])
        == 1
    )
    assert "failed (HTTP 500 Internal Server Error); retry in" in capsys.readouterr().out


def test_cli_explains_a_bad_feeds_file(tmp_path, capsys):
    bad = tmp_path / "feeds.toml"
    bad.write_text("[[feed]]\n")
    assert main(["watch", "--feeds", str(bad), "--index", str(tmp_path / "ix")]) == 2
    assert "has no url" in capsys.readouterr().err
    assert main(["watch", "--index", str(tmp_path / "ix"), "--every", "soon"]) == 2
    assert "not a duration" in capsys.readouterr().err


def test_ctrl_c_stops_cleanly_between_batches(news, tmp_path, fake_model, capsys):
    folder = tmp_path / "interrupted"
    urls = [f.url for f in news.feeds]
    reached: list[bool] = []

    def interrupt_in_the_second_round() -> None:
        reached.append(wait_until(lambda: len(news.server.hits_of("/desk.xml")) >= 2, timeout=60))
        os.kill(os.getpid(), signal.SIGINT)

    # Python's own Ctrl+C handler, whatever this run inherited (a shell's `pytest &` starts
    # with SIGINT ignored); the watch must put back the one it found.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Thread(target=interrupt_in_the_second_round, daemon=True)
    timer.start()
    try:
        code = main(["watch", *urls, "--index", str(folder), "--every", "1s",
                     "--delay", "0"])  # fmt: skip
        timer.join()
        restored = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, inherited)
    captured = capsys.readouterr()
    assert reached == [True]  # interrupted in the second round, not after a timed-out wait
    assert code == 130
    assert "stopping after the current feed" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert restored is signal.default_int_handler
    with Index.open(folder, embedder=FakeEmbedder()) as index:
        assert index.info().articles == total_entries(news)


def test_ctrl_c_in_the_middle_of_a_feed_keeps_whole_articles_and_resumes(
    news, tmp_path, fake_model, capsys
):
    folder = tmp_path / "mid-feed"
    for item in news.summaries:
        news.server.routes[f"/news/{item.slug}.html"].delay = 0.5
    first_page = f"/news/{news.summaries[0].slug}.html"
    reached: list[bool] = []

    def interrupt_at_the_first_page() -> None:
        reached.append(wait_until(lambda: bool(news.server.hits_of(first_page)), timeout=60))
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Thread(target=interrupt_at_the_first_page, daemon=True)
    timer.start()
    code = main(["watch", *[f.url for f in news.feeds], "--index", str(folder), "--delay", "0"])
    timer.join()
    assert reached == [True]  # interrupted while the first page was being fetched
    assert code == 130
    with Index.open(folder, embedder=FakeEmbedder()) as index:
        stored = index.articles()
        assert len(stored) < total_entries(news)  # stopped before the summaries were done
        for article in stored:  # each one whole: its sentences and its vectors
            assert index.sentences(article.id)
            assert len(index.store.chunk_ids_where(article_ids=(article.id,)))
    capsys.readouterr()
    again = [
        "watch",
        *[f.url for f in news.feeds],
        "--index",
        str(folder),
        "--once",
        "--delay",
        "0",
    ]
    assert main(again) == 0
    # The summaries feed had no stored ETag (it was not finished), so it came back whole.
    assert "if-none-match" not in news.server.hits_of("/summaries.xml")[-1].headers
    with Index.open(folder, embedder=FakeEmbedder()) as index:
        urls = [a.url for a in index.articles()]
        assert len(urls) == len(set(urls)) == total_entries(news)


# ---------------------------------------------------------------------------------------------
# The real model, in a second process
# ---------------------------------------------------------------------------------------------


@pytest.mark.model
def test_second_process_adds_an_entry_the_open_chat_index_answers(news, tmp_path):
    folder = tmp_path / "model"
    with Index.open(folder, create=True) as chat:  # the app's index, real model
        shoigu, paragraphs = sample_item(ROOT)
        news.page_extra[shoigu.slug] = paragraphs
        news.publish_summaries([shoigu, *news.summaries])
        done = subprocess.run(
            [sys.executable, "-m", "qa", "watch", news.server.url("/summaries.xml"),
             "--index", str(folder), "--once", "--delay", "0"],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
            env={k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"{len(news.summaries)} added" in done.stdout
        answer = chat.ask("What did Ohanian say?")
        assert not answer.abstained
        assert "“We want to maintain our strategic partnership,” Ohanian said." in answer.text
        assert answer.citations[0].article.url == news.page_url(shoigu)
