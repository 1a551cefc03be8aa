"""The entity recogniser (``qa.entities``): loaded without the components it does not need,
and finding what the model's full pipeline finds."""

from __future__ import annotations

import importlib

import pytest

from qa import entities

TEXTS = [
    "Russian Defense Minister Sergei Shoigu met his Azerbaijani counterpart Zakir Hasanov "
    "in Moscow on Tuesday.",
    "The United Nations reports that at least 2,325 people have died from the Ebola outbreak "
    "in the Democratic Republic of Congo.",
    "Apple shares rose 3% on the Nasdaq after the company reported $94 billion in revenue.",
    "The opposition CDU/CSU wins a plurality, with 28.5% of the vote, in the 2025 German "
    "federal election.",
]


@pytest.mark.skipif(not entities.available(), reason="the offline spaCy model is not installed")
def test_the_lean_pipeline_finds_the_same_entities_as_the_full_one():
    lean = entities.find_entities(TEXTS)
    full = importlib.import_module(entities.MODEL_PACKAGE).load()
    expected = [
        tuple((e.start_char, e.end_char, e.label_) for e in doc.ents) for doc in full.pipe(TEXTS)
    ]
    assert lean == expected
    assert all(lean)  # every text names something: the comparison is not of empty tuples
    assert "tok2vec" not in entities._pipeline().pipe_names
