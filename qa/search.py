"""The retrieve step: questions in, ranked passages out, each with its article's sentences.

    embed the questions (once) -> dense and BM25 backends -> fusion (``qa.fusion``)
        -> for "latest" questions, recency (``qa.fusion.prefer_recent``, ``newest_on_topic``)
        -> optional second stage (``qa.rescore``: sentence vectors, or the answer model)
        -> passages read from the store
        -> copies of one story collapsed ("also reported by")

A ``Retrieved`` carries everything the answer step needs — the passages, every sentence of
their articles, the question's vector — so a question is read from the store and embedded
once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from qa.backends import Hits, Queries
from qa.caches import SearchCaches
from qa.embed import Embedder
from qa.errors import EmptyQuestionError
from qa.fusion import (
    FUSED_MODES,
    FUSION_DEPTH,
    LIVE_DAYS,
    RECENCY_DEPTH,
    check_mode,
    convex_fusion,
    lead_with,
    newest_on_topic,
    prefer_period,
    prefer_recent,
    recency_prior,
    recency_weight,
    reporting_window,
)
from qa.kinds import DIGEST_KINDS, news_question
from qa.mentions import holders_in_place, on_topic, question_names, topic_terms, without_credits
from qa.records import Article, Filters, Passage, Sentence, published_day
from qa.rescore import (
    READER_DEPTH,
    READER_WEIGHT,
    RESCORE_DEPTH,
    best_sentence_scores,
    rescore,
)
from qa.segment import split_sentences
from qa.sentence_vectors import SentenceVectors
from qa.speakers.offices import office_in_question
from qa.store import Store, StoredChunk
from qa.timeexpr import find_time_range, wants_latest

Ranking = list[tuple[int, float]]  # (chunk id, score), best first
# "Who is Japan's prime minister now?": the holders named by the candidates that are looked up
# by name for newer reports on them (most such questions have one or two).
HOLDERS_LOOKED_UP = 3


@dataclass(frozen=True)
class Retrieved:
    """One question's retrieval: its passages, best first, and what answering them needs."""

    question: str
    passages: list[Passage]
    sentences: dict[str, tuple[Sentence, ...]]  # article id -> all its sentences, in order
    vector: np.ndarray | None  # the question's embedding; None when no dense search ran
    # The answer model's probability for each sentence the second stage of hybrid+reader
    # read, by (article id, sentence index): read the way the answer step reads them, so it
    # need not read them again.
    probabilities: dict[tuple[str, int], float] = field(default_factory=dict)


def check_question(question: object) -> str:
    if not isinstance(question, str) or not question.strip():
        raise EmptyQuestionError("the question is empty; type a question about the articles")
    return question


class Searcher:
    """Runs retrieval over one index's store and search caches. Not thread-safe on its own:
    ``Index`` holds its lock around every call."""

    def __init__(
        self,
        store: Store,
        caches: SearchCaches,
        embedder: Embedder,
        sentence_vectors: SentenceVectors,
    ) -> None:
        self.store = store
        self.caches = caches
        self.embedder = embedder
        self.sentence_vectors = sentence_vectors
        # Is an index with articles of the last LIVE_DAYS asked on the clock's today? (The
        # evaluation turns it off: its datasets are archives, asked on a date only when a
        # question says so, whatever day the suite runs.)
        self.detect_live = True
        # The newest article's day, by (store generation, clock's day): read once per change
        # of either, not on every question (it scans the articles' dates).
        self._newest: tuple[tuple[int, date], date | None] | None = None

    def search(
        self,
        questions: Sequence[str],
        k: int,
        mode: str,
        filters: Filters | None = None,
        today: date | None = None,
    ) -> list[Retrieved]:
        """The ``k`` best passages for each question (see the module docstring). A question
        about how things stand now ("latest", "current"...) that names no past time prefers
        the newest of near-equal matches (``qa.fusion.prefer_recent``) and leads with the
        newest candidate on its topic (``qa.fusion.newest_on_topic``), "now" being the
        newest article date not after ``today`` (default: the clock's)."""
        check_mode(mode)
        for question in questions:
            check_question(question)
        if k < 1:
            raise ValueError(f"k of {k} is too small; ask for at least 1 passage")
        self.caches.refresh()
        allowed = None
        if filters is not None and filters.active():
            allowed = self.store.chunk_ids_where(
                filters.sources, filters.since or None, filters.until or None, filters.article_ids
            )
        grouped = self.store.has_duplicates()
        # Copies of one story collapse into one result, so look deeper to still fill k.
        depth = 3 * k if grouped else k
        vectors = self.embedder.embed(list(questions)) if mode != "bm25" else None
        queries = Queries(list(questions), vectors)
        latest = _latest(questions, filters, today or date.today())
        prior = self._prior_day(questions, latest, filters, today)
        # The date steps re-rank candidates: the single searches then look as deep as fusion.
        deep = bool(latest) or bool(prior) or bool(filters and filters.prefer_since)
        if filters is not None and filters.prefer_since:
            rankings = self._rank_preferring(queries, depth, mode, allowed, filters, deep)
        else:
            rankings = self._rank(queries, depth, mode, allowed, deep=deep)
        if prior:
            self._recency_prior(rankings, prior, mode)
        leads = self._prefer_recent(questions, rankings, latest, today, allowed)
        # One read of the store per batch: the chunks ranked (and re-ranked), their articles
        # and every sentence of those articles, which the answer step needs too.
        head = {"hybrid+rescore": RESCORE_DEPTH, "hybrid+reader": READER_DEPTH}.get(mode, 0)
        head = max(depth, head)
        chunks = self.store.chunks(list({c for ranking in rankings for c, _ in ranking[:head]}))
        articles = {a.id: a for a in self.store.articles({c.article_id for c in chunks.values()})}
        sentences = {
            article_id: tuple(self.store.sentences(article_id, article.text))
            for article_id, article in articles.items()
        }
        read: list[dict[tuple[str, int], float]] = [{} for _ in questions]
        if mode in ("hybrid+rescore", "hybrid+reader"):
            if mode == "hybrid+rescore":
                assert vectors is not None
                rankings = self._rescore(vectors, rankings, chunks, articles, sentences)
            else:
                rankings, read = self._read(questions, rankings, chunks, articles, sentences)
            # The newest report on a "latest" question's topic stays first (re-scoring
            # weighs sentences, not dates).
            for i, lead in leads.items():
                rankings[i] = lead_with(rankings[i], lead)
        rankings = [ranking[:depth] for ranking in rankings]
        results = []
        for i, ranking in enumerate(rankings):
            passages = _passages(ranking, chunks, articles, sentences)
            if grouped:
                passages = self._collapse_copies(passages)
            passages = passages[:k]
            results.append(
                Retrieved(
                    question=questions[i],
                    passages=passages,
                    sentences={p.article.id: sentences[p.article.id] for p in passages},
                    vector=None if vectors is None else vectors[i],
                    probabilities=read[i],
                )
            )
        return results

    def _rank(
        self,
        queries: Queries,
        k: int,
        mode: str,
        allowed: np.ndarray | None,
        deep: bool,
        also: np.ndarray | None = None,
    ) -> list[Ranking]:
        """Each question's candidates, fused. ``also``: chunk ids searched a second time on
        their own (a narrow period's), their hits joined to the first search's before fusing,
        so that both are scaled together."""
        fused = mode in FUSED_MODES
        # Fusion needs candidates to fuse, and the recency steps of "latest" questions (``deep``)
        # need as many to choose from in every mode.
        depth = max(FUSION_DEPTH if fused else 0, RECENCY_DEPTH if deep else 0, k)
        n = len(queries.texts)
        dense: list[Hits] = []
        lexical: list[Hits] = []
        if mode != "bm25":
            dense = self.caches.dense.search(queries, depth, allowed)
            if also is not None:
                dense = _joined(dense, self.caches.dense.search(queries, depth, also))
        if mode != "dense":
            lexical = self.caches.lexical.search(queries, depth, allowed)
            if also is not None:
                lexical = _joined(lexical, self.caches.lexical.search(queries, depth, also))
        rankings: list[Ranking] = []
        for i in range(n):
            if mode == "dense":
                ranking = _as_ranking(dense[i])
            elif mode == "bm25":
                ranking = _as_ranking(lexical[i])
            else:
                ranking = convex_fusion([dense[i], lexical[i]])
            rankings.append(ranking)
        if also is not None:  # cut after the period's re-ranking (_rank_preferring)
            return rankings
        # Enough candidates for the re-rankers (recency, rescoring) to choose from.
        return [ranking[: max(k, RESCORE_DEPTH, RECENCY_DEPTH)] for ranking in rankings]

    def _rank_preferring(
        self,
        queries: Queries,
        k: int,
        mode: str,
        allowed: np.ndarray | None,
        filters: Filters,
        deep: bool,
    ) -> list[Ranking]:
        """Rankings for questions naming a narrow period (``Filters.prefer_since``): all dates
        and the period with the days just after it searched, fused together, then re-ranked
        by date (``prefer_period``)."""
        since, until = reporting_window(filters.prefer_since, filters.prefer_until)
        window = self.store.chunk_ids_where(filters.sources, since, until, filters.article_ids)
        if allowed is not None:
            window = np.intersect1d(window, allowed)
        if not len(window):
            return self._rank(queries, k, mode, allowed, deep)
        rankings = self._rank(queries, k, mode, allowed, deep, also=window)
        published = self.store.published_of_chunks(list({c for r in rankings for c, _ in r}))
        return [
            prefer_period(
                ranking,
                published,
                filters.prefer_since,
                filters.prefer_until,
                scale=_scale(ranking, mode),
            )[: max(k, RESCORE_DEPTH, RECENCY_DEPTH)]
            for ranking in rankings
        ]

    def asked_on(self, today: date | None) -> date | None:
        """The date a question is asked on, when it is asked on one: ``today`` when given,
        else the clock's today when the index is live (its newest article at most
        ``LIVE_DAYS`` old, and ``detect_live``). An archive asked without a date has none:
        its questions are not about the present."""
        if today is not None:
            return today
        if not self.detect_live:
            return None
        clock = date.today()
        key = (self.store.generation(), clock)
        if self._newest is None or self._newest[0] != key:
            self._newest = (key, published_day(self.store.newest_date(clock.isoformat())))
        newest = self._newest[1]
        if newest is not None and (clock - newest).days <= LIVE_DAYS:
            return clock
        return None

    def _prior_day(
        self,
        questions: Sequence[str],
        latest: list[int],
        filters: Filters | None,
        today: date | None,
    ) -> dict[int, str]:
        """The questions the recency prior re-ranks, with the day they are asked on: asked
        on a date (``asked_on``), naming no time (no date filter or preferred period, no
        time words), neither "latest" (those have their own steps) nor a digest (a timeline
        lists a topic's stories of every date)."""
        if filters is not None and (filters.since or filters.until or filters.prefer_since):
            return {}
        asked = self.asked_on(today)
        if asked is None or recency_weight() <= 0:
            return {}
        skip = set(latest)
        return {
            i: asked.isoformat()
            for i, question in enumerate(questions)
            if i not in skip
            and find_time_range(question, asked) is None
            and news_question(question).kind not in DIGEST_KINDS
        }

    def _recency_prior(self, rankings: list[Ranking], asked: dict[int, str], mode: str) -> None:
        """Re-rank in place the candidates of the questions asked on a date (``asked``: by
        position): recent stories first unless they match clearly worse (``recency_prior``)."""
        published = self.store.published_of_chunks(
            list({c for i in asked for c, _ in rankings[i]})
        )
        for i, day in asked.items():
            rankings[i] = recency_prior(
                rankings[i], published, day, recency_weight() * _scale(rankings[i], mode)
            )

    def _prefer_recent(
        self,
        questions: Sequence[str],
        rankings: list[Ranking],
        latest: list[int],
        today: date | None,
        allowed: np.ndarray | None,
    ) -> dict[int, int]:
        """Re-rank each "latest" question's candidates in place (their positions:
        ``latest``): the newest of near-equal ones moves up (``prefer_recent``), then the
        newest on its topic goes first (``newest_on_topic``). For a question about who holds
        an office now ("Who is Japan's prime minister now?", ``qa.speakers.offices``) the
        topic is a report naming a holder of that office in the asked place, and the holders
        the candidates name are looked up too: the newest report on the office often words
        it unlike the question ("under Sanae Takaichi's premiership"). Returns the leads by
        question position, for re-rankers after this one to keep first."""
        if not latest:
            return {}
        anchor = self.store.newest_date((today or date.today()).isoformat())
        leads: dict[int, int] = {}
        for i in latest:
            candidates = [c for c, _ in rankings[i][:RECENCY_DEPTH]]
            published = self.store.published_of_chunks(candidates)
            rankings[i] = prefer_recent(rankings[i], published, anchor)
            # Only candidates dated up to the anchor can lead: read just their texts.
            dated = [c for c, day in published.items() if "" < day <= anchor]
            if not dated:
                continue  # nothing dated: no newest
            texts = self.store.chunk_texts(dated)
            question = questions[i]
            names = question_names(question)
            office = office_in_question(question) if names else None
            ranking = rankings[i]
            if office:
                holders = _holders_finder(texts, names, office, question)
                more = self._holders_reports(ranking, holders, allowed, anchor)
                published.update(more)
                texts.update(self.store.chunk_texts(list(more)))
                ranked = {c for c, _ in ranking}
                ranking = ranking + [(c, 0.0) for c in more if c not in ranked]
                topical = _names_a_holder(holders)
            else:
                topical = _topic_test(texts, names, topic_terms(question))
            lead = newest_on_topic(ranking, published, topical, anchor, depth=len(ranking))
            if lead is not None:
                leads[i] = lead
                rankings[i] = lead_with(rankings[i] + [(lead, 0.0)], lead)
        return leads

    def _holders_reports(
        self,
        ranking: Ranking,
        holders: Callable[[int], list[str]],
        allowed: np.ndarray | None,
        anchor: str,
    ) -> dict[int, str]:
        """More reports on an office's holders: the people the candidates name in it (in
        their ranking's order, the first ``HOLDERS_LOOKED_UP`` full names), each looked up by
        name with BM25. Returns the dates (up to ``anchor``) of the chunks found that are not
        candidates already."""
        people: list[str] = []
        for chunk_id, _ in ranking:
            people += [p for p in holders(chunk_id) if " " in p]
        people = list(dict.fromkeys(people))[:HOLDERS_LOOKED_UP]
        if not people:
            return {}
        hits = self.caches.lexical.search(Queries(people), RECENCY_DEPTH, allowed)
        ranked = {c for c, _ in ranking}
        found = list(dict.fromkeys(int(c) for _, ids in hits for c in ids if int(c) not in ranked))
        return {
            c: day for c, day in self.store.published_of_chunks(found).items() if "" < day <= anchor
        }

    def _rescore(
        self,
        query: np.ndarray,
        rankings: list[Ranking],
        chunks: dict[int, StoredChunk],
        articles: dict[str, Article],
        stored: dict[str, tuple[Sentence, ...]],
    ) -> list[Ranking]:
        """Re-rank each question's first ``RESCORE_DEPTH`` candidates by their best sentence
        (``qa.rescore``), with sentence vectors from the shared cache."""
        heads = [[c for c, _ in ranking[:RESCORE_DEPTH] if c in chunks] for ranking in rankings]
        rankings = [[(c, s) for c, s in ranking if c in chunks] for ranking in rankings]
        sentences_of: dict[int, tuple[Sentence, ...]] = {}  # chunk id -> its sentences
        for chunk_id in {c for head in heads for c in head}:
            chunk = chunks[chunk_id]
            sentences_of[chunk_id] = stored[chunk.article_id][
                chunk.first_sentence : chunk.last_sentence + 1
            ]
        unique = list(dict.fromkeys(s for found in sentences_of.values() for s in found))
        row_of = {sentence: row for row, sentence in enumerate(unique)}
        found = self.sentence_vectors(unique)
        rescored = []
        for question, ranking, head in zip(query, rankings, heads, strict=True):
            rows = [row_of[t] for c in head for t in sentences_of[c]]
            owners = [i for i, c in enumerate(head) for _ in sentences_of[c]]
            best = best_sentence_scores(question, found[rows], owners, len(head))
            rescored.append(rescore(ranking, best))
        return rescored

    def _read(
        self,
        questions: Sequence[str],
        rankings: list[Ranking],
        chunks: dict[int, StoredChunk],
        articles: dict[str, Article],
        stored: dict[str, tuple[Sentence, ...]],
    ) -> tuple[list[Ranking], list[dict[tuple[str, int], float]]]:
        """Re-rank each question's first ``READER_DEPTH`` candidates with the answer model
        (``qa.rescore``: the second stage of ``mode="hybrid+reader"``). It reads each
        sentence of a candidate as the answer step does (with the title and the sentence
        before it), and a candidate scores its best sentence; all in one batch. A question
        longer than those the model was trained on keeps its first-stage ranking, and so does
        a question asking what happened (``qa.kinds``: its answer is every story on the
        topic, not the one sentence the model was trained to find)."""
        from qa.reader import candidate_text, get_reader

        reader = get_reader()
        rankings = [[(c, s) for c, s in ranking if c in chunks] for ranking in rankings]
        heads = [
            [c for c, _ in ranking[:READER_DEPTH]] if _read_by_model(question, reader) else []
            for question, ranking in zip(questions, rankings, strict=True)
        ]
        pairs_q: list[str] = []
        pairs_t: list[str] = []
        owners: list[int] = []  # which candidate, counted across all questions, a pair reads
        keys: list[tuple[int, tuple[str, int]]] = []  # (question, sentence) of each pair
        candidate = 0
        for position, (question, head) in enumerate(zip(questions, heads, strict=True)):
            for chunk_id in head:
                chunk = chunks[chunk_id]
                title = articles[chunk.article_id].title
                sentences = stored[chunk.article_id]
                for sentence in sentences[chunk.first_sentence : chunk.last_sentence + 1]:
                    if sentence.heading:
                        continue
                    before = sentences[sentence.index - 1] if sentence.index else None
                    previous = before.text if before is not None and not before.heading else ""
                    pairs_q.append(question)
                    pairs_t.append(candidate_text(sentence.text, title, previous))
                    owners.append(candidate)
                    keys.append((position, (chunk.article_id, sentence.index)))
                candidate += 1
        best = np.zeros(candidate)
        read: list[dict[tuple[str, int], float]] = [{} for _ in questions]
        if pairs_q:
            probabilities = reader.score(pairs_q, pairs_t)
            np.maximum.at(best, np.asarray(owners), probabilities)
            for (position, key), probability in zip(keys, probabilities, strict=True):
                read[position][key] = float(probability)
        rescored, at = [], 0
        for ranking, head in zip(rankings, heads, strict=True):
            if not head:
                rescored.append(ranking)
                continue
            rescored.append(rescore(ranking, best[at : at + len(head)], READER_WEIGHT))
            at += len(head)
        return rescored, read

    def _collapse_copies(self, passages: list[Passage]) -> list[Passage]:
        """Show each story once: passages from a second copy of a story already shown are
        dropped, and the shown one lists the other copies as "also reported by"."""
        group_of = self.store.representatives(p.article.id for p in passages)
        shown: dict[str, str] = {}  # group -> the article shown for it
        kept = []
        for passage in passages:
            group = group_of.get(passage.article.id, passage.article.id)
            if shown.setdefault(group, passage.article.id) == passage.article.id:
                kept.append(passage)
        members = self.store.group_members(shown)
        return [
            replace(
                passage,
                rank=rank,
                also_reported_by=tuple(
                    a
                    for a in members.get(group_of[passage.article.id], [])
                    if a.id != passage.article.id
                ),
            )
            for rank, passage in enumerate(kept, start=1)
        ]


def _read_by_model(question: str, reader) -> bool:
    """Does the second stage of hybrid+reader re-rank this question's candidates?"""
    return reader.reads(question) and news_question(question).kind not in DIGEST_KINDS


def _latest(questions: Sequence[str], filters: Filters | None, today: date) -> list[int]:
    """Positions of the questions about how things stand now ("latest", "current"...) that
    name no past time, unless the filters already choose (or prefer) a time."""
    if filters is not None and (filters.since or filters.until or filters.prefer_since):
        return []
    return [
        i
        for i, question in enumerate(questions)
        if wants_latest(question) and find_time_range(question, today) is None
    ]


def _topic_test(
    texts: dict[int, str], names: tuple[str, ...], wanted: frozenset[str]
) -> Callable[[int], bool]:
    """Is this chunk (by id; ``texts``: chunk texts with their context lines) on the topic of
    a question with these ``names`` and ``wanted`` terms (``qa.mentions.on_topic``)?"""
    return lambda chunk_id: chunk_id in texts and on_topic(texts[chunk_id], names, wanted)


def _holders_finder(
    texts: dict[int, str], names: tuple[str, ...], office: str, question: str
) -> Callable[[int], list[str]]:
    """The holders of ``office`` a chunk (by id; ``texts``: chunk texts with their context
    lines) names in the place ``question`` asks about (``_holders_in``), remembered per
    chunk: the name lookups and the topic test ask about the same chunks."""
    found: dict[int, list[str]] = {}

    def holders(chunk_id: int) -> list[str]:
        if chunk_id not in found:
            text = texts.get(chunk_id)
            found[chunk_id] = [] if text is None else _holders_in(text, names, office, question)
        return found[chunk_id]

    return holders


def _holders_in(text: str, names: tuple[str, ...], office: str, question: str) -> list[str]:
    """The people a chunk's sentences name in ``office`` where the sentence, with the one
    before it, mentions every one of the question's ``names`` (``holders_in_place``);
    credits aside. Sentence by sentence: a
    day page's chunk holds several stories, and one about Japan must not make the next
    one's Hungarian prime minister Japan's."""
    sentences = [span.text for span, _ in split_sentences(without_credits(text))]
    return [
        holder
        for i, sentence in enumerate(sentences)
        for holder in holders_in_place(
            sentence, sentences[i - 1] if i else "", names, office, question
        )
    ]


def _names_a_holder(holders: Callable[[int], list[str]]) -> Callable[[int], bool]:
    return lambda chunk_id: bool(holders(chunk_id))


def _scale(ranking: Ranking, mode: str) -> float:
    """What 1 is worth in a ranking's scores: 1 for fused scores (best 1), the spread of the
    list for a single search's raw scores (BM25's run to 20 and more, cosines lie close)."""
    if mode in FUSED_MODES or len(ranking) < 2:
        return 1.0
    return max(score for _, score in ranking) - min(score for _, score in ranking)


def _joined(first: list[Hits], second: list[Hits]) -> list[Hits]:
    """Each question's hits of two searches as one list (a chunk found by both, once: its
    score is the same in both), best first."""
    joined: list[Hits] = []
    for (scores_a, ids_a), (scores_b, ids_b) in zip(first, second, strict=True):
        best: dict[int, float] = {}
        for score, chunk_id in zip(
            np.concatenate([scores_a, scores_b]), np.concatenate([ids_a, ids_b]), strict=True
        ):
            best.setdefault(int(chunk_id), float(score))
        order = sorted(best.items(), key=lambda pair: -pair[1])
        joined.append(
            (
                np.array([score for _, score in order], dtype=np.float32),
                np.array([chunk_id for chunk_id, _ in order], dtype=np.int64),
            )
        )
    return joined


def _as_ranking(hits: Hits) -> Ranking:
    scores, ids = hits
    return [(int(c), float(s)) for s, c in zip(scores, ids, strict=True)]


def _passages(
    ranking: Ranking,
    chunks: dict[int, StoredChunk],
    articles: dict[str, Article],
    sentences: dict[str, tuple[Sentence, ...]],
) -> list[Passage]:
    ranking = [(c, score) for c, score in ranking if c in chunks]  # deleted meanwhile
    passages = []
    for rank, (chunk_id, score) in enumerate(ranking, start=1):
        chunk = chunks[chunk_id]
        article = articles[chunk.article_id]
        passages.append(
            Passage(
                score=score,
                chunk_id=chunk_id,
                text=article.text[chunk.start : chunk.end],
                start=chunk.start,
                end=chunk.end,
                article=article,
                sentences=sentences[article.id][chunk.first_sentence : chunk.last_sentence + 1],
                rank=rank,
                context=chunk.context,
            )
        )
    return passages
