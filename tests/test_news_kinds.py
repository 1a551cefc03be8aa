"""News question kinds (qa.kinds), the dated layouts (qa.answer.timeline) and the digest
scoring (eval.metrics.digest_outcome): pure functions, no model."""

import json
from dataclasses import replace

import pytest

from eval import metrics
from qa.answer.timeline import latest_first, statements_by_date
from qa.kinds import news_question
from qa.present import every_line, format_answer, references, shown_citations, timeline_html
from qa.records import Answer, AnswerGroup, Article, Citation


@pytest.mark.parametrize(
    ("question", "kind", "topic"),
    [
        ("What happened in Myanmar?", "event", "Myanmar"),
        ("What happened with the Louvre robbery?", "event", "the Louvre robbery"),
        ("what's been happening in Gaza", "event", "Gaza"),
        ("What’s the news on Venezuela?", "event", "Venezuela"),
        ("Any news about the Louvre?", "event", "the Louvre"),
        ("Tell me about the Gaza ceasefire", "event", "the Gaza ceasefire"),
        ("What happened?", "event", ""),
        ("What happened to the hostages?", "event", "the hostages"),
        ("How has the Gaza ceasefire developed?", "development", "the Gaza ceasefire"),
        ("How has the story of the Epstein files developed?", "development", "the Epstein files"),
        ("What's new on the tariffs since April?", "development", "the tariffs"),
        ("What is the latest on Ukraine?", "development", "Ukraine"),
        ("Any updates on the strike?", "development", "the strike"),
        ("What has Trump said about Greenland?", "statements", "Greenland"),
        ("What did Ohanian say?", "statements", ""),
        ("What is the latest death toll from the earthquakes in Venezuela?", "latest", ""),
        ("Who is Japan's prime minister now?", "latest", ""),
        ("Who won the 2025 German federal election?", "fact", ""),
        ("How many people died in the Myanmar earthquake?", "fact", ""),
        ("How did the vote go?", "fact", ""),
        ("How has it changed?", "fact", ""),
        # A fact asked with "what happened to": a long topic is a thing's attribute.
        ("What happened to the rate of flow in the Rhine during the straightening program?",
         "fact", ""),
        # "latest" in passing in a long compound question is no latest-value question.
        ("Between the article from 'The Sydney Morning Herald' published on October 1st "
         "featuring Chris Hammer's latest book and the 'Polygon' article, was the reporting "
         "consistent?", "fact", ""),
    ],
)  # fmt: skip
def test_news_question_kinds(question, kind, topic):
    found = news_question(question)
    assert (found.kind, found.topic) == (kind, topic)


def test_statements_name_the_speaker():
    assert news_question("What has the mayor said about the sea wall?").who == "the mayor"
    assert news_question("What did Jane Doe say?").who == "Jane Doe"


# -- dated layouts ---------------------------------------------------------------------------------
def article(day: str, name: str) -> Article:
    return Article(id=name, title=f"Report {name}", text="x" * 200, source=name, published=day)


def citation(n: int, day: str, name: str, sentence: str) -> Citation:
    return Citation(n, article(day, name), sentence, 0, len(sentence), 0)


def answer_of(*citations: Citation, speaker: str = "", text: str = "") -> Answer:
    text = text or "\n".join(f"{c.sentence} [{c.n}]" for c in citations)
    return Answer("q", text, False, 0.9, citations, speaker=speaker)


def test_latest_first_leads_with_the_newest_report_and_dates_the_rest():
    answer = latest_first(
        answer_of(
            citation(1, "2026-07-05", "a", "The toll rises to 3,342."),
            citation(2, "2026-08-03", "b", "The toll exceeds 6,000."),
            citation(3, "2026-07-17", "c", "The toll rises to 5,069."),
        )
    )
    assert answer.kind == "latest"
    assert answer.text.split("\n") == [
        "As of 2026-08-03: The toll exceeds 6,000. [1]",
        "Earlier:",
        "  2026-07-17: The toll rises to 5,069. [2]",
        "  2026-07-05: The toll rises to 3,342. [3]",
    ]
    assert [c.n for c in answer.citations] == [1, 2, 3]  # renumbered in the new order
    assert [(g.label, g.date) for g in answer.groups] == [
        ("latest", "2026-08-03"),
        ("earlier", "2026-07-17"),
        ("earlier", "2026-07-05"),
    ]


def test_one_date_or_an_undated_report_leaves_the_answer_as_it_was():
    same_day = answer_of(
        citation(1, "2026-07-05", "a", "One."), citation(2, "2026-07-05", "b", "Two.")
    )
    assert latest_first(same_day).text == same_day.text
    undated = answer_of(citation(1, "", "a", "One."), citation(2, "2026-07-05", "b", "Two."))
    assert latest_first(undated).text == undated.text
    assert latest_first(undated).kind == "latest"


def test_statements_over_time_newest_first_under_the_speaker():
    answer = statements_by_date(
        answer_of(
            citation(1, "2025-02-01", "a", "Doe said the town would rebuild the sea wall."),
            citation(2, "2025-02-20", "b", "Doe said the repairs would end in June."),
            citation(2, "2025-02-20", "b", "“We are on time,” Doe said."),
            speaker="Jane Doe",
            text="Jane Doe (mayor):\n  ...",
        )
    )
    assert answer.text.split("\n") == [
        "Jane Doe (mayor), newest first:",
        "  2025-02-20: Doe said the repairs would end in June. [1]",
        "  2025-02-20: “We are on time,” Doe said. [1]",
        "  2025-02-01: Doe said the town would rebuild the sea wall. [2]",
    ]
    assert [(g.date, g.citations) for g in answer.groups] == [
        ("2025-02-20", (0, 1)),
        ("2025-02-01", (2,)),
    ]
    assert json.loads(json.dumps(answer.to_dict()))["groups"][0] == {
        "label": "2025-02-20",
        "date": "2025-02-20",
        "citations": [0, 1],
    }


# -- a digest's hidden stories ---------------------------------------------------------------------
def digest() -> Answer:
    citations = (
        citation(1, "2025-01-02", "a", "Story A."),
        citation(2, "2025-01-09", "b", "Story B."),
        citation(3, "2025-01-05", "c", "Story C, beyond the cap."),
    )
    groups = tuple(AnswerGroup(c.article.published, c.article.published, (i,))
                   for i, c in enumerate(citations))  # fmt: skip
    text = "News on X — 3 stories, oldest first:\n  2025-01-02: Story A. [1]\n  2025-01-09: " \
        "Story B. [2]\n1 more story (ask with --all, or see the sources)"  # fmt: skip
    return Answer("q", text, False, 1.0, citations, kind="event", groups=groups, more=1)


def test_a_digest_shows_its_cap_and_lists_the_rest_on_request():
    answer = digest()
    assert [c.sentence for c in shown_citations(answer)] == ["Story A.", "Story B."]
    assert references(answer) == ["[1] Report a — a, 2025-01-02", "[2] Report b — b, 2025-01-09"]
    assert len(references(answer, every=True)) == 3
    assert every_line(answer).split("\n") == [
        "News on X — 3 stories, oldest first:",
        "  2025-01-02: Story A. [1]",
        "  2025-01-05: Story C, beyond the cap. [3]",
        "  2025-01-09: Story B. [2]",
    ]
    assert "1 more story" in format_answer(answer)
    assert "Story C" in format_answer(answer, every=True)
    assert "1 more story" not in format_answer(answer, every=True)


def test_the_timeline_lists_dates_oldest_first_and_greys_hidden_stories():
    html = timeline_html(digest())
    assert html.index("2025-01-02") < html.index("2025-01-05") < html.index("2025-01-09")
    assert '<li class="nq-hidden">Story C, beyond the cap.' in html
    assert '<li class="nq-shown">Story A.' in html
    assert "1 more not in the answer" in html
    one_date = answer_of(citation(1, "2025-01-02", "a", "Only."))
    assert timeline_html(one_date) == ""


# -- scoring a digest ----------------------------------------------------------------------------
def test_digest_outcome_recall_is_capped_precision_is_strict_dates_must_ascend():
    gold = [f"story {i}" for i in range(10)]
    shown = [("2025-01-01", "story 0"), ("2025-01-02", "story 1"), ("2025-01-03", "off topic")]
    recall, precision, in_order = metrics.digest_outcome(shown, gold, cap=8)
    assert recall == pytest.approx(2 / 8)  # 10 gold stories, at most 8 can be shown
    assert precision == pytest.approx(2 / 3)
    assert in_order is True
    _, _, in_order = metrics.digest_outcome(list(reversed(shown)), gold, cap=8)
    assert in_order is False
    recall, precision, _ = metrics.digest_outcome([("2025-01-01", "story 0")], gold[:2], cap=8)
    assert (recall, precision) == (0.5, 1.0)
    # A refusal scores nothing, and is in no date order.
    assert metrics.digest_outcome([], gold, cap=8) == (0.0, 0.0, None)


def test_answer_scores_report_digest_and_newest_first_only_where_measured():
    plain = metrics.AnswerOutcome(False, True, 1, 1, True)
    assert "Story recall" not in metrics.answer_scores({"a": plain}, set())
    outcomes = {
        "a": metrics.AnswerOutcome(False, None, 2, 2, None, 1.0, 0.5, True),
        "b": metrics.AnswerOutcome(True, None, 0, 0, None, 0.0, 0.0, None),
        "c": metrics.AnswerOutcome(False, True, 1, 1, True, newest_first=False),
        "d": metrics.AnswerOutcome(False, True, 1, 1, True, newest_first=True),
    }
    scores = metrics.answer_scores(outcomes, set())
    assert scores["Story recall"] == 0.5
    assert scores["Story precision"] == 0.25
    assert scores["Date order"] == 1.0
    assert scores["Digest answered"] == 0.5
    assert scores["Newest first"] == 0.5


def test_a_digest_set_reports_no_answer_hit_or_abstention_it_cannot_measure():
    outcomes = {"a": metrics.AnswerOutcome(False, None, 2, 2, None, 1.0, 1.0, True)}
    assert set(metrics.answer_scores(outcomes, set())) == {
        *metrics.DIGEST_METRICS, "Answered", "Citation exact"
    }


# -- reports that disagree -----------------------------------------------------------------------
def test_figures_read_the_quantity_a_number_counts():
    from qa.answer.disagree import figures

    assert figures("The death toll has risen to 3,342.") == {"deaths": {3342.0}}
    assert figures("At least 27 people are killed and 30 others are injured.") == {
        "deaths": {27.0}, "injured": {30.0}
    }
    assert figures("The party wins 28.5% of the vote and 120 seats.") == {
        "percent": {28.5}, "seats": {120.0}
    }
    assert figures("The summit opens in Lisbon on 3 May.") == {}
    assert figures("An airstrike killed 30 people and injured 12 others.") == {
        "deaths": {30.0}, "injured": {12.0}
    }
    assert figures("In 2023 36 people died.") == {"deaths": {36.0}}  # a year counts nothing


def test_figures_read_in_linear_time_on_long_runs_of_digits():
    from qa.answer.disagree import figures

    # A regex version took minutes on this (found in review); a token scan is linear.
    assert set(figures("1" * 20_000 + " killed")) == {"deaths"}  # a figure is 15 digits at most
    assert figures(" ".join(["12"] * 5_000)) == {}


def test_two_sources_two_figures_the_same_dates_are_set_side_by_side():
    from qa.answer.disagree import set_side_by_side

    quake_a = "The death toll from the earthquake in Venezuela rises to 3,342, the ministry says."
    quake_b = "Rescuers say 4,100 people were killed by the earthquake in Venezuela."
    answer = answer_of(
        citation(1, "2026-07-05", "a", quake_a),
        citation(2, "2026-07-06", "b", quake_b),
        citation(3, "2026-07-06", "b", "Aid arrives in Caracas."),
    )
    answer = replace(answer, groups=(AnswerGroup("latest", "2026-07-06", (1, 2)),))
    sided = set_side_by_side(answer)
    assert sided.text.split("\n") == [
        "Reports differ on deaths:",
        f"  2026-07-05, a: {quake_a} [1]",
        f"  2026-07-06, b: {quake_b} [2]",
        "Aid arrives in Caracas. [3]",
    ]
    # The disagreeing reports are grouped; what else their groups held stays grouped.
    assert sided.groups == (
        AnswerGroup("reports differ", "2026-07-06", (0, 1)),
        AnswerGroup("latest", "2026-07-06", (2,)),
    )
    # Two attacks on one day are two stories, not a disagreement.
    attacks = answer_of(
        citation(1, "2026-07-05", "a", "An airstrike on Gaza City kills 30 people."),
        citation(2, "2026-07-05", "b", "A car bomb in Baghdad kills 12 people."),
    )
    assert set_side_by_side(attacks) == attacks
    # A week apart it is an update, not a disagreement; the same figure is agreement.
    later = answer_of(
        citation(1, "2026-07-05", "a", "The death toll has risen to 3,342."),
        citation(2, "2026-07-12", "b", "The death toll has risen to 4,100."),
    )
    assert set_side_by_side(later) == later
    same = answer_of(
        citation(1, "2026-07-05", "a", "The death toll has risen to 3,342."),
        citation(2, "2026-07-05", "b", "Officials count 3,342 deaths."),
    )
    assert set_side_by_side(same) == same


def test_nearest_dates_skip_dates_in_another_shape():
    from qa.answer.digest import nearest_dates

    # No passages: nothing to offer, and a filter date with a time does not break it.
    assert nearest_dates([], {}, "Gaza", "2025-03-01T12:00", "2025-03-31") == []
