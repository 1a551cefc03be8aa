"""What kind of news question this is, read from its wording (no language model).

People ask a news service more than reading-comprehension questions:

* ``event`` — "What happened in Myanmar?", "What's the news on the Louvre robbery?",
  "Tell me about the Gaza ceasefire": a dated digest, one line a story
  (``qa.answer.digest``);
* ``development`` — "How has the Gaza ceasefire developed?", "What's new on X?", "What is
  the latest on X?": the same digest, read as a timeline;
* ``latest`` — "What is the latest death toll …?" (``qa.timeexpr.wants_latest`` with
  something asked for): the newest report first, with its date, earlier ones as history;
* ``statements`` — "What has X said (about Y)?", "What did X say …?": X's statements grouped
  by date, newest first (``qa.answer.statements``);
* ``fact`` — everything else: the best few sentences (``qa.answer.select``).

The time words of a question are read elsewhere (``qa.timeexpr``); the kind is read from
the question without them, so "What happened in Gaza in January 2025?" asks about "Gaza".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.timeexpr import wants_latest

KINDS = ("fact", "event", "development", "latest", "statements")
DIGEST_KINDS = ("event", "development")

_APOSTROPHE = "['’]"
_IS = rf"(?:{_APOSTROPHE}s|\s+is|\s+was)"
_ABOUT = r"(?:in|with|to|at|on|around|inside|about|regarding|concerning|for|from|over|of)"
# The topic runs to the end of the question (its time words already taken out).
_TOPIC = r"(?P<topic>.+?)"
_END = r"\s*[?.!]*\s*$"
_EVENT_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # What happened in/with/to X? What has been happening in X? What is going on in X?
        rf"^(?:so\s+|and\s+)?what(?:{_IS}|\s+has|\s+had|\s+have)?\s+(?:been\s+)?"
        rf"(?:happened|happening|going\s+on|took\s+place|occurred)"
        rf"(?:\s+{_ABOUT}\s+{_TOPIC})?{_END}",
        # What's the news on X? What was in the news about X? Any news on X? News about X
        rf"^(?:what{_IS}\s+(?:the\s+)?|any\s+|is\s+there\s+any\s+|what\s+was\s+in\s+the\s+)?"
        rf"(?:latest\s+)?news\s+(?:{_ABOUT})\s+{_TOPIC}{_END}",
        # Tell me about X; give me the news on X; brief me on X; catch me up on X
        rf"^(?:please\s+)?(?:tell\s+me|give\s+me|brief\s+me|catch\s+me\s+up|update\s+me)"
        rf"\s+(?:(?:all|more|the\s+news|the\s+story|the\s+latest)\s+)?(?:on|about|with)\s+"
        rf"{_TOPIC}{_END}",
        # What events/stories were there about X?
        rf"^what\s+(?:events|stories|news\s+stories)\s+(?:were\s+there\s+|are\s+there\s+)?"
        rf"(?:{_ABOUT})\s+{_TOPIC}{_END}",
    )
)
_DEVELOPMENT_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # How has X developed / evolved / unfolded? How did X play out?
        rf"^how\s+(?:has|have|had|did|is|are)\s+(?:the\s+(?:story|situation)\s+(?:of|in|"
        rf"with|around)\s+)?{_TOPIC}\s+(?:developed|develop|developing|evolved|evolve|"
        rf"evolving|unfolded|unfold|unfolding|progressed|progress|changed|change|played\s+"
        rf"out|play\s+out|moved\s+on)(?:\s+(?:so\s+far|since|lately|over\s+time)"
        rf".*)?{_END}",
        # What's new on X (since …)? What is the latest on X? What's the latest with X?
        rf"^what{_IS}\s+(?:new|the\s+latest|the\s+latest\s+news|the\s+update|the\s+status)"
        rf"\s+(?:{_ABOUT})\s+{_TOPIC}(?:\s+since\b.*)?{_END}",
        # Any updates on X? Updates on X; A timeline of X
        rf"^(?:any\s+)?(?:updates?|developments?|(?:a\s+|the\s+)?timeline)\s+(?:{_ABOUT})\s+"
        rf"{_TOPIC}{_END}",
    )
)
# "What has X said …?", "What have officials been saying …?"
_STATEMENTS = re.compile(
    r"^what\s+(?:has|have|had)\s+(?P<who>.+?)\s+(?:been\s+)?(?:said|saying|stated|claimed|"
    r"told|announced)\b(?:\s+(?:about|on|regarding|of)\s+(?P<topic>.+?))?" + _END,
    re.IGNORECASE,
)
_SAID = re.compile(r"^what\s+did\s+(?P<who>.+?)\s+(?:say|state|claim)\b", re.IGNORECASE)
# Words that leave nothing to ask about when they are all a topic is.
_EMPTY_TOPIC = re.compile(
    r"^(?:it|that|this|there|then|today|now|lately|recently|the\s+world|the\s+news)?$",
    re.IGNORECASE,
)


# "What happened to the rate of flow in the Rhine during the straightening program?" asks
# for a fact, not the news on a topic: a topic after "to" is at most this many words.
MAX_WHAT_HAPPENED_TO_WORDS = 5
# A latest-value question is short ("What is the latest death toll from X?"); a long one
# that says "latest" in passing ("…Chris Hammer's latest book…") asks something else.
MAX_LATEST_WORDS = 20
_TO_TOPIC = re.compile(r"\b(?:happened|happening|going\s+on)\s+to\s+(?P<rest>.+)$", re.I)


@dataclass(frozen=True)
class NewsQuestion:
    """A question's kind and what it asks about: ``topic`` for a digest ("" for "What
    happened?" over a period), ``who`` for statements."""

    kind: str
    topic: str = ""
    who: str = ""


def news_question(question: str) -> NewsQuestion:
    """The kind of ``question`` (its time words already removed), see the module docstring."""
    text = " ".join(question.split())
    for pattern in _DEVELOPMENT_PATTERNS:
        match = pattern.match(text)
        if match and not _EMPTY_TOPIC.match(_topic(match)):
            return NewsQuestion("development", _topic(match))
    for pattern in _EVENT_PATTERNS:
        match = pattern.match(text)
        if match:
            topic = _topic(match)
            to = _TO_TOPIC.search(text)
            if to and len(to.group("rest").split()) > MAX_WHAT_HAPPENED_TO_WORDS:
                break
            return NewsQuestion("event", "" if _EMPTY_TOPIC.match(topic) else topic)
    said = _STATEMENTS.match(text) or _SAID.match(text)
    if said:
        return NewsQuestion("statements", (said.groupdict().get("topic") or "").strip(),
                            said.group("who").strip())  # fmt: skip
    if wants_latest(text) and len(text.split()) <= MAX_LATEST_WORDS:
        return NewsQuestion("latest")
    return NewsQuestion("fact")


def _topic(match: re.Match[str]) -> str:
    return (match.groupdict().get("topic") or "").strip(" ,;:")
