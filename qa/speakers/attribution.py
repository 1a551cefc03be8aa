"""Who said what in an article: :func:`analyse` finds the people and the sentences each
of them said, in one pass over the article.

Quoted text is blanked first (``qa.speakers.quotes``), so verbs and names inside a
quotation never count. Then each sentence goes through the rules below, in order; the first
that finds a speaker decides it (at most one speaker per sentence):

1. A speech verb whose subject is a named person: :func:`_direct_quote` when a quotation
   touches the attribution, else :func:`_reported_speech`.
2. A speech verb whose subject is a role ("the Russian minister"): :func:`_role_speaker`.
3. A speech verb whose subject is a pronoun ("he", "his press office"): :func:`_pronoun_speaker`.
4. A speech verb whose subject is an organisation, a document or a group ("the statement
   said"): nobody, and the pronoun carry-over is cleared (:func:`_speech_verb_speaker`).
5. "According to X, ...": :func:`_according_to`.
6. A sentence inside a quotation spanning several sentences takes the quotation's
   speaker: :func:`_spread_over_quotations`.

A sentence that no rule attributes but whose subject is a named person ("Shoygu met with
...") becomes the person a later "he" refers to: :func:`_named_subject`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from qa.speakers.lexicon import FEMALE, MALE, VERB_BASE, reports_speech
from qa.speakers.names import RESOLVE_THRESHOLD, Person, role_score
from qa.speakers.people import Mention, find_mentions
from qa.speakers.quotes import mask_quotes, touches_quote
from qa.speakers.subjects import Subject, clause_start_ok, subject_after, subject_before

MAX_CARRY = 3  # a pronoun refers back at most this many sentences to its speaker


@dataclass(frozen=True)
class Statement:
    """A sentence attributed to a speaker.

    ``kind`` says how the speaker was found: "direct" (a quotation with its attribution,
    or a sentence inside a quotation that spans several sentences), "reported" (a named
    subject with a speech or attitude verb: "X said that ...", "According to X, ...") or
    "pronoun" (the subject is a reference - he/she, "his press office", "the Russian
    minister" - resolved to a person named before).
    """

    sentence_index: int
    speaker: str  # Person.name of the speaker
    kind: str  # "direct" | "reported" | "pronoun"
    verb: str  # the speech verb as written: "said", "added", "according to", ...


@dataclass(frozen=True)
class ArticleSpeech:
    """The people of one article and the statements each made, from one analysis."""

    people: list[Person]
    statements: list[Statement]


def analyse(sentences: Sequence[str], paragraphs: Sequence[int] | None = None) -> ArticleSpeech:
    """People (as :func:`find_people`) and statements (as :func:`find_statements`) of an
    article given as its sentences in reading order, analysed once.

    ``paragraphs`` (one paragraph number per sentence) lets a quotation that runs on into a
    new paragraph continue there; without it sentences are read as one paragraph.
    """
    if paragraphs is not None and len(paragraphs) != len(sentences):
        raise ValueError(
            f"paragraphs has {len(paragraphs)} entries but there are {len(sentences)} "
            "sentences; pass one paragraph number per sentence, or None"
        )
    people, mentions = find_mentions(sentences)
    return ArticleSpeech(people, _statements(sentences, paragraphs, people, mentions))


def find_people(sentences: Sequence[str]) -> list[Person]:
    """People named in the article, in order of first mention (see ``qa.speakers.people``
    for what counts as a person). Cheaper than :func:`analyse` when statements are not
    needed."""
    return find_mentions(sentences)[0]


def find_statements(
    sentences: Sequence[str], paragraphs: Sequence[int] | None = None
) -> list[Statement]:
    """Sentences said by a named person, in article order (at most one speaker per
    sentence), found by the rules listed in this module's docstring. A quotation alone is
    not a statement: a word in quotes inside narration counts only through a verb linking
    it to its subject (``Shoigu welcomed ... “strategic” ...``). Use :func:`analyse` when
    the people are wanted too."""
    return analyse(sentences, paragraphs).statements


# --------------------------------------------------------------------------- the pass


@dataclass(frozen=True)
class Said:
    """One sentence's attribution while the article is read: person is an index into the
    article's people."""

    person: int
    kind: str  # as Statement.kind
    verb: str


GROUP = Said(-1, "group", "")  # an organisation or group spoke: nobody, and forget the carry


@dataclass
class Context:
    """What the reader remembers between sentences: the people mentioned so far, the people
    a pronoun can refer back to (newest first) and the genders known."""

    people: list[Person]
    seen: set[int] = field(default_factory=set)
    recent: list[tuple[int, int]] = field(default_factory=list)  # (person, sentence)
    gender: dict[int, str] = field(default_factory=dict)  # person -> "m" / "f"

    @classmethod
    def start(cls, people: list[Person]) -> Context:
        """A fresh reader; genders known from honorifics in titles ("Mr.", "Queen")."""
        gender: dict[int, str] = {}
        for p, person in enumerate(people):
            for title in person.titles:
                first = title.split()[0].rstrip(".").lower()
                if first in MALE or first in FEMALE:
                    gender[p] = "m" if first in MALE else "f"
        return cls(people, gender=gender)

    def push(self, person: int, sentence: int) -> None:
        """``person`` spoke or was the subject in ``sentence``: the first a pronoun tries."""
        self.recent[:] = [r for r in self.recent if r[0] != person]
        self.recent.insert(0, (person, sentence))

    def refer_back(self, gender: str, sentence: int) -> int:
        """The person a pronoun of ``gender`` in ``sentence`` refers to: the most recent
        one within :data:`MAX_CARRY` sentences whose gender does not contradict, else -1."""
        for person, where in self.recent:  # newest first, so the distance only grows
            if sentence - where > MAX_CARRY:
                break
            if self.gender.get(person, gender) == gender:
                return person
        return -1


def _statements(
    sentences: Sequence[str],
    paragraphs: Sequence[int] | None,
    people: list[Person],
    mentions: list[Mention],
) -> list[Statement]:
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    masked, quotations = mask_quotes(sentences, paragraphs)
    context = Context.start(people)
    found: dict[int, Said] = {}
    for i, text in enumerate(masked):
        # Mentions inside a quotation were blanked: the speaker of a quote is outside it.
        here = [m for m in by_sentence.get(i, []) if text[m.start : m.end] == m.form]
        context.seen.update(m.person for m in here)
        _learn_gender(text, here, context)
        said = _speech_verb_speaker(text, here, i, context)
        if said is GROUP:
            context.recent.clear()  # a later "he" is not given to the last person named
            continue
        said = said or _according_to(text, here, i, context)
        if said is not None:
            found[i] = said
            context.push(said.person, i)
        else:
            _named_subject(text, here, i, context)
    _spread_over_quotations(found, quotations)
    return [
        Statement(i, people[said.person].name, said.kind, said.verb)
        for i, said in sorted(found.items())
    ]


def _learn_gender(text: str, here: list[Mention], context: Context) -> None:
    """", for his part" right after a name tells the gender:
    "Ohanian, for his part, said ..." makes a later "she" not Ohanian."""
    for m in here:
        part = re.match(r",\s*for (his|her) part", text[m.end :])
        if part:
            context.gender.setdefault(m.person, "m" if part.group(1) == "his" else "f")


# --------------------------------------------------------------------------- speech verbs

_VERB_RE = re.compile(
    r"\b(" + "|".join(sorted(VERB_BASE, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be|being)\s+(?:[a-z]+ly\s+)?$", re.IGNORECASE)


def _speech_verb_speaker(text: str, here: list[Mention], i: int, context: Context) -> Said | None:
    """Rules 1-4: the first speech or attitude verb outside quotes (said, told, added,
    welcomed, "meant that", ...) whose subject can be classified decides the sentence.

    The subject is read backwards from the verb (skipping adverbs, auxiliaries and short
    parentheticals such as ", for his part,"), or forwards for inverted attribution
    (``“...,” said Shoygu``). A passive verb ("Weber was told ...") has no speaker. An
    organisation, document or group as subject ("the statement said", "the Russian Ministry
    of Defense said", "the leaders have accused") gives :data:`GROUP`: nobody spoke.
    """
    for vm in _VERB_RE.finditer(text):
        verb = vm.group(1)
        if not reports_speech(verb, text[vm.end() :]):
            continue
        if not verb.lower().endswith("ing") and _PASSIVE.search(text[: vm.start()]):
            continue  # passive: "Weber was told ..." - Weber did not speak
        subject = _verb_subject(text, vm, here)
        if subject.kind == "other":
            continue
        if subject.kind == "group":
            return GROUP
        if subject.kind == "name":
            return _direct_quote(text, vm, subject) or _reported_speech(subject, verb)
        if subject.kind == "role":
            return _role_speaker(subject, verb, context)
        return _pronoun_speaker(subject, verb, i, context)
    return None


def _verb_subject(text: str, verb: re.Match[str], here: list[Mention]) -> Subject:
    """The subject of the speech verb ``verb``: after it when the clause is inverted (the
    verb opens the sentence or follows a comma or quotation: ``“...,” said Shoygu``),
    else - or when nothing fits there - before it."""
    before = text[: verb.start()]
    inverted = before.rstrip()[-1:] in (",", '"') or not before.strip()
    if inverted:
        after_quote = before.rstrip(" ,—–-").endswith('"')
        shifted = [  # offsets relative to the verb's end, as subject_after reads
            replace(m, start=m.start - verb.end(), end=m.end - verb.end())
            for m in here if m.start >= verb.end()
        ]
        subject = subject_after(text[verb.end() :], shifted, after_quote)
        if subject.kind != "other":
            return replace(subject, start=subject.start + verb.end(),
                           end=subject.end + verb.end())
    return subject_before(before, here)


def _direct_quote(text: str, verb: re.Match[str], subject: Subject) -> Said | None:
    """Rule 1a, a direct quotation with a named speaker: the quotation touches the
    attribution, before or after it ("direct").

    ``“We want to maintain our strategic partnership,” Ohanian said.``
    ``Finance Minister John Smith said: “The budget is tight.”``
    """
    span = (min(subject.start, verb.start()), max(subject.end, verb.end()))
    if touches_quote(text, *span):
        return Said(subject.person, "direct", verb.group(1))
    return None


def _reported_speech(subject: Subject, verb: str) -> Said:
    """Rule 1b, reported speech: a named subject of a speech or attitude verb, no quotation
    against it ("reported").

    ``Hasanov, in turn, meant that relations between the countries ...``
    ``Foreign Minister Ali Hassan said that the border would reopen.``
    """
    return Said(subject.person, "reported", verb)


def _role_speaker(subject: Subject, verb: str, context: Context) -> Said:
    """Rule 2, a role resolved to a person: "the <title>" as subject is the one person
    mentioned so far whose titles fit it ("pronoun"); a role that fits nobody, or several
    people equally, is taken for a group.

    ``The Russian minister praised the defense cooperation ...`` (Shoigu, titled "Russian
    Defense Minister" earlier).
    """
    person = _role_person(subject.text, context.people, context.seen)
    return GROUP if person < 0 else Said(person, "pronoun", verb)


def _role_person(role: str, people: list[Person], seen: set[int]) -> int:
    """The one person mentioned so far whose titles fit a role phrase, else -1."""
    scores = sorted(((role_score(role, people[p]), p) for p in seen), reverse=True)
    if scores and scores[0][0] >= RESOLVE_THRESHOLD and (
        len(scores) == 1 or scores[1][0] < scores[0][0] - 0.02
    ):
        return scores[0][1]
    return -1


def _pronoun_speaker(subject: Subject, verb: str, i: int, context: Context) -> Said | None:
    """Rule 3, a pronoun carried from the last speaker: he/she, "his press office", "her
    spokesman" is the most recent speaker or named subject within :data:`MAX_CARRY`
    sentences whose gender does not contradict ("pronoun"); the pronoun then tells that
    person's gender. None when nobody fits (the sentence stays unattributed).

    ``Hasanov, in turn, meant that ... . He also stressed the importance of training.``
    """
    person = context.refer_back(subject.gender, i)
    if person < 0:
        return None
    context.gender.setdefault(person, subject.gender)
    return Said(person, "pronoun", verb)


# --------------------------------------------------------------------------- other rules

_ACCORDING_TO = re.compile(r"\baccording to\s+", re.IGNORECASE)


def _according_to(text: str, here: list[Mention], i: int, context: Context) -> Said | None:
    """Rule 5, "According to X": a person named right after it, or heading the phrase up to
    the next comma ("reported"); "according to him/her" is the last fitting speaker
    ("pronoun"). Only when no speech verb decided the sentence.

    ``According to Hassan, trade fell by half last year.``
    """
    m = _ACCORDING_TO.search(text)
    if not m:
        return None
    rest = text[m.end() :]
    who = re.match(r"[^,;\"]*", rest).group().strip()
    for mention in here:
        if mention.start == m.end() or (
            mention.start > m.end() and mention.end - m.end() <= len(who)
            and clause_start_ok(text[: mention.start], mention.start)
        ):
            return Said(mention.person, "reported", "according to")
    if re.match(r"(him|her)\b", rest, re.IGNORECASE):
        person = context.refer_back("m" if rest[:3].lower() == "him" else "f", i)
        if person >= 0:
            return Said(person, "pronoun", "according to")
    return None


def _named_subject(text: str, here: list[Mention], i: int, context: Context) -> None:
    """Not a statement, but a named person heads the sentence: that person is the one a
    later pronoun refers to.

    ``Shoygu met with Armenian Defense Minister Seyran Ohanian.`` (a later "he" is Shoygu)
    """
    for m in here:
        if clause_start_ok(text, m.start):
            context.push(m.person, i)
            return


def _spread_over_quotations(found: dict[int, Said], quotations: list[tuple[int, int]]) -> None:
    """Rule 6, a quotation over several sentences: every sentence of it takes the first
    attribution found inside it ("direct", or "pronoun" if that was found by pronoun).

    ``“I think there’s potential for growth.`` / ``We certainly will do everything ...,”
    he added.`` - both sentences are his.
    """
    for first, last in quotations:
        attributed = [found[k] for k in range(first, last + 1) if k in found]
        if attributed:
            said = attributed[0]
            kind = "pronoun" if said.kind == "pronoun" else "direct"
            for k in range(first, last + 1):
                found.setdefault(k, Said(said.person, kind, said.verb))
