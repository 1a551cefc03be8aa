"""Who holds an office: "Who is Chile's president now?" asks for the person a report names
in that office, and the newest such report is the answer.

:func:`office_in_question` reads the office a "who is ... now" question asks about ("Who is
Venezuela's current defence minister?" -> "defence minister"); :func:`holders_named` says
whether a sentence names somebody in it: the title beside a name ("Bolivian president
Rodrigo Paz", "Andy Burnham, the prime minister,"), a name taking the office ("José Antonio
Kast is sworn in as President of Chile") or a name's term in it ("under Sanae Takaichi's
premiership"). A former, deputy or would-be holder does not count unless the question asks
for one ("Who is the deputy prime minister?"). Rules over :mod:`qa.speakers.people`, no
language model.
"""

from __future__ import annotations

import re

from qa.speakers.lexicon import COUNTRY_ADJECTIVES, DEMONYMS, PLACES, TITLE_WORDS
from qa.speakers.names import RANKS, role_words
from qa.speakers.people import find_mentions

# Titles that are not the office: its past or future holder, or a rank below it.
_NOT_HOLDER = RANKS | {"ex", "late", "outgoing", "then", "previous", "incoming", "elect"}
# A name's term in an office: "Sanae Takaichi's premiership".
_TERMS = {
    "premiership": "prime minister",
    "presidency": "president",
    "chancellorship": "chancellor",
}
# Words that can open an office's name before its title word ("prime", "defence").
_OPENERS = {"prime", "defence", "defense", "foreign", "interior", "finance", "acting",
            "interim", "attorney", "justice", "health", "deputy", "vice", "supreme"}  # fmt: skip
# A name taking the office: "… is sworn in as President of Chile". Not "will be sworn in",
# nor a plain "elected" (a president-elect is not yet the president). One quantifier per
# run of spaces, and at most ``_AFTER_CHARS`` read: no backtracking blow-up on odd spacing.
_TAKES = re.compile(
    r"^(?:\s*,)?\s*(?:(?:is|was|has been)\s+)?(?:(?:formally|officially)\s+)?"
    r"(?:sworn in|re-?appointed|appointed|re-?elected|named|installed|inaugurated|"
    r"confirmed|becomes|became|as)\s+(?:as\s+)?(?:the\s+)?(?:(?:new|next)\s+)?(?P<office>[\w -]+)",
    re.IGNORECASE,
)
_AFTER_CHARS = 120
# Somebody put out of the office: "dismisses (Attorney General) Pam Bondi", "ousted". Only
# a title may stand between the verb and the name (capitalised words, title words, "the"):
# "dismissed charges against Attorney General Pam Bondi" rejects the charges, not her. Not
# "replaced by" (the name after it is the new holder).
_TITLE_GAP = "|".join(sorted(TITLE_WORDS | _OPENERS))
_REMOVED = re.compile(
    r"\b(?i:dismiss(?:es|ed|ing)?|fires|fired|firing|sacks|sacked|sacking|removes|removed|"
    r"removing|ousts|ousted|ousting|impeaches|impeached|replaces|replaced|replacing|"
    r"succeeds|succeeded|succeeding)(?!\s+by\b)\s+"
    r"(?:(?:the|[A-Z][\w.'’-]*|(?i:" + _TITLE_GAP + r"))\s+){0,4}$"
)
_BEFORE_CHARS = 80
# A name taking over an office from another: "Todd Blanche replacing her (as …)". Not
# "will replace" (not yet), nor the passive "was replaced by" (the other way round).
_SUCCEEDS = re.compile(
    r"^(?:\s*,)?\s*(?:who\s+)?(?:(?:is|has)\s+)?(?:replacing|replaces|replaced|"
    r"succeeding|succeeds|succeeded|(?:taking|takes|took) over from)\s+(?P<whom>[^,.;]{1,80})",
    re.IGNORECASE,
)
# Put out, in the passive: "Attorney General John Doe was replaced by Kemi Smith".
_WAS_REMOVED = re.compile(
    r"^(?:\s*,)?\s*(?:was|has been|had been|is being|is)\s+(?:replaced|succeeded|dismissed|"
    r"fired|sacked|removed|ousted|impeached)\b",
    re.IGNORECASE,
)
# Taking over, in the passive: "… was replaced by Kemi Smith".
_REPLACED_BY = re.compile(r"\b(?:replaced|succeeded)\s+by\s+$", re.IGNORECASE)
# In the words after "replacing": the one replaced as a pronoun, or the office named.
_PRONOUN = re.compile(r"^(?:her|him|them)\b", re.IGNORECASE)
_AS_OFFICE = re.compile(r"\bas\s+(?:the\s+)?(?P<office>[\w -]+)", re.IGNORECASE)
# What an office "of" names when it is a portfolio ("Minister of Defense"), not a place.
PORTFOLIOS = {"defence", "defense", "foreign", "finance", "justice", "health", "interior",
               "state", "education", "economy", "labour", "labor", "energy"}  # fmt: skip
_PORTFOLIO_OF = re.compile(
    r"\b(?P<office>[\w-]+)\s+of\s+(?:the\s+)?(?P<portfolio>"
    + "|".join(sorted(PORTFOLIOS))
    + r")\b",
    re.IGNORECASE,
)
# Offices that name no post on their own: a question asking for one is not an office question.
_GENERIC = {"minister", "ministers", "secretary", "official", "leader", "head", "chief",
            "officer", "representative", "spokesman", "spokesperson", "spokeswoman"}  # fmt: skip
_TERM = re.compile(r"^[’']s\s+(?P<term>\w+)", re.IGNORECASE)


def office_in_question(question: str) -> str | None:
    """The office a "who" question asks who holds, as folded words ("prime minister"), or
    None. Place names and demonyms are the question's topic, not the office."""
    words = role_words(_portfolio_first(question))
    if "who" not in words:
        return None
    runs: list[list[str]] = []
    current: list[str] = []
    for word in words:
        if word in TITLE_WORDS or word in _OPENERS:
            current.append(word)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    offices = [r for r in runs if any(w in TITLE_WORDS for w in r)]
    if not offices:
        return None
    office = max(offices, key=len)
    while office and office[-1] not in TITLE_WORDS:
        office.pop()
    if len(office) == 1 and office[0] in _GENERIC:
        return None  # "minister" alone: any minister of the country would do
    return " ".join(office) or None


def _portfolio_first(text: str) -> str:
    """"Minister of Defense" as "Defense Minister" (role words drop the "of", so the order
    must say which word is the office)."""
    return _PORTFOLIO_OF.sub(lambda m: f"{m['portfolio']} {m['office']}", text)


def holders_named(sentence: str, office: str, asked: str = "") -> list[str]:
    """The people ``sentence`` names in ``office`` (folded words, as
    :func:`office_in_question` gives it), each as written ("Rodrigo Paz"), in order. With
    ``asked`` (the question), a title that places its holder elsewhere does not count:
    "Australian Prime Minister Anthony Albanese arrives in Japan" names no prime minister
    of Japan."""
    wanted = office.split()
    if not wanted:
        return []
    places = _asked_places(asked) if asked else None
    _, mentions = find_mentions([sentence])
    # The words after each mention, spaces folded (read at most _AFTER_CHARS).
    afters = [" ".join(sentence[m.end : m.end + _AFTER_CHARS].split()) for m in mentions]
    in_office: list[bool] = []  # named in it, whether or not they stay there
    for mention, after in zip(mentions, afters, strict=True):
        taken = _TAKES.match(after)
        term = _TERM.match(after)
        in_office.append(
            any(_is_office(title, wanted, places) for title in mention.titles)
            or bool(taken and _is_office(taken.group("office"), wanted, places))
            or bool(
                term
                and _TERMS.get(term.group("term").lower())
                == " ".join(w for w in wanted if w != "acting")
            )
        )
    holders: list[str] = []
    for i, (mention, after) in enumerate(zip(mentions, afters, strict=True)):
        before = sentence[max(0, mention.start - _BEFORE_CHARS) : mention.start]
        if _REMOVED.search(before) or _WAS_REMOVED.match(after):
            continue  # "dismisses Pam Bondi as Attorney General": she held it, no longer
        if _REPLACED_BY.search(before) and any(in_office[j] for j in range(i)):
            holders.append(mention.form)  # "… was replaced by Kemi Smith"
            continue
        if in_office[i] or _takes_over(mentions, in_office, i, after, wanted, places):
            holders.append(mention.form)
    return list(dict.fromkeys(holders))


def _takes_over(
    mentions: list, in_office: list[bool], i: int, after: str, wanted: list[str], places
) -> bool:
    """Does mention ``i`` take the office over from somebody ("… with Todd Blanche replacing
    her", "Kemi Smith succeeds John Doe as attorney general")? The one replaced must be named
    in it: a person after the verb, or a pronoun for one before; or the words after the verb
    name the office ("as attorney general", not "as deputy attorney general")."""
    successor = _SUCCEEDS.match(after)
    if not successor:
        return False
    whom = successor.group("whom")
    if re.search(r"\bwith\b", whom):
        return False  # "X replaces Y with Z": Z takes it over, not X
    named = _AS_OFFICE.search(whom)
    if named:
        return _is_office(named.group("office"), wanted, places)
    if _PRONOUN.match(whom):
        return any(in_office[j] for j in range(i))
    return any(in_office[j] and mentions[j].form in whom for j in range(len(mentions)))


def names_another_place(sentence: str, asked: str) -> bool:
    """Does ``sentence`` name a country or nationality that ``asked`` (the question) does
    not ("Brazilian president Lula appoints Attorney General Jorge Messias…" for a question
    on the U.S.)? Then the sentence before it cannot be what places its holders."""
    places = _asked_places(asked)
    return any(
        not _same_place(w, places)
        for w in role_words(sentence)
        if w in PLACES or w in DEMONYMS
    )


def _asked_places(asked: str) -> set[str]:
    """The question's folded words, and its initials joined ("U.S." is read as "u", "s":
    "us")."""
    return set(role_words(asked)) | {
        "".join(m.split(".")).lower() for m in re.findall(r"\b(?:[A-Za-z]\.){2,}", asked)
    }


def _is_office(title: str, wanted: list[str], asked: set[str] | None = None) -> bool:
    """Is ``title`` ("Bolivian president", "President of Chile") the asked office, not a
    former, deputy or future holder's title (unless asked so)? With ``asked`` (the
    question's folded words), not one that names a place the question does not ask about."""
    words = role_words(_portfolio_first(title))
    if asked is not None and any(
        not _same_place(w, asked) for w in words if w in PLACES or w in DEMONYMS
    ):
        return False
    words = [w for w in words if w not in PLACES and w not in DEMONYMS]
    if any(w in _NOT_HOLDER and w not in wanted for w in words):
        return False
    if "president-elect" in words and "president-elect" not in wanted:
        return False
    return _contains_run(words, wanted)


# Demonyms of countries a question names in more than one word, or by initials.
_DEMONYM_OF = {
    "british": {"kingdom", "uk", "britain"},
    "american": {"states", "us", "u.s", "usa", "america"},
}


def _same_place(word: str, asked: set[str]) -> bool:
    """Is the place or demonym ``word`` ("japanese", "french", "chile") one of the ``asked``
    words, or the adjective of one ("japan", "france", "united kingdom")?"""
    return (
        word in asked
        or not asked.isdisjoint(_DEMONYM_OF.get(word, ()))
        or any(
            (len(place) >= 4 and word.startswith(place))
            or word in COUNTRY_ADJECTIVES.get(place, "").split()
            for place in asked
        )
    )


def _contains_run(words: list[str], wanted: list[str]) -> bool:
    """Do ``wanted``'s words appear in ``words`` in order, side by side ("prime minister"
    in "british prime minister"; "defence minister" matches "defense minister")?"""
    n = len(wanted)
    for i in range(len(words) - n + 1):
        if all(_same_word(words[i + j], wanted[j]) for j in range(n)):
            return True
    return False


def _same_word(a: str, b: str) -> bool:
    return a == b or {a, b} == {"defence", "defense"}
