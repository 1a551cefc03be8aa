"""The people of an article and every place they are mentioned.

A person is a run of 1-4 capitalised tokens that are not stop words, months, days, places,
demonyms, titles or organisation words. A lone capitalised word counts only if it links to
a full name (surname or spelling variant), has a title, or is the subject of a speech verb.
Titles before the name ("Russian Defense Minister") or in an apposition after it
(", the defence minister,") are kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.speakers.lexicon import (
    ABBREVIATIONS,
    DEMONYMS,
    NAME_MONTHS,
    NOT_NAME,
    PARTICLES,
    PLACES,
    QUOTES,
    STOP_WORDS,
    TITLE_WORDS,
    VERB_BASE,
    is_role_word,
    reports_speech,
    words,
)
from qa.speakers.names import Person, Token, name_parts, same_person, tokens

UNSURE = -2  # Mention.person of a lone capitalised word kept only if it links to a name


@dataclass
class Mention:
    """One mention of a person: where it is and how it is written."""

    sentence: int
    start: int
    end: int
    form: str  # as written: "Shoygu", "Sergei Shoigu"
    titles: list[str]  # role phrases next to this mention
    person: int = -1  # index into the article's people (UNSURE while grouping)


def find_mentions(sentences: Sequence[str]) -> tuple[list[Person], list[Mention]]:
    """People plus every mention of them (sentence, offsets), in article order."""
    mentions = _candidates(sentences)
    groups: list[list[Mention]] = []
    # Full names first, then lone words seen in a person context, then other lone words
    # (kept only if they link), so a surname links to its full form wherever that comes.
    order = sorted(mentions, key=lambda m: (len(name_parts(m.form)) == 1, m.person == UNSURE))
    for m in order:
        here = (m.sentence, m.start)
        best, best_pos = -1, (-2, -2)
        for g, group in enumerate(groups):
            if not any(same_person(m.form, form) for form in {o.form for o in group}):
                continue
            # Two people sharing a surname: take the one mentioned last before m.
            pos = max([(o.sentence, o.start) for o in group if (o.sentence, o.start) <= here],
                      default=(-1, -1))
            if pos > best_pos:
                best, best_pos = g, pos
        if best >= 0:
            m.person = -1  # a lone word that links to a known person is a person
            groups[best].append(m)
        elif m.person != UNSURE:
            groups.append([m])
    people: list[Person] = []
    kept: list[Mention] = []
    groups.sort(key=lambda g: min((o.sentence, o.start) for o in g))
    for g, group in enumerate(groups):
        forms: list[str] = []
        titles: list[str] = []
        for o in sorted(group, key=lambda o: (o.sentence, o.start)):
            o.person = g
            kept.append(o)
            if o.form not in forms:
                forms.append(o.form)
            titles += [t for t in o.titles if t not in titles]
        name = max(forms, key=lambda f: len(name_parts(f)))  # first of the longest
        people.append(Person(name, tuple(f for f in forms if f != name), tuple(titles)))
    kept.sort(key=lambda o: (o.sentence, o.start))
    return _with_counterpart_roles(people, kept), kept


_COUNTERPART = re.compile(r"\bcounterparts?$", re.IGNORECASE)


def _with_counterpart_roles(people: list[Person], mentions: list[Mention]) -> list[Person]:
    """"Shoygu met his Azerbaijani counterpart Zakir Hasanov": a counterpart holds the same
    office as the titled person it is the counterpart of, in its own country, so Hasanov is
    also "Azerbaijani Defense Minister" when Shoygu is "Russian Defense Minister". The other
    person is the titled one in the same sentence (only when there is exactly one)."""
    extra: dict[int, list[str]] = {}
    for m in mentions:
        relative = [t for t in m.titles if _COUNTERPART.search(t)]
        if not relative:
            continue
        others = {
            o.person
            for o in mentions
            if o.sentence == m.sentence and o.person != m.person
            and any(not _COUNTERPART.search(t) for t in people[o.person].titles)
        }
        if len(others) != 1:
            continue
        (other,) = others
        office = next(t for t in people[other].titles if not _COUNTERPART.search(t))
        # The office without its country: "Russian Defense Minister" -> "Defense Minister".
        kept = [w for w in office.split() if w.lower().strip(".,") not in DEMONYMS | PLACES]
        country = _COUNTERPART.sub("", relative[0]).strip()
        if kept and country:
            extra.setdefault(m.person, []).append(f"{country} {' '.join(kept)}")
    if not extra:
        return people
    return [
        Person(p.name, p.aliases, (*p.titles, *(t for t in extra.get(i, []) if t not in p.titles)))
        for i, p in enumerate(people)
    ]


# --------------------------------------------------------------------------- candidates


_PLACE_PREPOSITIONS = words("in at near across outside inside into throughout toward towards")


def _candidates(sentences: Sequence[str]) -> list[Mention]:
    text = " ".join(sentences)
    lowercase_words = {w for w in re.findall(r"\b[a-z][\w'-]*\b", text)}
    found: list[Mention] = []
    for i, sentence in enumerate(sentences):
        toks = tokens(sentence)
        k = 0
        while k < len(toks):
            if not _is_name_token(toks[k], sentence, lowercase_words):
                k += 1
                continue
            # Extend over name tokens and inner particles separated by spaces only.
            run = [k]
            j = k + 1
            while j < len(toks) and not sentence[toks[j - 1].end : toks[j].start].strip():
                if _is_name_token(toks[j], sentence, lowercase_words) or (
                    toks[j].text in NAME_MONTHS and j - 1 == run[-1]
                ):
                    run.append(j)
                elif not (toks[j].text in PARTICLES and j + 1 < len(toks)
                          and _is_name_token(toks[j + 1], sentence, lowercase_words)):
                    break
                j += 1
            run = list(range(run[0], run[-1] + 1))[-4:]
            first, last = toks[run[0]], toks[run[-1]]
            form = sentence[first.start : last.end]
            titles = [t for t in (_title_before(sentence, toks, run[0]),
                                  _title_after(sentence, last.end),
                                  _role_then_name(sentence, first.start, last.end)) if t]
            single = len(name_parts(form)) == 1
            prev = toks[run[0] - 1].text.lower() if run[0] > 0 else ""
            if single and not titles and not _speech_context(sentence, first.start, last.end):
                found.append(Mention(i, first.start, last.end, form, titles, UNSURE))
            elif not (prev in _PLACE_PREPOSITIONS and not titles):
                found.append(Mention(i, first.start, last.end, form, titles))
            k = j
    return found


def _is_name_token(tok: Token, sentence: str, lowercase_words: set[str]) -> bool:
    word = tok.text
    low = word.lower()
    if not word[0].isupper() or low in NOT_NAME:
        return False
    if len(word) > 1 and word.isupper():  # NATO, CSTO, UN: organisations, not people
        return False
    if any(part in PLACES or part in DEMONYMS for part in low.split("-")):
        return False  # "Armenian-Azerbaijani"
    # A sentence-initial word the article also uses in lower case is a common word.
    return not (not sentence[: tok.start].strip(QUOTES + " ") and low in lowercase_words)


def _title_before(sentence: str, toks: list[Token], first: int) -> str:
    """The role phrase right before the name starting at token ``first``, or ""."""
    pos = toks[first].start
    j = first - 1
    start = None
    while j >= 0:
        tok = toks[j]
        gap = sentence[tok.end : pos].strip()
        low = tok.text.lower()
        if gap and not (gap == "." and low in ABBREVIATIONS):
            break
        title_like = is_role_word(low) or (tok.text[0].isupper() and low not in STOP_WORDS)
        if not title_like:
            break
        start, pos, j = j, tok.start, j - 1
    if start is None:
        return ""
    phrase = toks[start:first]
    while phrase and phrase[0].text.lower() in ("of", "the", "for", "and"):
        phrase = phrase[1:]
    if not any(t.text.lower() in TITLE_WORDS for t in phrase):
        return ""
    end = phrase[-1].end + (1 if sentence[phrase[-1].end : phrase[-1].end + 1] == "." else 0)
    return sentence[phrase[0].start : end]


_APPOSITION = re.compile(r",\s*(?:the\s+)?((?:[\w'’.-]+\s+){0,5}[\w-]+)\s*(?:,|\.|$)")


def _title_after(sentence: str, end: int) -> str:
    """An apposition after a name: "Ohanian, the Armenian defence minister, said"."""
    m = _APPOSITION.match(sentence, end)
    if not m:
        return ""
    return m.group(1) if _is_role_phrase(m.group(1)) else ""


def _is_role_phrase(phrase: str) -> bool:
    """Every word a role word and the last a title ("the Armenian defence minister");
    a leading "the" and possessives ("Russia's") are ignored."""
    found = [w.rstrip(".").lower() for w in phrase.split()]
    found = [w[:-2] if w.endswith(("'s", "’s")) else w for w in found]
    if found and found[0] == "the":
        found = found[1:]
    return bool(found) and all(is_role_word(w) for w in found) and found[-1] in TITLE_WORDS


_ROLE_THEN_COMMA = re.compile(r"(?:^|[,;:(]\s*|\b[Tt]he\s+)((?:[\w'’.-]+\s+){0,4}[\w'’-]+),\s*$")


def _role_then_name(sentence: str, start: int, end: int) -> str:
    """A role set before a name by commas: "The mayor, Jane Doe, said" gives "mayor"."""
    if sentence[end : end + 1] != ",":
        return ""
    m = _ROLE_THEN_COMMA.search(sentence[:start])
    if not m:
        return ""
    return re.sub(r"^[Tt]he\s+", "", m.group(1)) if _is_role_phrase(m.group(1)) else ""


def _speech_context(sentence: str, start: int, end: int) -> bool:
    """Is the word at start..end the subject of a speech verb ("Hasanov, in turn, meant",
    "said Shoygu")? Used to accept a lone capitalised word as a person."""
    after = sentence[end:]
    m = re.match(r"(?:\s*,[^,]{1,40},|\s*,)?\s*(?:(?:also|then|later|has|had|have|was)\s+)*"
                 r"(\w+)", after)
    if m and m.group(1).lower() in VERB_BASE:
        return reports_speech(m.group(1), after[m.end():])
    before = sentence[:start].rstrip()
    m = re.search(r"(\w+)$", before)
    return bool(m and m.group(1).lower() in VERB_BASE and before[: m.start()].rstrip()[-1:]
                in (",", *QUOTES))
