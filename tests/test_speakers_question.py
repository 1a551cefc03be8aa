"""Question parsing (qa.speakers.question): is this a "what did X say" question, and who
is X?"""

from __future__ import annotations

import pytest

from qa.speakers import speaker_in_question


@pytest.mark.parametrize(
    "question, expected",
    [
        ("What did Ohanian say?", "Ohanian"),
        ("what has Sergei Shoigu told reporters", "Sergei Shoigu"),
        ("What did the Russian minister say?", "the Russian minister"),
        ("How many officers?", None),
        ("Who said relations were strategic?", None),
        ("What did he say?", None),
        ("What did Shoigu say about Azerbaijan?", "Shoigu"),
        ("Did Zelensky warn about air defence?", "Zelensky"),
        ("Has Ohanian commented on the arms sales?", "Ohanian"),
        ("Why did Hasanov stress training?", "Hasanov"),
        ("What does Shoigu think of Azerbaijan?", "Shoigu"),
        ("What is Ohanian saying about the partnership?", "Ohanian"),
        ("How did Hasanov describe relations with Russia?", "Hasanov"),
        ("What was announced by the Russian Ministry of Defense?",
         "the Russian Ministry of Defense"),
        ("According to Hasanov, how are relations?", "Hasanov"),
        ("according to the armenian defense minister, what is the partnership?",
         "the armenian defense minister"),
        ("What was Shoigu's position on arms sales?", "Shoigu"),
        ("What is the view of Seyran Ohanian on Russia?", "Seyran Ohanian"),
        ("What were Hasanov's remarks?", "Hasanov"),
        ("What did Shoigu have to say?", "Shoigu"),
        ("When did Russia's defense minister praise Armenia?", "Russia's defense minister"),
        ("What did Hasanov and Shoigu say?", "Hasanov and Shoigu"),
        ("Did Shoigu also explain the exhibition?", "Shoigu"),
        ("What did Ohanian tell his counterpart?", "Ohanian"),
        ("Is Hasanov quoted as saying anything?", "Hasanov"),
        ("What weapons did Russia sell to Baku?", None),
        ("When did the talks take place?", None),
        ("What was said?", None),
        ("What's Shoigu's view on Baku?", "Shoigu"),
        ("Tell me what Ohanian said", "Ohanian"),
        ("What did Ohanian's press office say?", "Ohanian's press office"),
        ("What has been said by Zelensky about the front?", "Zelensky"),
        ("What did Theresa May say?", "Theresa May"),
        ("What is the latest reported death toll of the Ebola epidemic?", None),
        ("What is the most recent reported number of deaths?", None),
        ("What was the initially reported death toll?", None),
        ("According to the latest figures, how many people died?", None),
        ("What did the current prime minister say?", "the current prime minister"),
        ("What did the official say?", "the official"),
        ("What did a senior official tell reporters?", "a senior official"),
        ("What did Total say about the spill?", "Total"),
        # It asks who spoke: a fact question, not one for a speaker's words.
        ("Which newspaper reported that a CENTCOM delegation had reached Lebanon?", None),
        ("Which minister said that the talks had failed?", None),
        ("Whose office stated that troops would stay?", None),
    ],
)
def test_speaker_in_question(question, expected):
    assert speaker_in_question(question) == expected


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Which area did Puntland officials say they had retaken from ISIS fighters?", True),
        ("How many people had died, according to the report of 20 July 2025?", True),
        ("Near which city did the Sudanese army claim to have shot down an aircraft?", True),
        ("According to Hasanov, how many officers will train in Russia?", True),
        ("What area did officials say they had retaken?", True),
        ("Who did Shoigu say would lead the delegation?", True),
        ("What kind of weapons did Shoigu say Russia would sell?", True),
        # Questions that ask for the words themselves.
        ("What did Ohanian say?", False),
        ("What was Shoigu's position?", False),
        ("What has Sergei Shoigu told reporters?", False),
        ("How did Pashinyan respond?", False),
        ("According to Hasanov, what is next?", False),
        ("What else did Zakir Hasanov say?", False),  # a follow-up: more of the words
        ("What exactly did Shoigu say?", False),
        ("What other things did Zakir Hasanov say?", False),
    ],
)
def test_a_question_asking_for_a_thing_its_source_said(question, fact):
    from qa.speakers.question import asks_for_a_fact

    assert speaker_in_question(question) is not None
    assert asks_for_a_fact(question) is fact


def test_a_fact_from_a_source_no_sentence_names_is_answered_not_refused(fake_index):
    from qa.load import make_article

    fake_index.add([make_article(title="Rains", published="2025-07-20", text=(
        "Seventeen people are killed and 11 others are missing in torrential rains in South "
        "Korea. Roads are closed in the south of the country."))])  # fmt: skip
    fact = fake_index.ask(
        "How many people had died in South Korea's rains, according to the report of 20 July?",
        abstain_below=0,
    )
    assert not fact.abstained, fact.text
    assert "Seventeen" in fact.citations[0].sentence
    # Asking for the words of someone the articles do not quote is still refused.
    words = fake_index.ask("What did the Korean president say?", abstain_below=0)
    assert words.abstained
