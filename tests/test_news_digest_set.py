"""The news-digest dataset: topic phrasing, the generator reproduces the shipped file from the
real corpus, and the loader refuses a gold story that is not on its page."""

from __future__ import annotations

import json

import pytest

from eval.datasets import DATASETS, news_digest
from eval.tools import news_digest_questions as build
from eval.tools.news_quiz_items import CORPUS

from .conftest import needs

needs_corpus = needs(CORPUS.is_dir(), f"needs the shared day pages in {CORPUS}")


@pytest.mark.parametrize(
    ("label", "phrase"),
    [
        ("2025 Myanmar earthquake", "the Myanmar earthquake"),
        ("March 2025 South Korea wildfires", "the South Korea wildfires"),
        ("Typhoon Halong (2025)", "Typhoon Halong"),
        ("Kuwait in the 2026 Iran war", "Kuwait in the 2026 Iran war"),
        ("Donald Trump's Liberation Day speech", "Donald Trump's Liberation Day speech"),
        ("Attacks in Russia", "attacks in Russia"),
        ("War in the Sahel", "the war in the Sahel"),
        ("Middle East crisis", "the Middle East crisis"),
        ("Wildfires in 2026", "wildfires"),
    ],
)
def test_topic_lines_are_named_as_a_reader_names_them(label, phrase):
    common = frozenset({"attacks", "war", "wildfires", "middle"})
    assert build.topic_phrase(label, common) == phrase


def test_joined_chronicle_and_category_lines_are_no_topic():
    assert build._one_topic("2025 Myanmar earthquake")
    assert not build._one_topic("2025 massacres of Alawites, March 2025 Western Syria clashes")
    assert not build._one_topic("2026 in spaceflight")
    assert not build._one_topic("Attacks and armed conflicts")


@needs_corpus
def test_the_shipped_questions_are_what_the_generator_writes():
    assert build.main(["--check"]) == 0


@needs_corpus
def test_the_loader_reads_every_question_and_refuses_a_story_off_its_page(tmp_path):
    evalset = DATASETS["news-digest"].load(CORPUS.parent)
    assert len(evalset.queries) == build.EVENTS + build.DEVELOPMENTS
    assert evalset.digest and not evalset.unanswerable
    assert set(evalset.kinds.values()) == {"event", "development"}
    lines = news_digest.QUESTIONS.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["stories"][0]["sentence"] = "A story no page tells."
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([lines[0], json.dumps(record)]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken.jsonl:2: gold story 'A story no page"):
        news_digest.load(CORPUS.parent, broken)
