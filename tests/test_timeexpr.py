from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.timeexpr import TimeRange, find_time_range, strip_time_phrase

REFERENCE = date(2025, 3, 12)  # a Wednesday: this week is 2025-03-10 .. 2025-03-16


@pytest.mark.parametrize(
    ("question", "since", "until", "phrase"),
    [
        ("What happened in March 2025?", "2025-03-01", "2025-03-31", "in March 2025"),
        ("Floods March 2025", "2025-03-01", "2025-03-31", "March 2025"),
        ("What did he say on 5 March 2025?", "2025-03-05", "2025-03-05", "on 5 March 2025"),
        ("Who resigned on March 5, 2025?", "2025-03-05", "2025-03-05", "on March 5, 2025"),
        ("Reports dated 2025-03-05 about Gaza", "2025-03-05", "2025-03-05", "2025-03-05"),
        ("Who won the election in 2024?", "2024-01-01", "2024-12-31", "in 2024"),
        ("What happened yesterday?", "2025-03-11", "2025-03-11", "yesterday"),
        ("What is the news today?", "2025-03-12", "2025-03-12", "today"),
        ("What happened in Syria last week?", "2025-03-03", "2025-03-09", "last week"),
        ("Strikes this week", "2025-03-10", "2025-03-12", "this week"),
        ("What did the bank decide last month?", "2025-02-01", "2025-02-28", "last month"),
        ("Layoffs this month", "2025-03-01", "2025-03-12", "this month"),
        ("Elections this year", "2025-01-01", "2025-03-12", "this year"),
        ("What did the court rule last year?", "2024-01-01", "2024-12-31", "last year"),
        ("Attacks in the past 3 days?", "2025-03-09", "2025-03-12", "in the past 3 days"),
        (
            "What changed over the last two weeks?",
            "2025-02-26",
            "2025-03-12",
            "over the last two weeks",
        ),
        ("What has he said since January?", "2025-01-01", "", "since January"),
        ("Arrests since 2024-01-01", "2024-01-01", "", "since 2024-01-01"),
        ("Who led the party before May 2025?", "", "2025-04-30", "before May 2025"),
        ("What happened after June 3?", "2024-06-04", "", "after June 3"),
        (
            "Tariffs between March and May 2025",
            "2025-03-01",
            "2025-05-31",
            "between March and May 2025",
        ),
        ("What did the minister say on Monday?", "2025-03-10", "2025-03-10", "on Monday"),
        ("Storms in January", "2025-01-01", "2025-01-31", "in January"),
        # a month or date without a year is the most recent one at or before the reference
        ("What will happen in may?", "2024-05-01", "2024-05-31", "in may"),
        ("Who spoke on Dec 24?", "2024-12-24", "2024-12-24", "on Dec 24"),
        ("Rallies on 29 February", "2024-02-29", "2024-02-29", "on 29 February"),
        # more relative forms
        ("in the last 24 hours", "2025-03-11", "2025-03-12", "in the last 24 hours"),
        ("What happened 3 days ago?", "2025-03-09", "2025-03-09", "3 days ago"),
        ("Which bill passed two weeks ago?", "2025-02-24", "2025-03-02", "two weeks ago"),
        ("Was it last Monday?", "2025-03-10", "2025-03-10", "last Monday"),
        (
            "Any news the day before yesterday?",
            "2025-03-10",
            "2025-03-10",
            "the day before yesterday",
        ),
        ("What happened last weekend?", "2025-03-08", "2025-03-09", "last weekend"),
        ("Talks in the past few days", "2025-03-09", "2025-03-12", "in the past few days"),
        ("the past week in Ukraine", "2025-03-05", "2025-03-12", "the past week"),
        ("last March", "2024-03-01", "2024-03-31", "last March"),
        ("since last week", "2025-03-03", "", "since last week"),
        ("until yesterday", "", "2025-03-11", "until yesterday"),
        ("news from March 3 to March 7", "2025-03-03", "2025-03-07", "from March 3 to March 7"),
        (
            "between November and February 2025",
            "2024-11-01",
            "2025-02-28",
            "between November and February 2025",
        ),
        ("protests in mid-March", "2025-03-01", "2025-03-31", "in mid-March"),
        ("What was last week's vote?", "2025-03-03", "2025-03-09", "last week's"),
        ("the 5th of May 2021", "2021-05-05", "2021-05-05", "5th of May 2021"),
        ("on Feb. 3, 2025", "2025-02-03", "2025-02-03", "on Feb. 3, 2025"),
        # the longest phrase wins over the atoms inside it
        ("What happened in 2024 in Gaza?", "2024-01-01", "2024-12-31", "in 2024"),
        # phrases naming the same range are one range, said by the longest phrase
        (
            "Did the piece on 2023-12-12 match the one at 2023-12-12T22:38?",
            "2023-12-12",
            "2023-12-12",
            "on 2023-12-12",
        ),
        ("As of February 2011, how many?", "", "2011-02-28", "As of February 2011"),
        ("What happened today?", "2025-03-12", "2025-03-12", "today"),
        ("Today, what is new?", "2025-03-12", "2025-03-12", "Today"),
    ],
)
def test_finds_range(question: str, since: str, until: str, phrase: str) -> None:
    found = find_time_range(question, REFERENCE)
    assert found is not None, question
    assert (found.since, found.until, found.phrase) == (since, until, phrase)


@pytest.mark.parametrize(
    "question",
    [
        "May I ask what the minister said about Gaza?",
        "may they still win the vote?",
        "Why did they march on the capital?",
        "Did the March on Washington change the law?",
        "the march of the penguins",
        "200 officers were deployed to the border",
        "How were 2000 officers deployed?",
        "Were police deployed in 2000 locations?",
        "Is the price $2025 now?",
        "What did the Sunday Times report?",
        "Who stormed the Capitol in the Jan 6 riot?",
        "What happened in recent weeks?",
        "What were the last days of the campaign like?",
        "Is growth higher compared to the previous year?",
        "What did Business Today report about Gaza?",
        "Who hosted Saturday Night Live on Saturday Night?",
        # two different times: a filter to either would hide the other
        "How did prices in 2024 compare with prices in 2023?",
        "Between the report on October 2, 2023 and the one on October 10, 2023, what changed?",
        "What happened in the 1990s?",
        "in 1850",
        "What happened on Feb 30?",
        "the 2024 election result",
        "What did Mayor Adams say?",
        "Who is the best player of all time?",
        "Explain the policy in 12 points",
        "version 2.2024 release notes",
        "",
    ],
)
def test_ignores(question: str) -> None:
    assert find_time_range(question, REFERENCE) is None


def test_description_shows_the_dates() -> None:
    cases = {
        "What happened last week?": "last week → 2025-03-03 to 2025-03-09",
        "What happened yesterday?": "yesterday → 2025-03-11",
        "since January": "since January → from 2025-01-01",
        "before May 2025": "before May 2025 → until 2025-04-30",
    }
    for question, description in cases.items():
        found = find_time_range(question, REFERENCE)
        assert found is not None and found.description == description


def test_month_without_year_in_the_current_month_is_this_month() -> None:
    found = find_time_range("in March", REFERENCE)
    assert found == TimeRange("2025-03-01", "2025-03-31", "in March", found.description)


def test_on_a_weekday_that_is_today_means_today() -> None:
    found = find_time_range("What happened on Wednesday?", REFERENCE)
    assert found is not None and (found.since, found.until) == ("2025-03-12", "2025-03-12")


@pytest.mark.parametrize(
    ("question", "stripped"),
    [
        ("What happened in Syria last week?", "What happened in Syria?"),
        ("Since January, what has the bank said?", "what has the bank said?"),
        (
            "What did the court rule in 2024 about tariffs?",
            "What did the court rule about tariffs?",
        ),
        ("Who won, last year?", "Who won?"),
        ("yesterday", "yesterday"),  # nothing left: keep the question
    ],
)
def test_strip_time_phrase(question: str, stripped: str) -> None:
    found = find_time_range(question, REFERENCE)
    assert found is not None
    assert strip_time_phrase(question, found) == stripped


WORDS = [
    "in", "on", "since", "before", "after", "until", "between", "and", "from", "to", "the",
    "last", "past", "this", "over", "few", "two", "3", "12", "31", "2024", "2025", "1899",
    "2025-02-29", "2024-02-29", "March", "may", "May", "Feb", "February", "29", "days", "week",
    "weekend", "month", "year", "ago", "yesterday", "today", "Monday", "Sunday", "mid-March",
    "of", "hours", "what", "happened", "officers", ",", "?",
]  # fmt: skip


@given(st.lists(st.sampled_from(WORDS), max_size=12), st.dates(date(1990, 1, 1), date(2090, 1, 1)))
@settings(max_examples=400, deadline=None)
def test_any_question_gives_a_consistent_range_or_none(words: list[str], reference: date) -> None:
    question = " ".join(words)
    found = find_time_range(question, reference)
    if found is None:
        return
    assert found.phrase and found.phrase in question
    assert found.since or found.until
    since = date.fromisoformat(found.since) if found.since else None
    until = date.fromisoformat(found.until) if found.until else None
    if since and until:
        assert since <= until
    assert found.description.startswith(found.phrase + " → ")
    stripped = strip_time_phrase(question, found)
    if not re.search(r"\w", question.replace(found.phrase, "", 1)):
        assert stripped == question  # nothing but the phrase: keep the question
    else:  # the phrase is gone (its one space may remain between the words around it)
        assert len(stripped) <= len(question) - len(found.phrase) + 1


def test_a_span_reaching_before_year_one_is_no_range():
    # Found by the property test above: "last 2024 years" from 2000 would start in year -24.
    assert find_time_range("what happened in the last 2024 years", date(2000, 1, 1)) is None


def test_a_time_naming_an_event_is_not_a_filter():
    ref = date(2026, 8, 22)
    question = "What is the latest number of deaths from the June 2026 earthquakes in Venezuela?"
    assert find_time_range(question, ref) is None
    assert find_time_range("How many died since the October 2025 ceasefire?", ref) is None
    assert find_time_range("What did the parliament pass in June 2026?", ref) is not None


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("What is the latest death toll?", True),
        ("Latest death toll in Gaza?", True),  # the first word may be capitalised
        ("Who is the current prime minister of Japan?", True),
        ("How many people have died so far?", True),
        ("Who won the 2025 German federal election?", False),
        # A capitalised time word inside the question is part of a name, not a time word:
        ("Which country did Business Today | Latest Stock Market News report on?", False),
        ("What did the Today Show report?", False),
        # ...but not in a question in capitals or title case, nor before a lower-case word:
        ("WHAT IS THE LATEST DEATH TOLL IN GAZA?", True),
        ("What Is The Latest Death Toll In Gaza?", True),
        ("Gaza: Latest death toll?", True),
    ],
)
def test_wants_latest(question: str, wanted: bool) -> None:
    from qa.timeexpr import wants_latest

    assert wants_latest(question) is wanted


@pytest.mark.parametrize(
    ("question", "since"),
    [
        ("Roughly how much aid has the Biden administration given to Ukraine since its war "
         "with Russia began in 2022?", "2022-01-01"),
        ("What happened after the war began in 2022?", "2022-01-01"),
        ("How many people have died since the earthquake struck in March?", "2024-03-01"),
    ],
)  # fmt: skip
def test_an_event_anchor_is_where_the_period_starts_not_the_period(question, since):
    found = find_time_range(question, date(2025, 2, 1))
    assert (found.since, found.until) == (since, "")
    assert found.description.endswith("(an event's date: from then on)")


def test_a_plain_period_stays_a_period():
    found = find_time_range("What did the company report in 2024?", date(2025, 2, 1))
    assert (found.since, found.until) == ("2024-01-01", "2024-12-31")
