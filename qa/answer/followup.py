"""Follow-up questions in a conversation, resolved without a language model.

    "What did Ohanian say?"  ->  "What else did he say?"  =>  "What else did Seyran Ohanian say?"
    "What did Ohanian say?"  ->  "And Hasanov?"           =>  "What did Hasanov say?"
    "How many officers ...?" ->  "When was that?"         =>  asked of the articles just cited

The rules look only at the previous turns' questions and answers (the last person quoted,
the articles cited); the resolved question is shown to the user so a wrong guess is visible.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.records import Answer
from qa.speakers import speaker_in_question

_PRONOUN = r"(?:he|she|they|him|her|them)"
_PRONOUN_SPEAKER = re.compile(rf"^{_PRONOUN}$", re.IGNORECASE)
_PRONOUN_WORD = re.compile(rf"\b{_PRONOUN}\b", re.IGNORECASE)
_AND_X = re.compile(
    r"^\s*(?:and|what about|how about|and what about|same for|and for)\s+(?P<x>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(r"\b(?:that|this|it|then|there|those|these)\b", re.IGNORECASE)
_ELSE = re.compile(r"\b(?:else|more|other|also)\b", re.IGNORECASE)
_LEADING_FUNCTION_WORDS = re.compile(
    r"^(?:(?:in|at|on|for|from|to|about|with|by|of|the|a|an)\s+)+(?=\S)", re.IGNORECASE
)


@dataclass(frozen=True)
class Resolved:
    question: str  # what to answer (equal to the asked question when nothing was resolved)
    article_ids: tuple[str, ...] = ()  # restrict to these articles ("When was that?")
    exclude: frozenset[tuple[str, int]] = frozenset()  # (article id, sentence) already given

    def changed(self, asked: str) -> bool:
        return self.question != asked or bool(self.article_ids)


def resolve(question: str, history: Sequence[Answer]) -> Resolved:
    if not history:
        return Resolved(question)
    last = history[-1]
    previous = last.resolved_question or last.question
    speaker = last_speaker(history)

    if speaker and _PRONOUN_WORD.search(question):
        # "What else did he say?": put the last speaker in place of the pronoun and keep the
        # result only if it now reads as a question about what that person said.
        resolved = _PRONOUN_WORD.sub(speaker, question, count=1)
        if speaker_in_question(resolved):
            exclude = _cited_for(history, speaker) if _ELSE.search(question) else frozenset()
            return Resolved(resolved, exclude=exclude)

    match = _AND_X.match(question)
    if match:
        other = match.group("x").strip()
        previous_speaker = speaker_in_question(previous)
        if previous_speaker:
            # "What else did Ohanian say?" -> "And Hasanov?" asks for all of Hasanov's words.
            fresh = re.sub(r"\s+else\b", "", previous, count=1, flags=re.IGNORECASE)
            return Resolved(_replace_once(fresh, previous_speaker, other))
        subject = _last_name(previous)
        if subject:
            # "And in Thailand?" after "... died in the Myanmar earthquake?" swaps the name
            # only: the previous question already has its own preposition and article.
            name = _LEADING_FUNCTION_WORDS.sub("", other)
            return Resolved(_replace_once(previous, subject, name))
        return Resolved(f"{previous.rstrip('?')} — {other}?")

    words = re.findall(r"\w+", question)
    if len(words) <= 6 and _ANAPHORA.search(question) and last.citations:
        cited = tuple(dict.fromkeys(c.article.id for c in last.citations))
        topic = " ".join(c.sentence for c in last.citations[:2])
        return Resolved(f"{question.rstrip('?')}? ({topic})", article_ids=cited)
    return Resolved(question)


def last_speaker(history: Sequence[Answer]) -> str:
    """The person most recently quoted, or named as the speaker in a question."""
    for turn in reversed(history):
        if turn.speaker:
            return turn.speaker
        named = speaker_in_question(turn.resolved_question or turn.question)
        if named and not _PRONOUN_SPEAKER.match(named):
            return named
    return ""


def _cited_for(history: Sequence[Answer], speaker: str) -> frozenset[tuple[str, int]]:
    return frozenset(
        (c.article.id, c.sentence_index)
        for turn in history
        if turn.speaker == speaker
        for c in turn.citations
    )


def _replace_once(text: str, old: str, new: str) -> str:
    return re.sub(re.escape(old), new, text, count=1, flags=re.IGNORECASE)


def _last_name(question: str) -> str:
    """The last capitalised name in a question (not its first word), e.g. "Hasanov"."""
    names = re.findall(r"(?<!^)\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*", question.strip())
    return names[-1] if names else ""
