"""The words attribution is made of: which capitalised words are never names, which are
titles, organisations, places and demonyms, and the speech verbs.

One cohesive thing (word lists), so it is allowed its length. Every list is lower case.
The speech verbs are ONE lexicon (:data:`SPEECH_VERBS`, inflected by :func:`inflect`) used
both to find statements in articles and to read "What did X say?" questions; the few forms
and phrases only a question uses are listed and explained at :data:`QUESTION_ONLY_FORMS`
and :data:`QUESTION_ADVERBS`.
"""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    """A word set written as one whitespace-separated string."""
    return frozenset(text.split())


# --------------------------------------------------------------------------- not names

# Capitalised words that start sentences or clauses but are never names.
STOP_WORDS = words("""
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
MONTHS_DAYS = words("""
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
""")
# Months that are also names, accepted after a first name: "Theresa May".
NAME_MONTHS = frozenset(("May", "June", "April", "August"))  # as written, capitalised

# --------------------------------------------------------------------------- titles and roles

# Titles and role nouns that can stand before a name or head a role phrase.
TITLE_WORDS = words("""
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
ABBREVIATIONS = words("mr mrs ms dr gov sen rep gen lt col capt sgt prof st")
# Honorifics and titles that tell a person's gender, for "he"/"she" later on.
MALE = words("mr sir king prince lord")
FEMALE = words("mrs ms miss madam dame lady queen princess")
# Words that qualify a title: "First Deputy Defense Minister", "foreign affairs minister".
ROLE_MODIFIERS = words("""
defense defence foreign interior finance economy economic trade justice health education
energy agriculture transport culture home prime first deputy vice acting former assistant
senior top chief state general executive military army navy armed forces press national
security emergency emergencies environment labour labor industry development affairs
intelligence police public presidential opposition ruling party government federal regional
local supreme staff of the for and
""")
# Ranks a role query must ask for to match: "the defense minister" is not the deputy.
RANKS = words("deputy vice first former acting assistant junior")

# --------------------------------------------------------------------------- bodies and groups

# Organisation words: a capitalised run containing one is not a person.
ORG_WORDS = words("""
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
GROUP_NOUNS = words("""
statement statements ministry department office government officials official sources source
report reports communique release agency kremlin army military police authorities leaders
diplomats analysts experts critics observers residents witnesses people media newspaper
television channel website embassy administration cabinet parliament committee council party
group company spokesman spokeswoman spokesperson spokespeople representatives officers
declaration document letter announcement website observers protesters activists lawmakers
they it side delegation
""")

# --------------------------------------------------------------------------- places

PLACES = words("""
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
DEMONYMS = words("""
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
# A country's adjective that is not its name plus an ending ("France" / "French"): a report
# about "the French president" is about France (qa.mentions reads the regular ones by prefix).
COUNTRY_ADJECTIVES = {
    "afghanistan": "afghan", "argentina": "argentine argentinian", "azerbaijan": "azeri",
    "belgium": "belgian", "britain": "british", "burma": "burmese", "canada": "canadian",
    "china": "chinese", "croatia": "croat", "cyprus": "cypriot", "czechia": "czech",
    "denmark": "danish", "england": "english", "finland": "finnish", "france": "french",
    "germany": "german", "greece": "greek", "ireland": "irish", "kazakhstan": "kazakh",
    "kyrgyzstan": "kyrgyz", "lebanon": "lebanese", "madagascar": "malagasy", "malta": "maltese",
    "mexico": "mexican", "morocco": "moroccan", "netherlands": "dutch", "norway": "norwegian",
    "philippines": "filipino", "poland": "polish",
    "scotland": "scottish", "serbia": "serb", "slovakia": "slovak", "somalia": "somali",
    "spain": "spanish", "sweden": "swedish", "switzerland": "swiss", "tajikistan": "tajik",
    "thailand": "thai", "turkey": "turkish", "turkmenistan": "turkmen",
    "uzbekistan": "uzbek", "wales": "welsh",
}  # fmt: skip

# --------------------------------------------------------------------------- name pieces

NOT_NAME = STOP_WORDS | MONTHS_DAYS | TITLE_WORDS | ORG_WORDS | PLACES | DEMONYMS
# Lower-case particles inside names: "Ursula von der Leyen", "Muammar al-Qadhafi".
PARTICLES = words("de da di del della van von der den bin ibn al el le la du dos das ter")
QUOTES = "“”\"«»„‟"


def is_role_word(word: str) -> bool:
    """Can this lower-case word be part of a role phrase ("Armenian Defense Minister")?"""
    return (
        word in TITLE_WORDS or word in ROLE_MODIFIERS or word in DEMONYMS or word in PLACES
    )


# --------------------------------------------------------------------------- speech verbs

# Base forms; inflections come from :func:`inflect`. Attitude verbs (welcome, praise,
# criticise, express...) count too: in news they report a stance as much as "said" does.
SPEECH_VERBS = (
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
    # No bare "mean"/"think" and no "-ing" form in articles: see QUESTION_ONLY_FORMS.
    "mean": ("means", "meant"),
    "think": ("thinks", "thought"),
    "admit": ("admit", "admits", "admitted", "admitting"),
    "quip": ("quip", "quips", "quipped", "quipping"),
}
# Verbs that report speech only with a particular next word ("pointed out", "meant that"):
# base -> regular expression the words after the verb must start with.
NEXT_WORD = {
    "point": r"out\b",
    "call": r"(?:for|on|upon)\b",
    "speak": r"(?:of|about|out)\b",
    "mean": r"that\b",
    "think": r"that\b",
    "ask": r"(?:whether|if|why|how|what|for)\b",
}


def inflect(base: str) -> tuple[str, ...]:
    """The forms of a speech verb used in articles: base, -s, past, -ing."""
    if base in _IRREGULAR:
        return _IRREGULAR[base]
    if base.endswith("e"):
        return (base, base + "s", base + "d", base[:-1] + "ing")
    if base.endswith("y") and base[-2] not in "aeiou":
        return (base, base[:-1] + "ies", base[:-1] + "ied", base + "ing")
    if base.endswith(("ss", "sh", "ch", "x")):
        return (base, base + "es", base + "ed", base + "ing")
    return (base, base + "s", base + "ed", base + "ing")


VERB_BASE = {form: base for base in SPEECH_VERBS for form in inflect(base)}  # form -> base
SPEECH_VERB_FORMS = frozenset(VERB_BASE)  # every form of every speech verb, lowercase


def reports_speech(form: str, after: str) -> bool:
    """Does this speech-verb form, followed by the text ``after``, report speech? A verb in
    :data:`NEXT_WORD` needs its next word: "pointed out" does, "pointed at" does not."""
    base = VERB_BASE.get(form.lower())
    if base is None:
        return False
    return base not in NEXT_WORD or bool(re.match(r"\s+" + NEXT_WORD[base], after))


# Question-only forms. A question puts "think" and "mean" in their bare form and asks for the
# clause that would follow, so "that" is missing: "What does Shoigu think of Azerbaijan?",
# "What did Ohanian mean?". In articles a bare "think"/"mean" is mostly a plural or
# first-person subject ("analysts think that", "this would mean that"), so statement
# finding leaves them out. Base -> forms added for questions.
QUESTION_ONLY_FORMS = {"mean": ("mean",), "think": ("think",)}
# For the same reason these two need no next word in a question.
FREE_IN_QUESTIONS = frozenset(QUESTION_ONLY_FORMS)
# Words and phrases a question may put between the speaker and the speech verb, or after the
# speaker: "Did Shoigu also explain ...", "Is Hasanov quoted as saying ...", "What did Shoigu
# have to say?", "Has Ohanian been saying ...".
QUESTION_ADVERBS = (
    "also", "ever", "not", "publicly", "actually", "really", "recently", "previously", "first",
    "just", "later", "quoted as", "have to", "had to", "reportedly", "been",
)


def question_verb_pattern(progressive: bool = True) -> str:
    """A regular expression (one group-free alternation) for a speech verb in a question:
    every form of :data:`SPEECH_VERBS` plus :data:`QUESTION_ONLY_FORMS`, a :data:`NEXT_WORD`
    verb followed by its next word unless it is :data:`FREE_IN_QUESTIONS`. Without
    ``progressive`` the "-ing" forms are left out (after "did", "has", "will" ... a verb is
    not in its "-ing" form: in "Did the article from Fortune reporting ..." nobody speaks)."""
    alternatives = []
    for base in SPEECH_VERBS:
        forms = inflect(base) + QUESTION_ONLY_FORMS.get(base, ())
        if not progressive:
            forms = tuple(f for f in forms if not f.endswith("ing"))
        verb = "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"
        if base in NEXT_WORD and base not in FREE_IN_QUESTIONS:
            verb += r"\s+" + NEXT_WORD[base]
        alternatives.append(verb)
    return "(?:" + "|".join(alternatives) + ")"
