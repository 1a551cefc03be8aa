"""Time in questions: find "last week", "in March 2025", "since January"... without a model.

``find_time_range(question, reference)`` returns the date range a question asks about (ISO
dates, inclusive, "" for an open end) with the words it came from and a description to show
the user; ``strip_time_phrase`` removes those words so retrieval matches on the topic alone.

How it works: regexes find *atoms* (a date, a month, a year, "yesterday", "last week", "the
past 3 days", a weekday), then the word before an atom (since, before, after, until, in, on,
during, between A and B, from A to B) turns it into a range. Precision beats recall, because a
wrong date filter hides the right articles:

- a month alone ("May", "March") or a date without a year ("March 5") counts only after a
  preposition ("in May", "since March", "after June 3"), so "may I ask", "they march" and
  "the Jan 6 riot" never trigger; lowercase "may"/"march" alone need since/after/before/
  until/in/during (not "of": "the march of ...");
- a year alone counts only after a preposition and not before a plural noun ("in 2000
  officers"), and only 1900-2100; a bare number is never a year;
- a weekday counts after a preposition or "last" ("on Monday"), not in "the Sunday Times";
- names are not times: "Business Today", "Saturday Night Live", and neither is a time that
  names an event after "the" or "its" ("the June 2026 earthquakes", "its 2025 budget");
- vague or relative-to-something-else words ("recently", "in recent weeks", "the last days of
  the campaign", "compared to the previous year") are ignored;
- a question naming two different times ("in 2024 compared with 2023") gives no range, since
  filtering to either would hide the other.

Conventions: weeks run Monday-Sunday. A month or date without a year is the most recent one at
or before the reference ("in January" asked in March 2025 is January 2025; "in May" is May
2024). "This week/month/year" ends at the reference (nothing is published in the future). "The
past N days" runs from N days before the reference to the reference. dateparser is not used:
the regex groups already give year, month and day, and its guesses (e.g. "5 March" in the
future) would need undoing.

One cohesive thing (~580 lines): one grammar of atoms and the words around them; splitting
the atoms from the range rules would separate patterns that must be read together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta


@dataclass(frozen=True)
class TimeRange:
    """A date range found in a question: ISO dates, inclusive, "" for an open end."""

    since: str
    until: str
    phrase: str  # the words in the question it came from, e.g. "last week"
    description: str  # shown to the user: "last week → 2025-03-03 to 2025-03-09"


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Month words that are also common English words: lowercase, they need a preposition.
AMBIGUOUS_MONTHS = {"may", "march", "mar"}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "few": 3,
    "a few": 3,
    "couple": 2,
    "a couple": 2,
    "couple of": 2,
    "a couple of": 2,
}

_FULL_MONTH = (
    r"january|february|march|april|may|june|july|august|september|october|november|december"
)
_MON = (
    rf"(?P<mon>(?:{_FULL_MONTH})\b|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)(?:\.|\b))"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>19\d\d|20\d\d|2100)"
_NUM = r"\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_COUNT = rf"(?P<n>{_NUM}|a\s+few|few|a\s+couple(?:\s+of)?|couple(?:\s+of)?)"
_GUARD_BEFORE = r"(?<![\w$€£.,/-])"  # not part of a bigger number, amount or path
_GUARD_AFTER = r"(?![\w%]|[.,/-]\d)"

# The word right before an atom that makes it a range ("in March", "since 2024").
_PREPOSITION = re.compile(
    r"\b(?P<prep>since|after|before|prior\s+to|until|till|as\s+of|in|on|during|throughout|of"
    r"|for|from)"
    r"\s+(?:(?:early|late|mid)[\s-]+)?$",
    re.IGNORECASE,
)
# A time right after one of these is part of a name ("the June 2026 earthquakes", "its 2025
# budget"): the question is about that thing, reported whenever, not about that time.
_DETERMINER = re.compile(r"\b(?:the|a|an|its|their|his|her|our|this|that)\s+$", re.IGNORECASE)
_FUNCTION_WORDS = frozenset(
    """a an the of to in on at for by with from and or but is are was were be been do does did
    has have had will would can could when where while after before since until as than""".split()
)
# Lowercase "may"/"march" alone: only these prepositions (not "of": "the march of ...").
_STRICT_PREPOSITIONS = {"since", "after", "before", "until", "till", "in", "during"}
_RANGE_START = re.compile(r"\b(?P<word>between|from)\s+(?:(?:early|late|mid)[\s-]+)?$", re.I)
_RANGE_JOIN = {
    "between": re.compile(r"\s+and\s+(?:(?:early|late|mid)[\s-]+)?", re.I),
    "from": re.compile(r"\s+(?:to|until|till|through|thru)\s+|\s*[-–]\s*", re.I),
}
# After a year, a plural noun means a count: "in 2000 officers", "in 1990 people".
_NOT_PLURAL = {"this", "was", "has", "does", "is", "its", "his", "across", "versus", "plus"}
_IRREGULAR_PLURALS = {"people", "men", "women", "children", "police", "staff", "personnel"}


@dataclass(frozen=True)
class _Atom:
    """A time expression without its preposition: explicit date parts, or a ready range."""

    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    since: date | None = None  # set for relative atoms ("yesterday"), already resolved
    until: date | None = None
    needs_preposition: bool = False
    strict: bool = False  # lowercase "may"/"march" alone: only _STRICT_PREPOSITIONS
    self_contained: bool = False  # carries its own preposition ("in the past 3 days")

    @property
    def relative(self) -> bool:
        return self.since is not None or self.until is not None


@dataclass(frozen=True)
class _Reading:
    start: int
    end: int
    since: date | None
    until: date | None


def find_time_range(question: str, reference: date) -> TimeRange | None:
    """The date range ``question`` asks about, relative to ``reference`` (usually today), or
    None. Phrases naming the same range ("on 2023-12-12 ... at 2023-12-12T22:38") are one
    range, said by the longest phrase. Phrases naming different ranges ("in 2024 compared with
    2023", "the report on October 2 and the one on October 10") give None: one filter would
    hide the articles about the other time."""
    atoms = _find_atoms(question, reference)
    readings = _readings(question, atoms, reference)
    if len({(r.since, r.until) for r in readings}) != 1:
        return None
    best = max(readings, key=lambda r: (r.end - r.start, -r.start))
    phrase = question[best.start : best.end]
    since = best.since.isoformat() if best.since else ""
    until = best.until.isoformat() if best.until else ""
    if since and _EVENT_ANCHOR.search(question[: best.start]):
        # "since its war with Russia began in 2022": the date of the event the question
        # counts from, not the period it asks about, which runs from then to now.
        return TimeRange(since, "", phrase, _describe(phrase, since, "") + " (an event's date: "
                         "from then on)")  # fmt: skip
    return TimeRange(since, until, phrase, _describe(phrase, since, until))


# "since/after <an event> began|started|struck… in <time>": the time dates an event the
# question counts from (read by ``find_time_range`` as "from then on").
_EVENT_ANCHOR = re.compile(
    r"\b(?:since|after)\b[^?.!;]{0,80}?\b(?:began|begun|started|broke\s+out|erupted|struck|"
    r"hit|took\s+office|was\s+elected|came\s+to\s+power|launched|invaded|was\s+founded|"
    r"was\s+signed|took\s+effect|came\s+into\s+force)\s*$",
    re.IGNORECASE,
)


# Words that ask for the state of things now, not at some past time: the newest of several
# matching reports is the answer ("the latest death toll", "who is the current prime minister").
NOW_WORDS = re.compile(
    r"\b(?:latest|most\s+recent(?:ly)?|newest|current(?:ly)?|now|nowadays|at\s+present|"
    r"presently|so\s+far|to\s+date|as\s+of\s+(?:now|today)|up\s+to\s+now|still|"
    r"anymore|today|this\s+(?:week|month|year))\b",
    re.IGNORECASE,
)


def wants_latest(question: str) -> bool:
    """The question asks how things stand now ("latest", "current", "so far", "still"...),
    so among equally good matches the newest report should come first. A question that
    names a past time ("in March 2025") is about that time instead (see ``find_time_range``).
    In a question written in ordinary case, a capitalised time word past the first word and
    followed by another capitalised word is part of a name ("Business Today | Latest Stock
    Market News", "the Today Show"), not a time word."""
    words = re.findall(r"[^\W\d_]+", question)
    ordinary_case = sum(w[0].isupper() for w in words) < 0.8 * len(words)
    for match in NOW_WORDS.finditer(question):
        after = re.match(r"\W*([^\W\d_]+)", question[match.end() :])
        in_a_name = (
            ordinary_case
            and match.group()[0].isupper()
            and bool(question[: match.start()].strip())
            and after is not None
            and after.group(1)[0].isupper()
        )
        if not in_a_name:
            return True
    return False


def strip_time_phrase(question: str, found: TimeRange) -> str:
    """``question`` without ``found.phrase`` and the punctuation it leaves dangling; the
    question itself when nothing but the phrase was asked."""
    at = question.find(found.phrase)
    if at < 0 or not found.phrase:
        return question
    rest = question[:at] + " " + question[at + len(found.phrase) :]
    rest = re.sub(r"\s+([?.!,;:])", r"\1", rest)
    rest = re.sub(r",([?.!])", r"\1", rest)  # "in Syria, last week?" -> "in Syria?"
    rest = re.sub(r"\s{2,}", " ", rest).strip()
    rest = re.sub(r"^[,;:]\s*", "", rest)
    return rest if re.search(r"\w", rest) else question


def _describe(phrase: str, since: str, until: str) -> str:
    if since and since == until:
        return f"{phrase} → {since}"
    if since and until:
        return f"{phrase} → {since} to {until}"
    if since:
        return f"{phrase} → from {since}"
    return f"{phrase} → until {until}"


# -- atoms ---------------------------------------------------------------------------------
def _month_of(match: re.Match[str]) -> tuple[int, bool]:
    """(month number, whether the word is an ambiguous lowercase one like "may")."""
    word = match.group("mon").rstrip(".")
    return MONTHS[word.lower()], word.lower() in AMBIGUOUS_MONTHS and word.islower()


def _count(text: str) -> int:
    text = re.sub(r"\s+", " ", text.lower())
    return int(text) if text.isdigit() else NUMBERS[text]


def _iso(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    return _explicit(start, end, int(m["year"]), int(m["month"]), int(m["day"]))


def _day_month_year(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    return _explicit(start, end, int(m["year"]), _month_of(m)[0], int(m["day"]))


def _month_year(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    return _explicit(start, end, int(m["year"]), _month_of(m)[0], None)


def _day_month(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    atom = _explicit(start, end, None, _month_of(m)[0], int(m["day"]))
    # Year-less dates are often names of past events ("the Jan 6 riot"): "on Jan 6" only.
    return atom and _with(atom, needs_preposition=True)


def _month_alone(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    month, ambiguous = _month_of(m)
    if m["last"]:  # "last March": the most recent March before this month
        year = ref.year if month < ref.month else ref.year - 1
        return _explicit(start, end, year, month, None)
    return _Atom(start, end, None, month, None, needs_preposition=True, strict=ambiguous)


def _year_alone(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    return _Atom(start, end, int(m["year"]), needs_preposition=True)


def _day_word(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    word = m.group(0).lower()
    if "before" in word:
        day = ref - timedelta(days=2)
    elif word == "yesterday":
        day = ref - timedelta(days=1)
    else:  # today, tonight, this morning...
        day = ref
    if m.group(0)[0].isupper() and re.search(r"[A-Za-z]\s+$", m.string[:start]):
        return None  # mid-sentence "Today" is a name: "Business Today", "USA Today"
    return _Atom(start, end, since=day, until=day)


def _this_unit(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    unit = m["unit"].lower()
    if unit == "week":
        since = _monday(ref)
    elif unit == "weekend":
        saturday = _monday(ref) + timedelta(days=5)
        if saturday > ref:  # the weekend has not come yet: nothing to ask about
            return None
        since = saturday
    elif unit == "month":
        since = ref.replace(day=1)
    else:
        since = date(ref.year, 1, 1)
    return _Atom(start, end, since=since, until=ref)


def _last_weekend(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    saturday = _monday(ref) - timedelta(days=2)
    return _Atom(start, end, since=saturday, until=saturday + timedelta(days=1))


def _past(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    """ "last week" (the calendar week) or "the past 3 days" (a window ending at ``ref``)."""
    unit = m["unit"].lower().rstrip("s")
    plural = m["unit"].lower().endswith("s")
    which = m["which"].lower()
    calendar = not m["the"] and not m["n"] and which in ("last", "previous")
    if calendar and unit in ("week", "month", "year"):
        since, until = _calendar(unit, ref, -1)
        return _Atom(start, end, since=since, until=until)
    if which == "previous":
        return None  # "the previous year" is relative to another time, not to today
    if not m["n"] and (plural or not m["the"] and which != "past"):
        return None  # "the past days", "last day": too vague to filter on
    n = _count(m["n"]) if m["n"] else 1
    since = _shift(ref, unit, n)
    return _Atom(start, end, since=since, until=ref, self_contained=bool(m["prep"]))


def _ago(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    unit = m["unit"].lower().rstrip("s")
    then = _shift(ref, unit, _count(m["n"]))
    if unit == "day":
        return _Atom(start, end, since=then, until=then)
    since, until = _calendar(unit, then, 0)
    return _Atom(start, end, since=since, until=until)


def _weekday(m: re.Match[str], ref: date, start: int, end: int) -> _Atom | None:
    wanted = WEEKDAYS.index(m["wd"].lower())
    back = (ref.weekday() - wanted) % 7
    if m["last"] and back == 0:  # "last Monday" said on a Monday: a week ago
        back = 7
    day = ref - timedelta(days=back)
    if re.match(r"\s+[A-Z][a-z]", m.string[end:]):
        return None  # a name: "Saturday Night Live", "Sunday Times"
    # Bare weekdays are often names too ("the Sunday Times", "Good Friday"): "on Monday" or
    # "last Monday" only.
    return _Atom(start, end, since=day, until=day, needs_preposition=not m["last"])


_Builder = Callable[[re.Match[str], date, int, int], "_Atom | None"]
_PATTERNS: list[tuple[re.Pattern[str], _Builder]] = [
    (re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)(?![\d-])"), _iso),
    (
        re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MON}\s*,?\s+{_YEAR}{_GUARD_AFTER}", re.I),
        _day_month_year,
    ),
    (re.compile(rf"\b{_MON}\s+{_DAY}\s*,?\s+{_YEAR}{_GUARD_AFTER}", re.I), _day_month_year),
    (re.compile(rf"\b{_MON}\s*,?\s+(?:of\s+)?{_YEAR}{_GUARD_AFTER}", re.I), _month_year),
    (re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MON}", re.I), _day_month),
    (re.compile(rf"\b{_MON}\s+{_DAY}\b(?![:.,]?\d)", re.I), _day_month),
    (re.compile(rf"\b(?:(?P<last>last)\s+)?(?P<mon>{_FULL_MONTH})\b", re.I), _month_alone),
    (re.compile(rf"{_GUARD_BEFORE}{_YEAR}{_GUARD_AFTER}"), _year_alone),
    (
        re.compile(
            r"\b(?:the\s+day\s+before\s+yesterday|today|tonight|yesterday"
            r"|this\s+(?:morning|afternoon|evening))\b",
            re.I,
        ),
        _day_word,
    ),
    (re.compile(r"\b(?:earlier\s+)?this\s+(?P<unit>week|weekend|month|year)\b", re.I), _this_unit),
    (re.compile(r"\b(?:last|past)\s+weekend\b", re.I), _last_weekend),
    (
        re.compile(
            r"\b(?:(?P<prep>in|over|during|within|for)\s+)?(?P<the>the\s+)?"
            rf"(?P<which>past|last|previous)\s+(?:{_COUNT}\s+)?"
            r"(?P<unit>hours?|days?|weeks?|months?|years?)\b(?!\s+of\b)",
            re.I,
        ),
        _past,
    ),
    (
        re.compile(
            rf"\b(?P<n>{_NUM}|a|an|a\s+few|a\s+couple\s+of)\s+(?P<unit>days?|weeks?|months?|years?)"
            r"\s+ago\b",
            re.I,
        ),
        _ago,
    ),
    (
        re.compile(
            r"\b(?:(?P<last>last)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday"
            r"|sunday)\b",
            re.I,
        ),
        _weekday,
    ),
]


def _find_atoms(question: str, reference: date) -> list[_Atom]:
    """Non-overlapping atoms, longest first where they overlap, in question order."""
    found: list[_Atom] = []
    for pattern, build in _PATTERNS:
        for match in pattern.finditer(question):
            end = match.end()
            possessive = re.match(r"['’]s\b", question[end:])
            if possessive:  # "last week's vote"
                end += possessive.end()
            try:
                atom = build(match, reference, match.start(), end)
            except (ValueError, OverflowError):  # "the last 2024 years": before year 1
                atom = None
            if atom is not None and not _counted_year(question, match, build):
                found.append(atom)
    chosen: list[_Atom] = []
    for atom in sorted(found, key=lambda a: (a.start - a.end, a.start)):
        if all(atom.end <= c.start or atom.start >= c.end for c in chosen):
            chosen.append(atom)
    return sorted(chosen, key=lambda a: a.start)


def _counted_year(question: str, match: re.Match[str], build: _Builder) -> bool:
    """A year followed by a plural noun is a count: "in 2000 officers"."""
    if build is not _year_alone:
        return False
    follows = re.match(r"\s+([A-Za-z]+)", question[match.end() :])
    if not follows:
        return False
    word = follows.group(1)
    if word.lower() in _IRREGULAR_PLURALS:
        return True
    return word.islower() and len(word) >= 4 and word.endswith("s") and word not in _NOT_PLURAL


# -- readings ------------------------------------------------------------------------------
def _readings(question: str, atoms: list[_Atom], reference: date) -> list[_Reading]:
    readings: list[_Reading] = []
    joined_next = False
    for i, atom in enumerate(atoms):
        if joined_next:  # the second date of "between A and B", already read
            joined_next = False
            continue
        before = question[: atom.start]
        if _names_a_thing(question, atom):
            continue  # "the June 2026 earthquakes": a name for an event, not when it is asked
        if atom.self_contained:
            readings.append(_Reading(atom.start, atom.end, atom.since, atom.until))
            continue
        opener = _RANGE_START.search(before)
        if opener and i + 1 < len(atoms):
            joined = _between(question, opener, atom, atoms[i + 1], reference)
            if joined is not None:
                readings.append(joined)
                joined_next = True
                continue
        prep = _PREPOSITION.search(before)
        word = re.sub(r"\s+", " ", prep["prep"].lower()) if prep else ""
        if (atom.needs_preposition and not word) or (
            atom.strict and word not in _STRICT_PREPOSITIONS
        ):
            continue
        since, until = _resolve(atom, reference)
        if word == "since":  # "from" alone reads as "in": "news from last week"
            until = None
        elif word == "after":
            since, until = until + timedelta(days=1), None
        elif word in ("before", "prior to"):
            since, until = None, since - timedelta(days=1)
        elif word in ("until", "till", "as of"):  # "as of May 2024": what was known then
            since = None
        start = prep.start() if prep else atom.start
        readings.append(_Reading(start, atom.end, since, until))
    return readings


def _names_a_thing(question: str, atom: _Atom) -> bool:
    """The time sits between a determiner and a noun: "the June 2026 earthquakes", "its
    2025 budget" (but not "the 5th of May 2021", "the 5th of May in Paris")."""
    if not _DETERMINER.search(question[: atom.start]):
        return False
    following = re.match(r"\s+([A-Za-z][\w-]*)", question[atom.end :])
    return bool(following) and following.group(1).lower() not in _FUNCTION_WORDS


def _between(
    question: str, opener: re.Match[str], first: _Atom, second: _Atom, reference: date
) -> _Reading | None:
    """ "between March and May 2025", "from 3 March to 10 March": one range, and the second
    date lends its year to the first when the first has none."""
    join = _RANGE_JOIN[opener["word"].lower()]
    if first.self_contained or second.self_contained:
        return None
    if not join.fullmatch(question[first.end : second.start]):
        return None
    _, until = _resolve(second, reference)
    if first.relative or first.year is not None:
        since, _ = _resolve(first, reference)
    else:
        since, _ = _resolve(_with(first, year=until.year), reference)
        if since > until:  # "between November and February 2025": November 2024
            since, _ = _resolve(_with(first, year=until.year - 1), reference)
    if since > until:
        return None
    return _Reading(opener.start(), second.end, since, until)


def _resolve(atom: _Atom, reference: date) -> tuple[date, date]:
    """The inclusive range an atom names; a month or day without a year is the most recent
    one at or before ``reference``."""
    if atom.relative:
        assert atom.since is not None and atom.until is not None
        return atom.since, atom.until
    if atom.month is None:
        assert atom.year is not None
        return date(atom.year, 1, 1), date(atom.year, 12, 31)
    year = atom.year
    if year is None:
        year = reference.year
        if (atom.month, atom.day or 1) > (reference.month, reference.day):
            year -= 1
        while atom.day is not None and not _valid(year, atom.month, atom.day):
            year -= 1  # 29 February
    if atom.day is not None:
        day = date(year, atom.month, atom.day)
        return day, day
    return date(year, atom.month, 1), _month_end(year, atom.month)


# -- dates ---------------------------------------------------------------------------------
def _explicit(start: int, end: int, year: int | None, month: int, day: int | None) -> _Atom | None:
    if not 1 <= month <= 12 or year is not None and not 1900 <= year <= 2100:
        return None
    if day is not None and not _valid(year or 2000, month, day):  # 2000: a leap year
        return None
    return _Atom(start, end, year, month, day)


def _with(atom: _Atom, **changes: object) -> _Atom:
    return replace(atom, **changes)  # type: ignore[arg-type]


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _month_end(year, month + 1).day))


def _shift(reference: date, unit: str, n: int) -> date:
    """``n`` units before ``reference``."""
    if unit == "hour":
        return reference - timedelta(days=math.ceil(n / 24))
    if unit == "day":
        return reference - timedelta(days=n)
    if unit == "week":
        return reference - timedelta(weeks=n)
    if unit == "month":
        return _add_months(reference, -n)
    return _add_months(reference, -12 * n)


def _calendar(unit: str, day: date, offset: int) -> tuple[date, date]:
    """The calendar week, month or year containing ``day``, moved by ``offset`` units."""
    if unit == "week":
        monday = _monday(day) + timedelta(weeks=offset)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = _add_months(day.replace(day=1), offset)
        return first, _month_end(first.year, first.month)
    return date(day.year + offset, 1, 1), date(day.year + offset, 12, 31)
