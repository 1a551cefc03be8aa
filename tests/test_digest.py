# ruff: noqa: E501 (the day pages below are Markdown, one item a line)
"""News questions end to end, with the real model over day pages shaped like Wikipedia's
"Current events" (Markdown: category headings, topic lines, items with source credits) and
one ordinary article: digests, latest values, statements over time, the CLI and the API form."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa import Index
from qa.answer.digest import digest_answer
from qa.present import answer_markdown, format_answer

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[1]


def page(day: str, body: str) -> str:
    return f"---\ntitle: {day}\ndate: {day}\n---\n\n{body.strip()}\n"


PAGES = {
    "2025-03-28": """
#### Disasters and accidents

* 2025 Myanmar earthquake
  * A magnitude 7.7 earthquake strikes Sagaing, Myanmar, killing at least 150 people and damaging buildings in Mandalay. [(Reuters)](https://reuters.com/a)
* Bangkok tower collapse
  * A skyscraper under construction collapses in Bangkok, Thailand, trapping dozens of workers. [(AP)](https://apnews.com/b)

#### Sports

* A football club from Porto wins the national cup final in Lisbon after a penalty shootout. [(ESPN)](https://espn.com/c)
""",
    "2025-03-29": """
#### Disasters and accidents

* 2025 Myanmar earthquake
  * The death toll from the earthquake in Myanmar rises to over 1,000 as rescuers search collapsed buildings in Mandalay. [(BBC)](https://bbc.com/d)
* Venezuela earthquake
  * The death toll from the earthquake in Venezuela rises to 300 people. [(AP)](https://apnews.com/v1)
""",
    "2025-03-31": """
#### Disasters and accidents

* 2025 Myanmar earthquake
  * The Myanmar government declares a week of national mourning as the death toll from the earthquake rises to over 2,000. [(Al Jazeera)](https://aljazeera.com/e)
* Venezuela earthquake
  * The death toll from the earthquake in Venezuela rises to 500 people. [(Reuters)](https://reuters.com/v2)

#### Politics and elections

* Portuguese parliamentary election
  * The President of Portugal dissolves parliament and calls a snap election for May. [(Público)](https://publico.pt/f)
""",
    "2025-04-05": """
#### Disasters and accidents

* Venezuela earthquake
  * The death toll from the earthquake in Venezuela exceeds 800 people, the interior ministry reports. [(AP)](https://apnews.com/v3)
""",
    "2025-01-10": """
#### Politics and elections

* Freedonia government
  * Jane Roe is sworn in as Prime Minister of Freedonia after her party wins the election. [(Reuters)](https://reuters.com/p1)
""",
    "2025-05-20": """
#### Politics and elections

* Freedonia government
  * Freedonian prime minister Jane Roe opens a new bridge over the river in Freedonia's capital. [(AP)](https://apnews.com/p2)
""",
    "2025-06-03": """
#### Arts and culture

* Freedonia government
  * Former prime minister John Poe of Freedonia publishes his memoirs. [(BBC)](https://bbc.com/p3)
""",
    "2025-06-02": """
#### Disasters and accidents

* 2025 Myanmar earthquake
  * Reconstruction of the Ava Bridge in Mandalay, Myanmar, begins two months after the earthquake. [(Reuters)](https://reuters.com/g)
""",
}
# An ordinary article from another outlet, telling the 28 March story nearly word for word.
COPY = {
    "title": "Quake hits Myanmar",
    "source": "Example Wire",
    "published": "2025-03-28",
    "url": "https://example.com/quake",
    "text": "A magnitude 7.7 earthquake strikes Sagaing, Myanmar, killing at least 150 people "
    "and damaging buildings in Mandalay.\n\nRescue teams from China and India arrived overnight.",
}
MAYOR = {
    "2025-02-01": "The mayor, Jane Doe, said the town would rebuild the sea wall within a year.",
    "2025-02-20": "Jane Doe said the repairs to the sea wall would finish by June.",
}


@pytest.fixture(scope="module")
def news_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("digest-pages")
    for day, body in PAGES.items():
        (folder / f"{day}.md").write_text(page(day, body), encoding="utf-8")
    others = [COPY] + [
        {
            "title": f"Sea wall repairs {day}",
            "source": "Town Gazette",
            "published": day,
            "url": f"https://gazette.example/{day}",
            "text": f"{sentence}\n\nThe council will vote on the budget next month.",
        }
        for day, sentence in MAYOR.items()
    ]
    (folder / "others.jsonl").write_text(
        "\n".join(json.dumps(a) for a in others) + "\n", encoding="utf-8"
    )
    index = Index.open(tmp_path_factory.mktemp("digest-index") / "ix", create=True)
    report = index.ingest([folder])
    assert len(report.added) == len(PAGES) + 1 + len(MAYOR)
    yield index
    index.close()


def lines(answer):
    return answer.text.split("\n")


def test_what_happened_in_a_month_is_a_dated_digest_of_the_topic(news_index):
    answer = news_index.ask("What happened in Myanmar in March 2025?")
    assert answer.kind == "event" and not answer.abstained
    assert answer.notes == ("dates: in March 2025 → 2025-03-01 to 2025-03-31",)
    assert lines(answer)[0] == (
        "News on Myanmar from 2025-03-01 to 2025-03-31 — 3 stories, oldest first:"
    )
    dated = [line.split(": ", 1)[0].strip() for line in lines(answer)[1:]]
    assert dated == ["2025-03-28", "2025-03-29", "2025-03-31"]  # oldest first, June left out
    cited = [c.sentence for c in answer.citations]
    assert cited[0].startswith("A magnitude 7.7 earthquake strikes Sagaing")
    # Bangkok, Venezuela, Portugal and the football final are not about Myanmar; the
    # credits "(Reuters)" are never cited.
    assert all("Myanmar" in s or "Mandalay" in s for s in cited)
    assert not any(s.startswith("(") for s in cited)
    # The other outlet's near-copy of the 28 March story is one line, listed beside it.
    assert [a.source for a in answer.citations[0].also_in] == ["Example Wire"]
    assert [g.date for g in answer.groups] == dated
    for c in answer.citations:  # exact by construction, as every citation
        assert news_index.article(c.article.id).text[c.start : c.end] == c.sentence


def test_a_digest_without_a_period_spans_all_dates(news_index):
    answer = news_index.ask("What happened with the Myanmar earthquake?")
    assert answer.kind == "event"
    assert [g.date for g in answer.groups] == ["2025-03-28", "2025-03-29", "2025-03-31",
                                              "2025-06-02"]  # fmt: skip


def test_a_development_question_is_a_timeline(news_index):
    answer = news_index.ask("How has the Venezuela earthquake developed?")
    assert answer.kind == "development"
    assert lines(answer)[0].startswith("Timeline of the Venezuela earthquake — 3 stories")
    assert [g.date for g in answer.groups] == ["2025-03-29", "2025-03-31", "2025-04-05"]


def test_an_empty_period_says_so_and_offers_the_nearest_dates(news_index):
    answer = news_index.ask("What happened in Myanmar in May 2025?")
    assert answer.abstained and answer.kind == "event"
    assert answer.text == (
        "The articles have no story on Myanmar from 2025-05-01 to 2025-05-31. The nearest "
        "dates with stories on it: 2025-06-02, 2025-03-31, 2025-03-29."
    )


def test_a_topic_no_story_covers_is_refused(news_index):
    answer = news_index.ask("What happened with the Louvre robbery?")
    assert answer.abstained
    assert answer.text == "The articles have no story on the Louvre robbery."


def test_the_cap_counts_the_rest_and_the_answer_carries_them(news_index):
    retrieved = news_index.searcher.search(["What happened with the Myanmar earthquake?"], 40,
                                           "hybrid")[0]  # fmt: skip
    answer = digest_answer("q", "event", "the Myanmar earthquake", retrieved.passages,
                           retrieved.sentences, cap=2)  # fmt: skip
    assert answer.more == 2 and len(answer.groups) == 4 and len(answer.citations) == 4
    assert lines(answer)[-1] == "2 more stories (ask with --all, or see the sources)"
    assert len(lines(answer)) == 1 + 2 + 1


def test_latest_value_newest_first_with_dates(news_index):
    answer = news_index.ask("What is the latest death toll from the earthquake in Venezuela?")
    assert answer.kind == "latest" and not answer.abstained
    assert lines(answer)[0] == (
        "As of 2025-04-05: The death toll from the earthquake in Venezuela exceeds 800 people, "
        "the interior ministry reports. [1]"
    )
    assert lines(answer)[1] == "Earlier:"
    assert [g.date for g in answer.groups][:2] == ["2025-04-05", "2025-03-31"]
    assert "**Earlier:**" in answer_markdown(answer)


def test_who_holds_an_office_now_leads_with_the_newest_report_naming_the_holder(news_index):
    """The newest report naming the prime minister, however briefly, leads; the newer
    sentence about a former one does not, and the swearing-in is history."""
    answer = news_index.ask("Who is Freedonia's prime minister now?")
    assert answer.kind == "latest" and not answer.abstained
    assert [g.date for g in answer.groups][:2] == ["2025-05-20", "2025-01-10"]
    assert lines(answer)[0].startswith("As of 2025-05-20: Freedonian prime minister Jane Roe")
    assert not any("memoirs" in c.sentence for c in answer.citations)


def test_statements_over_time_newest_first(news_index):
    answer = news_index.ask("What has Jane Doe said about the sea wall?")
    assert answer.kind == "statements" and not answer.abstained
    assert lines(answer) == [
        "Jane Doe (mayor), newest first:",
        "  2025-02-20: Jane Doe said the repairs to the sea wall would finish by June. [1]",
        "  2025-02-01: The mayor, Jane Doe, said the town would rebuild the sea wall within a "
        "year. [2]",
    ]


def test_the_api_form_carries_kind_groups_and_more(news_index):
    answer = news_index.ask("What happened in Myanmar in March 2025?")
    data = json.loads(json.dumps(answer.to_dict()))
    assert data["kind"] == "event" and data["more"] == 0
    assert [g["date"] for g in data["groups"]] == ["2025-03-28", "2025-03-29", "2025-03-31"]
    assert data["groups"][0]["citations"] == [0]


def test_cli_prints_the_digest_and_all_of_it_on_request(news_index):
    folder = str(news_index.folder)
    run = subprocess.run(
        [sys.executable, "-m", "qa", "ask", "What happened with the Myanmar earthquake?",
         "--index", folder, "--all"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    printed = run.stdout.split("\n")
    assert printed[0].startswith("News on the Myanmar earthquake — 4 stories, oldest first:")
    assert printed[1].startswith("  2025-03-28: A magnitude 7.7 earthquake")
    assert run.stdout == format_answer(news_index.ask(
        "What happened with the Myanmar earthquake?"), every=True) + "\n"  # fmt: skip


# -- the chat and its API, real server, real browser -------------------------------------------
@pytest.fixture(scope="module")
def news_server(news_index):
    from .conftest import running_app

    with running_app(news_index) as url:
        yield url


def test_the_api_returns_the_digest_layout(news_server):
    from .conftest import app_client

    text, answer = app_client(news_server).predict(
        "What happened in Myanmar in March 2025?", api_name="/ask"
    )
    assert text.startswith("News on Myanmar from 2025-03-01 to 2025-03-31 — 3 stories")
    assert answer["kind"] == "event"
    assert [g["date"] for g in answer["groups"]] == ["2025-03-28", "2025-03-29", "2025-03-31"]


@pytest.mark.browser
def test_the_chat_shows_a_dated_list_and_a_timeline(news_server, browser):
    from .conftest import CHROMIUM, require

    require(CHROMIUM.exists(), "needs Debian's Chromium at /usr/bin/chromium")
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    try:
        page.goto(news_server)
        box = page.locator("#nq-question textarea")
        box.wait_for()
        box.fill("What happened in Myanmar in March 2025?")
        box.press("Enter")
        chat = page.locator("#nq-chat")
        chat.locator("li", has_text="2025-03-31: The Myanmar government declares").wait_for(
            timeout=30_000
        )
        assert chat.locator("strong", has_text="News on Myanmar").first.is_visible()
        assert chat.locator("li").count() >= 3  # one list item a story
        timeline = page.locator("#nq-sources .nq-timeline")
        timeline.wait_for()
        dates = timeline.locator(".nq-date").all_inner_texts()
        assert dates == ["2025-03-28", "2025-03-29", "2025-03-31"]
    finally:
        page.close()


def test_a_period_alone_is_a_digest_of_that_period(news_index):
    """"What's new in March 2025?" asks about the period itself: every story of it."""
    answer = news_index.ask("What's new in March 2025?")
    assert answer.kind == "development" and not answer.abstained
    assert answer.text.split("\n")[0].startswith("Timeline from 2025-03-01 to 2025-03-31")
    assert {g.date[:7] for g in answer.groups} == {"2025-03"}
    empty = news_index.ask("What's new in 2027?")
    assert empty.abstained and empty.notes == ("dates: in 2027 → 2027-01-01 to 2027-12-31",)
    assert empty.text.startswith("The articles have no story from 2027-01-01 to 2027-12-31.")
