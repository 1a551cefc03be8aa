"""Who said what: the sample article's attributions, small articles for each rule, and the
question side (speaker_in_question, resolve_speaker)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sentencex
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.speakers import (
    Person,
    find_people,
    find_statements,
    person_matches,
    resolve_speaker,
    speaker_in_question,
    token_similarity,
)

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "shoigu-azerbaijan-armenia-military-ties.md"


def split(text: str) -> tuple[list[str], list[int]]:
    """Sentences and their paragraph numbers: one paragraph per line, sentencex within."""
    sentences, paragraphs = [], []
    for p, line in enumerate(line for line in text.splitlines() if line.strip()):
        for b in sentencex.get_sentence_boundaries("en", line):
            if b["text"].strip():
                sentences.append(b["text"].strip())
                paragraphs.append(p)
    return sentences, paragraphs


def said_by(text: str, query: str) -> list[str]:
    """The sentences of ``text`` attributed to whoever ``query`` resolves to."""
    sentences, paragraphs = split(text)
    names = {p.name for p in resolve_speaker(query, find_people(sentences))}
    return [
        sentences[s.sentence_index]
        for s in find_statements(sentences, paragraphs)
        if s.speaker in names
    ]


@pytest.fixture(scope="module")
def sample() -> str:
    body = SAMPLE.read_text(encoding="utf-8")
    if body.startswith("---"):
        body = body.split("---", 2)[2]  # drop the front matter
    return body.strip()


# --------------------------------------------------------------------------- sample article


def test_sample_people_titles_and_variants(sample):
    people = {p.name: p for p in find_people(split(sample)[0])}
    assert set(people) == {
        "Sergei Shoigu", "Zakir Hasanov", "Davit Tonoyan", "Anatoly Antonov", "Seyran Ohanian"
    }
    assert people["Sergei Shoigu"].aliases == ("Shoygu",)
    assert people["Sergei Shoigu"].titles == ("Russian Defense Minister",)
    assert people["Seyran Ohanian"].aliases == ("Ohanian",)
    assert people["Seyran Ohanian"].titles == ("Armenian Defense Minister",)
    assert people["Davit Tonoyan"].titles == ("First Deputy Minister of the Armenian Defense",)


def test_sample_ohanian_says_exactly_his_three_sentences(sample):
    assert said_by(sample, "Ohanian") == [
        "“We want to maintain our strategic partnership,” Ohanian said.",
        "Ohanian, for his part, said that bilateral military ties knew a “dynamic development”.",
        "His press office said he also spoke with Shoygu “development of military-technical "
        "cooperation.”",
    ]


def test_sample_hasanov_in_turn_and_pronouns(sample):
    got = said_by(sample, "Hasanov")
    assert [s[:40] for s in got] == [
        "Hasanov, in turn, meant that relations b",
        "He also stressed the importance of train",
        "He expressed the hope that the number of",
    ]
    # Said *to* Hasanov is not said by him.
    assert not any(s.startswith("“Our military cooperation") for s in got)


@pytest.mark.parametrize("query", ["Shoigu", "Shoygu", "sergei shoigu", "Sergey Shoygu"])
def test_sample_shoigu_and_shoygu_are_one_speaker(sample, query):
    got = said_by(sample, query)
    assert [s[:45] for s in got] == [
        "While exposing to criticism from Armenia, Rus",  # welcomed ... “strategic”
        "He noted the willingness of Moscow to sell mo",
        "“Our military cooperation has a strategic cha",
        "“I think there’s potential for growth and dev",  # first half of the quotation
        "We certainly will do everything to ensure tha",  # ... grow, “he added.
        "According to a ministry statement, Shoygu als",
        "The Russian minister praised the defense coop",  # by his title
    ]


def test_sample_statement_kinds_and_verbs(sample):
    sentences, paragraphs = split(sample)
    got = {
        sentences[s.sentence_index][:30]: (s.speaker, s.kind, s.verb)
        for s in find_statements(sentences, paragraphs)
    }
    assert got["“Our military cooperation has "] == ("Sergei Shoigu", "direct", "said")
    assert got["We certainly will do everythin"] == ("Sergei Shoigu", "pronoun", "added")
    assert got["Hasanov, in turn, meant that r"] == ("Zakir Hasanov", "reported", "meant")
    assert got["He also stressed the importanc"] == ("Zakir Hasanov", "pronoun", "stressed")
    assert got["“We want to maintain our strat"] == ("Seyran Ohanian", "direct", "said")
    assert got["His press office said he also "] == ("Seyran Ohanian", "pronoun", "said")


def test_sample_organisation_statements_have_no_person(sample):
    sentences, paragraphs = split(sample)
    attributed = {sentences[s.sentence_index] for s in find_statements(sentences, paragraphs)}
    for start in (
        "Russian defense companies will show",  # ..., the statement said.
        "The Russian Ministry of Defense said he spoke",  # "he" is Tonoyan; the speaker is not
        "The Russian Ministry of Defense was quoted",
        "The Armenian leaders have accused",
        "Shoygu met with Armenian Defense Minister",  # a meeting, not a statement
    ):
        assert not any(s.startswith(start) for s in attributed), start


def test_sample_role_queries(sample):
    people = find_people(split(sample)[0])

    def names(q):
        return [p.name for p in resolve_speaker(q, people)]

    assert names("the Russian minister") == ["Sergei Shoigu"]
    assert names("Russia's defence minister") == ["Sergei Shoigu"]
    assert names("the Armenian defense minister") == ["Seyran Ohanian"]  # not the deputy
    assert set(names("the defense minister")) == {"Sergei Shoigu", "Seyran Ohanian"}
    assert names("the Azerbaijani president") == []


# --------------------------------------------------------------------------- small articles

NEWSROOM = """\
Prime Minister Jane Doe arrived in Vilnius on Monday for talks with farmers.
"We will not back down," Doe said. She added that talks would resume in May.
Finance Minister John Smith said: "The budget is tight." He also warned that taxes could rise.
The ministry said the plan had been approved by the cabinet.
He stressed that nothing was final.
"""


def test_direct_quotes_with_speaker_after_and_before():
    sentences, paragraphs = split(NEWSROOM)
    got = [(sentences[s.sentence_index], s.speaker, s.kind) for s in
           find_statements(sentences, paragraphs)]
    assert ('"We will not back down," Doe said.', "Jane Doe", "direct") in got
    assert ('Finance Minister John Smith said: "The budget is tight."', "John Smith",
            "direct") in got


def test_she_speaker_then_second_speaker_takes_over():
    assert said_by(NEWSROOM, "Jane Doe") == [
        '"We will not back down," Doe said.',
        "She added that talks would resume in May.",
    ]
    assert said_by(NEWSROOM, "Smith") == [
        'Finance Minister John Smith said: "The budget is tight."',
        "He also warned that taxes could rise.",
    ]


def test_organisation_statement_is_nobody_and_clears_the_carry_over():
    sentences, paragraphs = split(NEWSROOM)
    attributed = {sentences[s.sentence_index] for s in find_statements(sentences, paragraphs)}
    assert "The ministry said the plan had been approved by the cabinet." not in attributed
    # After an organisation spoke, "He" is not guessed to be the last person.
    assert "He stressed that nothing was final." not in attributed


def test_pronoun_carry_over_across_two_sentences_and_its_limit():
    text = (
        "Governor Maria Lopez spoke to reporters after the storm. "
        "She praised the rescue teams. She also noted the damage to roads. "
        "Rain fell for three days. Rivers rose. Schools closed. Roads flooded. "
        "She warned of more rain."
    )
    assert said_by(text, "Lopez") == [
        "She praised the rescue teams.",
        "She also noted the damage to roads.",
    ]  # the last "She" is too far from any named speaker to be given to her


def test_reported_speech_forms():
    text = (
        "Foreign Minister Ali Hassan said that the border would reopen.\n"
        "According to Hassan, trade fell by half last year.\n"
        "Hassan, the foreign minister, stressed the importance of the deal.\n"
        "Critics said the deal was weak.\n"
        "Energy Minister Omar Farouk expressed the hope that prices would fall.\n"
        "Farouk, in turn, pointed out that the pipeline was ready.\n"
    )
    assert said_by(text, "Hassan") == [
        "Foreign Minister Ali Hassan said that the border would reopen.",
        "According to Hassan, trade fell by half last year.",
        "Hassan, the foreign minister, stressed the importance of the deal.",
    ]
    assert said_by(text, "Omar Farouk") == [
        "Energy Minister Omar Farouk expressed the hope that prices would fall.",
        "Farouk, in turn, pointed out that the pipeline was ready.",
    ]
    people = {p.name: p for p in find_people(split(text)[0])}
    assert "foreign minister" in people["Ali Hassan"].titles


def test_multi_sentence_quote_and_inverted_attribution():
    sentences = [  # a segmenter that splits inside quotations gives this
        "\u201cWe came to help.",
        "We will stay as long as needed,\u201d said Dr. Anna Weber, who leads the mission.",
        "The clinic opened in March.",
        "\u201cIt is hard work,\u201d she said.",
    ]
    got = [(s.sentence_index, s.speaker, s.kind, s.verb) for s in find_statements(sentences)]
    assert got == [
        (0, "Anna Weber", "direct", "said"),
        (1, "Anna Weber", "direct", "said"),
        (3, "Anna Weber", "pronoun", "said"),
    ]
    assert find_people(sentences)[0].titles == ("Dr.",)


def test_quotation_reopened_in_a_new_paragraph_and_stray_marks():
    sentences = [
        "Dr. Anna Weber runs the clinic.",
        "\u201cWe came to help.",  # paragraph 1 ends inside the quotation ...
        "\u201cWe will stay,\u201d she said.",  # ... which paragraph 2 reopens
    ]
    got = [(s.sentence_index, s.kind) for s in find_statements(sentences, [0, 1, 2])]
    assert got == [(1, "pronoun"), (2, "pronoun")]
    # A stray opening mark must not hide the sentences after it.
    stray = ["Anna Weber runs the \u201cclinic.", "It opened in May.", "Weber said it was full."]
    assert [s.sentence_index for s in find_statements(stray)] == [2]


def test_quoted_word_in_narration_needs_a_verb():
    text = (
        'General Pavel Ivanov visited the "new" base on Friday.\n'
        'Ivanov welcomed the "historic" agreement.\n'
    )
    assert said_by(text, "Ivanov") == ['Ivanov welcomed the "historic" agreement.']


@pytest.mark.parametrize(
    "text, query, expected_name",
    [
        (
            "Ukrainian President Volodymyr Zelensky said the front line was holding. "
            '"We are ready," Zelenskyy told reporters. '
            "Zelenskiy also urged allies to send more air defence systems.",
            "Zelenskyy",
            "Volodymyr Zelensky",
        ),
        (
            "Libyan leader Muammar Gaddafi warned the rebels on Sunday. "
            "Qadhafi said in a speech that he would never leave.",
            "al-Qadhafi",
            "Muammar Gaddafi",
        ),
    ],
)
def test_spelling_variants_are_one_person(text, query, expected_name):
    sentences, paragraphs = split(text)
    people = find_people(sentences)
    assert [p.name for p in people] == [expected_name]
    statements = find_statements(sentences, paragraphs)
    assert [s.sentence_index for s in statements] == list(range(len(sentences)))
    assert {s.speaker for s in statements} == {expected_name}
    assert [p.name for p in resolve_speaker(query, people)] == [expected_name]


@pytest.mark.parametrize(
    "sentences, expected",
    [
        (["Vladimir Putin met the envoy.", "A source close to Putin said the talks failed."],
         []),  # the source speaks, not Putin
        (["Vladimir Putin met the envoy.", "The talks, Putin said, were fruitful."],
         [(1, "Vladimir Putin", "reported")]),
        (["Volodymyr Zelensky met the envoy.", "Zelensky's office said the call was long."],
         [(1, "Volodymyr Zelensky", "reported")]),
        (["John Smith said he would go.", "Smith's wife, Jane, said she would stay."],
         [(0, "John Smith", "reported"), (1, "Jane", "reported")]),
        (["Theresa May said the deal was done."], [(0, "Theresa May", "reported")]),
        (['"This is a disgrace," Senator Bernie Sanders wrote.'],
         [(0, "Bernie Sanders", "direct")]),
        (["Anna Weber arrived.", "Weber was told the clinic was closed."], []),  # passive
        (["Anna Weber arrived.", "The prices rose, said Weber was told."], []),
        (["Police said a man was arrested.", "He told officers he was innocent."], []),
        (["Emmanuel Macron and Olaf Scholz met.", "Macron said Europe must unite.",
          "Scholz disagreed.", "He said Germany would wait."],
         [(1, "Emmanuel Macron", "reported"), (3, "Olaf Scholz", "pronoun")]),
    ],
)
def test_subject_of_the_speech_verb(sentences, expected):
    got = [(s.sentence_index, s.speaker, s.kind) for s in find_statements(sentences)]
    assert got == expected


def test_places_months_and_organisations_are_not_people():
    text = (
        "In Moscow on Tuesday, the Kremlin said NATO was to blame. "
        "Officials in New Delhi and Baku declined to comment in January. "
        "The United Nations Security Council met in Geneva."
    )
    assert find_people(split(text)[0]) == []


def test_paragraph_numbers_must_match_sentences():
    with pytest.raises(ValueError, match="one paragraph number per sentence"):
        find_statements(["One.", "Two."], [0])


# --------------------------------------------------------------------------- matching


SHOIGU = Person("Sergei Shoigu", ("Shoygu",), ("Russian Defense Minister",))
OHANIAN = Person("Seyran Ohanian", ("Ohanian",), ("Armenian Defense Minister",))
HASANOV = Person("Zakir Hasanov", ("Hasanov",), ("Azerbaijani counterpart",))


@pytest.mark.parametrize(
    "query, person",
    [
        ("Shoigu", SHOIGU), ("SHOYGU", SHOIGU), ("Sergei Shoigu", SHOIGU),
        ("Sergey Shoygu", SHOIGU), ("Defense Minister Shoigu", SHOIGU), ("S. Shoigu", SHOIGU),
        ("Ohanyan", OHANIAN), ("Seyran Ohanyan", OHANIAN), ("Óhanián", OHANIAN),
        ("Gasanov", HASANOV), ("Mr. Hasanov", HASANOV),
    ],
)
def test_person_matches_tolerant_forms(query, person):
    assert person_matches(query, person) >= 0.8


@pytest.mark.parametrize(
    "query, person",
    [
        ("Putin", SHOIGU), ("Ivan Shoigu", SHOIGU), ("Ohanyanova", OHANIAN),
        ("Hassan", HASANOV), ("Sergei", SHOIGU), ("", SHOIGU), ("the Russian", SHOIGU),
    ],
)
def test_person_matches_rejects_others(query, person):
    assert person_matches(query, person) < 0.8


def test_resolve_speaker_surname_and_absent_person():
    people = [SHOIGU, OHANIAN, HASANOV]
    assert resolve_speaker("ohanian", people) == [OHANIAN]
    assert resolve_speaker("Shoygu", people) == [SHOIGU]
    assert resolve_speaker("Vladimir Putin", people) == []
    assert resolve_speaker("Ohanian and Shoigu", people) == [OHANIAN, SHOIGU]
    assert resolve_speaker("the Russian minister", people) == [SHOIGU]


def test_same_surname_different_first_name_are_two_people():
    text = "Anna Weber said the clinic was full. Paul Weber said the roads were closed."
    people = find_people(split(text)[0])
    assert [p.name for p in people] == ["Anna Weber", "Paul Weber"]
    assert [p.name for p in resolve_speaker("Paul Weber", people)] == ["Paul Weber"]
    assert len(resolve_speaker("Weber", people)) == 2  # ambiguous: both returned


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOU-'", min_size=0, max_size=12),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOU-'", min_size=0, max_size=12))
@settings(max_examples=200, deadline=None)
def test_token_similarity_is_symmetric_and_bounded(a, b):
    s = token_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(token_similarity(b, a))


@given(st.lists(st.text(max_size=80), max_size=6))
@settings(max_examples=60, deadline=None)
def test_find_statements_never_fails_on_arbitrary_text(sentences):
    for s in find_statements(sentences):
        assert 0 <= s.sentence_index < len(sentences)
        assert s.kind in ("direct", "reported", "pronoun")


# --------------------------------------------------------------------------- questions


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
    ],
)
def test_speaker_in_question(question, expected):
    assert speaker_in_question(question) == expected
