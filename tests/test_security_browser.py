"""The XSS corpus in a real browser (RELIABILITY.md, "Security"): articles whose titles,
sources, urls, authors and text carry script tags, event handlers, ``javascript:`` urls,
Markdown link and image tricks, HTML entities and direction overrides are asked about, cited
and listed in the real app in headless Chromium. No dialog opens, no payload runs (each
would set ``window.__xss``), nothing is fetched from an injected url, no tag or handler of
theirs reaches the page and every link is http(s). Also: a full queue shows "busy, try
again" in the page."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pytest

import app
from qa import Index
from qa.load import make_article

from .conftest import FakeEmbedder, app_client, free_port, needs_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    needs_chromium,
]

TIMEOUT_MS = 30_000
BEACON = "127.0.0.1:9"  # nothing listens there: any request to it is an injected fetch
PAYLOADS = [
    '<script>window.__xss="script"</script>',
    "<img src=x onerror=\"window.__xss='img'\">",
    f'<img src="http://{BEACON}/img.png">',
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "<iframe src=\"javascript:window.__xss='iframe'\"></iframe>",
    "<a href=\"javascript:window.__xss='a'\">click</a>",
    "<details open ontoggle=\"window.__xss='details'\">x</details>",
    "<style>body{display:none}</style>",
    '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss="mxss">',
    '[click](javascript:window.__xss="md")',
    '[x](JaVaScRiPt:window.__xss="case")',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '![pic](javascript:window.__xss="mdimg")',
    f"![pic](http://{BEACON}/md.png)",
    '<javascript:window.__xss="autolink">',
    '&lt;script&gt;window.__xss="entity"&lt;/script&gt;',
    "&#60;img src=x onerror=window.__xss='numeric'&#62;",
    "$$\\href{javascript:window.__xss='tex'}{x}$$",
    '{{constructor.constructor("window.__xss=\'template\'")()}}',
    "Annual report\u202efdp.exe",
]
URLS = [
    "javascript:window.__xss='url'",
    "  JAVASCRIPT:window.__xss='url2'",
    "data:text/html,<script>window.__xss='data'</script>",
    "http://ok.example/\"onmouseover=\"window.__xss='attr'",
    "https://ok.example/?q=<script>window.__xss='query'</script>",
]


def corpus() -> list:
    articles = []
    for i, payload in enumerate(PAYLOADS):
        articles.append(make_article(
            title=f"Zebra{i} {payload}",
            text=f"The zebra{i} report quoted {payload} in full. Officials confirmed zebra{i}.",
            source=f"{payload} wire",
            url=URLS[i % len(URLS)] if i < len(URLS) else f"https://news.example/{i}",
            author=payload,
            published=f"2024-03-{1 + i:02d}",
        ))  # fmt: skip
    return articles


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xss") / "ix"
    # The real model: whether a question is answered (and so which panel shows the payloads)
    # is the abstention model's call, and only real similarities make it a stable one.
    with Index.open(folder, create=True) as index:
        index.add(corpus())
        blocks = app.create_app(index, examples=["What did the zebra0 report quote?"])
        url = app.serve(blocks, "127.0.0.1", free_port(), block=False)
        try:
            yield url
        finally:
            blocks.close()


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.dialogs = []
    page.beacons = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: page.beacons.append(r.url) if BEACON in r.url else None)
    page.goto(url)
    page.locator("#nq-question textarea").wait_for()
    return page


# Gradio marks the chat and the sources panel while an answer is on its way (and drops a
# question submitted before it is done).
BUSY = ", ".join(f"{region} {state}" for region in ("#nq-chat", "#nq-sources")
                 for state in (".pending", ".generating"))  # fmt: skip


def ask(page, question: str, expect: str) -> None:
    """Ask and wait for this answer: nothing is pending any more and the sources panel has
    changed and shows ``expect`` (an answer may also cite the source the next question asks
    about, so ``expect`` alone could be the previous answer's)."""
    sources = page.locator("#nq-sources")
    before = sources.inner_text()
    box = page.locator("#nq-question textarea")
    box.fill(question)
    box.press("Enter")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while (
        page.locator(BUSY).count()
        or (shown := sources.inner_text()) == before
        or expect not in shown
    ):
        if time.monotonic() > deadline:
            shown = sources.inner_text()
            raise AssertionError(f"no sources showing {expect!r} for {question!r}: {shown[:300]!r}")
        time.sleep(0.1)


REGIONS = ("#nq-chat", "#nq-sources", "#nq-ingest-report")
# Where the app's rendered content sits in each (Gradio's own buttons carry SVG icons).
CONTENT = {
    "#nq-chat": "#nq-chat .prose",
    "#nq-sources": "#nq-sources :is(.nq-source, .nq-panel-title, .nq-closest)",
    "#nq-ingest-report": "#nq-ingest-report .prose",
}
FOREIGN_TAGS = "script, img, svg, iframe, details, style, math, object, embed, form, input"
LINKS_AND_HANDLERS = """(selector) => {
    const root = document.querySelector(selector);
    if (!root) return {hrefs: [], handlers: [], text: ""};
    const hrefs = [...root.querySelectorAll("[href], [src], [action], [formaction]")]
        .map(e => e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action")
             || e.getAttribute("formaction"));
    const handlers = [...root.querySelectorAll("*")].flatMap(e =>
        [...e.attributes].filter(a => a.name.startsWith("on")).map(a => e.tagName + " " + a.name));
    return {hrefs, handlers, text: root.innerText};
}"""


def assert_inert(page) -> None:
    page.wait_for_timeout(300)  # let any injected handler fire
    assert page.dialogs == [], page.dialogs
    assert page.evaluate("window.__xss") is None, page.evaluate("window.__xss")
    assert page.beacons == [], page.beacons
    for region in REGIONS:
        foreign = page.evaluate(
            "(s) => [...document.querySelectorAll(s)].map(e => e.outerHTML.slice(0, 120))",
            f"{CONTENT[region]} :is({FOREIGN_TAGS})",
        )
        assert foreign == [], foreign
        found = page.evaluate(LINKS_AND_HANDLERS, region)
        assert found["handlers"] == [], found["handlers"]
        assert all(h.lower().startswith(("http://", "https://")) for h in found["hrefs"]), (
            found["hrefs"]
        )
        assert "\u202e" not in found["text"]


def test_xss_corpus_is_shown_as_text(browser, hostile_server):
    page = open_page(browser, hostile_server)
    try:
        for i, payload in enumerate(PAYLOADS):
            ask(page, f"What did the zebra{i} report quote?", f"Zebra{i} ")
            sources = page.locator("#nq-sources").inner_text()
            shown = payload.replace("\u202e", "[U+202E]")
            assert shown in sources, f"payload {i} is not shown as text: {shown!r}"
            if i % 5 == 4:
                assert_inert(page)
        assert_inert(page)
        chat = page.locator("#nq-chat").inner_text()
        assert "zebra19 report quoted Annual report[U+202E]fdp.exe" in chat
        # Abstaining lists the closest passages: the same cards, the same rules.
        box = page.locator("#nq-question textarea")
        # A person the articles never quote: a refusal whatever the embedder's similarities.
        box.fill("What did Giraffe Jones say about the election?")
        box.press("Enter")
        page.locator("#nq-sources").get_by_text("Closest passages").first.wait_for(
            timeout=TIMEOUT_MS
        )
        assert_inert(page)
    finally:
        page.close()


def test_hostile_upload_name_and_pasted_article(browser, hostile_server, tmp_path):
    page = open_page(browser, hostile_server)
    try:
        page.get_by_role("tab", name="Add articles").click()
        name = "<img src=x onerror=\"window.__xss='file'\">\u202etxt.exe.txt"
        page.locator("#nq-ingest-report").wait_for(state="attached")
        page.locator("input[type=file]").set_input_files(
            [{"name": name, "mimeType": "text/plain",
              "buffer": b"Upload zebra99\n\nThe zebra99 upload says <script>x</script>."}]
        )  # fmt: skip
        page.get_by_label("Or paste an article").fill(
            '{"title": "<svg onload=alert(1)>", "text": "[a](javascript:alert(2)) pasted.",'
            ' "url": "javascript:alert(3)"}'
        )
        page.get_by_role("button", name="Add to index").click()
        report = page.locator("#nq-ingest-report")
        report.get_by_text("2 added").wait_for(timeout=TIMEOUT_MS)
        assert "<svg onload=alert(1)>" in report.inner_text()
        assert_inert(page)
    finally:
        page.close()


# -- busy ---------------------------------------------------------------------------------------
class SlowEmbedder(FakeEmbedder):
    def embed(self, texts, progress=False):
        if len(texts) == 1:
            time.sleep(1.0)
        return super().embed(texts, progress)


def test_a_full_queue_says_busy_in_the_page(browser, tmp_path):

    with Index.open(Path(tmp_path) / "ix", create=True, embedder=SlowEmbedder()) as index:
        index.add([make_article(title="Storm", text="A storm hit. Fishermen lost 40 boats.")])
        blocks = app.create_app(index, examples=["What did the fishermen lose?"])
        url = app.serve(blocks, "127.0.0.1", free_port(), block=False, max_queue=2)
        try:
            page = open_page(browser, url)
            stop = threading.Event()

            def keep_queue_full() -> None:
                client = app_client(url)
                while not stop.is_set():
                    with contextlib.suppress(Exception):  # full: keep trying
                        client.submit("What did they lose?", api_name="/ask")
                    time.sleep(0.05)

            fillers = [threading.Thread(target=keep_queue_full, daemon=True) for _ in range(3)]
            for filler in fillers:
                filler.start()
            time.sleep(2)
            box = page.locator("#nq-question textarea")
            box.fill("What did the fishermen lose?")
            box.press("Enter")
            page.get_by_text("This application is currently busy. Please try again.").first \
                .wait_for(timeout=TIMEOUT_MS)  # fmt: skip
            stop.set()
            page.close()
        finally:
            blocks.close()
