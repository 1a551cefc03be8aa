"""Who said what (qa.speakers.attribution): the sample article's attributions, small
articles for each rule, and unit tests of each rule function."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sentencex
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.speakers import (
    analyse,
    find_people,
    find_statements,
    resolve_speaker,
)
from qa.speakers import attribution as attribution_module
from qa.speakers.attribution import (
    GROUP,
    MAX_CARRY,
    Context,
    Said,
    _according_to,
    _direct_quote,
    _learn_gender,
    _named_subject,
    _pronoun_speaker,
    _reported_speech,
    _role_speaker,
    _speech_verb_speaker,
    _spread_over_quotations,
    _verb_subject,
)
from qa.speakers.people import find_mentions
from qa.speakers.quotes import mask_quotes

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
    # Hasanov too: "his Azerbaijani counterpart" of the Russian Defense Minister.
    defense = {"Sergei Shoigu", "Seyran Ohanian", "Zakir Hasanov"}
    assert set(names("the defense minister")) == defense
    assert names("the Azerbaijani defence minister") == ["Zakir Hasanov"]
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


def test_same_surname_different_first_name_are_two_people():
    text = "Anna Weber said the clinic was full. Paul Weber said the roads were closed."
    people = find_people(split(text)[0])
    assert [p.name for p in people] == ["Anna Weber", "Paul Weber"]
    assert [p.name for p in resolve_speaker("Paul Weber", people)] == ["Paul Weber"]
    assert len(resolve_speaker("Weber", people)) == 2  # ambiguous: both returned



@given(st.lists(st.text(max_size=80), max_size=6))
@settings(max_examples=60, deadline=None)
def test_find_statements_never_fails_on_arbitrary_text(sentences):
    for s in find_statements(sentences):
        assert 0 <= s.sentence_index < len(sentences)
        assert s.kind in ("direct", "reported", "pronoun")




def test_analyse_reads_the_people_once_and_gives_both_answers(sample, monkeypatch):
    sentences, paragraphs = split(sample)
    calls = []
    real = attribution_module.find_mentions
    monkeypatch.setattr(attribution_module, "find_mentions",
                        lambda s: calls.append(len(s)) or real(s))
    speech = analyse(sentences, paragraphs)
    assert calls == [len(sentences)]  # one analysis of the article's people
    monkeypatch.undo()
    assert speech.people == find_people(sentences)
    assert speech.statements == find_statements(sentences, paragraphs)
    assert len(speech.statements) > 10


def test_analyse_checks_paragraph_numbers():
    with pytest.raises(ValueError, match="one paragraph number per sentence"):
        analyse(["One.", "Two."], [0, 0, 1])


# --------------------------------------------------------------------------- each rule alone


def read(sentences: list[str]):
    """What the rules work on: a fresh reader, the masked sentences and the mentions outside
    quotations in each sentence."""
    people, mentions = find_mentions(sentences)
    masked, _ = mask_quotes(sentences, None)
    here = [
        [m for m in mentions if m.sentence == i and masked[i][m.start : m.end] == m.form]
        for i in range(len(sentences))
    ]
    context = Context.start(people)
    context.seen.update(range(len(people)))
    return context, masked, here


def first_verb(text: str) -> re.Match[str]:
    match = attribution_module._VERB_RE.search(text)
    assert match is not None, text
    return match


def person(context: Context, name: str) -> int:
    return [p.name for p in context.people].index(name)


def test_rule_direct_quote_needs_the_quotation_against_the_attribution():
    context, masked, here = read(
        ['"We will not back down," Jane Doe said.', "Jane Doe said the talks had failed."]
    )
    doe = person(context, "Jane Doe")
    verb = first_verb(masked[0])
    subject = _verb_subject(masked[0], verb, here[0])
    assert _direct_quote(masked[0], verb, subject) == Said(doe, "direct", "said")
    verb = first_verb(masked[1])
    assert _direct_quote(masked[1], verb, _verb_subject(masked[1], verb, here[1])) is None


def test_rule_reported_speech_is_a_named_subject_without_a_quotation():
    context, masked, here = read(["Hasanov, in turn, meant that relations were good."])
    verb = first_verb(masked[0])
    subject = _verb_subject(masked[0], verb, here[0])
    assert subject.kind == "name"
    assert _reported_speech(subject, "meant") == Said(person(context, "Hasanov"), "reported",
                                                      "meant")
    assert _speech_verb_speaker(masked[0], here[0], 0, context) == Said(
        person(context, "Hasanov"), "reported", "meant"
    )


def test_rule_role_is_the_one_person_with_a_fitting_title():
    context, masked, here = read([
        "Russian Defense Minister Sergei Shoigu arrived.",
        "Armenian Defense Minister Seyran Ohanian arrived.",
        "The Russian minister praised the talks.",
        "The defense minister praised the talks.",
    ])
    verb = first_verb(masked[2])
    subject = _verb_subject(masked[2], verb, here[2])
    assert (subject.kind, subject.text) == ("role", "The Russian minister")
    assert _role_speaker(subject, "praised", context) == Said(
        person(context, "Sergei Shoigu"), "pronoun", "praised"
    )
    verb = first_verb(masked[3])
    # Both defense ministers fit: nobody can be told apart, so it counts as a group.
    assert _role_speaker(_verb_subject(masked[3], verb, here[3]), "praised", context) is GROUP


def test_rule_pronoun_is_the_last_speaker_within_reach_and_of_its_gender():
    context, masked, here = read(["Anna Weber arrived.", "He said the clinic was full."])
    weber = person(context, "Anna Weber")
    subject = _verb_subject(masked[1], first_verb(masked[1]), here[1])
    assert (subject.kind, subject.gender) == ("pronoun", "m")
    assert _pronoun_speaker(subject, "said", 1, context) is None  # nobody to refer to yet
    context.push(weber, 0)
    assert _pronoun_speaker(subject, "said", 1, context) == Said(weber, "pronoun", "said")
    assert context.gender[weber] == "m"  # learned from the pronoun
    assert _pronoun_speaker(subject, "said", MAX_CARRY, context) is not None
    assert _pronoun_speaker(subject, "said", MAX_CARRY + 1, context) is None  # too far back
    context.gender[weber] = "f"
    assert _pronoun_speaker(subject, "said", 1, context) is None  # "he" is not her


def test_rule_according_to_a_name_or_a_pronoun():
    context, masked, here = read([
        "Foreign Minister Ali Hassan arrived.",
        "According to Hassan, trade fell by half.",
        "According to him, prices rose.",
        "According to her, prices fell.",
        "According to the report, prices fell.",
    ])
    hassan = person(context, "Ali Hassan")
    assert _according_to(masked[1], here[1], 1, context) == Said(hassan, "reported",
                                                                 "according to")
    context.push(hassan, 1)
    assert _according_to(masked[2], here[2], 2, context) == Said(hassan, "pronoun",
                                                                 "according to")
    context.gender[hassan] = "m"
    assert _according_to(masked[3], here[3], 3, context) is None
    assert _according_to(masked[4], here[4], 4, context) is None


def test_rule_group_subject_is_nobody_and_passive_has_no_speaker():
    context, masked, here = read([
        "Anna Weber arrived.",
        "The ministry said the plan was approved.",
        "Weber was told the clinic was closed.",
    ])
    assert _speech_verb_speaker(masked[1], here[1], 1, context) is GROUP
    assert _speech_verb_speaker(masked[2], here[2], 2, context) is None


def test_named_subject_becomes_the_person_a_pronoun_refers_to():
    context, masked, here = read([
        "After meeting Sergei Shoigu, officials left.",
        "Sergei Shoigu met with officials.",
    ])
    _named_subject(masked[0], here[0], 0, context)
    assert context.recent == []  # inside another phrase, not the subject
    _named_subject(masked[1], here[1], 1, context)
    assert context.recent == [(person(context, "Sergei Shoigu"), 1)]


def test_for_his_part_tells_the_gender():
    context, masked, here = read(["Seyran Ohanian, for his part, said the talks went well."])
    _learn_gender(masked[0], here[0], context)
    assert context.gender == {person(context, "Seyran Ohanian"): "m"}


def test_honorific_titles_tell_the_gender():
    context, _, _ = read(["Mrs. Anna Weber arrived with Mr. Paul Smith."])
    assert context.gender == {person(context, "Anna Weber"): "f",
                              person(context, "Paul Smith"): "m"}


def test_rule_quotation_over_several_sentences_takes_its_speaker():
    found = {1: Said(0, "direct", "said"), 4: Said(1, "pronoun", "added")}
    _spread_over_quotations(found, [(0, 2), (3, 4), (6, 7)])
    assert found == {
        0: Said(0, "direct", "said"), 1: Said(0, "direct", "said"), 2: Said(0, "direct", "said"),
        3: Said(1, "pronoun", "added"), 4: Said(1, "pronoun", "added"),
    }  # the quotation over 6-7 has no attribution: nobody


@pytest.mark.parametrize("verb", ["reiterated", "asserted", "underscored", "quipped"])
def test_every_speech_verb_of_the_lexicon_attributes(verb):
    got = find_statements(["Anna Weber arrived.", f"Weber {verb} that the clinic was full."])
    assert [(s.sentence_index, s.speaker, s.kind, s.verb) for s in got] == [
        (1, "Anna Weber", "reported", verb)
    ]


# -- roles that resolve to a person -------------------------------------------------------------
def test_a_role_set_before_the_name_by_commas_is_the_persons_title():
    people = find_people(
        ["The mayor, Jane Doe, said the town would rebuild the sea wall within a year."]
    )
    assert [(p.name, p.titles) for p in people] == [("Jane Doe", ("mayor",))]
    assert [p.name for p in resolve_speaker("the mayor", people)] == ["Jane Doe"]
    # Not a role: a place or a plain noun before the comma.
    plain = find_people(["In Paris, Jane Doe, a baker, said prices rose."])
    assert all("Paris" not in t for p in plain for t in p.titles)


def test_a_counterpart_holds_the_office_of_the_person_it_is_the_counterpart_of(sample):
    people = {p.name: p for p in find_people(split(sample)[0])}
    assert people["Zakir Hasanov"].titles == (
        "Azerbaijani counterpart",
        "Azerbaijani Defense Minister",
    )
    assert people["Sergei Shoigu"].titles == ("Russian Defense Minister",)  # unchanged
    found = resolve_speaker("the Azerbaijani defense minister", list(people.values()))
    assert [p.name for p in found] == ["Zakir Hasanov"]
    # Two titled people in the sentence: whose counterpart is unclear, nothing is added.
    two = find_people([
        "Russian Defense Minister Sergei Shoigu and Armenian Defense Minister Seyran Ohanian "
        "met his Azerbaijani counterpart Zakir Hasanov."
    ])  # fmt: skip
    assert {p.name: p.titles for p in two}["Zakir Hasanov"] == ("Azerbaijani counterpart",)
