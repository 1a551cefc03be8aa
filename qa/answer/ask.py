"""Answering one question of a conversation, start to end:

follow-up resolved against the history (``qa.answer.followup``)
  -> time words read as dates (``qa.timeexpr``, relative to the newest article or the date
     asked on): a filter, or for a narrow period a preference
  -> question parsed once (speaker? kind?) -> one retrieval (``qa.search``)
  -> sentences chosen (``qa.answer.select`` / ``qa.answer.statements``)
  -> copies of a cited story listed beside the citation
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from qa.answer.compose import abstain
from qa.answer.digest import DIGEST_K, digest_answer, nearest_dates
from qa.answer.disagree import set_side_by_side
from qa.answer.followup import resolve as resolve_followup
from qa.answer.select import parse_question, select_answer
from qa.answer.timeline import latest_first, statements_by_date
from qa.fusion import REPORTING_LAG_DAYS, reporting_window
from qa.kinds import DIGEST_KINDS, NewsQuestion, news_question
from qa.records import Answer, Filters, Passage, published_day
from qa.search import Searcher, check_question
from qa.store import Store
from qa.timeexpr import find_time_range, strip_time_phrase

ANSWER_K = 8  # passages an answer is chosen from
SPEAKER_K = 20  # "what did X say": gather X's statements from more articles


def ask(
    searcher: Searcher,
    question: str,
    history: Sequence[Answer] = (),
    *,
    filters: Filters | None = None,
    mode: str,
    today: date | None = None,
    abstain_below: float | None = None,
) -> Answer:
    """See ``Index.ask``."""
    asked = check_question(question).strip()
    resolved = resolve_followup(asked, list(history))
    filters = filters or Filters()
    if resolved.article_ids:
        filters = replace(filters, article_ids=resolved.article_ids)
    undated = filters
    # A digest of a period no article is dated in says so; other questions search all dates.
    # (Read on the question with its time words: "What's new in March 2025?" is a digest.)
    digest_asked = news_question(resolved.question).kind in DIGEST_KINDS
    # Time words count only in what the user typed, not in context a follow-up added.
    text, filters, notes = interpret_time(
        searcher.store, resolved.question, filters, today, asked=asked,
        keep_empty_period=digest_asked,
    )  # fmt: skip
    news = news_question(text)
    if digest_asked and news.kind not in DIGEST_KINDS:
        # "What's new in March 2025?": the time words were all it asked about, so it is the
        # digest of that period, on no topic.
        news = NewsQuestion(news_question(resolved.question).kind)
    if news.kind in DIGEST_KINDS and not resolved.exclude:
        answer = digest(searcher, text, news, filters, undated, mode=mode, today=today)
        shown = resolved.question if resolved.changed(asked) else ""
        return replace(answer, question=question, resolved_question=shown, notes=tuple(notes))
    parsed = parse_question(text)
    # "What did X say?" wants every article quoting X, so it looks further.
    k = SPEAKER_K if parsed.speaker else ANSWER_K
    retrieved = searcher.search([text], k, mode, filters, today)[0]
    embed = searcher.sentence_vectors
    vector = retrieved.vector
    if vector is None:  # a bm25-only search embedded nothing
        vector = embed.texts([text])[0]
    answer = select_answer(
        parsed,
        vector,
        _in_period(retrieved.passages, filters),
        retrieved.sentences,
        embed,
        exclude=resolved.exclude,
        abstain_below=abstain_below,
        filtered=filters.active(),
        latest=news.kind == "latest",
        read=retrieved.probabilities,
    )
    answer = cite_copies(answer, retrieved.passages)
    if news.kind == "latest":
        answer = latest_first(answer)
    elif answer.speaker and not answer.abstained:
        answer = statements_by_date(answer)
    if not answer.speaker:
        answer = set_side_by_side(answer)  # two sources, two figures, the same dates
    shown = resolved.question if resolved.changed(asked) else ""
    return replace(answer, question=question, resolved_question=shown, notes=tuple(notes))


def _in_period(passages: Sequence[Passage], filters: Filters) -> Sequence[Passage]:
    """The passages an answer is chosen from. For a narrow period ("on 3 October"): those of
    the period itself and any ranked above all of them — a report of the days after it that
    matched so much better that it beat the preference (the ceasefire agreed on Wednesday,
    reported on Thursday), or a story of another date far better still ("releasing … on
    November 16th", announced the week before); with none of the period, the same with the
    days after it. A sentence is chosen by how well it answers, not by its passage's rank,
    and the next day's toll ranked below that day's must not answer for it."""
    if not filters.prefer_since:
        return passages
    period = (filters.prefer_since[:10], filters.prefer_until[:10])
    for since, until in (period, reporting_window(*period)):
        inside = [since <= p.article.published[:10] <= until for p in passages]
        if any(inside):
            first = inside.index(True)
            return [p for i, p in enumerate(passages) if i < first or inside[i]]
    return passages


def digest(
    searcher: Searcher,
    text: str,
    news: NewsQuestion,
    filters: Filters,
    undated: Filters,
    *,
    mode: str,
    today: date | None,
) -> Answer:
    """An event or development question's dated digest (``qa.answer.digest``). When the
    period asked about holds nothing on the topic, the answer says so and names the nearest
    dates that do."""
    retrieved = searcher.search([text], DIGEST_K, mode, filters, today)[0]
    period = _period(filters) if filters != undated else ""
    found = digest_answer(
        text, news.kind, news.topic, retrieved.passages, retrieved.sentences, period=period
    )
    if found is not None:
        return found
    topic = " ".join(news.topic.split())
    on = f" on {topic}" if topic else ""
    if not period:
        return replace(
            abstain(text, f"The articles have no story{on}.", retrieved.passages, 0.0),
            kind=news.kind,
        )
    wider = searcher.search([text], DIGEST_K, mode, undated, today)[0]
    dates = nearest_dates(wider.passages, wider.sentences, news.topic, filters.since, filters.until)
    offer = (
        f" The nearest dates with stories{' on it' if topic else ''}: {', '.join(dates)}."
        if dates
        else f" No other date has a story{' on it' if topic else ''} either."
    )
    refusal = f"The articles have no story{on} {period}." + offer
    return replace(abstain(text, refusal, wider.passages, 0.0), kind=news.kind)


def _period(filters: Filters) -> str:
    since, until = filters.since[:10], filters.until[:10]
    if since and until:
        return f"on {since}" if since == until else f"from {since} to {until}"
    return f"since {since}" if since else f"until {until}" if until else ""


def interpret_time(
    store: Store,
    question: str,
    filters: Filters,
    today: date | None,
    asked: str = "",
    *,
    keep_empty_period: bool = False,
) -> tuple[str, Filters, list[str]]:
    """Turn "in March 2025", "since January"... into a date filter and a narrow period ("on
    Wednesday", "last week": seven days or fewer) into a preference (``Filters.prefer_since``:
    its stories first, then the days just after it, then the rest), relative to ``today``
    (default: the newest article's date not in the future, so an archive is read as of its
    own time). A digest (``keep_empty_period``) keeps a narrow period as a filter.
    Returns (question without its time words, narrowed filters, notes saying how they were
    read). Only words of ``asked`` (the user's own question) count when it is given. A period
    no article is dated in is searched anyway with ``keep_empty_period`` (a digest then says
    the period holds nothing); otherwise all dates are searched, and the note says so."""
    reference = today or newest_date(store)
    found = find_time_range(asked or question, reference) if reference else None
    if found is not None and found.phrase not in question:
        found = None
    if found is None:
        return question, filters, []
    since = max(filter(None, [found.since, filters.since]), default="")
    until = min(filter(None, [found.until, filters.until]), default="")
    if since and until and since > until:  # the question's dates lie outside the filter's
        note = f"dates: {found.description}, outside the dates of the filter; searched those"
        return question, filters, [note]
    if not keep_empty_period and is_narrow(since, until):
        # "on Wednesday": its stories first, then the days after (reports lag events), then
        # the rest; a digest keeps the period as a filter (it lists that period's stories).
        first, last = reporting_window(since, until)
        if filters.until:  # the user's own filter may end before the days after it
            last = min(last, filters.until[:10])
        if not len(store.chunk_ids_where(filters.sources, first, last, filters.article_ids)):
            note = f"dates: {found.description}, but no article is dated then; searched all dates"
            return question, filters, [note]
        preferred = replace(filters, prefer_since=since, prefer_until=until)
        after = f"then the {REPORTING_LAG_DAYS} days after it, " if last > until[:10] else ""
        note = f"dates: {found.description} (first; {after}then other dates)"
        return strip_time_phrase(question, found) or question, preferred, [note]
    narrowed = replace(filters, since=since, until=until)
    matching = store.chunk_ids_where(
        narrowed.sources, since or None, until or None, narrowed.article_ids
    )
    if not len(matching) and not keep_empty_period:
        note = f"dates: {found.description}, but no article is dated then; searched all dates"
        return question, filters, [note]
    note = f"dates: {found.description}"
    return strip_time_phrase(question, found) or question, narrowed, [note]


NARROW_DAYS = 7  # a period this short ("on Wednesday", "this week") is preferred, not required


def is_narrow(since: str, until: str) -> bool:
    """Is ``since``-``until`` a narrow period (both ends, at most ``NARROW_DAYS`` days)?"""
    if not since or not until:
        return False
    days = (date.fromisoformat(until[:10]) - date.fromisoformat(since[:10])).days + 1
    return days <= NARROW_DAYS


def newest_date(store: Store, now: date | None = None) -> date | None:
    """What "today" means for an archive: its newest article's date — but never a date still
    to come (``now``: the clock's today). A page misdated in the future stays searchable and
    does not move "last week" into the future."""
    return published_day(store.newest_date((now or date.today()).isoformat()))


def cite_copies(answer: Answer, passages: Sequence[Passage]) -> Answer:
    """A cited sentence that a syndicated copy carries word for word lists that copy too."""
    copies = {p.article.id: p.also_reported_by for p in passages if p.also_reported_by}
    if not copies:
        return answer
    citations = tuple(
        replace(
            c,
            also_in=c.also_in
            + tuple(
                a
                for a in copies.get(c.article.id, ())
                if c.sentence in a.text and a not in c.also_in
            ),
        )
        for c in answer.citations
    )
    return replace(answer, citations=citations)
