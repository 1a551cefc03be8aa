"""The news-quiz dataset: the paraphrase rule, the item splitter and the seeded draw, the
loader and the checker on a small hand-made corpus, and the real file against the real
corpus (skipped when ../shared/datasets is not there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.datasets import DATASETS, news_quiz
from eval.datasets.base import exact_substring_hit
from eval.tools import check_news_quiz
from eval.tools.news_quiz_items import (
    CORPUS,
    Item,
    all_items,
    draw,
    is_event_item,
    load_pages,
    split_credits,
)
from eval.tools.paraphrase import copied_runs, names_in

from .conftest import SHARED, needs

TONGA = (
    "A 7.0 Mw earthquake strikes near the island country of Tonga with a 6.1 Mw aftershock. "
    "A tsunami warning is issued and later lifted. (AP)"
)

# ---------------------------------------------------------------------------------------------
# The paraphrase rule
# ---------------------------------------------------------------------------------------------


def test_a_question_that_copies_four_words_breaks_the_rule():
    runs = copied_runs("Which earthquake strikes near the island country of Tonga?", TONGA)
    assert "strikes near the island" in runs
    assert "the island country of" in runs


def test_a_paraphrased_question_passes():
    question = "What magnitude was the quake that hit near Tonga at the end of March 2025?"
    assert copied_runs(question, TONGA) == []


def test_names_and_numbers_may_be_repeated():
    item = "Seven people are killed in Lake Cargelligo, New South Wales, Australia. (BBC News)"
    # Five shared words in a row, but all of them names: allowed.
    assert copied_runs("How many died at Lake Cargelligo, New South Wales, Australia?", item) == []
    # The same item's ordinary words are not exempt.
    assert copied_runs("How many people are killed in Lake Cargelligo?", item) == [
        "people are killed in"
    ]


def test_names_are_capitalised_words_not_sentence_openers():
    item = "The mayor of Oslo resigns. Four people protest outside the IRGC office. (AP)"
    report, credits = split_credits(item)
    assert credits == " (AP)"
    assert names_in(report) == {"oslo", "irgc"}  # "The", "Four" only open sentences


def test_runs_of_stop_words_alone_do_not_count():
    item = "Voters in Comoros elect the 33 members of the Assembly of the Union. (Reuters)"
    # "of the of the" is what is left of "of the Assembly of the Union" once names go.
    assert copied_runs("Which seats of the Assembly of the Union were filled?", item) == []


# ---------------------------------------------------------------------------------------------
# Items and the seeded draw
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (TONGA, True),
        ("Kast is elected president of Chile. (Reuters)", True),
        ("One girl is killed in Millville. (AP) (WPVI-TV)", True),
        ("FC Nouadhibou win a record 13th Super D1 title. (Meczyki (in Polish))", True),
        ("Three people are killed in a shooting in Minneapolis, Minnesota (MPR News)", True),
        ("Armed conflicts and attacks", False),
        ("Red Sea crisis", False),
        ("Typhoon Halong (2025)", False),
        ("Democratic Republic of the Congo–Rwanda tensions (2022–present)", False),
        ("At least six people are killed in wildfires in Los Angeles County.", False),  # no credit
    ],
)
def test_event_items_end_with_a_source_credit(paragraph, expected):
    assert is_event_item(paragraph) is expected


def test_the_draw_is_seeded_and_a_prefix_of_itself():
    items = [Item("2025-01-01", f"Item {n}. (AP)", "a") for n in range(500)]
    assert draw(items, 10) == draw(items, 10)
    assert draw(items, 10) == draw(items, 40)[:10]
    assert draw(items, 10, seed=1) != draw(items, 10)
    assert len(set(draw(items, 500))) == 500


# ---------------------------------------------------------------------------------------------
# Loader and checker on a small hand-made corpus
# ---------------------------------------------------------------------------------------------

TONGA_BULLET = (
    "* A 7.0 [Mw](https://en.wikipedia.org/wiki/Mw) earthquake strikes near the island country"
    " of [Tonga](https://en.wikipedia.org/wiki/Tonga) with a 6.1 Mw aftershock. A tsunami"
    " warning is issued and later lifted. [(AP)](https://apnews.com/x)"
)
PAGE = f"""---
layout: post
title: 2025 March 30
date: 2025-03-30
---

#### Disasters and accidents

* [2025 Myanmar earthquake](https://en.wikipedia.org/wiki/2025_Myanmar_earthquake)
  * The death toll from the earthquake rises to over 3,050 people. [(AFP)](https://afp.com/x)
{TONGA_BULLET}
"""

HEADER = {
    "header": {
        "name": "news-quiz",
        "counts": {**{kind: 0 for kind in news_quiz.KINDS}, "how-many": 1, "unanswerable": 1},
    }
}
GOOD = {
    "id": "nq001",
    "question": "What magnitude was the quake that hit near Tonga at the end of March 2025?",
    "kind": "how-many",
    "date": "2025-03-30",
    "relevant": [
        "A 7.0 Mw earthquake strikes near the island country of Tonga with a 6.1 Mw aftershock."
    ],
    "answers": ["7.0", "7.0 Mw"],
}
UNANSWERABLE = {
    "id": "nu01",
    "question": "How many people died when a ferry sank off Sri Lanka in May 2025?",
    "kind": "unanswerable",
    "unanswerable": True,
    "absent_terms": ["ferry + Sri Lanka", "Titicaca"],
}


@pytest.fixture
def corpus(tmp_path) -> Path:
    days = tmp_path / news_quiz.FOLDER / news_quiz.PAGES
    days.mkdir(parents=True)
    (days / "2025-03-30-index.md").write_text(PAGE, encoding="utf-8")
    return tmp_path / news_quiz.FOLDER


def write_quiz(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_loader_reads_questions_over_the_day_pages(corpus, tmp_path):
    quiz = write_quiz(tmp_path / "q.jsonl", HEADER, GOOD, UNANSWERABLE)
    loaded = news_quiz.load(corpus, quiz)
    assert [a.published[:10] for a in loaded.articles] == ["2025-03-30"]
    assert loaded.queries == {"nq001": GOOD["question"], "nu01": UNANSWERABLE["question"]}
    assert loaded.relevant == {"nq001": GOOD["relevant"]}
    assert loaded.answers["nq001"] == ["7.0", "7.0 Mw"]
    assert loaded.unanswerable == {"nu01"}
    assert loaded.kinds == {"nq001": "how-many", "nu01": "unanswerable"}
    assert loaded.hit_rule is exact_substring_hit
    assert "CC BY-SA 4.0" in loaded.credit and loaded.note


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"relevant": ["A 7.1 Mw earthquake strikes."]}, r"q.jsonl:2: relevant sentence 'A 7.1"),
        ({"answers": ["7.5"]}, r"q.jsonl:2: answer '7.5' is not on the page of 2025-03-30"),
        ({"date": "2025-03-31"}, r"q.jsonl:2: no page dated '2025-03-31'"),
        ({"kind": "why"}, r"q.jsonl:2: kind 'why' is not one of"),
        (
            {"question": "Which earthquake strikes near the island country of Tonga?"},
            r"q.jsonl:2: the question copies 'earthquake strikes near the' .*paraphrase rule",
        ),
        (
            {
                "relevant": [
                    "The death toll from the earthquake rises to over 3,050 people.",
                    "A tsunami warning is issued and later lifted.",
                ]
            },
            r"q.jsonl:2: the relevant sentences are not all in one event item",
        ),
    ],
)
def test_loader_names_the_line_of_a_broken_question(corpus, tmp_path, change, message):
    quiz = write_quiz(tmp_path / "q.jsonl", HEADER, {**GOOD, **change})
    with pytest.raises(ValueError, match=message):
        news_quiz.load(corpus, quiz)


def test_loader_rejects_a_file_without_header_and_a_reused_id(corpus, tmp_path):
    with pytest.raises(ValueError, match=r"q.jsonl:1: the first line must be"):
        news_quiz.load(corpus, write_quiz(tmp_path / "q.jsonl", GOOD))
    with pytest.raises(ValueError, match=r"q.jsonl:3: question id 'nq001' is used twice"):
        news_quiz.load(corpus, write_quiz(tmp_path / "q.jsonl", HEADER, GOOD, GOOD))


def test_checker_passes_a_good_file_and_reports_every_broken_rule(corpus, tmp_path):
    texts = news_quiz.page_dates(load_pages(corpus / news_quiz.PAGES))
    header, lines = news_quiz.read_quiz(
        write_quiz(tmp_path / "q.jsonl", HEADER, GOOD, UNANSWERABLE)
    )
    messages = [p.message for p in check_news_quiz.find_problems(header, lines, texts)]
    # Only the size rules fail on a two-question file.
    assert all("fewer than" in m or "questions of kind" in m for m in messages), messages

    bad_answer = {**GOOD, "answers": ["7.0", "tsunami"]}  # on the page, not in the gold
    present = {**UNANSWERABLE, "absent_terms": ["Tonga + tsunami"]}
    header, lines = news_quiz.read_quiz(
        write_quiz(tmp_path / "q.jsonl", HEADER, bad_answer, present, {**GOOD, "id": "nu01"})
    )
    problems = check_news_quiz.find_problems(header, lines, texts)
    by_line = {(p.line, p.message.split(" ")[0]) for p in problems}
    assert (2, "answer") in by_line  # 'tsunami' is in no relevant sentence
    assert (3, "absent") in by_line  # Tonga and tsunami share a paragraph
    assert (4, "id") in by_line  # nu01 twice
    assert any(p.line == 0 and p.message.startswith("header counts") for p in problems)


def test_checker_wants_the_newest_item_as_gold_of_a_latest_question(corpus, tmp_path):
    later = PAGE.replace("2025-03-30", "2025-04-02").replace("over 3,050", "3,600")
    (corpus / news_quiz.PAGES / "2025-04-02-index.md").write_text(later, encoding="utf-8")
    texts = news_quiz.page_dates(load_pages(corpus / news_quiz.PAGES))
    latest = {
        "id": "nq002",
        "question": "What is the most recent reported number of deaths from the quake?",
        "kind": "latest",
        "date": "2025-03-30",
        "relevant": ["The death toll from the earthquake rises to over 3,050 people."],
        "answers": ["3,050"],
        "topic": ["earthquake + toll"],
    }
    assert check_news_quiz.latest_problems(latest, texts) == [
        "a later item (2025-04-02) is on the topic: "
        "'The death toll from the earthquake rises to 3,600 people. (AFP)'"
    ]
    newest = {
        **latest,
        "date": "2025-04-02",
        "relevant": [latest["relevant"][0].replace("over 3,050", "3,600")],
        "answers": ["3,600"],
    }
    assert check_news_quiz.latest_problems(newest, texts) == []
    assert check_news_quiz.latest_problems({**newest, "topic": ["Tonga + toll"]}, texts) == [
        "its gold item matches no topic"
    ]


# ---------------------------------------------------------------------------------------------
# The real file against the real corpus
# ---------------------------------------------------------------------------------------------

needs_corpus = needs(
    (SHARED / "datasets" / news_quiz.FOLDER / news_quiz.PAGES).is_dir(),
    "needs ../shared/datasets/wikipedia-current-events/days (the shared datasets)",
)


@pytest.fixture(scope="module")
def real_pages():
    return load_pages(CORPUS)


@needs_corpus
def test_the_bundled_quiz_passes_every_check(real_pages):
    header, lines = news_quiz.read_quiz()
    problems = check_news_quiz.find_problems(header, lines, news_quiz.page_dates(real_pages))
    assert problems == []


@needs_corpus
def test_the_sample_questions_come_from_the_seeded_draw(real_pages):
    header, lines = news_quiz.read_quiz()
    drawn = draw(all_items(real_pages), header["drawn"], header["seed"])
    used = set()
    for line in lines:
        number = line.record.get("item")
        if number is None:
            continue
        item = drawn[number - 1]
        assert item.date == line.record["date"], line.record["id"]
        assert all(s in item.text for s in line.record["relevant"]), line.record["id"]
        used.add(number)
    skipped = {entry["item"] for entry in header["skipped_items"]}
    assert used | skipped == set(range(1, header["drawn"] + 1)) and not used & skipped
    assert header["skipped"] == len(skipped)


@needs_corpus
def test_the_registry_loads_the_quiz():
    spec = DATASETS["news-quiz"]
    loaded = spec.load(SHARED / "datasets" / spec.folder)
    assert len(loaded.articles) == 601
    assert len(loaded.answerable) >= 150 and len(loaded.unanswerable) >= 30
    assert set(loaded.kinds.values()) == {*news_quiz.KINDS, news_quiz.UNANSWERABLE}


def test_the_asked_variant_asks_on_the_sunday_after_without_the_period(corpus, tmp_path):
    from eval.datasets import news_quiz_asked

    assert news_quiz_asked.asked_on("2025-03-30") == "2025-03-30"  # a Sunday: that day
    assert news_quiz_asked.asked_on("2025-03-24") == "2025-03-30"  # a Monday: its Sunday
    assert news_quiz_asked.undated(
        "How many people died in Myanmar's earthquake in March 2025?", "2025-03-30"
    ) == "How many people died in Myanmar's earthquake?"
    # A time naming an event is not a period: it stays.
    event = "How many people died in the March 2025 earthquake in Myanmar?"
    assert news_quiz_asked.undated(event, "2025-03-30") == event
    dated = {**GOOD, "id": "nq002", "kind": "dated"}
    quiz = write_quiz(tmp_path / "q.jsonl", HEADER, GOOD, dated, UNANSWERABLE)
    loaded = news_quiz_asked.load(corpus, quiz)
    # Only the single-story question: no "dated" one, no unanswerable one.
    assert list(loaded.queries) == ["nq001"]
    assert loaded.asked_on == {"nq001": "2025-03-30"}
    assert loaded.relevant == {"nq001": GOOD["relevant"]} and not loaded.unanswerable
    assert "news-quiz-asked" in DATASETS
