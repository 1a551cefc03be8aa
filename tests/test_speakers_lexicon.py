"""The one speech-verb lexicon (qa.speakers.lexicon): its forms, and that statement finding
and question parsing both use every verb of it."""

from __future__ import annotations

import pytest

from qa.speakers import SPEECH_VERB_FORMS, find_statements, speaker_in_question
from qa.speakers.lexicon import (
    FREE_IN_QUESTIONS,
    NEXT_WORD,
    QUESTION_ONLY_FORMS,
    SPEECH_VERBS,
    VERB_BASE,
    inflect,
    reports_speech,
)

# A next word each NEXT_WORD verb reports speech with, for the questions below.
PARTICLE = {"point": "out", "call": "for", "speak": "about", "ask": "whether"}


@pytest.mark.parametrize(
    "base, forms",
    [
        ("say", ("say", "says", "said", "saying")),
        ("reiterate", ("reiterate", "reiterates", "reiterated", "reiterating")),
        ("assert", ("assert", "asserts", "asserted", "asserting")),
        ("deny", ("deny", "denies", "denied", "denying")),
        ("stress", ("stress", "stresses", "stressed", "stressing")),
        ("admit", ("admit", "admits", "admitted", "admitting")),
        ("quip", ("quip", "quips", "quipped", "quipping")),
        ("mean", ("means", "meant")),  # the bare form only in questions
    ],
)
def test_inflections(base, forms):
    assert inflect(base) == forms
    assert all(VERB_BASE[f] == base for f in forms)


def test_every_form_belongs_to_one_verb_of_the_list():
    assert set(VERB_BASE.values()) == set(SPEECH_VERBS)
    assert frozenset(VERB_BASE) == SPEECH_VERB_FORMS
    assert {"reiterated", "asserted", "said", "told"} <= SPEECH_VERB_FORMS


def test_question_only_forms_are_documented_exceptions():
    # A bare "think"/"mean" is not a statement verb in articles, only in questions.
    assert FREE_IN_QUESTIONS == set(QUESTION_ONLY_FORMS) == {"mean", "think"}
    assert not {"think", "mean"} & SPEECH_VERB_FORMS
    assert speaker_in_question("What does Shoigu think of Azerbaijan?") == "Shoigu"
    assert speaker_in_question("What did Ohanian mean?") == "Ohanian"


@pytest.mark.parametrize(
    "form, after, expected",
    [
        ("said", " that the talks failed", True),
        ("pointed", " out that the talks failed", True),
        ("pointed", " at the map", False),  # a verb that needs its next word
        ("Called", " for calm", True),
        ("called", " him", False),
        ("meant", " that relations were good", True),
        ("meant", " nothing", False),
        ("tabled", " a motion", False),  # not a speech verb
    ],
)
def test_reports_speech(form, after, expected):
    assert reports_speech(form, after) is expected


@pytest.mark.parametrize("base", SPEECH_VERBS)
def test_every_verb_makes_a_speaker_question(base):
    """One lexicon: a verb added to SPEECH_VERBS is understood in questions too."""
    verb = base if base not in NEXT_WORD or base in FREE_IN_QUESTIONS else (
        f"{base} {PARTICLE[base]}"
    )
    assert speaker_in_question(f"What did Ohanian {verb}?") == "Ohanian"
    for form in inflect(base):
        if form.endswith("ing"):
            asked = f"Is Ohanian {verb.replace(base, form, 1)} anything?"
            assert speaker_in_question(asked) == "Ohanian", asked


@pytest.mark.parametrize(
    "question, expected",
    [
        ("What did Ohanian reiterate?", "Ohanian"),
        ("Has Shoigu asserted that the ties are strategic?", "Shoigu"),
        ("What was reiterated by the Russian minister?", "the Russian minister"),
        ("Is Ohanian reiterating his position?", "Ohanian"),  # "-ing" after a form of "be"
        ("Has Hasanov been quoted as saying anything?", "Hasanov"),
        ("What did Hasanov call for?", "Hasanov"),
        ("Who did Macron call?", None),  # "call" reports speech only as "call for/on"
        # "-ing" after "did": not the verb of the question.
        ("Did the article from Fortune reporting on the lawsuit mention shares?", None),
        ("Was the reporting on the deal consistent?", None),  # a speaker is not "the"
        ("How many electorates does the State of Victoria have?", None),
    ],
)
def test_questions_with_verbs_of_the_lexicon(question, expected):
    assert speaker_in_question(question) == expected


@pytest.mark.parametrize("verb", ["reiterated", "asserted"])
def test_statement_finding_uses_the_same_verbs(verb):
    sentences = ["Anna Weber arrived.", f"Weber {verb} that the clinic was full."]
    assert [s.verb for s in find_statements(sentences)] == [verb]
