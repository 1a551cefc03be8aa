"""The news-quiz paraphrase rule: a question may not copy a run of 4 words from its item.

Names and numbers are exempt, because a quiz question has to name the people, places and
figures its item names. Precisely:

1. Both texts are cut into word tokens (``\\w+``, an apostrophe inside a word keeps it whole:
   "Iran's"); the item's trailing source credits ("(AP)") are removed first.
2. A token of the item is a *name* when it appears in the item with a capital first letter
   somewhere other than at the start of a sentence, or with a capital letter after its first
   ("McGrath", "IRGC"). A word capitalised only because it opens a sentence ("The", "Four")
   is not a name.
3. A token is a *number* when it contains a digit or is a number word ("nine", "hundred").
4. Both token sequences are lowercased and every name (of the item) and every number is
   dropped from both.
5. The question breaks the rule when any 4 consecutive tokens of its remaining sequence
   also occur as 4 consecutive tokens of the item's remaining sequence, unless all 4 are
   stop words (Lucene's English list, as bm25s ships it: "a", "of", "the", ...), because a
   run like "of the of the" is left over from dropped names, not copied wording.
"""

from __future__ import annotations

import re

from bm25s.stopwords import STOPWORDS_EN

from eval.tools.news_quiz_items import split_credits

N = 4
_WORD = re.compile(r"\w+(?:['’]\w+)*")
# A sentence opens at the start of the text or after ., ! or ? (maybe with a closing quote or
# bracket) followed by space.
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?][\"”’)\]]*\s+)[\"“‘(\[]*$")
STOP_WORDS = frozenset(STOPWORDS_EN)
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred hundreds thousand thousands million millions billion billions "
    "trillion dozen dozens first second third fourth fifth sixth seventh eighth ninth tenth".split()
)


def _is_number(token: str) -> bool:
    return any(ch.isdigit() for ch in token) or token.lower() in NUMBER_WORDS


def names_in(item: str) -> set[str]:
    """Lowercased tokens the item writes as names (rule 2)."""
    names: set[str] = set()
    for match in _WORD.finditer(item):
        token = match.group()
        if not token[0].isupper() and not any(ch.isupper() for ch in token[1:]):
            continue
        sentence_opening = _SENTENCE_OPENING.search(item[: match.start()]) is not None
        if not sentence_opening or any(ch.isupper() for ch in token[1:]):
            names.add(token.lower())
    return names


def content_tokens(text: str, names: set[str]) -> list[str]:
    """Lowercased tokens of ``text`` without the given names and without numbers (rule 4)."""
    tokens = (t.lower() for t in _WORD.findall(text))
    return [t for t in tokens if t not in names and not _is_number(t)]


def _ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def copied_runs(question: str, item: str, n: int = N) -> list[str]:
    """The runs of ``n`` words the question copies from the item (empty: the rule holds)."""
    report, _credits = split_credits(item)
    names = names_in(report)
    item_grams = set(_ngrams(content_tokens(report, names), n))
    question_grams = _ngrams(content_tokens(question, names), n)
    return [
        " ".join(gram)
        for gram in question_grams
        if gram in item_grams and not all(token in STOP_WORDS for token in gram)
    ]
