"""Name matching (qa.speakers.names): whom a name or role in a question means, and whether
a sentence mentions them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.speakers import Person, mentions, person_matches, resolve_speaker, token_similarity
from qa.speakers.names import (
    _CLASS_OF,
    _CLOSE,
    _edit_cost_floor,
    _key_similarity,
    _name_key,
)

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


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOU-'", min_size=0, max_size=12),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOU-'", min_size=0, max_size=12))
@settings(max_examples=200, deadline=None)
def test_token_similarity_is_symmetric_and_bounded(a, b):
    s = token_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(token_similarity(b, a))


KEYS = st.text(alphabet="abcdefghiklmnoprstuvz", min_size=1, max_size=12)


@given(KEYS, KEYS)
@settings(max_examples=500, deadline=None)
def test_edit_cost_floor_never_exceeds_the_edit_distance(a, b):
    distance = (1.0 - _key_similarity(a, b)) * max(len(a), len(b))  # clamped at 0 similarity
    assert _edit_cost_floor(a, b) <= distance + 1e-9


def test_cheap_substitutions_stay_inside_a_letter_class():
    assert all(len({_CLASS_OF[c] for c in pair}) == 1 for pair in _CLOSE)
    assert len({_CLASS_OF[c] for c in "aeiou"}) == 1


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=5, max_size=12),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=5, max_size=12))
@settings(max_examples=500, deadline=None)
def test_shortcuts_do_not_change_which_tokens_match(a, b):
    ka, kb = _name_key(a), _name_key(b)
    if min(len(ka), len(kb)) > 4:
        full = _key_similarity(ka, kb)
        assert (token_similarity(a, b) >= 0.85) == (full >= 0.85)
        if full >= 0.85:
            assert token_similarity(a, b) == full



@pytest.mark.parametrize(
    "text, name",
    [
        ("Shoygu praised the talks.", "Sergei Shoigu"),  # another spelling
        ("Defense Minister Shoigu's visit ended.", "Shoigu"),  # possessive
        ("Óhanián arrived.", "Ohanian"),  # diacritics
        ("The Shoigu-led delegation left.", "Shoigu"),  # a piece of a hyphenated word
        ("Gaddafi spoke for an hour.", "al-Qadhafi"),  # particle and transliteration
        ("Russia's defence minister praised the talks.", "the Russian minister"),  # a role
        ("Hasanov said nothing.", "Ohanian and Hasanov"),  # either of two
        ("The Armenian leaders have accused Moscow.", "the Armenian leaders"),  # a group
        ("Russian weapons were sold.", "Russia"),  # a country
        ("Shoygu praised the talks.", "shoigu"),  # a name typed in lower case
    ],
)
def test_mentions_finds_the_name_however_written(text, name):
    assert mentions(text, name)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Putin praised the talks.", "Shoigu"),
        ("Ohanianism is not a word.", "Ohanian"),  # inside a longer word
        ("Kam arrived.", "Kim"),  # short names must be spelt alike
        ("The minister praised the talks.", "the Russian minister"),  # not every role word
        ("Sergei Lavrov arrived.", "Defense Minister Shoigu"),  # titles do not count
        ("The rose bloomed.", "Rose Smith"),  # a lower-case word is not a name
        ("Anyone could come.", ""),
        ("The talks ended.", "the Armenian leaders"),
    ],
)
def test_mentions_rejects_other_names(text, name):
    assert not mentions(text, name)
