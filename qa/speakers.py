"""Who said what in an article, found with rules (no language model).

The answer step asks "what did X say?"; this module finds the people in an article
(:func:`find_people`), the sentences each of them said (:func:`find_statements`), the
speaker a question asks about (:func:`speaker_in_question`) and the people a name or role
in a question refers to (:func:`resolve_speaker`, :func:`person_matches`).

Everything works on an article's sentences in reading order, as plain strings. The rules are
written for news English, including machine-translated news: names spelled two ways
("Shoigu"/"Shoygu"), quotes typed the wrong way round (``grow, “he added.``) and speech
reported with odd verbs ("Hasanov, in turn, meant that ...").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Person",
    "Statement",
    "find_people",
    "find_statements",
    "person_matches",
    "resolve_speaker",
    "speaker_in_question",
]


@dataclass(frozen=True)
class Person:
    """A person named in an article."""

    name: str  # fullest form seen in the article, e.g. "Seyran Ohanian"
    aliases: tuple[str, ...] = ()  # other forms seen: "Ohanian", "Shoygu" for "Sergei Shoigu"
    titles: tuple[str, ...] = ()  # role phrases seen next to the name: "Armenian Defense Minister"


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


# --------------------------------------------------------------------------- word lists

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Capitalised words that start sentences or clauses but are never names.
_STOP = _words("""
the a an he she it they we i you his her their our its this that these those there here
while when where what who whom whose why how which despite according after before during since
until although though however meanwhile but and or nor if in on at for from with by of to as
also yet so then now today yesterday tomorrow tonight last next first second third many some
all both each every other another more most such no not one two three several few earlier
later still even only just thus therefore moreover furthermore instead indeed overall asked
speaking because unlike like among amid under over about against between within without
through into upon once let do does did is are was were be been has have had will would can
could may might should must shall my me him them us your mine yours ours theirs whether
besides beyond following meanwhile nevertheless nonetheless otherwise perhaps please
recently so-called sources source thanks together toward towards via whereas yes no
new north south east west central upper lower great grand
""")
_MONTHS_DAYS = _words("""
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
""")
# Titles and role nouns that can stand before a name or head a role phrase.
_TITLE_WORDS = _words("""
minister ministers president president-elect premier chancellor secretary spokesman
spokeswoman spokesperson ambassador governor senator representative congressman congresswoman
mayor general gen colonel col lieutenant lt captain capt admiral commander chief head
director chairman chairwoman chair ceo king queen prince princess sheikh emir pope bishop
archbishop cardinal rabbi imam judge prosecutor attorney officer official leader envoy
counterpart adviser advisor aide coach manager founder professor prof dr doctor mr mrs ms miss
sir dame lord lady madam gov sen rep sgt sergeant marshal commissioner inspector
superintendent mp mep lawmaker legislator candidate councillor councilor treasurer economist
analyst correspondent editor reporter deputy vice
""")
# Abbreviated honorifics that are followed by a full stop: "Mr. Smith", "Gov. Brown".
_ABBREVIATIONS = _words("mr mrs ms dr gov sen rep gen lt col capt sgt prof st")
_MALE = _words("mr sir king prince lord")
_FEMALE = _words("mrs ms miss madam dame lady queen princess")
# Words that qualify a title: "First Deputy Defense Minister", "foreign affairs minister".
_ROLE_MODIFIERS = _words("""
defense defence foreign interior finance economy economic trade justice health education
energy agriculture transport culture home prime first deputy vice acting former assistant
senior top chief state general executive military army navy armed forces press national
security emergency emergencies environment labour labor industry development affairs
intelligence police public presidential opposition ruling party government federal regional
local supreme staff of the for and
""")
# Organisation words: a capitalised run containing one is not a person.
_ORG_WORDS = _words("""
ministry ministries department army navy force forces government council committee commission
parliament assembly congress senate court office agency service bank union party university
institute company corporation group association organization organisation federation republic
kingdom kremlin pentagon defense defence affairs interior state states united nations news
press times post statement report communique media police military embassy administration
cabinet presidency secretariat headquarters command staff guard corps front movement alliance
coalition church club fund authority authorities reuters afp ap tass ria interfax xinhua
bloomberg cnn bbc armenpress anadolu white house airlines
""")
# Subjects of a speech verb that are a body, a document or a group, never one person.
_GROUP_NOUNS = _words("""
statement statements ministry department office government officials official sources source
report reports communique release agency kremlin army military police authorities leaders
diplomats analysts experts critics observers residents witnesses people media newspaper
television channel website embassy administration cabinet parliament committee council party
group company spokesman spokeswoman spokesperson spokespeople representatives officers
declaration document letter announcement website observers protesters activists lawmakers
they it side delegation
""")
_PLACES = _words("""
afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan
bahrain bangladesh belarus belgium bolivia bosnia brazil bulgaria burma cambodia cameroon
canada chad chile china colombia congo croatia cuba cyprus czechia denmark egypt eritrea
estonia ethiopia europe finland france gaza georgia germany ghana greece guatemala haiti
honduras hungary iceland india indonesia iran iraq ireland israel italy japan jordan
kazakhstan kenya korea kosovo kuwait kyrgyzstan laos latvia lebanon libya lithuania
luxembourg macedonia malaysia mali malta mexico moldova mongolia montenegro morocco
mozambique myanmar nepal netherlands nicaragua niger nigeria norway oman pakistan palestine
panama paraguay peru philippines poland portugal qatar romania russia rwanda serbia slovakia
slovenia somalia spain sudan sweden switzerland syria taiwan tajikistan tanzania thailand
tunisia turkey turkmenistan uganda ukraine uruguay uzbekistan venezuela vietnam yemen zambia
zimbabwe africa asia america britain england scotland wales crimea donbas donbass karabakh
nagorno abkhazia ossetia caucasus balkans kurdistan chechnya dagestan siberia
moscow baku yerevan kiev kyiv kharkiv odessa minsk tbilisi ankara istanbul tehran baghdad
damascus beirut cairo riyadh doha dubai jerusalem washington london paris berlin rome madrid
brussels vienna warsaw prague budapest bucharest sofia athens beijing tokyo seoul delhi
islamabad kabul geneva strasbourg stepanakert ganja tripoli benghazi
""")
_DEMONYMS = _words("""
afghan albanian algerian american angolan arab argentine argentinian armenian australian
austrian azerbaijani azeri bahraini belarusian belgian bolivian bosnian brazilian british
bulgarian burmese cambodian canadian chilean chinese colombian congolese croatian cuban
cypriot czech danish dutch egyptian english eritrean estonian ethiopian european finnish
french georgian german ghanaian greek haitian hungarian icelandic indian indonesian iranian
iraqi irish israeli italian japanese jordanian kazakh kenyan korean kosovar kurdish kuwaiti
kyrgyz lao latvian lebanese libyan lithuanian macedonian malaysian malian maltese mexican
moldovan mongolian montenegrin moroccan nepalese nigerian norwegian omani pakistani
palestinian panamanian peruvian filipino polish portuguese qatari romanian russian rwandan
saudi scottish serbian slovak slovenian somali spanish sudanese swedish swiss syrian
taiwanese tajik thai tunisian turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan
vietnamese welsh yemeni western eastern northern southern soviet chechen crimean
""")
# Months that are also names, accepted after a first name: "Theresa May".
_NAME_MONTHS = frozenset(("May", "June", "April", "August"))
_NOT_NAME = _STOP | _MONTHS_DAYS | _TITLE_WORDS | _ORG_WORDS | _PLACES | _DEMONYMS
# Lower-case particles inside names: "Ursula von der Leyen", "Muammar al-Qadhafi".
_PARTICLES = _words("de da di del della van von der den bin ibn al el le la du dos das ter")
_QUOTES = "“”\"«»„‟"

# --------------------------------------------------------------------------- speech verbs

# Base forms; regular inflections are generated below. Attitude verbs (welcome, praise,
# criticise, express...) count too: in news they report a stance as much as "said" does.
_SPEECH_BASES = (
    "say", "tell", "add", "stress", "note", "explain", "announce", "claim", "warn", "state",
    "declare", "emphasize", "emphasise", "underline", "underscore", "insist", "argue", "deny",
    "suggest", "comment", "remark", "reply", "respond", "assert", "affirm", "confirm", "reiterate",
    "urge", "acknowledge", "admit", "recall", "concede", "predict", "promise", "vow", "pledge",
    "propose", "report", "write", "tweet", "welcome", "praise", "hail", "criticize", "criticise",
    "condemn", "accuse", "complain", "express", "voice", "describe", "reveal", "disclose", "ask",
    "answer", "point", "call", "speak", "mean", "believe", "think", "hope", "refute", "reject",
    "dismiss", "threaten", "caution", "observe", "recommend", "demand", "assure", "quip",
)
_IRREGULAR = {
    "say": ("say", "says", "said", "saying"),
    "tell": ("tell", "tells", "told", "telling"),
    "write": ("write", "writes", "wrote", "written", "writing"),
    "speak": ("speak", "speaks", "spoke", "spoken", "speaking"),
    "mean": ("means", "meant"),
    "think": ("thinks", "thought"),
    "admit": ("admit", "admits", "admitted", "admitting"),
}
# Verbs that only report speech with a particular next word ("pointed out", "meant that").
_NEXT_WORD = {
    "point": r"out\b",
    "call": r"(?:for|on|upon)\b",
    "speak": r"(?:of|about|out)\b",
    "mean": r"that\b",
    "think": r"that\b",
    "ask": r"(?:whether|if|why|how|what|for)\b",
}


def _inflect(base: str) -> tuple[str, ...]:
    if base in _IRREGULAR:
        return _IRREGULAR[base]
    if base.endswith("e"):
        return (base, base + "s", base + "d", base[:-1] + "ing")
    if base.endswith("y") and base[-2] not in "aeiou":
        return (base, base[:-1] + "ies", base[:-1] + "ied", base + "ing")
    if base.endswith(("ss", "sh", "ch", "x")):
        return (base, base + "es", base + "ed", base + "ing")
    return (base, base + "s", base + "ed", base + "ing")


_VERB_BASE = {form: base for base in _SPEECH_BASES for form in _inflect(base)}
SPEECH_VERB_FORMS = frozenset(_VERB_BASE)  # every form of every speech verb, lowercase
_VERB_RE = re.compile(
    r"\b(" + "|".join(sorted(_VERB_BASE, key=len, reverse=True)) + r")\b", re.IGNORECASE
)

# --------------------------------------------------------------------------- names


_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        word, end = m.group(), m.end()
        if word[-2:] in ("'s", "’s") and len(word) > 2:  # possessive is not part of the name
            word, end = word[:-2], end - 2
        out.append(_Tok(word, m.start(), end))
    return out


def _fold(text: str) -> str:
    """Lower case without diacritics: "Zelenskyy" -> "zelenskyy", "Öcalan" -> "ocalan"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


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
    s = re.sub(r"[^a-z]", "", _fold(token))
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


TOKEN_MATCH = 0.85  # a name token this similar (after normalising) is the same name


@lru_cache(maxsize=16384)
def token_similarity(a: str, b: str) -> float:
    """Similarity of two name tokens in 0..1. Short keys (4 letters or fewer) must be equal:
    "Kim"/"Kam" or "Lee"/"Li" are different people more often than spelling variants.
    Pairs whose lengths alone rule out reaching ``TOKEN_MATCH`` score 0.0."""
    ka, kb = _name_key(_strip_particle(a)), _name_key(_strip_particle(b))
    if ka == kb:
        return 1.0 if ka else 0.0
    if min(len(ka), len(kb)) <= 4:
        return 0.0
    # Every length difference costs an edit, so keys this far apart in length cannot reach
    # TOKEN_MATCH: skip the edit distance (most pairs of names in a long article).
    if 1.0 - abs(len(ka) - len(kb)) / max(len(ka), len(kb)) < TOKEN_MATCH:
        return 0.0
    return _key_similarity(ka, kb)


@lru_cache(maxsize=65536)
def _strip_particle(token: str) -> str:
    low = token.lower()
    for prefix in ("al-", "el-", "ad-", "as-", "ash-", "an-", "ar-", "at-", "az-"):
        if low.startswith(prefix) and len(low) > len(prefix) + 2:
            return token[len(prefix):]
    return token


def _name_parts(name: str) -> list[str]:
    """Tokens of a name that carry identity (particles dropped)."""
    return list(_name_parts_cached(name))


@lru_cache(maxsize=65536)
def _name_parts_cached(name: str) -> tuple[str, ...]:
    # Names recur across an article's mentions and across questions: tokenise each once.
    return tuple(t.text for t in _tokens(name) if t.text.lower() not in _PARTICLES)


# --------------------------------------------------------------------------- people


_UNSURE = -2  # _Mention.person of a lone capitalised word kept only if it links to a name


@dataclass
class _Mention:
    sentence: int
    start: int
    end: int
    form: str
    titles: list[str]
    person: int = -1


def _is_name_token(tok: _Tok, sentence: str, lowercase_words: set[str]) -> bool:
    word = tok.text
    low = word.lower()
    if not word[0].isupper() or low in _NOT_NAME:
        return False
    if len(word) > 1 and word.isupper():  # NATO, CSTO, UN: organisations, not people
        return False
    if any(part in _PLACES or part in _DEMONYMS for part in low.split("-")):
        return False  # "Armenian-Azerbaijani"
    # A sentence-initial word the article also uses in lower case is a common word.
    return not (not sentence[: tok.start].strip(_QUOTES + " ") and low in lowercase_words)


def _title_before(sentence: str, toks: list[_Tok], first: int) -> str:
    """The role phrase right before the name starting at token ``first``, or ""."""
    pos = toks[first].start
    j = first - 1
    start = None
    while j >= 0:
        tok = toks[j]
        gap = sentence[tok.end : pos].strip()
        low = tok.text.lower()
        if gap and not (gap == "." and low in _ABBREVIATIONS):
            break
        title_like = (
            low in _TITLE_WORDS or low in _ROLE_MODIFIERS or low in _DEMONYMS
            or low in _PLACES or (tok.text[0].isupper() and low not in _STOP)
        )
        if not title_like:
            break
        start, pos, j = j, tok.start, j - 1
    if start is None:
        return ""
    phrase = toks[start:first]
    while phrase and phrase[0].text.lower() in ("of", "the", "for", "and"):
        phrase = phrase[1:]
    if not any(t.text.lower() in _TITLE_WORDS for t in phrase):
        return ""
    end = phrase[-1].end + (1 if sentence[phrase[-1].end : phrase[-1].end + 1] == "." else 0)
    return sentence[phrase[0].start : end]


_APPOSITION = re.compile(r",\s*(?:the\s+)?((?:[\w'’.-]+\s+){0,5}[\w-]+)\s*(?:,|\.|$)")


def _title_after(sentence: str, end: int) -> str:
    """An apposition after a name: "Ohanian, the Armenian defence minister, said"."""
    m = _APPOSITION.match(sentence, end)
    if not m:
        return ""
    words = [w.rstrip(".").lower() for w in m.group(1).split()]
    words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
    ok = all(
        w in _TITLE_WORDS or w in _ROLE_MODIFIERS or w in _DEMONYMS or w in _PLACES
        for w in words
    )
    return m.group(1) if ok and words[-1] in _TITLE_WORDS else ""


def _speech_context(sentence: str, start: int, end: int) -> bool:
    """Is the word at start..end the subject of a speech verb ("Hasanov, in turn, meant",
    "said Shoygu")? Used to accept a lone capitalised word as a person."""
    after = sentence[end:]
    m = re.match(r"(?:\s*,[^,]{1,40},|\s*,)?\s*(?:(?:also|then|later|has|had|have|was)\s+)*"
                 r"(\w+)", after)
    if m and m.group(1).lower() in _VERB_BASE:
        base = _VERB_BASE[m.group(1).lower()]
        return base not in _NEXT_WORD or bool(re.match(r"\s+" + _NEXT_WORD[base], after[m.end():]))
    before = sentence[:start].rstrip()
    m = re.search(r"(\w+)$", before)
    return bool(m and m.group(1).lower() in _VERB_BASE and before[: m.start()].rstrip()[-1:]
                in (",", *_QUOTES))


_PLACE_PREPOSITIONS = _words("in at near across outside inside into throughout toward towards")


def _candidates(sentences: Sequence[str]) -> list[_Mention]:
    text = " ".join(sentences)
    lowercase_words = {w for w in re.findall(r"\b[a-z][\w'-]*\b", text)}
    found: list[_Mention] = []
    for i, sentence in enumerate(sentences):
        toks = _tokens(sentence)
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
                    toks[j].text in _NAME_MONTHS and j - 1 == run[-1]
                ):
                    run.append(j)
                elif not (toks[j].text in _PARTICLES and j + 1 < len(toks)
                          and _is_name_token(toks[j + 1], sentence, lowercase_words)):
                    break
                j += 1
            run = list(range(run[0], run[-1] + 1))[-4:]
            first, last = toks[run[0]], toks[run[-1]]
            form = sentence[first.start : last.end]
            titles = [t for t in (_title_before(sentence, toks, run[0]),
                                  _title_after(sentence, last.end)) if t]
            single = len(_name_parts(form)) == 1
            prev = toks[run[0] - 1].text.lower() if run[0] > 0 else ""
            if single and not titles and not _speech_context(sentence, first.start, last.end):
                found.append(_Mention(i, first.start, last.end, form, titles, _UNSURE))
            elif not (prev in _PLACE_PREPOSITIONS and not titles):
                found.append(_Mention(i, first.start, last.end, form, titles))
            k = j
    return found


@lru_cache(maxsize=65536)
def _same_person(form: str, other: str) -> bool:
    """Do two full-name forms name one person? Surnames must match (spelling-tolerant)
    and first names too, or one be the other's initial."""
    a, b = _name_parts(form), _name_parts(other)
    if not a or not b or token_similarity(a[-1], b[-1]) < TOKEN_MATCH:
        return False
    if len(a) == 1 or len(b) == 1:
        return True
    fa, fb = a[0].rstrip("."), b[0].rstrip(".")
    if len(fa) == 1 or len(fb) == 1:
        return fa[0].lower() == fb[0].lower()
    return token_similarity(fa, fb) >= TOKEN_MATCH


def _analyse(sentences: Sequence[str]) -> tuple[list[Person], list[_Mention]]:
    """People plus every mention of them (sentence, offsets), in article order."""
    mentions = _candidates(sentences)
    groups: list[list[_Mention]] = []
    # Full names first, then lone words seen in a person context, then other lone words
    # (kept only if they link), so a surname links to its full form wherever that comes.
    order = sorted(mentions, key=lambda m: (len(_name_parts(m.form)) == 1, m.person == _UNSURE))
    for m in order:
        here = (m.sentence, m.start)
        best, best_pos = -1, (-2, -2)
        for g, group in enumerate(groups):
            if not any(_same_person(m.form, form) for form in {o.form for o in group}):
                continue
            # Two people sharing a surname: take the one mentioned last before m.
            pos = max([(o.sentence, o.start) for o in group if (o.sentence, o.start) <= here],
                      default=(-1, -1))
            if pos > best_pos:
                best, best_pos = g, pos
        if best >= 0:
            m.person = -1  # a lone word that links to a known person is a person
            groups[best].append(m)
        elif m.person != _UNSURE:
            groups.append([m])
    people: list[Person] = []
    kept: list[_Mention] = []
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
        name = max(forms, key=lambda f: len(_name_parts(f)))  # first of the longest
        people.append(Person(name, tuple(f for f in forms if f != name), tuple(titles)))
    kept.sort(key=lambda o: (o.sentence, o.start))
    return people, kept


def find_people(sentences: Sequence[str]) -> list[Person]:
    """People named in the article, in order of first mention.

    A person is a run of 1-4 capitalised tokens that are not stop words, months, days,
    places, demonyms, titles or organisation words. A lone capitalised word counts only if
    it links to a full name (surname or spelling variant), has a title, or is the subject
    of a speech verb. Titles before the name ("Russian Defense Minister") or in an
    apposition after it (", the defence minister,") are kept.
    """
    return _analyse(sentences)[0]


# --------------------------------------------------------------------------- quotes


MAX_QUOTE_SENTENCES = 5  # a quotation longer than this is a stray mark, not a quotation


def _mask_quotes(
    sentences: Sequence[str], paragraphs: Sequence[int] | None
) -> tuple[list[str], list[tuple[int, int]]]:
    """Each sentence with quoted text blanked (same length, quote marks become ``"``), and
    the groups of sentences (first, last) that one quotation spans.

    Every quote mark toggles in/out of a quotation, whatever its shape, because translated
    articles close quotes with an opening mark (``grow, “he added.``). A mark that leaves a
    quotation open with no quote mark in the next sentences is a stray and is ignored, so
    one typo does not hide the rest of the article."""
    masked: list[str] = []
    groups: list[tuple[int, int]] = []
    inside, opened = False, -1
    for i, sentence in enumerate(sentences):
        new_paragraph = paragraphs is not None and i > 0 and paragraphs[i] != paragraphs[i - 1]
        lead = len(sentence) - len(sentence.lstrip())
        # News style reopens a quotation that runs on into a new paragraph: that mark
        # continues the quotation instead of closing it.
        reopened = inside and new_paragraph and sentence[lead : lead + 1] in _QUOTES
        if inside and ((new_paragraph and not reopened) or i - opened >= MAX_QUOTE_SENTENCES):
            inside = False
        marks = [k for k, c in enumerate(sentence) if c in _QUOTES and not (reopened and k == lead)]
        toggles = set(marks)
        if (inside + len(marks)) % 2 and marks and not any(
            c in _QUOTES for later in sentences[i + 1 : i + MAX_QUOTE_SENTENCES] for c in later
        ):
            toggles.discard(marks[-1])  # would stay open for good: a stray
        started_inside = inside
        chars = []
        for k, c in enumerate(sentence):
            if c in _QUOTES:
                inside = inside != (k in toggles)
                chars.append('"')
            else:
                chars.append(" " if inside else c)
        masked.append("".join(chars))
        if started_inside and not inside:
            groups.append((opened, i))
        if inside and not started_inside:
            opened = i
        elif not inside:
            opened = -1
    return masked, groups


# --------------------------------------------------------------------------- subjects


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
_PREPOSITIONS = _words("of for to with by from at in on about against than between among via")


@dataclass(frozen=True)
class _Subject:
    kind: str  # "name" | "pronoun" | "role" | "group" | "other"
    person: int = -1  # index into people for "name"
    start: int = -1  # where the subject text starts (for the direct-quote test)
    end: int = -1
    text: str = ""
    gender: str = ""  # "m" / "f" for pronouns


def _mention_ending_at(mentions: list[_Mention], end: int) -> _Mention | None:
    for m in mentions:
        if m.end == end:
            return m
    return None


def _clause_start_ok(text: str, start: int) -> bool:
    """Only titles and determiners between the clause start and a name: the name heads
    the subject ("Russian Defense Minister Sergei Shoigu, welcomed") rather than sitting
    inside another phrase ("After meeting Shoigu, the minister said")."""
    clause = re.split(r"[,;:\"]", text[:start])[-1]
    words = [w.lower() for w in re.findall(r"[\w'’-]+", clause)]
    return all(
        w in _TITLE_WORDS or w in _ROLE_MODIFIERS or w in _DEMONYMS or w in _PLACES
        or w in ("the", "a", "an") for w in words
    ) or not words


def _classify_tail(text: str, mentions: list[_Mention]) -> _Subject:
    """What stands right before a speech verb: the subject of that verb."""
    while True:  # drop adverbs and auxiliaries: "Shoygu also", "Smith has repeatedly"
        text = text.rstrip(" ,—–-\t")
        m = _TRAILING.search(text) or _LY_ADVERB.search(text)
        if not m:
            break
        text = text[: m.start() + (1 if m.group()[:1] in ' "' else 0)]
    if not text or text.endswith('"'):
        return _Subject("other")
    found = _mention_ending_at(mentions, len(text))
    if found is not None:
        before = text[: found.start].split()
        if before and before[-1].lower() in _PREPOSITIONS:
            return _Subject("other")  # "a source close to Shoigu said"
        return _Subject("name", found.person, found.start, found.end, found.form)
    m = re.search(r"(?:^|[\s\"])(he|she)$", text, re.IGNORECASE)
    if m:
        g = "m" if m.group(1).lower() == "he" else "f"
        return _Subject("pronoun", start=m.start(1), end=len(text), text=m.group(1), gender=g)
    m = re.search(r"\b(his|her)\s+" + _POSSESSIVE_OFFICE + "$", text, re.IGNORECASE)
    if m:
        g = "m" if m.group(1).lower() == "his" else "f"
        return _Subject("pronoun", start=m.start(), end=len(text), text=m.group(), gender=g)
    m = re.search(r"['’]s\s+" + _POSSESSIVE_OFFICE + "$", text, re.IGNORECASE)
    if m:
        found = _mention_ending_at(mentions, m.start())
        if found is not None:
            return _Subject("name", found.person, found.start, len(text), found.form)
    # A parenthetical between subject and verb: "Hasanov, in turn," / "Ohanian, the
    # Armenian defence minister,".
    if "," in text:
        head, _, tail = text.rpartition(",")
        tail = tail.strip()
        head = head.rstrip()
        found = _mention_ending_at(mentions, len(head))
        limit = 14 if re.match(r"(?:who|whose|which)\b", tail) else 7  # short asides only
        if found is not None and len(tail.split()) <= limit and _clause_start_ok(
            head, found.start
        ):
            return _Subject("name", found.person, found.start, found.end, found.form)
    last = re.split(r"[,;:\"]", text)[-1]
    words = re.findall(r"[\w'’-]+", last)
    lows = [w.lower() for w in words]
    if lows and lows[-1] in _TITLE_WORDS:
        # Walk back over the role phrase to its determiner: "the Russian minister".
        k = len(lows) - 1
        while k > 0 and lows[k - 1] not in ("the", "a", "an"):
            word = lows[k - 1].removesuffix("'s").removesuffix("’s")
            if not (word in _TITLE_WORDS or word in _ROLE_MODIFIERS or word in _DEMONYMS
                    or word in _PLACES):
                break
            k -= 1
        if k > 0 and lows[k - 1] == "the" and lows[-1] not in ("spokesman", "spokeswoman",
                                                                "spokesperson", "official"):
            phrase = " ".join(words[k - 1:])
            return _Subject("role", start=len(text) - len(last), end=len(text), text=phrase)
        return _Subject("group", text=" ".join(words[k - 1 if k else 0:]))
    tail_words = lows[-6:]
    if any(w.removesuffix("'s") in _GROUP_NOUNS or w in _ORG_WORDS for w in tail_words) or (
        lows and lows[-1] in _PLACES
    ):
        return _Subject("group", text=last.strip())
    return _Subject("other")


def _subject_after(text: str, mentions: list[_Mention], after_quote: bool) -> _Subject:
    """Inverted attribution: ``“...,” said Shoygu to ...``, ``..., said the ministry.``

    Without a quotation right before the verb, the subject must end its clause
    (``The talks went well, said Putin.``): in ``..., said Smith was lying`` Smith is the
    subject of what was said, not the speaker."""

    def ends_clause(end: int) -> bool:
        return after_quote or bool(re.match(r"\s*(?:[.,;:!?\"”]|$)", text[end:]))

    m = re.match(r"\s+(he|she)\b", text, re.IGNORECASE)
    if m and ends_clause(m.end()):
        g = "m" if m.group(1).lower() == "he" else "f"
        return _Subject("pronoun", start=m.start(1), end=m.end(1), text=m.group(1), gender=g)
    for mention in mentions:
        between = text[: mention.start]
        words = re.findall(r"[\w'’.-]+", between)
        titled = all(
            w.lower() in _TITLE_WORDS or w.lower() in _ROLE_MODIFIERS or w.lower() in _DEMONYMS
            or w.lower() in _PLACES or w.lower().rstrip(".") in _ABBREVIATIONS or w[:1].isupper()
            for w in words
        )
        clean = between[:1].isspace() and not re.search(r"[,;:\"]", between)
        if clean and titled and ends_clause(mention.end):
            return _Subject("name", mention.person, mention.start, mention.end, mention.form)
        break
    m = re.match(r"\s+(the\s+(?:[\w'’-]+\s+){0,4}?([\w-]+))\b", text, re.IGNORECASE)
    if m and ends_clause(m.end()):
        head = m.group(2).lower()
        if head in _TITLE_WORDS and head not in ("spokesman", "spokeswoman", "spokesperson"):
            return _Subject("role", start=m.start(1), end=m.end(1), text=m.group(1))
        if head in _GROUP_NOUNS or head in _ORG_WORDS:
            return _Subject("group", text=m.group(1))
    return _Subject("other")


# --------------------------------------------------------------------------- statements


def _touches_quote(text: str, start: int, end: int) -> bool:
    """Does a quotation sit right against the attribution text[start:end]? Only titles may
    come between: ``“...,” Senator Bernie Sanders wrote``, ``Ohanian said: “...”``."""
    before = text[:start].rstrip(" ,—–-")
    while before and not before.endswith('"'):
        m = re.search(r"[\w'’.-]+$", before)
        word = m.group() if m else ""
        low = word.lower().rstrip(".")
        if not word or not (word[0].isupper() or low in _TITLE_WORDS or low in _ROLE_MODIFIERS):
            break
        before = before[: m.start()].rstrip(" ,—–-")
    return before.endswith('"') or bool(re.match(r"\s*[:,—–-]?\s*\"", text[end:]))


MAX_CARRY = 3  # a pronoun refers back at most this many sentences to its speaker


@dataclass
class _Recent:
    person: int
    sentence: int


def _role_person(role: str, people: list[Person], seen: set[int]) -> int:
    """The one person mentioned so far whose titles fit a role phrase, else -1."""
    scores = sorted(((_role_score(role, people[p]), p) for p in seen), reverse=True)
    if scores and scores[0][0] >= RESOLVE_THRESHOLD and (
        len(scores) == 1 or scores[1][0] < scores[0][0] - 0.02
    ):
        return scores[0][1]
    return -1


def find_statements(
    sentences: Sequence[str], paragraphs: Sequence[int] | None = None
) -> list[Statement]:
    """Sentences said by a named person, in article order (at most one speaker per sentence).

    Rules, in order, per sentence:

    1. Quoted text is blanked first, so verbs and names inside a quotation never count.
    2. The first speech or attitude verb outside quotes (said, told, added, stressed,
       noted, explained, welcomed, praised, expressed, "meant that", ...) whose subject can
       be classified decides the sentence. Its subject is read backwards from the verb
       (skipping adverbs, auxiliaries and parentheticals such as ", for his part,"), or
       forwards for inverted attribution (``“...,” said Shoygu``):
       a named person -> "reported" (or "direct" if the quotation touches the attribution);
       he/she/his press office/her spokesman -> "pronoun", the most recent speaker or named
       subject within :data:`MAX_CARRY` sentences (gender-compatible when known);
       "the Russian minister" -> "pronoun", the one person seen so far with a fitting title;
       an organisation, document or group ("the statement said", "the Russian Ministry of
       Defense said", "the leaders have accused") -> no statement, and the carry-over is
       cleared so a later "he" is not given to the wrong person.
    3. Otherwise "According to X, ..." attributes the sentence to X when X is a person.
    4. A sentence inside a quotation spanning several sentences takes the speaker of the
       attribution found in that quotation ("direct", or "pronoun" if found by pronoun).
    5. A non-statement sentence whose subject is a named person ("Shoygu met with ...")
       becomes the new carry-over target.

    A quotation alone is not a statement: a word in quotes inside narration counts only
    through a verb linking it to its subject (``Shoigu welcomed ... “strategic” ...``).
    """
    if paragraphs is not None and len(paragraphs) != len(sentences):
        raise ValueError(
            f"paragraphs has {len(paragraphs)} entries but there are {len(sentences)} "
            "sentences; pass one paragraph number per sentence, or None"
        )
    people, mentions = _analyse(sentences)
    by_sentence: dict[int, list[_Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    masked, groups = _mask_quotes(sentences, paragraphs)
    gender: dict[int, str] = {}
    for p, person in enumerate(people):
        for title in person.titles:
            first = title.split()[0].rstrip(".").lower()
            if first in _MALE or first in _FEMALE:
                gender[p] = "m" if first in _MALE else "f"

    found: dict[int, tuple[int, str, str]] = {}  # sentence -> (person, kind, verb)
    recent: list[_Recent] = []
    seen: set[int] = set()

    def push(person: int, i: int) -> None:
        recent[:] = [r for r in recent if r.person != person]
        recent.insert(0, _Recent(person, i))

    for i, text in enumerate(masked):
        here = [m for m in by_sentence.get(i, []) if text[m.start : m.end] == m.form]
        seen.update(m.person for m in here)
        for m in here:  # "for his part" right after a name tells the gender
            part = re.match(r",\s*for (his|her) part", text[m.end :])
            if part:
                gender.setdefault(m.person, "m" if part.group(1) == "his" else "f")
        decided: tuple[int, str, str] | None = None
        group_speaker = False
        for vm in _VERB_RE.finditer(text):
            verb = vm.group(1)
            base = _VERB_BASE[verb.lower()]
            if base in _NEXT_WORD and not re.match(r"\s+" + _NEXT_WORD[base], text[vm.end():]):
                continue
            before = text[: vm.start()]
            if not verb.lower().endswith("ing") and re.search(
                r"\b(?:was|were|is|are|been|be|being)\s+(?:[a-z]+ly\s+)?$", before, re.IGNORECASE
            ):
                continue  # passive: "Weber was told ..." - Weber did not speak
            inverted = before.rstrip()[-1:] in (",", '"') or not before.strip()
            after_quote = before.rstrip(" ,—–-").endswith('"')
            subject = _subject_after(text[vm.end():], [
                _Mention(m.sentence, m.start - vm.end(), m.end - vm.end(), m.form, [], m.person)
                for m in here if m.start >= vm.end()
            ], after_quote) if inverted else _Subject("other")
            if subject.kind == "other":
                subject = _classify_tail(before, here)
            else:
                subject = _Subject(subject.kind, subject.person, subject.start + vm.end(),
                                   subject.end + vm.end(), subject.text, subject.gender)
            if subject.kind == "other":
                continue
            if subject.kind == "group":
                group_speaker = True
                break
            span = (min(subject.start, vm.start()), max(subject.end, vm.end()))
            direct = _touches_quote(text, *span)
            if subject.kind == "name":
                decided = (subject.person, "direct" if direct else "reported", verb)
                break
            if subject.kind == "role":
                p = _role_person(subject.text, people, seen)
                if p < 0:
                    group_speaker = True
                    break
                decided = (p, "pronoun", verb)
                break
            for r in recent:  # pronoun
                if i - r.sentence > MAX_CARRY:
                    break
                if gender.get(r.person, subject.gender) == subject.gender:
                    decided = (r.person, "pronoun", verb)
                    gender.setdefault(r.person, subject.gender)
                    break
            break
        if decided is None and not group_speaker:
            m = re.search(r"\baccording to\s+", text, re.IGNORECASE)
            if m:
                rest = text[m.end():]
                who = re.match(r"[^,;\"]*", rest).group().strip()
                for mention in here:
                    if mention.start == m.end() or (
                        mention.start > m.end() and mention.end - m.end() <= len(who)
                        and _clause_start_ok(text[: mention.start], mention.start)
                    ):
                        decided = (mention.person, "reported", "according to")
                        break
                if decided is None and re.match(r"(him|her)\b", rest, re.IGNORECASE):
                    g = "m" if rest[:3].lower() == "him" else "f"
                    for r in recent:
                        if i - r.sentence <= MAX_CARRY and gender.get(r.person, g) == g:
                            decided = (r.person, "pronoun", "according to")
                            break
        if decided is not None:
            found[i] = decided
            push(decided[0], i)
        elif group_speaker:
            recent.clear()
        else:
            for m in here:
                if _clause_start_ok(text, m.start):
                    push(m.person, i)
                    break
    for first, last in groups:
        attributed = [found[k] for k in range(first, last + 1) if k in found]
        if attributed:
            person, kind, verb = attributed[0]
            for k in range(first, last + 1):
                found.setdefault(k, (person, "pronoun" if kind == "pronoun" else "direct", verb))
    return [
        Statement(i, people[p].name, kind, verb)
        for i, (p, kind, verb) in sorted(found.items())
    ]


# --------------------------------------------------------------------------- queries


RESOLVE_THRESHOLD = 0.8  # person_matches score a person needs to count as the one asked about
_RANKS = _words("deputy vice first former acting assistant junior")
_QUERY_DROP = _words("the a an his her their its of for and")


def _role_words(text: str) -> list[str]:
    out = []
    for w in re.findall(r"[\w'’-]+", _fold(text)):
        w = w.removesuffix("'s").removesuffix("’s").rstrip(".")
        if w and w not in _QUERY_DROP:
            out.append(w)
    return out


def _is_role(words: list[str]) -> bool:
    return bool(words) and any(w in _TITLE_WORDS for w in words) and all(
        w in _TITLE_WORDS or w in _ROLE_MODIFIERS or w in _DEMONYMS or w in _PLACES
        or w in _STOP for w in words
    )


def _word_fits(q: str, t: str) -> bool:
    if q == t:
        return True
    if min(len(q), len(t)) >= 4 and (q.startswith(t) or t.startswith(q)):
        return True  # russia / russian, armenia's / armenian
    return token_similarity(q, t) >= TOKEN_MATCH  # defence / defense


def _role_score(role: str, person: Person) -> float:
    """How well a role phrase ("the Russian minister") fits one of the person's titles:
    every word of the role must be in the title; a rank the role does not ask for
    ("Deputy") rules the title out."""
    q = [w for w in _role_words(role) if w not in _STOP]
    if not q:
        return 0.0
    best = 0.0
    for title in person.titles:
        t = _role_words(title)
        if not t or not all(any(_word_fits(w, x) for x in t) for w in q):
            continue
        if any(x in _RANKS and not any(_word_fits(w, x) for w in q) for x in t):
            best = max(best, 0.5)
            continue
        matched = sum(1 for x in t if any(_word_fits(w, x) for w in q))
        best = max(best, 0.9 + 0.1 * matched / len(t))
    return best


CONFLICT = 0.3  # score of a full name whose first name contradicts the query's


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
    words = _role_words(query)
    if _is_role(words):
        return _role_score(query, person)
    parts = [
        t.text for t in _tokens(query)
        if t.text.lower() not in _PARTICLES and t.text.lower() not in _NOT_NAME
    ]
    if not parts:
        return 0.0
    query = parts[-4:]
    scores = [_form_score(query, _name_parts(f)) for f in (person.name, *person.aliases)]
    if len(query) > 1 and CONFLICT in scores:
        return CONFLICT  # "Ivan Shoigu" is not Sergei, whatever the surname-only aliases say
    return max(scores)


def resolve_speaker(query: str, people: Sequence[Person]) -> list[Person]:
    """The people a name or role names: all scoring at least :data:`RESOLVE_THRESHOLD`
    and within 0.05 of the best, best first. "Ohanian and Shoigu" resolves both."""
    parts = [p for p in re.split(r"\s*(?:,|&|\band\b)\s*", query) if p.strip()]
    if len(parts) > 1 and all(not _is_role(_role_words(p)) for p in parts):
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


_Q_VERBS = (
    r"(?:say|says|said|saying|tell|tells|told|telling|announce[ds]?|announcing|claim(?:s|ed)?"
    r"|warn(?:s|ed)?|add(?:s|ed)?|stress(?:es|ed)?|note[sd]?|explain(?:s|ed)?|praise[sd]?"
    r"|state[sd]?|argue[sd]?|insist(?:s|ed)?|deny|denie[sd]|suggest(?:s|ed)?|comment(?:s|ed)?"
    r"|report(?:s|ed)?|think|thinks|thought|believe[sd]?|describe[sd]?|mean|means|meant"
    r"|welcome[sd]?|critici[sz]e[sd]?|emphasi[sz]e[sd]?|reveal(?:s|ed)?|confirm(?:s|ed)?"
    r"|promise[sd]?|propose[sd]?|predict(?:s|ed)?|admit(?:s|ted)?|acknowledge[sd]?"
    r"|urge[sd]?|express(?:es|ed)?|repl(?:y|ies|ied)|respond(?:s|ed)?|accuse[sd]?"
    r"|declare[sd]?|underline[sd]?|recall(?:s|ed)?|write|writes|wrote|tweet(?:s|ed)?"
    r"|condemn(?:s|ed)?|hail(?:s|ed)?|reject(?:s|ed)?|vow(?:s|ed)?|pledge[sd]?)"
)
_Q_NOUNS = (
    r"(?:position|positions|view|views|statement|statements|stance|opinion|opinions|comment"
    r"|comments|remark|remarks|words|message|reaction|response|assessment|claim|claims"
    r"|argument|point|answer|take|verdict|explanation|proposal|warning|thoughts|quote|quotes)"
)
_NP = r"(?P<np>(?:[\w.'’-]+\s+){0,5}?[\w.'’-]+)"
_Q_PATTERNS = [
    re.compile(r"\baccording to\s+(?P<np>[^,?]+?)\s*(?:,|\?|$)", re.IGNORECASE),
    re.compile(r"\b(?:(?:what|how|which)\s+(?:was|is|were|are|has been|had been)|what['’]s)\s+"
               + _NP
               + r"['’]s?\s+" + _Q_NOUNS + r"\b", re.IGNORECASE),
    re.compile(r"\b" + _Q_NOUNS + r"\s+(?:of|by|from)\s+" + _NP
               + r"\s*(?:\bon\b|\babout\b|\bregarding\b|\btowards?\b|\bconcerning\b|\?|$)",
               re.IGNORECASE),
    re.compile(r"\b" + _Q_VERBS + r"\s+by\s+" + _NP
               + r"\s*(?:\babout\b|\bon\b|\bregarding\b|\bto\b|\bin\b|\?|$)", re.IGNORECASE),
    re.compile(r"\b(?:did|does|do|has|have|had|was|were|is|are|will|would|could|can|might"
               r"|should)\s+" + _NP + r"\s+(?:(?:also|ever|not|publicly|actually|really"
               r"|recently|previously|first|just|later|quoted as|have to|had to|reportedly)\s+)*"
               + _Q_VERBS + r"\b", re.IGNORECASE),
    re.compile(r"^(?:what|how|why|when|where)\s+" + _NP + r"\s+" + _Q_VERBS + r"\b",
               re.IGNORECASE),
    re.compile(r"^" + _NP + r"\s+" + _Q_VERBS + r"\b", re.IGNORECASE),
]
_NOT_SPEAKER = _words("""
who what which whom anyone anybody someone somebody everyone everybody nobody people one
they them it you i we he she him her there this that these those
""")
_NP_LEAD = re.compile(r"^(?:.*\b(?:that|which|who|what)\s+)", re.IGNORECASE)
_NP_TRAIL = re.compile(r"(?:\s+(?:also|ever|not|publicly|actually|really|recently|quoted as"
                       r"|first|just))+$", re.IGNORECASE)


_CLAUSE_WORDS = frozenset(
    "what when where why how which who whom whose happened happen happens if after before "
    "while because".split()
)


def speaker_in_question(question: str) -> str | None:
    """The person or role a question asks the words of, as written, else None.

    "What did Ohanian say?" -> "Ohanian"; "what has Sergei Shoigu told reporters" ->
    "Sergei Shoigu"; "What did the Russian minister say?" -> "the Russian minister";
    "According to Hasanov, ...?" -> "Hasanov"; "What was Shoigu's position?" -> "Shoigu";
    "Who said ...?" and "How many officers?" -> None.
    """
    q = question.strip()
    for pattern in _Q_PATTERNS:
        m = pattern.search(q)
        if not m:
            continue
        np = _NP_TRAIL.sub("", _NP_LEAD.sub("", m.group("np").strip())).strip(" ,.?")
        if np.lower().startswith(("what ", "how ", "why ", "when ", "where ", "which ")):
            continue
        words = np.lower().split()
        if not words or words[0] in _NOT_SPEAKER or words[-1] in _NOT_SPEAKER:
            continue
        if any(w in ("did", "does", "do", "has", "have", "was", "is") for w in words):
            continue
        # "What happened when the Office of ... says?": a clause, not a speaker.
        if any(w in _CLAUSE_WORDS for w in words):
            continue
        return np
    return None
