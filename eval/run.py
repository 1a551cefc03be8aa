"""Run the systems over each dataset: build one index per dataset, score, and time questions.

Each dataset's index is built once per run (in a temporary folder unless ``index_root`` is
given) and shared by all systems, so they see the same chunks, questions and k. With a
distractor pool (``eval.pool``) each dataset is run a second time, as ``<name>+distractors``,
over a copy of the pool's index with the dataset's articles added; the pool is embedded once
per run. Scores come from batched retrieval (fast: one embedding call per batch); latency
comes from questions retrieved one at a time, as a user asks them, since a batch hides
per-question costs. By default a fixed, evenly spread sample of questions is timed, to keep
the CI gate quick. Answers (``Index.ask``) are measured on every question by default; the
gate asks a fixed subset of the two large datasets (``GATE_ASK``).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from eval import metrics
from eval.datasets.base import EvalSet
from eval.embedcache import CachingEmbedder, uncached
from eval.pool import Pool, PoolIndex, Variant, plan_variants, pool_index_for, variant_index
from eval.systems import System
from qa import Index
from qa.answer.digest import DIGEST_CAP
from qa.chunk import DEFAULT_CHUNK_TOKENS
from qa.embed import DEFAULT_MODEL, Embedder, get_embedder
from qa.present import shown_citations
from qa.records import Answer, Citation, Passage

Log = Callable[[str], None]
DEFAULT_TIMED = 30  # questions timed one by one per dataset and system
# Questions the gate asks per run of these datasets (clean and with distractors alike); the
# others (sample, news-quiz) are asked every question. Index.ask costs 0.1-0.5 s a question
# on 2 CPUs, and asking all 1,000 questions twice over would take the CI gate past budget.
GATE_ASK: dict[str, int | None] = {"squad2": 120, "squad2-long": 120, "multihop-rag": 120}
# Systems the gate runs with distractors. hybrid+rescore re-ranks by sentence vectors, and
# among the pool's passages that means embedding thousands of new sentences per dataset
# (~1-2 min each on 2 cores): it is run clean in the gate, and with distractors in full runs.
GATE_DISTRACTOR_SYSTEMS = ("bm25", "dense", "hybrid")
BATCH = 128  # questions per retrieve_many call when scoring
TOP_SHOWN = 3  # passages kept per question in the per-query report, down to the first hit
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class AnswerPlan:
    """Which systems are asked for answers, and how many questions per dataset.

    Every question by default. With a limit, up to half of it unanswerable questions, the
    rest answerable ones with a gold answer, in file order (the same questions every run, so
    the gate compares like with like). ``limits`` overrides ``limit`` per dataset (by its
    base name, so a dataset's clean and distractor runs ask the same questions)."""

    systems: frozenset[str] | None = None  # None: every system that can answer
    limit: int | None = None  # None: every question
    limits: Mapping[str, int | None] = field(default_factory=dict)

    def wants(self, system: System) -> bool:
        return system.answer is not None and (self.systems is None or system.name in self.systems)

    def limit_for(self, dataset: str) -> int | None:
        return self.limits.get(dataset, self.limit)

    def describe(self) -> str:
        """One line for reports: how many questions each dataset was asked."""
        parts = [
            f"{n if n is not None else 'every question'} on {d}" for d, n in self.limits.items()
        ]
        rest = "every question" if self.limit is None else f"{self.limit} questions"
        return f"{rest} per dataset" + (f" ({'; '.join(parts)})" if parts else "")


@dataclass
class QueryResult:
    qid: str
    question: str
    kind: str
    answerable: bool
    scores: dict[str, float] = field(default_factory=dict)  # retrieval metrics, answerable only
    first_hit: int | None = None  # rank of the first passage that hits a gold item
    # Rank of the first passage holding a gold answer string (AnswerRecall@10), and whether
    # that passage is a distractor's: a coincidental match ("2010", "France") in the pool.
    answer_rank: int | None = None
    answer_in_distractor: bool = False
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
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)  # see breakdown()


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
    dataset: str = ""  # the base dataset: "squad2" for "squad2+distractors"
    distractors: bool = False  # the pool's articles were indexed with the dataset's
    n_distractor_articles: int = 0
    n_distractor_chunks: int = 0
    pool_note: str = ""  # e.g. why a dataset over the pool itself has no +distractors run
    pool_credit: str = ""  # credit of the distractor pool, when it was indexed

    def __post_init__(self) -> None:
        self.dataset = self.dataset or self.name


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
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    index_root: Path | None = None,
    answers: AnswerPlan | None = AnswerPlan(),  # noqa: B008 (frozen, so safe as a default)
    timed: int | None = DEFAULT_TIMED,
    pool: Pool | None = None,
    distractor_systems: Collection[str] | None = None,
    log: Log | None = None,
) -> RunResult:
    """Evaluate every system on every dataset, and again with ``pool``'s distractors indexed
    beside each dataset when a pool is given (with the systems named in
    ``distractor_systems`` only, when given); see the module docstring."""
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
    if not evalsets:
        return result
    # One memory of vectors for the whole run: a dataset's chunks and sentences are embedded
    # once for its clean and distractor runs, the pool's sentences once for all datasets.
    embedder = CachingEmbedder(embedder or get_embedder(model or DEFAULT_MODEL))
    result.settings["timed_per_system"] = timed or "all"
    result.settings["asked"] = answers.describe() if answers else "none"
    result.settings["distractors"] = None
    if pool is not None:
        log(f"distractor pool: indexing {len(pool.articles)} {pool.name} articles ...")
    with pool_index_for(
        pool, index_root=index_root, embedder=embedder, model=model, chunk_tokens=chunk_tokens
    ) as pooled:
        if pooled is not None:
            log(f"distractor pool: {pooled.n_chunks} chunks in {pooled.seconds:.1f} s")
            result.settings["distractors"] = {
                "pool": pool.name if pool else "",
                "articles": len(pooled.article_ids),
                "chunks": pooled.n_chunks,
                "index_seconds": round(pooled.seconds, 1),
                "credit": pooled.credit,
            }
        for evalset in evalsets:
            ids = {a.id for a in evalset.articles}
            variants, note = plan_variants(evalset.name, ids, evalset.corpus_is_pool, pooled)
            for variant in variants:
                chosen = [
                    s
                    for s in systems
                    if not variant.distractors
                    or distractor_systems is None
                    or s.name in distractor_systems
                ]
                with variant_index(
                    variant,
                    pooled,
                    index_root=index_root,
                    embedder=embedder,
                    model=model,
                    chunk_tokens=chunk_tokens,
                ) as index:
                    outcome = run_dataset(
                        evalset,
                        chosen,
                        index,
                        k=k,
                        answers=answers,
                        timed=timed,
                        log=log,
                        variant=variant,
                        pool_index=pooled,
                    )
                    outcome.pool_note = note
                    result.datasets[variant.name] = outcome
                    result.settings.setdefault("model", index.embedder.name)
                    result.settings.setdefault("chunk_tokens", index.chunk_tokens)
                    result.settings.setdefault("overlap_sentences", index.overlap)
    result.settings["vectors_reused"] = embedder.reused
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
    variant: Variant | None = None,
    pool_index: PoolIndex | None = None,
) -> DatasetResult:
    """Index ``evalset``'s articles into ``index`` (empty, or a copy of the pool index for a
    distractor run) and evaluate each system on it."""
    variant = variant or Variant(evalset.name, evalset.name, distractors=False, from_pool=False)
    name = variant.name
    started = time.perf_counter()
    log(f"{name}: indexing {len(evalset.articles)} articles ...")
    report = index.add(evalset.articles)
    if report.skipped:
        log(f"{name}: {len(report.skipped)} articles skipped, e.g. {report.skipped[0]}")
    index_seconds = time.perf_counter() - started
    n_chunks = index.info().chunks
    log(f"{name}: {n_chunks} chunks in {index_seconds:.1f} s")
    own = frozenset(a.id for a in evalset.articles)
    distractor_ids = (pool_index.article_ids - own) if variant.distractors and pool_index else set()
    outcome = DatasetResult(
        name=name,
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
        gold_reachable=_gold_reachable(evalset, index, own),
        index_seconds=index_seconds,
        systems={},
        dataset=evalset.name,
        distractors=variant.distractors,
        n_distractor_articles=len(distractor_ids),
        n_distractor_chunks=pool_index.n_chunks if distractor_ids and pool_index else 0,
        pool_credit=pool_index.credit if variant.distractors and pool_index else "",
    )
    for system in systems:
        log(f"{name}/{system.name}: {len(evalset.answerable)} questions ...")
        asked = (
            questions_to_ask(evalset, answers.limit_for(evalset.name))
            if answers and answers.wants(system)
            else []
        )
        outcome.n_asked = max(outcome.n_asked, len(asked))
        outcome.systems[system.name] = run_system(
            evalset, system, index, k, asked, timed, log, label=name
        )
    return outcome


def run_system(
    evalset: EvalSet,
    system: System,
    index: Index,
    k: int,
    asked: Sequence[str] = (),
    timed: int | None = DEFAULT_TIMED,
    log: Log = print,
    label: str = "",
) -> SystemResult:
    """Score every answerable question (batched), time ``timed`` of them one by one, then
    ``ask`` the ``asked`` ones. Only passages of the dataset's own articles can hit a gold
    item: a distractor never counts, whatever the hit rule."""
    label = label or evalset.name
    questions = {
        qid: QueryResult(qid, question, evalset.kinds.get(qid, ""), answerable=False)
        for qid, question in evalset.queries.items()
    }
    own = frozenset(a.id for a in evalset.articles)
    answerable = evalset.answerable
    rankings: dict[str, list[frozenset[int]]] = {}
    retrieved: dict[str, list[Passage]] = {}
    # Questions asked on a date (``EvalSet.asked_on``) are batched by that date.
    by_day: dict[str, list[str]] = {}
    for qid in answerable:
        by_day.setdefault(evalset.asked_on.get(qid, ""), []).append(qid)
    for day, members in by_day.items():
        for i in range(0, len(members), BATCH):
            batch = members[i : i + BATCH]
            results = system.retrieve(
                index, [evalset.queries[q] for q in batch], k, _day(day)
            )
            retrieved.update(zip(batch, results, strict=True))
    with uncached(index.embedder):  # timed as a user's question: its vector is not remembered
        for qid in spread(answerable, timed):
            started = time.perf_counter()
            system.retrieve(index, [evalset.queries[qid]], k, _day(evalset.asked_on.get(qid, "")))
            questions[qid].seconds = time.perf_counter() - started
    for qid in answerable:
        passages = retrieved[qid]
        golds = evalset.relevant[qid]
        ranking = [_hits(evalset, golds, p, own) for p in passages]
        rankings[qid] = ranking
        found = frozenset().union(*ranking[: metrics.CUTOFF])
        result = questions[qid]
        result.answerable = True
        result.n_gold = len(golds)
        result.gold_found = len(found)
        result.first_hit = next((r for r, g in enumerate(ranking, start=1) if g), None)
        result.missed = [golds[i][:SNIPPET_CHARS] for i in range(len(golds)) if i not in found]
        if evalset.answers.get(qid):
            result.answer_rank = metrics.answer_rank(
                [p.text for p in passages], evalset.answers[qid]
            )
            if result.answer_rank is not None:
                result.answer_in_distractor = passages[result.answer_rank - 1].article.id not in own
        # The passages above the first hit (at most 3) are what a reader needs to see why.
        depth = min(TOP_SHOWN, result.first_hit or TOP_SHOWN)
        shown = zip(passages[:depth], ranking[:depth], strict=True)
        result.top = [_shown(p, bool(g), p.article.id not in own) for p, g in shown]
    n_gold = {qid: len(evalset.relevant[qid]) for qid in rankings}
    per_query = metrics.retrieval_scores(rankings, n_gold, evalset.map_rule)
    for qid, scores in per_query.items():
        questions[qid].scores = scores
        if evalset.answers.get(qid):
            scores[metrics.ANSWER_RECALL] = float(questions[qid].answer_rank is not None)
    scores = metrics.mean(per_query, metrics.RETRIEVAL_METRICS)
    with_answers = [s for s in per_query.values() if metrics.ANSWER_RECALL in s]
    if with_answers:
        scores[metrics.ANSWER_RECALL] = float(
            sum(s[metrics.ANSWER_RECALL] for s in with_answers) / len(with_answers)
        )
    timings = [q.seconds for q in questions.values() if q.seconds is not None]
    scores.update(metrics.percentiles(timings))
    if asked:
        log(f"{label}/{system.name}: asking {len(asked)} questions ...")
        with uncached(index.embedder):  # answer times as a served index would see them
            scores.update(_answer_all(evalset, system, index, questions, asked))
    return SystemResult(
        name=system.name,
        scores=scores,
        hits_curve=metrics.hits_curve(rankings, n_gold, k),
        queries=list(questions.values()),
        by_kind=breakdown(list(questions.values())),
    )


def breakdown(queries: Sequence[QueryResult]) -> dict[str, dict[str, float]]:
    """Per question type (``EvalSet.kinds``; "" becomes "other"), in order of first
    appearance: how many questions (``n``), answerable (``answerable``), answerable with a
    gold short answer (``with answer``: what AnswerRecall@10 averages over) and asked
    (``asked``); mean Recall@10, MRR@10 and AnswerRecall@10 over its answerable questions;
    and over its asked questions, answer hit (those with a gold answer; an abstention is a
    miss) and the share abstained on (``Abstained``: wanted for unanswerable types, a lost
    answer for the others). A value is left out when no question of the type measures it."""
    kinds: dict[str, list[QueryResult]] = {}
    for q in queries:
        kinds.setdefault(q.kind or "other", []).append(q)
    table: dict[str, dict[str, float]] = {}
    for kind, members in kinds.items():
        answerable = [q for q in members if q.answerable]
        asked = [q for q in members if q.answer is not None]
        row: dict[str, float] = {
            "n": len(members),
            "answerable": len(answerable),
            "with answer": sum(metrics.ANSWER_RECALL in q.scores for q in answerable),
            "asked": len(asked),
        }
        for metric in ("Recall@10", "MRR@10", metrics.ANSWER_RECALL):
            values = [q.scores[metric] for q in answerable if metric in q.scores]
            if values:
                row[metric] = sum(values) / len(values)
        judged = [q.answer["answer_hit"] for q in asked if q.answer["answer_hit"] is not None]
        if judged:
            row["Answer hit"] = sum(judged) / len(judged)
        if asked:
            row["Abstained"] = sum(q.answer["abstained"] for q in asked) / len(asked)
        table[kind] = row
    return table


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
    own = {a.id for a in evalset.articles}
    outcomes: dict[str, metrics.AnswerOutcome] = {}
    timings: list[float] = []
    sentences: dict[str, list] = {}  # article id -> stored sentences, for the exactness check
    for qid in asked:
        started = time.perf_counter()
        answer = system.answer(index, evalset.queries[qid], _day(evalset.asked_on.get(qid, "")))
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
            first_hit=(
                (not answer.abstained)
                and bool(answer.citations)
                and metrics.contains_answer([answer.citations[0].sentence], golds)
                if judged
                else None
            ),
        )
        if evalset.digest and qid in evalset.relevant:
            shown = [(c.article.published[:10], c.sentence) for c in shown_citations(answer)]
            recall, precision, in_order = metrics.digest_outcome(
                shown if not answer.abstained else [], evalset.relevant[qid], DIGEST_CAP
            )
            outcomes[qid] = replace(
                outcomes[qid], story_recall=recall, story_precision=precision, date_order=in_order
            )
        if evalset.kinds.get(qid) == "latest" and qid in evalset.dates:
            first = answer.citations[0].article.published[:10] if answer.citations else ""
            newest = not answer.abstained and first == evalset.dates[qid]
            outcomes[qid] = replace(outcomes[qid], newest_first=newest)
        record = _answer_record(answer, outcomes[qid], golds, exact)
        # An answer quoting the distractor pool: right only by luck (or because the pool
        # really answers it, like "What did Putin say?" for the sample).
        record["cites_distractor"] = any(c.article.id not in own for c in answer.citations)
        questions[qid].answer = record
    scores = metrics.answer_scores(outcomes, evalset.unanswerable)
    scores.update(metrics.percentiles(timings, prefix="Answer "))
    return scores


def _day(iso: str) -> date | None:
    return date.fromisoformat(iso) if iso else None


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
        "first_hit": outcome.first_hit,
        "kind": answer.kind,
        **{
            name: value
            for name, value in (
                ("story_recall", outcome.story_recall),
                ("story_precision", outcome.story_precision),
                ("date_order", outcome.date_order),
                ("newest_first", outcome.newest_first),
            )
            if value is not None
        },
        "citations": [
            {"sentence": c.sentence, "title": c.article.title, "exact": ok}
            for c, ok in zip(answer.citations, exact, strict=True)
        ],
    }


def _hits(
    evalset: EvalSet, golds: list[str], passage: Passage, own: frozenset[str] | None = None
) -> frozenset[int]:
    """The gold items ``passage`` hits; none when it is not from one of the dataset's own
    articles (``own``, when given): a distractor that happens to contain a gold string is not
    a hit. (bench/fusion.py calls this too, without ``own``.)"""
    if own is not None and passage.article.id not in own:
        return frozenset()
    return frozenset(
        i
        for i, gold in enumerate(golds)
        if evalset.hit_rule(gold, passage.text, passage.article.id)
    )


def _shown(passage: Passage, hit: bool, distractor: bool = False) -> dict:
    return {
        "rank": passage.rank,
        "hit": hit,
        "distractor": distractor,
        "title": passage.article.title,
        "text": passage.text[:SNIPPET_CHARS],
    }


def _gold_reachable(evalset: EvalSet, index: Index, own: frozenset[str]) -> float | None:
    """Share of gold items that lie whole inside at least one chunk of the dataset's own
    articles: the ceiling of Recall. A fact cut by a chunk boundary can never be a hit under
    a substring rule."""
    store = getattr(index, "store", None)
    if store is None or not hasattr(store, "all_chunk_texts"):
        return None  # the library changed shape; the number is a diagnostic, not a metric
    ids, texts = store.all_chunk_texts()
    owners = store.chunks([int(i) for i in ids])
    chunks = [
        (text, owners[int(i)].article_id)
        for i, text in zip(ids, texts, strict=True)
        if owners[int(i)].article_id in own
    ]
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
