"""Run the systems over each dataset: build one index per dataset, score, and time questions.

Each dataset's index is built once per run (in a temporary folder unless ``index_root`` is
given) and shared by all systems, so they see the same chunks, questions and k. Scores come
from batched retrieval (fast: one embedding call per batch); latency comes from questions
retrieved one at a time, as a user asks them, since a batch hides per-question costs. By
default a fixed, evenly spread sample of questions is timed, to keep the CI gate quick.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from eval import metrics
from eval.datasets.base import EvalSet
from eval.systems import System
from qa import Index
from qa.embed import Embedder
from qa.records import Answer, Citation, Passage

Log = Callable[[str], None]
DEFAULT_ASK_LIMIT = 40  # questions asked per dataset: Index.ask costs ~0.3-1.5 s on 2 CPUs
DEFAULT_TIMED = 30  # questions timed one by one per dataset and system
BATCH = 128  # questions per retrieve_many call when scoring
TOP_SHOWN = 3  # passages kept per question in the per-query report, down to the first hit
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class AnswerPlan:
    """Which systems are asked for answers, and how many questions per dataset.

    ``Index.ask`` is far slower than retrieval, so by default only some questions are asked:
    up to half of ``limit`` unanswerable ones, the rest answerable ones with a gold answer, in
    file order (the same questions every run, so the gate compares like with like)."""

    systems: frozenset[str] | None = None  # None: every system that can answer
    limit: int | None = DEFAULT_ASK_LIMIT  # None: every question

    def wants(self, system: System) -> bool:
        return system.answer is not None and (self.systems is None or system.name in self.systems)


@dataclass
class QueryResult:
    qid: str
    question: str
    kind: str
    answerable: bool
    scores: dict[str, float] = field(default_factory=dict)  # retrieval metrics, answerable only
    first_hit: int | None = None  # rank of the first passage that hits a gold item
    gold_found: int = 0
    n_gold: int = 0
    missed: list[str] = field(default_factory=list)  # gold items not in the first 10 passages
    top: list[dict] = field(default_factory=list)
    seconds: float | None = None  # retrieval time when this question was timed alone
    answer: dict | None = None


@dataclass
class SystemResult:
    name: str
    scores: dict[str, float]
    hits_curve: list[float]
    queries: list[QueryResult]


@dataclass
class DatasetResult:
    name: str
    credit: str
    hit_rule: str
    map_rule: str
    note: str
    n_questions: int
    n_answerable: int
    n_unanswerable: int
    n_articles: int
    n_chunks: int
    n_asked: int  # questions put to Index.ask, per answering system (0: answers not measured)
    gold_reachable: float | None  # share of gold items lying whole inside some chunk
    index_seconds: float
    systems: dict[str, SystemResult]


@dataclass
class RunResult:
    settings: dict
    datasets: dict[str, DatasetResult]
    seconds: float = 0.0

    def scores(self) -> dict[str, dict[str, dict[str, float]]]:
        """dataset -> system -> metric -> value: what the gate compares."""
        return {
            d.name: {s.name: dict(s.scores) for s in d.systems.values()}
            for d in self.datasets.values()
        }


def run(
    evalsets: Sequence[EvalSet],
    systems: Sequence[System],
    *,
    k: int = 10,
    embedder: Embedder | None = None,
    model: str | None = None,
    index_root: Path | None = None,
    answers: AnswerPlan | None = AnswerPlan(),  # noqa: B008 (frozen, so safe as a default)
    timed: int | None = DEFAULT_TIMED,
    log: Log | None = None,
) -> RunResult:
    """Evaluate every system on every dataset; see the module docstring."""
    if k < metrics.CUTOFF:
        raise ValueError(
            f"k of {k} is below {metrics.CUTOFF}, the deepest cutoff reported (Hits@10, "
            f"MRR@10...); use --k {metrics.CUTOFF} or more"
        )
    started = time.perf_counter()
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))

    def log(message: str) -> None:
        say(f"[{time.perf_counter() - started:6.1f} s] {message}")

    result = RunResult(settings=_settings(k), datasets={})
    result.settings["timed_per_system"] = timed or "all"
    result.settings["asked_per_dataset"] = (answers.limit or "all") if answers else 0
    for evalset in evalsets:
        with ExitStack() as stack:
            if index_root is None:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="eval-")))
            else:
                folder = index_root / evalset.name
            index = stack.enter_context(
                Index.open(folder, create=True, embedder=embedder, model=model)
            )
            result.datasets[evalset.name] = run_dataset(
                evalset, systems, index, k=k, answers=answers, timed=timed, log=log
            )
            result.settings.setdefault("model", index.embedder.name)
            result.settings.setdefault("chunk_tokens", index.chunk_tokens)
            result.settings.setdefault("overlap_sentences", index.overlap)
    result.seconds = time.perf_counter() - started
    return result


def run_dataset(
    evalset: EvalSet,
    systems: Sequence[System],
    index: Index,
    *,
    k: int = 10,
    answers: AnswerPlan | None = None,
    timed: int | None = DEFAULT_TIMED,
    log: Log = print,
) -> DatasetResult:
    """Index ``evalset``'s articles into ``index`` and evaluate each system on it."""
    started = time.perf_counter()
    log(f"{evalset.name}: indexing {len(evalset.articles)} articles ...")
    report = index.add(evalset.articles)
    if report.skipped:
        log(f"{evalset.name}: {len(report.skipped)} articles skipped, e.g. {report.skipped[0]}")
    index_seconds = time.perf_counter() - started
    n_chunks = index.info().chunks
    log(f"{evalset.name}: {n_chunks} chunks in {index_seconds:.1f} s")
    outcome = DatasetResult(
        name=evalset.name,
        credit=evalset.credit,
        hit_rule=evalset.hit_rule_text,
        map_rule=evalset.map_rule,
        note=evalset.note,
        n_questions=len(evalset.queries),
        n_answerable=len(evalset.answerable),
        n_unanswerable=len(evalset.unanswerable),
        n_articles=len(evalset.articles),
        n_chunks=n_chunks,
        n_asked=0,
        gold_reachable=_gold_reachable(evalset, index),
        index_seconds=index_seconds,
        systems={},
    )
    for system in systems:
        log(f"{evalset.name}/{system.name}: {len(evalset.answerable)} questions ...")
        asked = (
            questions_to_ask(evalset, answers.limit) if answers and answers.wants(system) else []
        )
        outcome.n_asked = max(outcome.n_asked, len(asked))
        outcome.systems[system.name] = run_system(evalset, system, index, k, asked, timed, log)
    return outcome


def run_system(
    evalset: EvalSet,
    system: System,
    index: Index,
    k: int,
    asked: Sequence[str] = (),
    timed: int | None = DEFAULT_TIMED,
    log: Log = print,
) -> SystemResult:
    """Score every answerable question (batched), time ``timed`` of them one by one, then
    ``ask`` the ``asked`` ones."""
    questions = {
        qid: QueryResult(qid, question, evalset.kinds.get(qid, ""), answerable=False)
        for qid, question in evalset.queries.items()
    }
    answerable = evalset.answerable
    rankings: dict[str, list[frozenset[int]]] = {}
    retrieved: dict[str, list[Passage]] = {}
    for i in range(0, len(answerable), BATCH):
        batch = answerable[i : i + BATCH]
        results = system.retrieve(index, [evalset.queries[q] for q in batch], k)
        retrieved.update(zip(batch, results, strict=True))
    for qid in spread(answerable, timed):
        started = time.perf_counter()
        system.retrieve(index, [evalset.queries[qid]], k)
        questions[qid].seconds = time.perf_counter() - started
    for qid in answerable:
        passages = retrieved[qid]
        golds = evalset.relevant[qid]
        ranking = [_hits(evalset, golds, p) for p in passages]
        rankings[qid] = ranking
        found = frozenset().union(*ranking[: metrics.CUTOFF])
        result = questions[qid]
        result.answerable = True
        result.n_gold = len(golds)
        result.gold_found = len(found)
        result.first_hit = next((r for r, g in enumerate(ranking, start=1) if g), None)
        result.missed = [golds[i][:SNIPPET_CHARS] for i in range(len(golds)) if i not in found]
        # The passages above the first hit (at most 3) are what a reader needs to see why.
        depth = min(TOP_SHOWN, result.first_hit or TOP_SHOWN)
        shown = zip(passages[:depth], ranking[:depth], strict=True)
        result.top = [_shown(p, bool(g)) for p, g in shown]
    n_gold = {qid: len(evalset.relevant[qid]) for qid in rankings}
    per_query = metrics.retrieval_scores(rankings, n_gold, evalset.map_rule)
    for qid, scores in per_query.items():
        questions[qid].scores = scores
    scores = metrics.mean(per_query, metrics.RETRIEVAL_METRICS)
    timings = [q.seconds for q in questions.values() if q.seconds is not None]
    scores.update(metrics.percentiles(timings))
    if asked:
        log(f"{evalset.name}/{system.name}: asking {len(asked)} questions ...")
        scores.update(_answer_all(evalset, system, index, questions, asked))
    return SystemResult(
        name=system.name,
        scores=scores,
        hits_curve=metrics.hits_curve(rankings, n_gold, k),
        queries=list(questions.values()),
    )


def spread(items: Sequence[str], n: int | None) -> list[str]:
    """``n`` items evenly spread over ``items`` (all when ``n`` is None or large enough)."""
    if n is None or n >= len(items):
        return list(items)
    if n <= 0:
        return []
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def questions_to_ask(evalset: EvalSet, limit: int | None) -> list[str]:
    """Up to ``limit // 2`` unanswerable questions, then answerable ones with a gold answer to
    fill ``limit``; all questions when ``limit`` is None. Kept in file order."""
    if limit is None:
        return list(evalset.queries)
    unanswerable = [q for q in evalset.queries if q in evalset.unanswerable][: limit // 2]
    with_answer = [q for q in evalset.answerable if evalset.answers.get(q)]
    chosen = set(unanswerable + with_answer[: limit - len(unanswerable)])
    return [q for q in evalset.queries if q in chosen]


def _answer_all(
    evalset: EvalSet,
    system: System,
    index: Index,
    questions: dict[str, QueryResult],
    asked: Sequence[str],
) -> dict[str, float]:
    assert system.answer is not None
    outcomes: dict[str, metrics.AnswerOutcome] = {}
    timings: list[float] = []
    sentences: dict[str, list] = {}  # article id -> stored sentences, for the exactness check
    for qid in asked:
        started = time.perf_counter()
        answer = system.answer(index, evalset.queries[qid])
        timings.append(time.perf_counter() - started)
        golds = evalset.answers.get(qid, [])
        judged = qid not in evalset.unanswerable and bool(golds)
        exact = [_exact(c, index, sentences) for c in answer.citations]
        outcomes[qid] = metrics.AnswerOutcome(
            abstained=answer.abstained,
            answer_hit=(
                (not answer.abstained)
                and metrics.contains_answer([c.sentence for c in answer.citations], golds)
                if judged
                else None
            ),
            citations=len(exact),
            exact_citations=sum(exact),
        )
        questions[qid].answer = _answer_record(answer, outcomes[qid], golds, exact)
    scores = metrics.answer_scores(outcomes, evalset.unanswerable)
    scores.update(metrics.percentiles(timings, prefix="Answer "))
    return scores


def _exact(citation: Citation, index: Index, sentences: dict[str, list]) -> bool:
    """The citation quotes its article exactly, and is the stored sentence it says it is."""
    article = citation.article
    if article.text[citation.start : citation.end] != citation.sentence:
        return False
    if article.id not in sentences:
        sentences[article.id] = index.sentences(article.id)
    stored = sentences[article.id]
    if not 0 <= citation.sentence_index < len(stored):
        return False
    sentence = stored[citation.sentence_index]
    return (sentence.start, sentence.end, sentence.text) == (
        citation.start,
        citation.end,
        citation.sentence,
    )


def _answer_record(
    answer: Answer, outcome: metrics.AnswerOutcome, golds: list[str], exact: list[bool]
) -> dict:
    return {
        "abstained": answer.abstained,
        "confidence": round(float(answer.confidence), 4),
        "text": answer.text[:SNIPPET_CHARS],
        "gold_answers": golds,
        "answer_hit": outcome.answer_hit,
        "citations": [
            {"sentence": c.sentence, "title": c.article.title, "exact": ok}
            for c, ok in zip(answer.citations, exact, strict=True)
        ],
    }


def _hits(evalset: EvalSet, golds: list[str], passage: Passage) -> frozenset[int]:
    return frozenset(
        i
        for i, gold in enumerate(golds)
        if evalset.hit_rule(gold, passage.text, passage.article.id)
    )


def _shown(passage: Passage, hit: bool) -> dict:
    return {
        "rank": passage.rank,
        "hit": hit,
        "title": passage.article.title,
        "text": passage.text[:SNIPPET_CHARS],
    }


def _gold_reachable(evalset: EvalSet, index: Index) -> float | None:
    """Share of gold items that lie whole inside at least one chunk: the ceiling of Recall.
    A fact cut by a chunk boundary can never be a hit under a substring rule."""
    store = getattr(index, "store", None)
    if store is None or not hasattr(store, "all_chunk_texts"):
        return None  # the library changed shape; the number is a diagnostic, not a metric
    ids, texts = store.all_chunk_texts()
    owners = store.chunks([int(i) for i in ids])
    chunks = [(text, owners[int(i)].article_id) for i, text in zip(ids, texts, strict=True)]
    golds = [g for qid in evalset.answerable for g in evalset.relevant[qid]]
    if not golds:
        return None
    reachable = sum(any(evalset.hit_rule(g, t, a) for t, a in chunks) for g in golds)
    return reachable / len(golds)


def _settings(k: int) -> dict:
    return {
        "k": k,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": _cpu_count(),
    }


def _git_commit() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return ""
    return head + ("-dirty" if head and dirty else "")


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
