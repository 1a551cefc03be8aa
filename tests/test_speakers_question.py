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
    ],
)
def test_speaker_in_question(question, expected):
    assert speaker_in_question(question) == expected
