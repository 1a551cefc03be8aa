"""Questions: is this a "what did X say" question, and who is X?

The speech verbs are those of ``qa.speakers.lexicon`` (the same verbs statement finding
uses), plus the question-only forms documented there. The speaker is the noun phrase a
pattern finds next to a verb or a noun of speech ("What was Shoigu's position?").
"""

from __future__ import annotations

import re

from qa.speakers.lexicon import QUESTION_ADVERBS, question_verb_pattern, words

# Every speech verb of the one lexicon, in every form, plus the bare "think"/"mean" a
# question uses ("What does Shoigu think of ...?").
_Q_VERBS = question_verb_pattern()
# After "did", "has", "will" ... a verb is in its "-ing" form only after "been" or "quoted
# as" ("Has Hasanov been quoted as saying ..."); after "is"/"was" any form goes.
_Q_VERBS_AFTER_DO = (
    "(?:" + question_verb_pattern(progressive=False)
    + r"|(?:(?<=\bbeen\s)|(?<=\bas\s))" + _Q_VERBS + ")"
)
# Words a question may put between the speaker and the verb, or leave after the speaker.
_ADVERBS = "(?:" + "|".join(a.replace(" ", r"\s+") for a in QUESTION_ADVERBS) + ")"
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
    re.compile(r"\b(?:(?P<be>was|were|is|are)|did|does|do|has|have|had|will|would|could|can"
               r"|might|should)\s+" + _NP + r"\s+(?:" + _ADVERBS + r"\s+)*"
               r"(?(be)" + _Q_VERBS + "|" + _Q_VERBS_AFTER_DO + r")\b", re.IGNORECASE),
    re.compile(r"^(?:what|how|why|when|where)\s+" + _NP + r"\s+" + _Q_VERBS + r"\b",
               re.IGNORECASE),
    re.compile(r"^" + _NP + r"\s+" + _Q_VERBS + r"\b", re.IGNORECASE),
]
_NOT_SPEAKER = words("""
who what which whom anyone anybody someone somebody everyone everybody nobody people one
they them it you i we he she him her there this that these those
""")
_NP_LEAD = re.compile(r"^(?:.*\b(?:that|which|who|what)\s+)", re.IGNORECASE)
_NP_TRAIL = re.compile(r"(?:(?:^|\s+)" + _ADVERBS + ")+$", re.IGNORECASE)
# A speaker does not end on a determiner, preposition or "be": "Was the reporting on ...",
# "What will be assured ...", "... BSkyB offer besides Video on Demand" are no speakers; nor
# on a word that dates a figure ("What is the latest reported death toll?" asks for a toll,
# not for what "the latest" reported), nor on the figures themselves ("According to the
# latest figures, how many ...?").
_NOT_SPEAKER_END = _NOT_SPEAKER | words("""
the a an be of for to with by from at in on about against than between among via besides
into onto over under latest newest recent current first last previous earliest final
initial initially originally figures data statistics estimates numbers tally""")


# "Which newspaper reported …?", "Whose office said …?": the question asks who spoke.
_ASKS_WHO = re.compile(r"^\s*(?:which|whose)\s+\S", re.IGNORECASE)

_CLAUSE_WORDS = frozenset(
    "what when where why how which who whom whose happened happen happens if after before "
    "while because".split()
)


def speaker_in_question(question: str) -> str | None:
    """The person or role a question asks the words of, as written, else None.

    "What did Ohanian say?" -> "Ohanian"; "what has Sergei Shoigu told reporters" ->
    "Sergei Shoigu"; "What did the Russian minister say?" -> "the Russian minister";
    "According to Hasanov, ...?" -> "Hasanov"; "What was Shoigu's position?" -> "Shoigu";
    "Who said ...?", "Which newspaper reported ...?" (it asks who) and "How many officers?"
    -> None.
    """
    q = question.strip()
    for pattern in _Q_PATTERNS:
        m = pattern.search(q)
        if not m:
            continue
        if _ASKS_WHO.match(m.group("np")):
            return None  # "Which minister said …?": the speaker is what is asked for
        np = _NP_TRAIL.sub("", _NP_LEAD.sub("", m.group("np").strip())).strip(" ,.?")
        if np.lower().startswith(("what ", "how ", "why ", "when ", "where ", "which ")):
            continue
        found = np.lower().split()
        if not found or found[0] in _NOT_SPEAKER or found[-1] in _NOT_SPEAKER_END:
            continue
        if any(w in ("did", "does", "do", "has", "have", "was", "is") for w in found):
            continue
        # "What happened when the Office of ... says?": a clause, not a speaker.
        if any(w in _CLAUSE_WORDS for w in found):
            continue
        return np
    return None


# A question that asks for a thing its source said, not for the words themselves: "Which area
# did Puntland officials say they had retaken?", "How many people had died, according to the
# report?", "Near which city did the army claim …?", "What area did the army say it took?".
# Its source is where the answer comes from, not what the answer is.
_SOURCE_LEAD = re.compile(r"^\s*according\s+to\s+[^,?]+,\s*", re.IGNORECASE)
_AUXILIARY = r"(?:did|does|do|has|have|had|was|were|is|are|will|would|could|can|should|might)"
_NOT_A_THING = (
    r"(?:else|exactly|more|then|now|again|really|precisely|specifically|further|other|new"
    r"|next|also)"
)
_ASKS_FOR_A_THING = re.compile(
    r"^\s*(?:(?:in|near|at|on|from|to|by|for|of|during|since|with|under)\s+)?"
    r"(?:which|where|when|who|whom|whose|how\s+(?:many|much|long|far|old|large|big|often)"
    # "What area did …", "What kind of weapons did …"; not "What did …", "What else did …"
    rf"|what\s+(?!{_AUXILIARY}\b|{_NOT_A_THING}\b)\w+(?:\s+\w+){{0,2}}?\s+{_AUXILIARY})\b",
    re.IGNORECASE,
)


def asks_for_a_fact(question: str) -> bool:
    """Does ``question`` ask for a thing (a place, a number, a name) that someone said,
    rather than for what they said? ("Which area did officials say they had retaken?": yes;
    "What did Ohanian say?", "What was Shoigu's position?": no.)"""
    return bool(_ASKS_FOR_A_THING.match(_SOURCE_LEAD.sub("", question)))
