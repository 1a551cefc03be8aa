"""Follow-up questions resolved against the conversation (qa.answer.followup), without a
model: the rules read only earlier questions, the person quoted and the articles cited."""

from __future__ import annotations

from qa import Answer, Citation
from qa.answer.followup import last_speaker, resolve
from qa.load import make_article

STORY = make_article(title="Talks", text="Ohanian said ties grow. He praised Moscow.")
OTHER = make_article(title="Quake", text="The quake killed 3,000 people in Myanmar.")


def answered(question: str, *, speaker: str = "", cited=(), resolved: str = "") -> Answer:
    citations = tuple(
        Citation(1, article, text, 0, len(text), index) for article, index, text in cited
    )
    return Answer(
        question, "…", False, 0.9, citations, speaker=speaker, resolved_question=resolved
    )


def test_nothing_to_resolve_without_history():
    resolved = resolve("What else did he say?", [])
    assert resolved.question == "What else did he say?" and not resolved.article_ids
    assert resolved.changed("What else did he say?") is False


def test_pronoun_becomes_the_last_person_quoted_and_skips_what_was_cited():
    said = (STORY, 0, "Ohanian said ties grow.")
    first = answered("What did Ohanian say?", speaker="Seyran Ohanian", cited=[said])
    resolved = resolve("What else did he say?", [first])
    assert resolved.question == "What else did Seyran Ohanian say?"
    assert resolved.exclude == frozenset({(STORY.id, 0)})
    assert resolve("What did he say?", [first]).exclude == frozenset()  # not "else": all again


def test_and_x_swaps_the_person_in_a_speaker_question():
    first = answered("What else did Ohanian say?", speaker="Seyran Ohanian")
    assert resolve("And Hasanov?", [first]).question == "What did Hasanov say?"


def test_and_x_swaps_the_name_not_the_preposition():
    first = answered("How many people died in the Myanmar earthquake?")
    assert resolve("And in Thailand?", [first]).question == (
        "How many people died in the Thailand earthquake?"
    )
    assert resolve("What about the Philippines?", [first]).question == (
        "How many people died in the Philippines earthquake?"
    )
    assert resolve("And Thailand?", [first]).question == (
        "How many people died in the Thailand earthquake?"
    )


def test_and_x_without_a_name_appends_the_new_subject():
    first = answered("how many officers will train?")
    assert resolve("and cadets?", [first]).question == "how many officers will train — cadets?"


def test_short_anaphora_is_asked_of_the_articles_just_cited():
    first = answered(
        "How many died?", cited=[(OTHER, 0, "The quake killed 3,000 people in Myanmar.")]
    )
    resolved = resolve("When was that?", [first])
    assert resolved.article_ids == (OTHER.id,)
    assert resolved.question.startswith("When was that? (The quake killed 3,000")
    assert resolved.changed("When was that?")


def test_long_questions_are_new_questions():
    first = answered("How many died?", cited=[(OTHER, 0, "The quake killed 3,000 people.")])
    question = "Which countries sent rescue teams to help after that disaster struck?"
    assert resolve(question, [first]).question == question


def test_last_speaker_prefers_the_person_quoted_over_a_name_in_a_question():
    history = [
        answered("What did Ohanian say?", speaker="Seyran Ohanian"),
        answered("How many officers?"),
    ]
    assert last_speaker(history) == "Seyran Ohanian"
    assert last_speaker([answered("What did Hasanov say?")]) == "Hasanov"
    assert last_speaker([answered("What did he say?")]) == ""
