"""The systems compared side by side: a registry of named retrieval (and answer) functions.

Every system runs over the same index, so the same chunks, the same questions and the same k.
A new retrieval mode or a reranker is one ``register(...)`` call away::

    register(System("hybrid-rerank", "hybrid, then a cross-encoder", my_retrieve_fn))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from qa import Index
from qa.records import Answer, Passage

# (index, questions, k, the date they are asked on or None) -> passages per question
RetrieveFn = Callable[[Index, Sequence[str], int, date | None], list[list[Passage]]]
# (index, question, the date it is asked on or None) -> its answer
AnswerFn = Callable[[Index, str, date | None], Answer]


@dataclass(frozen=True)
class System:
    name: str
    description: str
    retrieve: RetrieveFn
    # None when the system cannot answer (a retrieval that ``Index.ask`` cannot be told to
    # use, such as an outside peer's).
    answer: AnswerFn | None = None


SYSTEMS: dict[str, System] = {}


def register(system: System) -> System:
    if system.name in SYSTEMS:
        raise ValueError(f"a system named {system.name!r} is already registered")
    SYSTEMS[system.name] = system
    return system


def get_systems(names: Sequence[str]) -> list[System]:
    """The systems named, in the order given; a clear error for an unknown name."""
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise ValueError(
            f"unknown system {', '.join(map(repr, unknown))}; choose from: {', '.join(SYSTEMS)}"
        )
    return [SYSTEMS[n] for n in dict.fromkeys(names)]


def mode_system(name: str, mode: str, description: str) -> System:
    """A system that is one of ``Index.retrieve_many``'s modes (and ``Index.ask``'s).

    Questions are read as ``python -m qa retrieve`` reads them: time words ("in June 2026",
    "last week") become a date filter first (``Index.interpret_time``), relative to the date
    they are asked on when one is given. Questions without any are retrieved in one batch."""

    def retrieve(
        index: Index, questions: Sequence[str], k: int, today: date | None = None
    ) -> list[list[Passage]]:
        results: list[list[Passage] | None] = [None] * len(questions)
        plain: list[int] = []
        for i, question in enumerate(questions):
            text, filters, notes = index.interpret_time(question, today=today)
            if notes:
                results[i] = index.retrieve(text, k, mode=mode, filters=filters, today=today)
            else:
                plain.append(i)
        found = (
            index.retrieve_many([questions[i] for i in plain], k, mode=mode, today=today)
            if plain
            else []
        )
        for i, passages in zip(plain, found, strict=True):
            results[i] = passages
        return [r or [] for r in results]

    return System(name, description, retrieve, _answer_fn(mode))


def _answer_fn(mode: str) -> AnswerFn:
    return lambda index, question, today=None: index.ask(question, mode=mode, today=today)


register(mode_system("bm25", "bm25", "BM25 keyword search over chunks (bm25s)"))
register(mode_system("dense", "dense", "cosine similarity of MiniLM chunk vectors (FAISS)"))
register(
    mode_system("hybrid", "hybrid", "bm25 and dense scores, min-max scaled, averaged (default)")
)
register(
    mode_system(
        "hybrid+rescore",
        "hybrid+rescore",
        "hybrid, then its top 20 re-ranked by their best sentence's cosine (qa.rescore)",
    )
)
register(
    mode_system(
        "hybrid+reader",
        "hybrid+reader",
        "hybrid, then its top 20 re-read by the trained answer model (qa.reader, qa.rescore)",
    )
)
# hybrid+reader reads 20 passages a question with the answer model: opt-in (--systems), as
# it is not the default (README, "Retrieval").
DEFAULT_SYSTEMS = ("bm25", "dense", "hybrid", "hybrid+rescore")
