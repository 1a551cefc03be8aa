"""Who holds an office (``qa.speakers.offices``): the office a "who is ... now" question
asks about, and whether a report names its holder, with former, deputy and would-be
holders left out."""

from __future__ import annotations

import pytest

from qa.speakers.offices import holders_named, office_in_question


@pytest.mark.parametrize(
    ("question", "office"),
    [
        ("Who is Chile's president now?", "president"),
        ("Who is the current prime minister of the United Kingdom?", "prime minister"),
        ("Who currently leads Nepal's government as prime minister?", "prime minister"),
        ("Who is Venezuela's current defence minister?", "defence minister"),
        ("Who is currently heading the U.S. Justice Department as attorney general?",
         "attorney general"),
        ("Who is currently leading Venezuela as acting president?", "acting president"),
        ("Who is Israel's minister of defence now?", "defence minister"),
        ("Who is the deputy prime minister now?", "deputy prime minister"),
        # No post on its own: any minister of the country would do.
        ("Who is Scotland's first minister now?", None),
        ("What is the latest death toll of the Ebola epidemic in the DR Congo?", None),
        ("Who won the 2025 German federal election?", None),
    ],
)  # fmt: skip
def test_the_office_a_question_asks_about(question, office):
    assert office_in_question(question) == office


@pytest.mark.parametrize(
    ("sentence", "office", "holder"),
    [
        ("President Abelardo de la Espriella declares a national state of emergency.",
         "president", True),
        ("Bolivian president Rodrigo Paz declares a state of emergency.", "president", True),
        ("José Antonio Kast is sworn in as President of Chile, succeeding Gabriel Boric.",
         "president", True),
        ("It is the first execution under Sanae Takaichi's premiership.", "prime minister",
         True),
        ("Venezuelan president Delcy Rodríguez appoints General Gustavo González López as "
         "Minister of Defense.", "defence minister", True),
        ("Venezuelan acting president Delcy Rodríguez appoints an envoy.", "acting president",
         True),
        # Not the holder: a former one, a deputy, one elected but not yet in office, or no
        # person at all.
        ("Prosecutors issue an arrest warrant for former president Evo Morales.", "president",
         False),
        ("Deputy Prime Minister John Smith resigns.", "prime minister", False),
        ("Abelardo de la Espriella is declared president-elect of Colombia.", "president",
         False),
        ("Chile and Venezuela restore diplomatic relations after the presidential election.",
         "president", False),
        ("British prime minister Andy Burnham visits Kyiv.", "president", False),
        ("José Antonio Kast will be sworn in as President of Chile on March 11.", "president",
         False),
        ("Kast was elected President of Chile on Sunday.", "president", False),
        ("It is the first execution under Sanae Takaichi's premiership.",
         "deputy prime minister", False),
        # Odd spacing is read in linear time, not by backtracking.
        ("Reporters asked Gabriel Boric" + " " * 5000 + "about it.", "president", False),
    ],
)  # fmt: skip
def test_a_report_names_the_holder_of_an_office(sentence, office, holder):
    assert bool(holders_named(sentence, office)) is holder


def test_the_holders_a_report_names_are_its_people_in_that_office():
    sentence = "Bolivian president Rodrigo Paz meets Chilean president José Antonio Kast."
    assert holders_named(sentence, "president") == ["Rodrigo Paz", "José Antonio Kast"]
    assert holders_named(sentence, "prime minister") == []
    former = "Bolivian president Rodrigo Paz meets former president Evo Morales."
    assert holders_named(former, "president") == ["Rodrigo Paz"]
    assert holders_named("It is the first execution under Sanae Takaichi's premiership.",
                         "prime minister") == ["Sanae Takaichi"]  # fmt: skip


def test_who_is_put_out_of_an_office_and_who_takes_it_over():
    office = "attorney general"
    fired = (
        "U.S. president Donald Trump dismisses Pam Bondi as Attorney General, with Deputy "
        "Attorney General Todd Blanche replacing her on an acting basis."
    )
    # The dismissed holder is not the holder; the deputy replacing her is, though a deputy's
    # title alone would not make him one.
    assert holders_named(fired, office) == ["Todd Blanche"]
    assert holders_named("Trump fires Attorney General Pam Bondi.", office) == []
    assert holders_named("Attorney General Pam Bondi says the list does not exist.", office) == [
        "Pam Bondi"
    ]
    assert holders_named("Kemi Smith succeeds John Doe as attorney general.", office) == [
        "Kemi Smith"
    ]
    # Replacing somebody in another office is not taking this one.
    assert holders_named("Kemi Smith succeeds John Doe as health minister.", office) == []
    # Not yet replaced: the one in office is still the holder.
    assert holders_named("Kemi Smith will replace John Doe as attorney general.", office) == [
        "John Doe"
    ]


@pytest.mark.parametrize(
    ("sentence", "holders"),
    [
        # The passive runs the other way: the one named first left.
        ("John Doe was replaced by Kemi Smith as attorney general.", ["Kemi Smith"]),
        ("Attorney General John Doe was replaced by Kemi Smith.", ["Kemi Smith"]),
        # Replacing somebody who is not in the office, or in another one.
        ("Attorney General Pam Bondi says Kash Patel replaced Christopher Wray at the FBI.",
         ["Pam Bondi"]),
        ("Kemi Smith succeeds John Doe as deputy attorney general.", []),
        ("Kemi Smith succeeds former attorney general John Doe as head of the FBI.", []),
        # "Dismiss" as "reject": the charges and the criticism go, not the holder.
        ("A court dismissed charges against Attorney General Pam Bondi.", ["Pam Bondi"]),
        ("Starmer dismisses criticism from Attorney General Richard Hermer.",
         ["Richard Hermer"]),
    ],
)  # fmt: skip
def test_who_leaves_and_who_takes_over_in_the_other_turns_of_phrase(sentence, holders):
    assert holders_named(sentence, "attorney general") == holders


def test_who_replaces_one_holder_with_another_is_neither():
    sentence = (
        "Prime Minister Mark Carney replaces Finance Minister Chrystia Freeland with "
        "Dominic LeBlanc."
    )
    assert "Mark Carney" not in holders_named(sentence, "finance minister")
