"""Who stands next to a speech verb: its subject, read backwards from the verb
(``Shoigu also said``) or forwards after it (``“...,” said Shoygu``), and what kind of
subject it is - a named person, a pronoun, a role, a group or organisation, or none."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.speakers.lexicon import (
    ABBREVIATIONS,
    GROUP_NOUNS,
    ORG_WORDS,
    PLACES,
    TITLE_WORDS,
    is_role_word,
    words,
)
from qa.speakers.people import Mention


@dataclass(frozen=True)
class Subject:
    """The subject of a speech verb in a sentence."""

    kind: str  # "name" | "pronoun" | "role" | "group" | "other"
    person: int = -1  # index into people for "name"
    start: int = -1  # where the subject text starts (for the direct-quote test)
    end: int = -1
    text: str = ""
    gender: str = ""  # "m" / "f" for pronouns


OTHER = Subject("other")

_TRAILING = re.compile(
    r"(?:^|[\s\"])(?:also|further|later|then|again|repeatedly|publicly|previously|earlier"
    r"|recently|once|first|finally|meanwhile|however|too|yesterday|today|tonight|has|have"
    r"|had|was|were|is|are|will|would|could|can|may|might|must|should|did|does|do|not|never"
    r"|just|already|still|even|been|being|quoted as|on (?:Monday|Tuesday|Wednesday|Thursday"
    r"|Friday|Saturday|Sunday)|last (?:week|month|year|night)|this (?:week|month|year|morning))$"
)  # case-sensitive on purpose: "Theresa May said" keeps its "May"
# "Putin flatly denied": lower case only ("Kelly"), and not a noun ("his family said").
_LY_ADVERB = re.compile(r"(?<!\bthe)(?<!\bhis)(?<!\bher)(?<!\btheir)(?<!\ba)(?:^|\s)[a-z]+ly$")
_POSSESSIVE_OFFICE = (
    r"(?:[\w-]+\s+){0,2}(?:office|spokes(?:man|woman|person)|secretary|service|aides?"
    r"|representatives?|team|camp|staff)"
)
_PREPOSITIONS = words("of for to with by from at in on about against than between among via")
_SPOKESPEOPLE = ("spokesman", "spokeswoman", "spokesperson")


def clause_start_ok(text: str, start: int) -> bool:
    """Only titles and determiners between the clause start and a name: the name heads
    the subject ("Russian Defense Minister Sergei Shoigu, welcomed") rather than sitting
    inside another phrase ("After meeting Shoigu, the minister said")."""
    clause = re.split(r"[,;:\"]", text[:start])[-1]
    found = [w.lower() for w in re.findall(r"[\w'’-]+", clause)]
    return all(is_role_word(w) or w in ("the", "a", "an") for w in found) or not found


def subject_before(text: str, mentions: list[Mention]) -> Subject:
    """What stands right before a speech verb (``text`` ends where the verb starts): the
    subject of that verb."""
    while True:  # drop adverbs and auxiliaries: "Shoygu also", "Smith has repeatedly"
        text = text.rstrip(" ,—–-\t")
        m = _TRAILING.search(text) or _LY_ADVERB.search(text)
        if not m:
            break
        text = text[: m.start() + (1 if m.group()[:1] in ' "' else 0)]
    if not text or text.endswith('"'):
        return OTHER
    found = _mention_ending_at(mentions, len(text))
    if found is not None:
        before = text[: found.start].split()
        if before and before[-1].lower() in _PREPOSITIONS:
            return OTHER  # "a source close to Shoigu said"
        return Subject("name", found.person, found.start, found.end, found.form)
    m = re.search(r"(?:^|[\s\"])(he|she)$", text, re.IGNORECASE)
    if m:
        g = "m" if m.group(1).lower() == "he" else "f"
        return Subject("pronoun", start=m.start(1), end=len(text), text=m.group(1), gender=g)
    m = re.search(r"\b(his|her)\s+" + _POSSESSIVE_OFFICE + "$", text, re.IGNORECASE)
    if m:
        g = "m" if m.group(1).lower() == "his" else "f"
        return Subject("pronoun", start=m.start(), end=len(text), text=m.group(), gender=g)
    m = re.search(r"['’]s\s+" + _POSSESSIVE_OFFICE + "$", text, re.IGNORECASE)
    if m:
        found = _mention_ending_at(mentions, m.start())
        if found is not None:
            return Subject("name", found.person, found.start, len(text), found.form)
    # A parenthetical between subject and verb: "Hasanov, in turn," / "Ohanian, the
    # Armenian defence minister,".
    if "," in text:
        head, _, tail = text.rpartition(",")
        tail = tail.strip()
        head = head.rstrip()
        found = _mention_ending_at(mentions, len(head))
        limit = 14 if re.match(r"(?:who|whose|which)\b", tail) else 7  # short asides only
        if found is not None and len(tail.split()) <= limit and clause_start_ok(
            head, found.start
        ):
            return Subject("name", found.person, found.start, found.end, found.form)
    last = re.split(r"[,;:\"]", text)[-1]
    found_words = re.findall(r"[\w'’-]+", last)
    lows = [w.lower() for w in found_words]
    if lows and lows[-1] in TITLE_WORDS:
        # Walk back over the role phrase to its determiner: "the Russian minister".
        k = len(lows) - 1
        while k > 0 and lows[k - 1] not in ("the", "a", "an"):
            if not is_role_word(lows[k - 1].removesuffix("'s").removesuffix("’s")):
                break
            k -= 1
        if k > 0 and lows[k - 1] == "the" and lows[-1] not in (*_SPOKESPEOPLE, "official"):
            phrase = " ".join(found_words[k - 1:])
            return Subject("role", start=len(text) - len(last), end=len(text), text=phrase)
        return Subject("group", text=" ".join(found_words[k - 1 if k else 0:]))
    tail_words = lows[-6:]
    if any(w.removesuffix("'s") in GROUP_NOUNS or w in ORG_WORDS for w in tail_words) or (
        lows and lows[-1] in PLACES
    ):
        return Subject("group", text=last.strip())
    return OTHER


def subject_after(text: str, mentions: list[Mention], after_quote: bool) -> Subject:
    """Inverted attribution: ``“...,” said Shoygu to ...``, ``..., said the ministry.``
    (``text`` starts where the verb ends; ``mentions`` are offset to match).

    Without a quotation right before the verb, the subject must end its clause
    (``The talks went well, said Putin.``): in ``..., said Smith was lying`` Smith is the
    subject of what was said, not the speaker."""

    def ends_clause(end: int) -> bool:
        return after_quote or bool(re.match(r"\s*(?:[.,;:!?\"”]|$)", text[end:]))

    m = re.match(r"\s+(he|she)\b", text, re.IGNORECASE)
    if m and ends_clause(m.end()):
        g = "m" if m.group(1).lower() == "he" else "f"
        return Subject("pronoun", start=m.start(1), end=m.end(1), text=m.group(1), gender=g)
    for mention in mentions:
        between = text[: mention.start]
        titled = all(
            is_role_word(w.lower()) or w.lower().rstrip(".") in ABBREVIATIONS or w[:1].isupper()
            for w in re.findall(r"[\w'’.-]+", between)
        )
        clean = between[:1].isspace() and not re.search(r"[,;:\"]", between)
        if clean and titled and ends_clause(mention.end):
            return Subject("name", mention.person, mention.start, mention.end, mention.form)
        break
    m = re.match(r"\s+(the\s+(?:[\w'’-]+\s+){0,4}?([\w-]+))\b", text, re.IGNORECASE)
    if m and ends_clause(m.end()):
        head = m.group(2).lower()
        if head in TITLE_WORDS and head not in _SPOKESPEOPLE:
            return Subject("role", start=m.start(1), end=m.end(1), text=m.group(1))
        if head in GROUP_NOUNS or head in ORG_WORDS:
            return Subject("group", text=m.group(1))
    return OTHER


def _mention_ending_at(mentions: list[Mention], end: int) -> Mention | None:
    for m in mentions:
        if m.end == end:
            return m
    return None
