"""Who said what in an article, found with rules (no language model).

The answer step asks "what did X say?"; this package finds the people in an article and
the sentences each of them said (:func:`analyse`, or :func:`find_people` /
:func:`find_statements` alone), the speaker a question asks about
(:func:`speaker_in_question`) and the people a name or role in a question refers to
(:func:`resolve_speaker`, :func:`person_matches`, :func:`mentions`).

Everything works on an article's sentences in reading order, as plain strings. The rules are
written for news English, including machine-translated news: names spelled two ways
("Shoigu"/"Shoygu"), quotes typed the wrong way round (``grow, “he added.``) and speech
reported with odd verbs ("Hasanov, in turn, meant that ...").

Modules, one concern each:

* ``lexicon`` - the word lists and the one speech-verb lexicon;
* ``names`` - name tokens, spelling-tolerant keys and the one name matcher;
* ``people`` - the people of an article and where each is mentioned;
* ``quotes`` - where quotations are, and whether one touches its attribution;
* ``subjects`` - the subject next to a speech verb;
* ``attribution`` - the statement rules, one function each, and :func:`analyse`;
* ``question`` - "is this a what-did-X-say question, and who is X".
"""

from __future__ import annotations

from qa.speakers.attribution import (
    ArticleSpeech,
    Statement,
    analyse,
    find_people,
    find_statements,
)
from qa.speakers.lexicon import SPEECH_VERB_FORMS
from qa.speakers.names import (
    RESOLVE_THRESHOLD,
    TOKEN_MATCH,
    Person,
    mentions,
    person_matches,
    resolve_speaker,
    token_similarity,
)
from qa.speakers.question import speaker_in_question

__all__ = [
    "RESOLVE_THRESHOLD",
    "SPEECH_VERB_FORMS",
    "TOKEN_MATCH",
    "ArticleSpeech",
    "Person",
    "Statement",
    "analyse",
    "find_people",
    "find_statements",
    "mentions",
    "person_matches",
    "resolve_speaker",
    "speaker_in_question",
    "token_similarity",
]
