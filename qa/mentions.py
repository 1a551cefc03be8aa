"""Which names a question asks about, and whether a text is about what it asks.

Two steps read these: the answer step refuses when the retrieved passages mention too few of
the question's names (``qa.answer.features.NAMES_REQUIRED``), and retrieval, for a question
about how things stand now, puts the newest passage that is on the question's topic first
(``on_topic``; ``qa.fusion.newest_on_topic``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from qa.entities import NAME_LABELS, find_entities
from qa.entities import available as entities_available
from qa.records import Passage
from qa.speakers.lexicon import COUNTRY_ADJECTIVES
from qa.speakers.names import TOKEN_MATCH, fold, token_similarity
from qa.speakers.offices import PORTFOLIOS, holders_named, names_another_place
from qa.text import terms
from qa.timeexpr import NOW_WORDS

# Names without the entity model: runs of capitalised words after the question's first word
# (which is capitalised as the start of the sentence: "Besides", "At which").
_CAPITALISED_RUN = re.compile(r"[^\W\d_a-z][\w’'.-]*(?:\s+(?:of|de|the|la|van|von|al)?\s*"
                              r"[^\W\d_a-z][\w’'.-]*)*")  # fmt: skip


@lru_cache(maxsize=1024)  # ask reads a question's names twice: retrieval, then answer
def question_names(question: str) -> tuple[str, ...]:
    """The names ``question`` mentions — people (by surname: articles often use it alone),
    organisations, places, events, products, laws (spaCy's entities; nationalities, dates and
    numbers are not names) — each as it is written. Without the entity model: runs of
    capitalised words after the first word. Reads the first ``MAX_QUESTION_CHARS``."""
    text = question[:MAX_QUESTION_CHARS]
    first = re.match(r"\s*\S+", text)
    rest = text[first.end() :] if first else text
    if not any(c.isupper() for c in rest):
        return ()  # nothing capitalised past the first word: no name (and no model call)
    if entities_available():
        spans = []
        for start, end, label in find_entities([text])[0]:
            if label in NAME_LABELS:
                span = text[start:end]
                spans.append(span.split()[-1] if label == "PERSON" else span)
    else:
        spans = _CAPITALISED_RUN.findall(rest)
    return tuple(dict.fromkeys(s for s in spans if _name_terms(s)))


MAX_QUESTION_CHARS = 2000  # of a question, read for names (spaCy refuses over 1M characters)


def _name_terms(name: str) -> frozenset[str]:
    """The terms of a name that must appear for a passage to mention it: numbers aside ("the
    2025 Tour de France" is mentioned as "Tour de France"), a hyphenated word by its longest
    part ("Nagorno-Karabakh" as "Karabakh")."""
    longest = re.sub(r"\w+(?:-\w+)+", lambda m: max(m.group().split("-"), key=len), name)
    return frozenset(t for t in terms(fold(longest)) if not t.isdigit())


def names_found(names: Sequence[str], passages: Sequence[Passage]) -> tuple[float, list[str]]:
    """(share of ``names`` that some passage mentions, the names none mentions); (1.0, [])
    when the question names nothing. A passage is read with its context line (title,
    headings); what counts as mentioning a name: ``missing_names``."""
    if not names:
        return 1.0, []
    missing = missing_names(names, [f"{p.context} {p.text}" for p in passages])
    return 1.0 - len(missing) / len(names), missing


def missing_names(names: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The ``names`` that no text mentions. A text mentions a name when it has every term of
    it, accents aside and spelled alike as the speakers' name matcher judges ("Defence" and
    "Defense", "Shoigu" and "Shoygu"), an acronym also dotted or spelled out ("UN General
    Assembly" is mentioned by "U.N. General Assembly" and "United Nations General
    Assembly")."""
    return _missing(names, texts, [set(terms(fold(text))) for text in texts])


def _missing(
    names: Sequence[str], texts: Sequence[str], words: list[set[str]], prefix: bool = False
) -> list[str]:
    """``missing_names`` over the texts' folded, stemmed ``words``; with ``prefix``, a term
    also matches a word that starts with it (a country and its adjective)."""
    acronyms: list[set[str]] | None = None
    missing = []
    for name in names:
        wanted = _name_terms(name)
        short = {w.lower(): frozenset(terms(w)) for w in _ACRONYM.findall(name)}
        # "U.S." folds to no content word: only the initials (or their spelling) can match.
        short.update({w.replace(".", "").lower(): frozenset() for w in _DOTTED.findall(name)})
        plain = wanted.difference(*short.values())
        if short and acronyms is None:
            acronyms = [_acronyms(t) for t in texts]
        for i, found in enumerate(words):
            if all(
                _spelled_alike(t, found) or (prefix and _starts(t, found)) for t in plain
            ) and all(
                (stems and stems <= found) or (acronyms is not None and word in acronyms[i])
                for word, stems in short.items()
            ):
                break
        else:
            missing.append(name)
    return missing


def _starts(term: str, found: set[str]) -> bool:
    """A word of ``found`` starts with ``term`` (4 letters or more): "japan" in "japanes",
    "ukrain" in "ukrainian", "iran" in "iranian"; or ``term`` is a country and ``found``
    holds its irregular adjective ("franc" and "french", "germani" and "german")."""
    return (len(term) >= 4 and any(w.startswith(term) for w in found)) or not found.isdisjoint(
        _adjectives().get(term, ())
    )


@lru_cache(maxsize=1)
def _adjectives() -> dict[str, frozenset[str]]:
    """Stemmed one-word country names to the stems of their irregular adjectives."""
    out = {}
    for country, adjectives in COUNTRY_ADJECTIVES.items():
        stems = terms(country)
        if len(stems) == 1:
            out[stems[0]] = frozenset(s for a in adjectives.split() for s in terms(a))
    return out


def _spelled_alike(term: str, found: set[str]) -> bool:
    """``term`` is in ``found`` or spelled alike by the speakers' name matcher
    (``qa.speakers.names.token_similarity``: "defenc" ~ "defens", "ohanyan" ~ "ohanian")."""
    return term in found or any(token_similarity(term, w) >= TOKEN_MATCH for w in found)


_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,6}")
_SPELLED = re.compile(r"[A-Z][a-z]+(?:\s+(?:of\s+|the\s+|and\s+)*[A-Z][a-z]+)+")


def _acronyms(text: str) -> set[str]:
    """Lower-case acronyms ``text`` may write out: "U.S." and "United States" give "us"."""
    found = {m.group().replace(".", "").lower() for m in _DOTTED.finditer(text)}
    found.update(m.lower() for m in _ACRONYM.findall(text))  # "US" for a question's "U.S."
    for match in _SPELLED.finditer(text):
        # Every run of its capitalised words: "The United Nations General Assembly" writes
        # out "un" and "unga" (and "tunga", harmlessly).
        initials = "".join(w[0] for w in match.group().split() if w[0].isupper()).lower()
        found.update(
            initials[i:j]
            for i in range(len(initials))
            for j in range(i + 2, min(len(initials), i + 6) + 1)
        )
    return found


# A passage is on a question's topic when it mentions every name the question asks about and
# at least this share of the question's words (stemmed; question and time words like "latest"
# aside). Chosen on news-quiz's "latest" questions among 1/2, 2/3+, 3/4 and all (README).
TOPIC_SHARE = 0.7
_QUESTION_WORDS = frozenset(
    {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
)


# Words about the reporting, not the story: "According to the latest figures, how many …",
# "the latest reported death toll", "the number of …". Phrases, not stems: "the Mueller
# report" and "figure skating" keep their words.
_REPORTING = re.compile(
    r"\baccording\s+to\b|\breported\b|\b(?:figures|statistics)\b|\bthe\s+number\s+of\b",
    re.IGNORECASE,
)


def topic_terms(question: str) -> frozenset[str]:
    """The stemmed words of ``question`` that say what it is about: not its question word,
    its words for "now" ("latest", "current", "at present") or for the reporting ("according
    to the figures"). Its numbers stay: a year asked about is matched by the page date in a
    passage's context line."""
    text = _REPORTING.sub(" ", NOW_WORDS.sub(" ", question))
    return frozenset(terms(fold(text))) - _QUESTION_WORDS


# A news item's credits after its last sentence: "… aid to Gaza. (France 24) (Reuters)". They
# say who reported, not what happened: "(The Japan Times)" does not put an item on Japan.
# Only after a sentence's end and before the next one (or the end of a line): "Acme Inc.
# (NASDAQ: ACME) shares" keeps its parenthesis.
_TRAILING_CREDITS = re.compile(
    r"(?<=[.!?\"”])(?:[ \t]*\([^()\n]{1,80}\))+(?=[ \t]*(?:$|\n|[ \t][A-Z“\"]))", re.MULTILINE
)


def without_credits(text: str) -> str:
    """``text`` without the credits that follow its sentences ("(AP) (Bloomberg)")."""
    return _TRAILING_CREDITS.sub("", text)


def mentions_every(text: str, names: Sequence[str]) -> bool:
    """``text``, its credits aside, mentions every one of ``names`` (as ``on_topic`` reads
    them: a country also by its adjective, a dotted abbreviation such as "U.S." as written,
    without its dots or spelled out)."""
    text = without_credits(text)
    return not _missing(names, [text], [set(terms(fold(text)))], prefix=True)


def holders_in_place(
    sentence: str, before: str, names: Sequence[str], office: str, question: str
) -> list[str]:
    """The people ``sentence`` names in ``office`` (``qa.speakers.offices.holders_named``:
    a title that places them elsewhere does not count) when it, read after ``before`` (the
    sentence before it, a context line), mentions every one of the question's ``names``:
    "Japan executes a man … It is the first execution under Sanae Takaichi's premiership."
    names Japan's prime minister."""
    holders = holders_named(sentence, office, question)
    if not holders:
        return []
    places = tuple(filter(None, (_place_of(name) for name in names)))
    if mentions_every(sentence, places):
        return holders
    if not mentions_every(f"{before} {sentence}", places):
        return []
    # The place from the sentence before, unless this one puts the holder in another
    # country first ("Brazilian president Lula appoints Attorney General Jorge Messias"; a
    # country named after the holder, "… meets Chinese President Xi", is someone else's).
    return [h for h in holders if not names_another_place(_before_name(sentence, h), question)]


def _before_name(sentence: str, name: str) -> str:
    at = sentence.find(name)
    return sentence[:at] if at >= 0 else sentence


# Words naming an office's own institution: "the U.S. Justice Department" in "Who is
# heading the U.S. Justice Department as attorney general?" is where the office is, and a
# report names its holder as "Attorney General Todd Blanche", without the department.
_INSTITUTION = re.compile(
    r"\b(?:department|ministry|government|cabinet|administration|office)\b", re.IGNORECASE
)
_INSTITUTION_WORDS = re.compile(
    r"\b(?:the|of|department|ministry|government|cabinet|administration|office|treasury|"
    + "|".join(sorted(PORTFOLIOS))
    + r")\b",
    re.IGNORECASE,
)


def _place_of(name: str) -> str:
    """The part of a question's name that places an office: the name itself, or for an
    institution ("the U.S. Justice Department") the words left without the institution's
    ("U.S."; nothing for "the Justice Department")."""
    if not _INSTITUTION.search(name):
        return name
    return " ".join(_INSTITUTION_WORDS.sub(" ", name).split())


def on_topic(text: str, names: Sequence[str], wanted: frozenset[str]) -> bool:
    """``text`` mentions every one of ``names`` (as ``missing_names`` reads them) and at
    least ``TOPIC_SHARE`` of the question's ``wanted`` terms (``topic_terms``; a name's words
    count among them). A term also counts when a word of the text starts with it, so a
    country stands for its adjective ("Japan" in "Japanese", "Bolivia" in "Bolivian"), or
    when it is a country and the text has its irregular adjective ("France" and "French",
    ``qa.speakers.lexicon.COUNTRY_ADJECTIVES``). Credits after the text's sentences
    ("(The Japan Times)") are not read: they name the outlet, not the topic."""
    if not wanted:
        return False
    text = without_credits(text)
    found = set(terms(fold(text)))
    if names and _missing(names, [text], [found], prefix=True):
        return False
    # News words for one thing count as one term, on both sides ("death toll" is one term,
    # found by "died"), so one word never covers two of the question's; and a text without
    # the thing counted is not on the topic at all: a report of vaccines for Congo's Ebola
    # outbreak holds no toll, however many of the other words it shares.
    wanted = frozenset(_ONE_THING.get(t, t) for t in wanted)
    found |= {_ONE_THING[w] for w in found if w in _ONE_THING}
    if any(t in _COUNTED and t not in found for t in wanted):
        return False
    missed = [t for t in wanted if not (t in found or _starts(t, found))]
    if missed and len(wanted) - len(missed) < TOPIC_SHARE * len(wanted):
        initials = _acronyms(text)  # a question's "DR" for "Democratic Republic"
        missed = [t for t in missed if not (len(t) <= 4 and t in initials)]
    return len(wanted) - len(missed) >= TOPIC_SHARE * len(wanted)


# Words news uses for one thing (stemmed terms): a toll is reported as deaths, people dead,
# who died or were killed; an epidemic as an outbreak. A question's term counts when a word
# of its group is found, and the group counts once: "the latest death toll of the Ebola
# epidemic" is answered by "at least 2,325 people have died from the current Ebola outbreak".
_SAME_THING = (
    ("death", "die", "dead", "kill", "toll", "fatal"),
    ("epidem", "outbreak"),
)
_ONE_THING = {word: group[0] for group in _SAME_THING for word in group}
# Of those, the ones a question asks to count: a text without it cannot hold the value.
_COUNTED = frozenset({"death"})
