"""Words: the one vocabulary that keyword search, answer scoring and duplicate detection share.

Two levels, one tokenizer:

* ``words(text)`` — every word, Unicode-normalised (NFKC) and lowercased, punctuation dropped
  (``\\w+`` runs: "Shoigu's" -> "shoigu", "s"; curly and straight quotes, dashes and commas
  never matter). Duplicate detection shingles these: a shingle needs every word, stop words
  included, or "the minister said on Monday" and "a minister said Monday" would look alike.
* ``terms(text)`` — the content words of ``words(text)``, stemmed (Snowball English):
  stop words and single letters dropped (single digits kept: "5 officers"). BM25 indexes and
  queries these, and answer scoring measures keyword overlap with them, so a question's words
  match a sentence's the same way in both places.

The stop words are function words and question words ("what", "did", "how"): in a question
they carry no topic. Speech verbs ("said", "told") are kept: removing them too cost 0.01-0.03
MRR@10 on the sample and SQuAD (``python -m eval --systems bm25,hybrid``), and the answer step
drops them itself where a topic is wanted (``qa.answer.statements.topic_terms``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer

WORD = re.compile(r"\w+")

STOPWORDS = frozenset(
    """a an the of to in on at for by with from and or but is are was were be been being do does
    did done have has had will would shall should can could may might must what which who whom
    whose when where why how that this these those it its he she they them his her their we our
    you your i me my as about into than then there here not no so if also just very much many
    more most some any all each other such only own same too s""".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    """NFKC and lower case: the form every comparison of words starts from."""
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str) -> list[str]:
    """Every word of ``text``, normalised, in order (see the module docstring)."""
    return WORD.findall(normalise(text))


def _is_content(word: str) -> bool:
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit())


def terms(text: str) -> list[str]:
    """Stemmed content words of ``text``, in order, repeats kept (BM25 counts them)."""
    return _stemmer().stemWords([w for w in words(text) if _is_content(w)])


def terms_many(texts: Iterable[str]) -> list[list[str]]:
    """``terms`` of each text, stemming all their words in one call (indexing many chunks)."""
    kept = [[w for w in words(text) if _is_content(w)] for text in texts]
    flat = _stemmer().stemWords([w for row in kept for w in row])
    out, position = [], 0
    for row in kept:
        out.append(flat[position : position + len(row)])
        position += len(row)
    return out


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of distinct words two word lists have in common (0 when either is empty)."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)
