"""The web chat in a real browser: headless Debian Chromium driven by Playwright against the
real app over the sample index. Saves test-artifacts/chat.png (and docs/chat.png for the
README when NEWSQA_README_SCREENSHOT=1)."""

from __future__ import annotations

import json
import os

import pytest

from .conftest import EVIL_TEXT, EVIL_TITLE, OHANIAN_QUOTE, ROOT, needs_chromium

ANSWER_TIMEOUT_MS = 30_000  # first question also warms the model's caches

pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    needs_chromium,
]


@pytest.fixture
def page(browser, sample_server):
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # any alert() means injected script ran
    page.goto(sample_server)
    page.locator("#nq-question textarea").wait_for()
    yield page
    page.close()


def ask(page, question: str) -> None:
    box = page.locator("#nq-question textarea")
    box.fill(question)
    box.press("Enter")


def test_ask_shows_cited_answer_and_sources(page):
    ask(page, "What did Ohanian say?")
    chat = page.locator("#nq-chat")
    sources = page.locator("#nq-sources")
    chat.get_by_text(OHANIAN_QUOTE).first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    sources.locator("mark", has_text=OHANIAN_QUOTE).wait_for()
    assert chat.locator("sup", has_text="[1]").first.is_visible()
    assert sources.get_by_text("armenews.com").first.is_visible()
    assert sources.get_by_text("Shoigu welcomes").first.is_visible()
    page.mouse.move(0, 0)  # no hover effects in the screenshot
    shot = page.screenshot(full_page=True)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "chat.png").write_bytes(shot)
    if os.environ.get("NEWSQA_README_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "chat.png").write_bytes(shot)


def test_pasted_article_with_script_displays_as_text(page):
    page.get_by_role("tab", name="Add articles").click()
    pasted = {"title": EVIL_TITLE, "text": EVIL_TEXT, "source": "evil.example"}
    page.get_by_label("Or paste an article").fill(json.dumps(pasted))
    page.get_by_role("button", name="Add to index").click()
    report = page.locator("#nq-ingest-report")
    report.get_by_text("1 added").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "<script>alert(1)</script> **Breaking**" in report.inner_text()

    # A fresh visit shows the index as it is now, not as it was when the app started.
    page.reload()
    page.locator("#nq-header").get_by_text("2 articles · 2 sources").wait_for()
    ask(page, "What was not acceptable?")
    sources = page.locator("#nq-sources")
    sources.get_by_text("<script>alert(1)</script>").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "<img src=x onerror=alert(3)>" in sources.inner_text()
    assert "evil.example" in sources.inner_text()
    for where in ("#nq-sources", "#nq-chat", "#nq-ingest-report"):
        assert page.locator(f"{where} script, {where} img").count() == 0
    assert page.dialogs == []
