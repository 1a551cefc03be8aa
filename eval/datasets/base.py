"""The contract every dataset loader returns, and the rules that say when a passage is a hit.

Shaped like sentence-transformers' ``InformationRetrievalEvaluator(queries, corpus,
relevant_docs)``, with two differences forced by how our gold data is written: the relevant
items are *gold texts or article ids*, not chunk ids (chunks only exist once an index has cut
the articles), and each dataset brings the rule that decides whether a retrieved passage
contains one of its gold items.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from qa.records import Article

# hit(gold item, passage text, passage article id) -> does this passage retrieve that item?
HitRule = Callable[[str, str, str], bool]

# How MAP@10 is computed: "standard" is trec_eval's AP over the first 10 passages;
# "multihop-rag" is the MultiHop-RAG scorer's own formula (see eval.metrics.official_map).
MAP_RULES = ("standard", "multihop-rag")


@dataclass
class EvalSet:
    """One evaluation dataset, loaded.

    ``relevant[qid]`` lists the gold items of an answerable question: exact sentences
    (sample), supporting facts (multihop-rag) or article ids (squad2); ``hit_rule`` decides
    whether a retrieved passage contains one. ``unanswerable`` questions have no gold items;
    retrieval metrics skip them and abstention metrics use them.
    """

    name: str
    queries: dict[str, str]
    articles: list[Article]
    relevant: dict[str, list[str]]
    answers: dict[str, list[str]]  # short gold answers; empty when not extractive
    unanswerable: set[str]
    hit_rule: HitRule
    hit_rule_text: str  # one line for the report: what counts as a hit
    credit: str  # licence and citation line, printed in every report that uses the data
    map_rule: str = "standard"
    kinds: dict[str, str] = field(default_factory=dict)  # question type, for breakdowns
    note: str = ""  # what a reader must know to read the scores right
    # The corpus is the distractor pool itself (eval.pool): no separate +distractors run.
    corpus_is_pool: bool = False
    # Answers are dated digests, judged story by story against ``relevant`` (each gold item
    # a story's first sentence): story recall and precision, date order (eval.metrics).
    digest: bool = False
    # The page date of a question's gold item: a "latest" question is answered newest first
    # when its first citation is dated so ("Newest first").
    dates: dict[str, str] = field(default_factory=dict)
    # The date a question is asked on (YYYY-MM-DD), passed as ``today`` to retrieval and
    # ``ask``; a question without one is asked of the archive as it stands.
    asked_on: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.map_rule not in MAP_RULES:
            raise ValueError(f"map_rule {self.map_rule!r} is unknown; use one of {MAP_RULES}")
        unknown = (set(self.relevant) | self.unanswerable) - set(self.queries)
        if unknown:
            raise ValueError(f"{self.name}: judgements for unknown query ids {sorted(unknown)[:5]}")
        for qid in self.queries:
            if qid not in self.unanswerable and not self.relevant.get(qid):
                raise ValueError(
                    f"{self.name}: question {qid} has no gold items and is not marked "
                    "unanswerable; give it relevant items or mark it unanswerable"
                )

    @property
    def answerable(self) -> list[str]:
        """Ids of the questions with gold items, in file order."""
        return [qid for qid in self.queries if qid not in self.unanswerable]

    def limited(self, n: int | None) -> EvalSet:
        """The first ``n`` questions (all articles kept, so retrieval stays as hard)."""
        if n is None or n >= len(self.queries):
            return self
        keep = list(self.queries)[:n]
        kept = set(keep)
        return EvalSet(
            name=self.name,
            queries={q: self.queries[q] for q in keep},
            articles=self.articles,
            relevant={q: g for q, g in self.relevant.items() if q in kept},
            answers={q: a for q, a in self.answers.items() if q in kept},
            unanswerable=self.unanswerable & kept,
            hit_rule=self.hit_rule,
            hit_rule_text=self.hit_rule_text,
            credit=self.credit,
            map_rule=self.map_rule,
            kinds={q: t for q, t in self.kinds.items() if q in kept},
            note=self.note,
            corpus_is_pool=self.corpus_is_pool,
            digest=self.digest,
            dates={q: d for q, d in self.dates.items() if q in kept},
            asked_on={q: d for q, d in self.asked_on.items() if q in kept},
        )


# First words that name a question's type, checked in this order ("how many" before "how").
_KIND_WORDS = (
    ("how many", "how many"), ("how much", "how much"), ("who", "who"), ("whom", "who"),
    ("whose", "who"), ("when", "when"), ("what year", "when"), ("where", "where"),
    ("which", "which"), ("why", "why"), ("how", "how"), ("what", "what"),
)  # fmt: skip


def question_kind(question: str) -> str:
    """The question's type from its wh-word ("who", "when", "how many"...; "other" when it
    has none), for datasets whose questions carry no type of their own."""
    text = " ".join(re.findall(r"[a-z]+", question.casefold()))
    padded = f" {text} "
    for words, kind in _KIND_WORDS:
        if padded.startswith(f" {words} "):
            return kind
    # "In what year...", "The treaty was signed by whom?": the first wh-word anywhere.
    found = [
        (padded.find(f" {words} "), order, kind)
        for order, (words, kind) in enumerate(_KIND_WORDS)
        if f" {words} " in padded
    ]
    return min(found)[2] if found else "other"


def kinds_by_wh_word(queries: dict[str, str], unanswerable: set[str]) -> dict[str, str]:
    """Types for a dataset that has none of its own: the wh-word's (``question_kind``), the
    unanswerable questions one type of their own."""
    return {
        q: "unanswerable" if q in unanswerable else question_kind(text)
        for q, text in queries.items()
    }


def squash(text: str) -> str:
    """The MultiHop-RAG scorer's normalisation: spaces and newlines removed, nothing else."""
    return text.replace(" ", "").replace("\n", "")


def substring_hit(gold: str, passage_text: str, article_id: str) -> bool:
    """Official MultiHop-RAG rule: the gold fact, spaces and newlines removed, is a substring
    of the passage, spaces and newlines removed."""
    return squash(gold) in squash(passage_text)


def exact_substring_hit(gold: str, passage_text: str, article_id: str) -> bool:
    """The passage contains the gold sentence character for character."""
    return gold in passage_text


def same_article_hit(gold: str, passage_text: str, article_id: str) -> bool:
    """The passage comes from the gold article (``gold`` is an article id)."""
    return gold == article_id
