"""The names rule: a question about a name no retrieved passage mentions is not answered
(qa.mentions.question_names / names_found)."""

from __future__ import annotations

import pytest

from qa import mentions
from qa.entities import available
from qa.mentions import names_found, question_names
from qa.records import Article, Passage

from .conftest import needs


def _passage(text: str, context: str = "") -> Passage:
    article = Article(id="a", title="t", text=text)
    return Passage(1.0, 1, text, 0, len(text), article, (), rank=1, context=context)


needs_entities = needs(available(), "needs spaCy's English model: make setup")


@needs_entities
@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What caused the power cut that left Malmö in darkness?", ("Malmö",)),
        ("By how much did the Bank of Canada cut its interest rate?", ("the Bank of Canada",)),
        ("Along with sport and art, what is a type of scholarship?", ()),  # first word
        ("At which Spanish ski resort did a chairlift collapse?", ()),  # a nationality
        ("who is the russian defense minister?", ()),  # nothing capitalised: nothing known
    ],
)
def test_question_names_are_its_entities(question, names):
    assert question_names(question) == names


def test_without_the_entity_model_names_are_capitalised_words_after_the_first(monkeypatch):
    monkeypatch.setattr(mentions, "entities_available", lambda: False)
    mentions.question_names.cache_clear()
    assert question_names("Besides Copenhagen, which airport shut in Bank of Canada news?") == (
        "Copenhagen",
        "Bank of Canada",
    )
    assert question_names("Along with sport, what is a scholarship?") == ()
    mentions.question_names.cache_clear()  # names read without the model must not linger


def test_names_found_needs_every_word_of_a_name_in_one_passage_or_its_context():
    passages = [
        _passage("The central bank cut rates.", context="Canada news"),
        _passage("A storm hit Zurich."),
    ]
    assert names_found(["Zurich"], passages) == (1.0, [])
    assert names_found(["Bank of Canada"], passages) == (1.0, [])  # words + its context line
    assert names_found(["Malmö", "Zurich"], passages) == (0.5, ["Malmö"])
    assert names_found(["Malmö"], passages) == (0.0, ["Malmö"])
    assert names_found([], passages) == (1.0, [])


@pytest.mark.parametrize(
    "text", ["The U.S. Senate voted.", "The United States voted.", "Officials in the US voted."]
)
def test_an_acronym_is_found_dotted_or_spelled_out(text):
    assert names_found(["US"], [_passage(text)]) == (1.0, [])
    assert names_found(["EU"], [_passage(text)])[0] == 0.0


@pytest.mark.model
@needs_entities
def test_a_question_about_a_place_no_article_mentions_is_refused_and_says_why(sample_index):
    answer = sample_index.ask("How many Armenian officers were injured in a tram crash in Zurich?")
    assert answer.abstained
    assert answer.text.endswith("None of the passages found mentions “Zurich”.")
    kept = sample_index.ask("How many Armenian officers will Moscow take?")
    assert not kept.abstained  # "Moscow" is in the article


def test_an_acronym_inside_a_longer_name_is_found_spelled_out():
    passage = _passage("The United Nations General Assembly recognises the opinion.")
    assert names_found(["the UN General Assembly"], [passage]) == (1.0, [])
    assert names_found(["the UN Security Council"], [passage]) == (0.0, ["the UN Security Council"])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Zürich", "A tram derailed in Zurich."),  # accents
        ("Malmo", "Power returns to Malmö."),
        ("the Russian Ministry of Defence", "The Russian Ministry of Defense said so."),  # a letter
        ("Ohanyan", "Seyran Ohanian met his counterpart."),
        ("Nagorno-Karabakh", "Fighting resumed in Karabakh."),  # a hyphenated word's longest part
        ("ISIS", "Fighters of I.S.I.S. withdrew."),  # an acronym whose stem is not itself
    ],
)
def test_names_are_found_spelled_alike(name, text):
    assert names_found([name], [_passage(text)]) == (1.0, [])


@pytest.mark.parametrize(
    ("name", "text"),
    [("Riga", "A blast in Rome."), ("Lisbon", "An earthquake in Lima."), ("Malta", "Mali votes.")],
)
def test_short_or_different_names_are_not_taken_for_each_other(name, text):
    assert names_found([name], [_passage(text)])[0] == 0.0


@needs_entities
def test_a_person_is_looked_for_by_surname_and_a_huge_question_is_read_in_part():
    assert question_names("Who did Zakir Hasanov meet in Moscow?") == ("Hasanov", "Moscow")
    huge = "Who did Zakir Hasanov meet in Moscow?" + " x" * 600_000
    assert question_names(huge) == ("Hasanov", "Moscow")  # spaCy refuses over 1M characters


@pytest.mark.model
@needs_entities
def test_the_names_rule_is_off_with_abstention_and_says_why_on_the_speaker_path(sample_index):
    question = "How many Armenian officers were injured in a tram crash in Zurich?"
    forced = sample_index.ask(question, abstain_below=0)
    assert not forced.abstained and forced.confidence > 0  # the model's own confidence
    said = sample_index.ask("What did the mayor of Zurich say?")
    assert said.abstained
    assert said.text.endswith("None of the passages found mentions “Zurich”.")


def test_topic_terms_leave_out_question_and_time_words():
    from qa.mentions import topic_terms

    assert topic_terms("Who is Bolivia's president at present?") == {"bolivia", "presid"}
    assert topic_terms("What is the latest death toll?") == {"death", "toll"}
    assert topic_terms("Who is it now?") == frozenset()
    assert topic_terms("What is the latest toll of the 2025 quake?") == {"toll", "2025", "quak"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bolivian president Rodrigo Paz declares a state of emergency.", True),  # adjective
        ("President Rodrigo Paz of Bolivia meets farmers.", True),
        ("Bolivia and Colombia expel each other's ambassadors.", False),  # no president
        ("The president of Peru resigns.", False),  # the name asked about is missing
        ("", False),
    ],
)
def test_on_topic_needs_the_names_and_most_words(text, expected):
    from qa.mentions import on_topic, topic_terms

    question = "Who is Bolivia's president at present?"
    assert on_topic(text, ("Bolivia",), topic_terms(question)) is expected


@pytest.mark.parametrize(
    ("question", "names", "text", "expected"),
    [
        ("Who is Japan's prime minister now?", ("Japan",),
         "Japanese prime minister Sanae Takaichi wins the vote.", True),
        ("Who is Ukraine's defence minister now?", ("Ukraine",),
         "Ukrainian defence minister Denys Shmyhal visits Berlin.", True),
        # An adjective that is not the name plus an ending.
        ("Who is France's president now?", ("France",),
         "French president Emmanuel Macron visits Berlin.", True),
        ("Who is Germany's chancellor now?", ("Germany",),
         "German chancellor Friedrich Merz visits Paris.", True),
        ("Who is France's president now?", ("France",),
         "German president Frank-Walter Steinmeier visits Paris.", False),
        # Three of its four words, but not the name asked about.
        ("Who is the current prime minister of the United Kingdom?", ("the United Kingdom",),
         "The prime minister of the United Arab Emirates visits.", False),
        ("Who is the current prime minister of the United Kingdom?", ("the United Kingdom",),
         "The prime minister of the United Kingdom visits.", True),
    ],
)  # fmt: skip
def test_on_topic_reads_a_country_in_its_adjective_and_needs_every_name(
    question, names, text, expected
):
    from qa.mentions import on_topic, topic_terms

    assert on_topic(text, names, topic_terms(question)) is expected


def test_on_topic_of_a_question_with_no_words_is_false():
    from qa.mentions import on_topic

    assert on_topic("Anything at all.", (), frozenset()) is False


def test_an_items_credits_do_not_put_it_on_a_topic():
    from qa.mentions import mentions_every, on_topic, topic_terms, without_credits

    item = (
        "The Hungarian parliament backs prime minister Péter Magyar's government. "
        "(AP) (Bloomberg via The Japan Times)"
    )
    assert without_credits(item) == (
        "The Hungarian parliament backs prime minister Péter Magyar's government."
    )
    question = "Who is Japan's prime minister now?"
    assert on_topic(item, ("Japan",), topic_terms(question)) is False
    assert mentions_every(item, ("Japan",)) is False
    # A parenthesis inside a sentence is its text, not a credit.
    inside = "Japan's ruling party (the LDP) backs prime minister Sanae Takaichi. (NHK)"
    assert without_credits(inside) == (
        "Japan's ruling party (the LDP) backs prime minister Sanae Takaichi."
    )
    assert mentions_every(inside, ("Japan", "LDP")) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A toll reported as people who died, an epidemic as an outbreak, "DR" as the
        # initials of "Democratic Republic".
        ("The United Nations reports that at least 2,325 people have died from the current "
         "Ebola outbreak in the Democratic Republic of Congo.", True),
        ("The death toll from the Ebola epidemic in the Democratic Republic of the Congo "
         "rises to over 1,500 people killed.", True),
        # Cases are not deaths, and the initials must be a name's, not any two words'.
        ("Congo's health ministry reports 12 new Ebola cases in the east.", False),
        ("Ebola reaches Congo's capital; doctors rush to the region.", False),
    ],
)  # fmt: skip
def test_on_topic_reads_news_words_for_one_thing_and_a_names_initials(text, expected):
    from qa.mentions import on_topic, question_names, topic_terms

    question = "What is the latest reported death toll of the Ebola epidemic in the DR Congo?"
    assert on_topic(text, question_names(question), topic_terms(question)) is expected


def test_a_dotted_abbreviation_must_be_written_or_spelled_out():
    from qa.mentions import mentions_every

    # "U.S." folds to no content word; it must not be found in any text at all.
    assert (
        mentions_every("Brazilian president Lula appoints a new attorney general.", ("U.S.",))
        is False
    )
    assert mentions_every("The United States Senate confirms Pam Bondi.", ("U.S.",)) is True
    assert mentions_every("The U.S. Senate confirms Pam Bondi.", ("U.S.",)) is True
    assert mentions_every("The US Senate confirms Pam Bondi.", ("U.S.",)) is True


def test_an_office_is_placed_by_its_country_not_its_department_or_a_sentence_on_another():
    from qa.mentions import holders_in_place

    question = "Who is currently heading the U.S. Justice Department as attorney general?"
    names = ("the U.S. Justice Department",)
    fired = (
        "U.S. president Donald Trump dismisses Pam Bondi as Attorney General, with Deputy "
        "Attorney General Todd Blanche replacing her on an acting basis."
    )
    # The report names the country, not the department.
    assert holders_in_place(fired, "", names, "attorney general", question) == ["Todd Blanche"]
    # The sentence before names the U.S., but this one is about Brazil.
    brazil = "Brazilian president Lula appoints Attorney General Jorge Messias to the court."
    before = "The U.S. Senate holds hearings."
    assert holders_in_place(brazil, before, names, "attorney general", question) == []
    # A sentence naming no country takes the place from the one before it.
    plain = "Attorney General Pam Bondi says the list does not exist."
    assert holders_in_place(plain, before, names, "attorney general", question) == ["Pam Bondi"]


def test_words_for_one_thing_count_once_and_reporting_phrases_are_not_the_topic():
    from qa.mentions import on_topic, question_names, topic_terms

    question = "What is the latest death toll of the earthquake in Myanmar?"
    names, wanted = question_names(question), topic_terms(question)
    # "kills" is the toll; it must not also count as "death" and pass without the quake.
    assert on_topic("Myanmar junta airstrike kills 20 in Sagaing.", names, wanted) is False
    assert on_topic("The earthquake in Myanmar has killed 3,000.", names, wanted) is True
    # Phrases about the reporting go; the same words as a topic stay.
    assert "figur" not in topic_terms("According to the latest figures, how many died?")
    assert {"report", "figur"} <= topic_terms("What did the Mueller report say on figure skating?")


def test_a_country_named_after_the_holder_does_not_move_the_office_abroad():
    from qa.mentions import holders_in_place

    question = "Who is Japan's prime minister now?"
    sentence = "Prime Minister Sanae Takaichi meets Chinese President Xi Jinping."
    before = "Japan and China hold talks."
    assert holders_in_place(sentence, before, ("Japan",), "prime minister", question) == [
        "Sanae Takaichi"
    ]


def test_a_toll_question_needs_a_report_of_deaths():
    from qa.mentions import on_topic, question_names, topic_terms

    question = "What is the latest reported death toll of the Ebola epidemic in the DR Congo?"
    names, wanted = question_names(question), topic_terms(question)
    vaccines = (
        "The World Health Organization says that the Democratic Republic of the Congo will "
        "receive Ebola vaccines to fight the outbreak."
    )
    assert on_topic(vaccines, names, wanted) is False
    toll = "The death toll from Ebola in the Democratic Republic of the Congo reaches 600."
    assert on_topic(toll, names, wanted) is True  # no "epidemic", but the toll and the rest
