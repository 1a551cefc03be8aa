"""Questions: is this a "what did X say" question, and who is X?"""

from __future__ import annotations

import re

from qa.speakers.lexicon import words

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
_NOT_SPEAKER = words("""
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
        found = np.lower().split()
        if not found or found[0] in _NOT_SPEAKER or found[-1] in _NOT_SPEAKER:
            continue
        if any(w in ("did", "does", "do", "has", "have", "was", "is") for w in found):
            continue
        # "What happened when the Office of ... says?": a clause, not a speaker.
        if any(w in _CLAUSE_WORDS for w in found):
            continue
        return np
    return None
