"""Names: the one name matcher of the project.

A name is compared token by token on spelling-tolerant keys (case, diacritics and
transliteration ignored: "Shoygu" ~ "Shoigu", "Ohanyan" ~ "Ohanian", "Gasanov" ~
"Hasanov"). On that footing:

* :func:`token_similarity` scores two name tokens;
* :func:`same_person` says whether two forms seen in one article name one person;
* :func:`person_matches` / :func:`resolve_speaker` say whom a question's name or role means;
* :func:`mentions` says whether a sentence mentions a name or role at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from qa.speakers.lexicon import (
    NOT_NAME,
    PARTICLES,
    RANKS,
    STOP_WORDS,
    TITLE_WORDS,
    is_role_word,
    words,
)

TOKEN_MATCH = 0.85  # a name token this similar (after normalising) is the same name
RESOLVE_THRESHOLD = 0.8  # person_matches score a person needs to count as the one asked about
CONFLICT = 0.3  # score of a full name whose first name contradicts the query's


@dataclass(frozen=True)
class Person:
    """A person named in an article."""

    name: str  # fullest form seen in the article, e.g. "Seyran Ohanian"
    aliases: tuple[str, ...] = ()  # other forms seen: "Ohanian", "Shoygu" for "Sergei Shoigu"
    titles: tuple[str, ...] = ()  # role phrases seen next to the name: "Armenian Defense Minister"


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


@dataclass(frozen=True)
class Token:
    """A word of a sentence with its offsets; a possessive "'s" is not part of it."""

    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The words of ``text``: letters with inner apostrophes or hyphens ("al-Qadhafi")."""
    out = []
    for m in _TOKEN.finditer(text):
        word, end = m.group(), m.end()
        if word[-2:] in ("'s", "’s") and len(word) > 2:  # possessive is not part of the name
            word, end = word[:-2], end - 2
        out.append(Token(word, m.start(), end))
    return out


def fold(text: str) -> str:
    """Lower case without diacritics: "Zelenskyy" -> "zelenskyy", "Öcalan" -> "ocalan"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def name_parts(name: str) -> list[str]:
    """Tokens of a name that carry identity (particles dropped)."""
    return list(_name_parts_cached(name))


@lru_cache(maxsize=65536)
def _name_parts_cached(name: str) -> tuple[str, ...]:
    # Names recur across an article's mentions and across questions: tokenise each once.
    return tuple(t.text for t in tokens(name) if t.text.lower() not in PARTICLES)


# --------------------------------------------------------------------------- token similarity

# Transliteration spellings mapped to one form, applied in order.
_SPELLING = (
    ("sch", "sh"), ("tch", "ch"), ("kh", "h"), ("dh", "d"), ("th", "t"), ("ph", "f"),
    ("ck", "k"), ("q", "k"), ("x", "ks"), ("w", "v"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
    ("y", "i"), ("j", "i"),
)


@lru_cache(maxsize=4096)
def _name_key(token: str) -> str:
    """A spelling-tolerant key for one name token: Shoygu/Shoigu, Ohanyan/Ohanian,
    Zelensky/Zelenskyy/Zelenskiy and Qadhafi/Gadafi land on equal or near keys."""
    s = re.sub(r"[^a-z]", "", fold(token))
    for old, new in _SPELLING:
        s = s.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", s)  # double letters -> single


_VOWELS = set("aeiou")
# Letters that transliterations swap: Hasanov/Gasanov (Russian has no h), Qadhafi/Gaddafi.
_CLOSE = {frozenset(p) for p in ("gh", "gk", "kc", "sz", "cs", "td", "vf", "bp")}


def _edit_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if (a in _VOWELS and b in _VOWELS) or frozenset((a, b)) in _CLOSE:
        return 0.4
    return 1.0


def _key_similarity(a: str, b: str) -> float:
    """1 - weighted edit distance / longer length, on name keys."""
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [float(i)]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + _edit_cost(ca, cb)))
        prev = cur
    return max(0.0, 1.0 - prev[-1] / max(len(a), len(b)))


# Letters a cheap substitution turns into each other share a class: the vowels, and the
# connected pairs of _CLOSE (g-h, g-k, k-c, c-s, s-z; t-d; v-f; b-p). Any other
# substitution, an insertion or a deletion changes the count of letters per class.
_LETTER_CLASSES = ("aeiou", "ghkcsz", "td", "vf", "bp", "l", "m", "n", "r")
_CLASS_OF = {c: k for k, letters in enumerate(_LETTER_CLASSES) for c in letters}


@lru_cache(maxsize=16384)
def _class_counts(key: str) -> tuple[int, ...]:
    counts = [0] * (len(_LETTER_CLASSES) + 1)  # the last counts every other letter
    for c in key:
        counts[_CLASS_OF.get(c, len(_LETTER_CLASSES))] += 1
    return tuple(counts)


def _edit_cost_floor(a: str, b: str) -> float:
    """A lower bound of the weighted edit distance of two keys, cheap to compute: an
    insertion or deletion (cost 1) changes one class count by one, a substitution across
    classes (cost 1) two counts by one, a cheap substitution none. So the distance is at
    least half the sum of the differences of the class counts."""
    ca, cb = _class_counts(a), _class_counts(b)
    return sum(abs(x - y) for x, y in zip(ca, cb, strict=True)) / 2


@lru_cache(maxsize=16384)
def token_similarity(a: str, b: str) -> float:
    """Similarity of two name tokens in 0..1. Short keys (4 letters or fewer) must be equal:
    "Kim"/"Kam" or "Lee"/"Li" are different people more often than spelling variants.
    Pairs that cannot reach ``TOKEN_MATCH`` may score 0.0 instead of their similarity."""
    ka, kb = _name_key(_strip_particle(a)), _name_key(_strip_particle(b))
    if ka == kb:
        return 1.0 if ka else 0.0
    if min(len(ka), len(kb)) <= 4:
        return 0.0
    # Most pairs of names in a long article are hopeless: skip their edit distance when its
    # lower bound (length difference, then letter classes) already rules out TOKEN_MATCH.
    longer = max(len(ka), len(kb))
    if 1.0 - abs(len(ka) - len(kb)) / longer < TOKEN_MATCH:
        return 0.0
    if 1.0 - _edit_cost_floor(ka, kb) / longer < TOKEN_MATCH:
        return 0.0
    return _key_similarity(ka, kb)


@lru_cache(maxsize=65536)
def _strip_particle(token: str) -> str:
    low = token.lower()
    for prefix in ("al-", "el-", "ad-", "as-", "ash-", "an-", "ar-", "at-", "az-"):
        if low.startswith(prefix) and len(low) > len(prefix) + 2:
            return token[len(prefix):]
    return token


# --------------------------------------------------------------------------- one article


@lru_cache(maxsize=65536)
def same_person(form: str, other: str) -> bool:
    """Do two full-name forms name one person? Surnames must match (spelling-tolerant)
    and first names too, or one be the other's initial."""
    a, b = name_parts(form), name_parts(other)
    if not a or not b or token_similarity(a[-1], b[-1]) < TOKEN_MATCH:
        return False
    if len(a) == 1 or len(b) == 1:
        return True
    fa, fb = a[0].rstrip("."), b[0].rstrip(".")
    if len(fa) == 1 or len(fb) == 1:
        return fa[0].lower() == fb[0].lower()
    return token_similarity(fa, fb) >= TOKEN_MATCH


# --------------------------------------------------------------------------- roles

_QUERY_DROP = words("the a an his her their its of for and")


def role_words(text: str) -> list[str]:
    """The folded words of a role phrase, possessives and determiners dropped:
    "Russia's defence minister" -> ["russia", "defence", "minister"]."""
    out = []
    for w in re.findall(r"[\w'’-]+", fold(text)):
        w = w.removesuffix("'s").removesuffix("’s").rstrip(".")
        if w and w not in _QUERY_DROP:
            out.append(w)
    return out


def is_role(words: list[str]) -> bool:
    """Are these :func:`role_words` a role ("russian minister") rather than a name?"""
    return bool(words) and any(w in TITLE_WORDS for w in words) and all(
        is_role_word(w) or w in STOP_WORDS for w in words
    )


def _word_fits(q: str, t: str) -> bool:
    if q == t:
        return True
    if min(len(q), len(t)) >= 4 and (q.startswith(t) or t.startswith(q)):
        return True  # russia / russian, armenia's / armenian
    return token_similarity(q, t) >= TOKEN_MATCH  # defence / defense


def role_score(role: str, person: Person) -> float:
    """How well a role phrase ("the Russian minister") fits one of the person's titles:
    every word of the role must be in the title; a rank the role does not ask for
    ("Deputy") rules the title out."""
    q = [w for w in role_words(role) if w not in STOP_WORDS]
    if not q:
        return 0.0
    best = 0.0
    for title in person.titles:
        t = role_words(title)
        if not t or not all(any(_word_fits(w, x) for x in t) for w in q):
            continue
        if any(x in RANKS and not any(_word_fits(w, x) for w in q) for x in t):
            best = max(best, 0.5)
            continue
        matched = sum(1 for x in t if any(_word_fits(w, x) for w in q))
        best = max(best, 0.9 + 0.1 * matched / len(t))
    return best


# --------------------------------------------------------------------------- queries


def _query_parts(query: str) -> list[str]:
    """The identity-bearing tokens of a name as a question writes it: titles, honorifics,
    particles and stop words dropped ("Defense Minister Shoigu" -> ["Shoigu"])."""
    return [
        t.text for t in tokens(query)
        if t.text.lower() not in PARTICLES and t.text.lower() not in NOT_NAME
    ]


def _form_score(query: list[str], form: list[str]) -> float:
    if not query or not form:
        return 0.0
    last = token_similarity(query[-1], form[-1])
    if len(query) == 1:
        if last >= TOKEN_MATCH:
            return last
        # First name alone: weak evidence, below the resolve threshold on purpose.
        first = token_similarity(query[0], form[0]) if len(form) > 1 else 0.0
        return 0.75 * first if first >= TOKEN_MATCH else 0.0
    if last < TOKEN_MATCH:
        return 0.0
    if len(form) == 1:
        return 0.9 * last
    qf, ff = query[0].rstrip("."), form[0].rstrip(".")
    if len(qf) == 1 or len(ff) == 1:
        return last * 0.95 if qf[0].lower() == ff[0].lower() else CONFLICT
    first = token_similarity(qf, ff)
    # Same surname, another first name: a relative or namesake, not this person.
    return (last + first) / 2 if first >= TOKEN_MATCH else CONFLICT


def person_matches(query: str, person: Person) -> float:
    """How well a name or role in a question names this person, 0..1.

    Case, diacritics and transliteration are ignored ("shoygu" ~ "Sergei Shoigu",
    "Ohanyan" ~ "Ohanian", "Gasanov" ~ "Hasanov"); a surname alone matches; a different
    first name with the same surname does not. Titles and honorifics in the query are
    skipped ("Defense Minister Shoigu"); a query that is only a role ("the Russian
    minister") is matched against the person's titles instead.
    """
    if is_role(role_words(query)):
        return role_score(query, person)
    parts = _query_parts(query)
    if not parts:
        return 0.0
    parts = parts[-4:]
    scores = [_form_score(parts, name_parts(f)) for f in (person.name, *person.aliases)]
    if len(parts) > 1 and CONFLICT in scores:
        return CONFLICT  # "Ivan Shoigu" is not Sergei, whatever the surname-only aliases say
    return max(scores)


def _split_names(query: str) -> list[str]:
    """"Ohanian and Shoigu" -> ["Ohanian", "Shoigu"]; a single name or role stays whole."""
    parts = [p for p in re.split(r"\s*(?:,|&|\band\b)\s*", query) if p.strip()]
    if len(parts) > 1 and all(not is_role(role_words(p)) for p in parts):
        return parts
    return [query]


def resolve_speaker(query: str, people: Sequence[Person]) -> list[Person]:
    """The people a name or role names: all scoring at least :data:`RESOLVE_THRESHOLD`
    and within 0.05 of the best, best first. "Ohanian and Shoigu" resolves both."""
    parts = _split_names(query)
    if len(parts) > 1:
        out: list[Person] = []
        for part in parts:
            out += [p for p in resolve_speaker(part, people) if p not in out]
        return out
    scored = [(person_matches(query, p), k, p) for k, p in enumerate(people)]
    scored = [s for s in scored if s[0] >= RESOLVE_THRESHOLD]
    if not scored:
        return []
    best = max(s[0] for s in scored)
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [p for score, _, p in scored if score >= best - 0.05]


def mentions(text: str, name: str) -> bool:
    """Does ``text`` (a sentence) mention the speaker ``name`` as a question wrote it?

    * A role ("the Russian minister"): all its words are in the text ("Russia's defence
      minister"), as :func:`role_score` compares them.
    * A name written with capitals: one of its identity-bearing tokens (titles and particles
      dropped, as :func:`person_matches` drops them) is a capitalised word of the text, with
      the same spelling tolerance ("Shoygu" finds "Shoigu's", "Ohanyan" finds "Ohanian"),
      as a word or a piece of a hyphenated word, never inside one ("Ohanianism").
    * Anything else - a group, an organisation, a country, a name typed in lower case ("the
      Armenian leaders", "Russia", "shoigu"): one of its words is in the text ("Russian"
      for "Russia").

    "Ohanian and Shoigu" is mentioned by a sentence naming either.

    >>> mentions("Shoygu praised the talks.", "Sergei Shoigu")
    True
    >>> mentions("Putin praised the talks.", "Shoigu")
    False
    """
    words_of_text: list[str] | None = None
    for part in _split_names(name):
        role = role_words(part)
        proper = [t for t in _query_parts(part) if t[:1].isupper()]
        if proper and not is_role(role):
            if any(token_similarity(q, w) >= TOKEN_MATCH for q in proper
                   for w in _name_words(text)):
                return True
            continue
        if words_of_text is None:
            words_of_text = role_words(text)
        fits = [any(_word_fits(w, x) for x in words_of_text) for w in role if w not in STOP_WORDS]
        if fits and (all(fits) if is_role(role) else any(fits)):
            return True
    return False


def _name_words(text: str) -> list[str]:
    """The capitalised words of a text and the capitalised pieces of hyphenated ones
    ("Shoigu-led" gives "Shoigu-led" and "Shoigu"): where a name can be."""
    out = []
    for t in tokens(text):
        pieces = [t.text, *t.text.split("-")] if "-" in t.text else [t.text]
        out += [w for w in pieces if w[:1].isupper()]
    return out
