"""Fusion and rescoring math against hand-computed values; the rescoring hook on a tiny index
with the fake embedder (no model)."""

import numpy as np
import pytest

from qa import Filters, Index
from qa.fusion import MODES, check_mode, convex_fusion, minmax
from qa.load import make_article
from qa.rescore import best_sentence_scores, rescore


def hits(scores, ids):
    return np.array(scores, dtype=np.float32), np.array(ids, dtype=np.int64)


# -- normalisation -----------------------------------------------------------------------------
def test_minmax_scales_best_to_one_and_worst_to_zero():
    assert minmax(np.array([3.0, 1.0, 2.0])).tolist() == [1.0, 0.0, 0.5]
    assert minmax(np.array([-0.2, -0.6])).tolist() == pytest.approx([1.0, 0.0])


@pytest.mark.parametrize("scores", [[0.7], [2.5, 2.5, 2.5], [0.0, 0.0]])
def test_minmax_of_equal_scores_or_one_candidate_is_all_ones(scores):
    assert minmax(np.array(scores)).tolist() == [1.0] * len(scores)


def test_minmax_of_nothing_is_nothing():
    assert minmax(np.array([])).shape == (0,)


# -- fusion ------------------------------------------------------------------------------------
def test_convex_fusion_by_hand():
    dense = hits([0.9, 0.7, 0.5], [1, 2, 3])  # scaled: 1, 0.5, 0
    bm25 = hits([10.0, 4.0], [3, 4])  # scaled: 1, 0
    # equal weights: 1 -> .5, 2 -> .25, 3 -> 0 + .5, 4 -> 0; the tie 1/3 goes to the smaller id
    assert convex_fusion([dense, bm25]) == [(1, 0.5), (3, 0.5), (2, 0.25), (4, 0.0)]
    weighted = convex_fusion([dense, bm25], weights=(0.7, 0.3))
    assert [c for c, _ in weighted] == [1, 2, 3, 4]
    assert [s for _, s in weighted] == pytest.approx([0.7, 0.35, 0.3, 0.0])


def test_convex_fusion_with_an_empty_list_keeps_the_other_order():
    dense = hits([0.8, 0.6, 0.2], [7, 5, 9])
    assert convex_fusion([dense, hits([], [])]) == [(7, 0.5), (5, pytest.approx(1 / 3)), (9, 0.0)]
    assert convex_fusion([hits([], []), hits([], [])]) == []


def test_convex_fusion_of_one_candidate_each():
    assert convex_fusion([hits([0.3], [4]), hits([1.2], [4])]) == [(4, 1.0)]
    assert convex_fusion([hits([0.3], [4]), hits([1.2], [6])]) == [(4, 0.5), (6, 0.5)]


def test_convex_fusion_needs_one_weight_per_list():
    with pytest.raises(ValueError):
        convex_fusion([hits([1.0], [1])], weights=(0.5, 0.5))


# -- rescoring ---------------------------------------------------------------------------------
def test_best_sentence_scores_take_each_candidates_best_sentence():
    question = np.array([1.0, 0.0])
    sentences = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    best = best_sentence_scores(question, sentences, [0, 1, 1], 3)
    assert best.tolist() == pytest.approx([1.0, 0.6, -1.0])  # candidate 2 has no sentence
    assert best_sentence_scores(question, np.zeros((0, 2)), [], 2).tolist() == [-1.0, -1.0]


def test_rescore_reorders_the_head_and_keeps_the_tail_below():
    ranking = [(10, 0.9), (11, 0.8), (12, 0.5), (13, 0.4)]
    # best sentences of the first three: scaled 0, 1, 0.5; weight 0.25:
    # 10 -> .675, 11 -> .6 + .25 = .85, 12 -> .375 + .125 = .5; 13 (not rescored) -> .3
    got = rescore(ranking, [0.2, 0.6, 0.4], weight=0.25)
    assert [c for c, _ in got] == [11, 10, 12, 13]
    assert [s for _, s in got] == pytest.approx([0.85, 0.675, 0.5, 0.3])


def test_rescore_edge_cases():
    assert rescore([], []) == []
    assert rescore([(3, 0.4)], [0.9], weight=0.5) == [(3, pytest.approx(0.7))]
    assert rescore([(3, 0.4), (2, 0.4)], [0.1, 0.1], weight=0.5) == [(2, 0.7), (3, 0.7)]
    with pytest.raises(ValueError, match="2 sentence scores for 1 candidates"):
        rescore([(3, 0.4)], [0.1, 0.2])


def test_every_mode_is_accepted():
    assert {"hybrid+rescore", "hybrid+reader"} <= set(MODES)
    assert all(check_mode(m) == m for m in MODES)


def test_rescoring_promotes_the_chunk_holding_the_answer_sentence(tmp_path, fake_embedder):
    question = "Fishermen lost forty boats in the storm"
    town = make_article(
        title="Council",
        text="The council debated parking fees at length. Fishermen lost forty boats in the "
        "storm. Schools close early on Friday, the mayor announced. Tourists praised the sunny "
        "weather and museums.",
    )
    show = make_article(
        title="Festival",
        text="Fishermen showed boats at the festival. The storm season starts soon, fishermen "
        "said. Boats were lost last year.",
    )
    weather = make_article(
        title="Outlook", text="A storm is expected over the weekend. Forty schools may close."
    )
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        index.add([town, show, weather])
        fused = index.retrieve(question, k=3, mode="hybrid")
        rescored = index.retrieve(question, k=3, mode="hybrid+rescore")
        index.ask(question)
        embedded = index.searcher.sentence_vectors.embedded
    # Words spread over "Festival" win the fusion; the sentence quoted whole wins the rescoring.
    assert [p.article.title for p in fused] == ["Festival", "Council", "Outlook"]
    assert [p.article.title for p in rescored] == ["Council", "Festival", "Outlook"]
    assert [p.rank for p in rescored] == [1, 2, 3]
    assert rescored[0].score > rescored[1].score > rescored[2].score
    assert embedded == 0  # rescoring and answering read the sentence vectors stored at ingest


def boat_stories() -> list:
    """One story says how many boats the fishermen lost; the other only shares its words."""
    return [
        make_article(title="Council", text="The council debated parking fees at length. "
                     "Fishermen lost forty boats in the storm last night."),
        make_article(title="Festival", text="Fishermen showed boats at the festival. The "
                     "storm season starts soon, fishermen said."),
    ]  # fmt: skip


def test_the_answer_model_reranks_the_fused_head(tmp_path, fake_embedder):
    """hybrid+reader: the fused candidates re-scored (1 - w) * fused + w * minmax(model),
    the model reading each sentence with its title (and the sentence before it) and a
    passage scoring its best sentence."""
    from qa.reader import candidate_text, get_reader
    from qa.rescore import READER_WEIGHT

    question = "How many boats did fishermen lose in the storm?"
    articles = [*boat_stories(), make_article(title="Outlook", text="A storm is expected over "
                                                "the weekend.")]  # fmt: skip
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        index.add(articles)
        fused = index.retrieve(question, k=3, mode="hybrid")
        read = index.retrieve(question, k=3, mode="hybrid+reader")
        stored = {p.article.id: index.sentences(p.article.id) for p in fused}

    # One batch, in ranking order, as the search reads them: int8 activations are quantised
    # per batch, so a probability depends (slightly) on what it is read with.
    texts, owners = [], []
    for i, passage in enumerate(fused):
        sentences = stored[passage.article.id]
        for s in passage.sentences:
            if not s.heading:
                previous = sentences[s.index - 1].text if s.index else ""
                texts.append(candidate_text(s.text, passage.article.title, previous))
                owners.append(i)
    probabilities = get_reader().score([question] * len(texts), texts)
    model = [max(p for p, o in zip(probabilities, owners, strict=True) if o == i)
             for i in range(len(fused))]  # fmt: skip
    expected = rescore([(p.chunk_id, p.score) for p in fused], model, READER_WEIGHT)
    assert [p.chunk_id for p in read] == [c for c, _ in expected]
    assert [p.score for p in read] == pytest.approx([s for _, s in expected])
    assert read[0].article.title == "Council"  # the passage that says how many


def _fused_and_read(tmp_path, fake_embedder, question: str) -> tuple[list, list]:
    """(chunk id, score) of each passage, hybrid and hybrid+reader, over the boat stories."""
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        index.add(boat_stories())
        return tuple(
            [(p.chunk_id, p.score) for p in index.retrieve(question, k=2, mode=mode)]
            for mode in ("hybrid", "hybrid+reader")
        )


@pytest.mark.parametrize(
    ("question", "reranked"),
    [
        ("How many boats did the fishermen lose?", True),
        # Longer than the answer model's training questions (MultiHop-RAG's are).
        ("After the council had debated parking fees at length and the festival had shown "
         "the boats of the fishermen, how many boats did the fishermen of the town lose in "
         "the storm last night?", False),
        # Its answer is every story on the topic (a digest), not one sentence.
        ("What happened with the fishermen's boats?", False),
    ],
)  # fmt: skip
def test_the_second_stage_reranks_only_questions_like_the_models_training_ones(
    tmp_path, fake_embedder, question, reranked
):
    fused, read = _fused_and_read(tmp_path, fake_embedder, question)
    assert (read != fused) is reranked


def test_rescoring_with_nothing_to_rescore(tmp_path, fake_embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        assert index.retrieve("storm", k=3, mode="hybrid+rescore") == []  # empty index
        index.add([make_article(title="Storm", text="A storm hit.", source="Daily A")])
        only_b = Filters(sources=("Daily B",))
        assert index.retrieve("storm", k=3, mode="hybrid+rescore", filters=only_b) == []
        assert len(index.retrieve("the", k=3, mode="hybrid+rescore")) == 1  # stopwords only


def test_recency_prefers_the_newest_of_near_equal_matches_only():
    from qa.fusion import prefer_recent

    ranking = [(1, 1.00), (2, 0.95), (3, 0.50), (4, 0.0)]
    published = {1: "2025-03-28", 2: "2025-03-31", 3: "2026-01-01", 4: "2099-01-01"}
    reranked = [c for c, _ in prefer_recent(ranking, published, anchor="2026-08-22")]
    assert reranked[:2] == [2, 1]  # near-equal: the newer report first
    assert reranked.index(3) > reranked.index(1)  # much weaker: its date does not lift it
    future = {1: "2025-03-28", 2: "2099-12-05"}  # misdated: never newest
    assert [c for c, _ in prefer_recent(ranking[:2], future, anchor="2026-08-22")] == [1, 2]


def test_latest_questions_prefer_newer_reports_in_the_index(fake_index):
    toll = "The quake death toll in Myanmar rises to {}, officials say."
    older = make_article(title="Quake", text=toll.format("1,000"), published="2025-03-28")
    newer = make_article(title="Quake", text=toll.format("3,050"), published="2025-03-31")
    fake_index.add([older, newer])
    plain = fake_index.retrieve("Myanmar quake death toll", k=2, mode="bm25")
    latest = fake_index.retrieve("latest Myanmar quake death toll", k=2, mode="bm25")
    assert plain[0].score == plain[1].score  # equal matches: only the date can tell them apart
    assert latest[0].article.id == newer.id
    dated = fake_index.retrieve("quake death toll in March 2025 latest", k=2, mode="bm25")
    # A question naming a time is left as it ranks: equal scores in the order stored, the
    # older report first (recency would have put the newer one first, as above).
    assert [p.article.id for p in dated] == [older.id, newer.id]
    assert dated[0].score == dated[1].score


def test_newest_on_topic_is_the_newest_dated_candidate_on_the_topic():
    from qa.fusion import newest_on_topic

    ranking = [(1, 1.0), (2, 0.9), (3, 0.5), (4, 0.4), (5, 0.3), (6, 0.2)]
    published = {1: "2026-07-09", 2: "2026-07-30", 3: "2026-08-30", 4: "2026-08-17",
                 5: "2099-01-01", 6: ""}  # fmt: skip
    topical = {1, 2, 4, 5, 6}.__contains__  # 3 is newer but about something else
    assert newest_on_topic(ranking, published, topical, anchor="2026-08-31") == 4
    # misdated 5 and undated 6 are never the newest
    assert newest_on_topic(ranking, published, {5, 6}.__contains__, "2026-08-31") is None
    assert newest_on_topic(ranking, published, set().__contains__, "2026-08-31") is None
    assert newest_on_topic([], published, topical, anchor="2026-08-31") is None
    same_day = {1: "2026-08-17", 2: "2026-08-17"}
    assert newest_on_topic(ranking[:2], same_day, topical, anchor="2026-08-31") == 1
    tested = []
    newest_on_topic(ranking, published, lambda c: tested.append(c) or c == 2, "2026-08-31")
    assert tested == [3, 4, 2]  # newest first, stopping at the first on the topic


def test_lead_with_puts_one_candidate_first_and_keeps_the_rest_in_order():
    from qa.fusion import lead_with

    ranking = [(1, 1.0), (2, 0.9), (3, 0.5)]
    led = lead_with(ranking, 3)
    assert [c for c, _ in led] == [3, 1, 2]
    assert led[0][1] > 1.0  # above the best, so a later sort by score keeps it first
    assert lead_with(ranking, 1) == ranking
    assert lead_with(ranking, 99) == ranking
    assert lead_with([], 1) == []


def test_who_holds_an_office_now_leads_with_the_newest_report_naming_a_holder(
    fake_index, monkeypatch
):
    from qa import search

    fake_index.add([
        make_article(title="Summit", published="2026-04-06", text=(
            "Japanese prime minister Sanae Takaichi says her government plans summit talks "
            "with the prime minister of Japan's neighbour.")),
        # The newest report on the office words it unlike the question.
        make_article(title="Execution", published="2026-08-21", text=(
            "Japan executes a man for a 2009 arson attack in Osaka. It is the first execution "
            "under Sanae Takaichi's premiership. (AFP) (The Japan Times)")),
        # Newer still, on another country's prime minister: its credits name Japan.
        make_article(title="Hungary", published="2026-08-25", text=(
            "The Hungarian parliament backs prime minister Péter Magyar's majority "
            "government. (AP) (Bloomberg via The Japan Times)")),
        # Another country's prime minister in Japan.
        make_article(title="Visit", published="2026-08-24", text=(
            "Australian prime minister Anthony Albanese arrives in Japan for talks with "
            "the prime minister.")),
    ])  # fmt: skip
    question = "Who is Japan's prime minister now?"
    # Few candidates, so that the execution report is not among them: only looking up the
    # holder the candidates name ("Sanae Takaichi") finds it.
    for name in ("FUSION_DEPTH", "RECENCY_DEPTH", "RESCORE_DEPTH"):
        monkeypatch.setattr(search, name, 2)
    top = fake_index.retrieve(question, k=1, mode="bm25")
    assert top[0].article.title == "Execution"
    monkeypatch.setattr(search, "HOLDERS_LOOKED_UP", 0)
    assert fake_index.retrieve(question, k=1, mode="bm25")[0].article.title == "Summit"
    monkeypatch.undo()
    for mode in ("bm25", "hybrid"):
        top = fake_index.retrieve(question, k=1, mode=mode)
        assert top[0].article.title == "Execution", mode
    answer = fake_index.ask(question, abstain_below=0)
    assert answer.citations[0].article.title == "Execution"
    cited = " ".join(c.sentence for c in answer.citations if c.article.title == "Execution")
    assert "Takaichi" in cited


def test_latest_questions_lead_with_the_newest_report_on_the_topic(fake_index):
    fake_index.add([
        make_article(title="Ebola", published="2026-07-09", text=(
            "The Ebola death toll in the Congo reaches 600. "
            "The Ebola death toll in the Congo has doubled in a month.")),
        make_article(title="Outbreak", published="2026-08-17", text=(
            "The United Nations reports that the death toll of the current Ebola outbreak "
            "in the Democratic Republic of the Congo rises to at least 2,325 people.")),
        make_article(title="Floods", published="2026-08-20", text=(
            "The death toll from floods in Pakistan reaches 40, the disaster agency reports.")),
    ])  # fmt: skip
    for mode in ("bm25", "dense", "hybrid", "hybrid+rescore", "hybrid+reader"):
        latest = fake_index.retrieve("latest Ebola death toll in the Congo", k=3, mode=mode)
        assert latest[0].article.title == "Outbreak", mode  # newest on the topic
        assert [p.article.title for p in latest].index("Floods") > 0  # newer, off the topic
        # With k=1 too: every mode looks 50 deep for a "latest" question.
        top = fake_index.retrieve("latest Ebola death toll in the Congo", k=1, mode=mode)
        assert top[0].article.title == "Outbreak", mode
    for mode in ("bm25", "hybrid"):
        plain = fake_index.retrieve("Ebola death toll in the Congo", k=3, mode=mode)
        assert plain[0].article.title == "Ebola"  # words closest to the question


def test_a_narrow_period_is_preferred_then_the_days_after_then_other_dates():
    from qa.fusion import LAG_MARGIN, OTHER_MARGIN, prefer_period, reporting_window

    assert reporting_window("2025-10-08", "2025-10-08") == ("2025-10-08", "2025-10-10")
    ranking = [(1, 1.0), (2, 0.95), (3, 0.9), (4, 0.6), (5, 0.55), (6, 0.3)]
    published = {1: "2025-10-09", 2: "2025-10-08", 3: "2025-10-01", 4: "2025-10-08",
                 5: "2025-10-10", 6: ""}  # fmt: skip
    ranked = prefer_period(ranking, published, "2025-10-08", "2025-10-08")
    # Wednesday's near-equal report before Thursday's, which still beats a much weaker story
    # of Wednesday; a week-old story ranks below both unless far better; an undated one last.
    assert [c for c, _ in ranked] == [2, 1, 4, 5, 3, 6]
    assert dict(ranked)[1] == 1.0 - LAG_MARGIN and dict(ranked)[3] == 0.9 - OTHER_MARGIN
    far_better = [(3, 1.0), (4, 0.3)]
    assert [c for c, _ in prefer_period(far_better, published, "2025-10-08", "2025-10-08")] == [
        3, 4
    ]  # fmt: skip


def test_a_question_naming_a_day_prefers_it_and_the_reports_after_it(fake_index):
    agreed = make_article(
        title="Ceasefire agreed",
        text="Israel and Hamas agreed to a ceasefire after talks in Cairo.",
        published="2024-06-06",  # reported the day after it was agreed
    )
    same_day = make_article(
        title="Markets", text="Stocks rose as traders bought shares.", published="2024-06-05"
    )
    older = make_article(
        title="Earlier truce",
        text="Israel and Hamas agreed to a ceasefire in Cairo talks last year.",
        published="2023-05-01",
    )
    fake_index.add([agreed, same_day, older])
    question, filters, notes = fake_index.interpret_time(
        "Who agreed to a ceasefire in Cairo on 5 June 2024?"
    )
    assert (filters.since, filters.until) == ("", "")  # not a filter
    assert (filters.prefer_since, filters.prefer_until) == ("2024-06-05", "2024-06-05")
    assert notes == ["dates: on 5 June 2024 → 2024-06-05 (first; then the 2 days after it, "
                     "then other dates)"]  # fmt: skip
    ranked = [p.article.id for p in fake_index.retrieve(question, k=3, filters=filters)]
    # The next day's report first (it matches far better than that day's other story); the
    # truce of another year is not filtered out, but ranks below the story of the day asked
    # about, though it words the question better (as it ranks with no date preferred).
    assert ranked == [agreed.id, same_day.id, older.id]
    plain = [p.article.id for p in fake_index.retrieve(question, k=3)]
    assert plain == [agreed.id, older.id, same_day.id]
    answer = fake_index.ask("Who agreed to a ceasefire in Cairo on 5 June 2024?", abstain_below=0)
    assert answer.citations[0].article.id == agreed.id


def test_the_recency_prior_lowers_each_candidate_by_the_log_of_its_age():
    import math

    from qa.fusion import recency_prior

    ranking = [(1, 1.0), (2, 0.9), (3, 0.5), (4, 0.45), (5, 0.2)]
    published = {1: "2014-03-01", 2: "2025-01-12", 3: "2025-01-13", 4: "2025-02-01", 5: ""}
    ranked = recency_prior(ranking, published, "2025-01-14", weight=0.15)
    scores = dict(ranked)
    assert math.isclose(scores[2], 0.9 - 0.15 * math.log1p(2))
    # This week's reports overtake an eleven-year-old story that words the question better
    # (the weight learned from weekly quiz questions is strong: 0.15 x ln(4,338) = 1.26);
    # one dated after the day asked and an undated one count as old as the oldest.
    assert [c for c, _ in ranked] == [2, 3, 1, 4, 5]
    oldest = math.log1p(date_of("2025-01-14") - date_of("2014-03-01"))
    assert math.isclose(scores[4], 0.45 - 0.15 * oldest)
    assert math.isclose(scores[5], 0.2 - 0.15 * oldest)
    assert recency_prior(ranking, published, "2025-01-14", weight=0.0) == ranking
    assert recency_prior(ranking, {}, "2025-01-14", weight=0.15) == ranking  # nothing dated


def date_of(iso: str) -> int:
    from datetime import date

    return date.fromisoformat(iso).toordinal()


def test_questions_asked_on_a_date_prefer_recent_stories_an_archive_does_not(fake_index):
    from datetime import date, timedelta

    from qa.fusion import recency_weight

    assert recency_weight() > 0  # the learned weight ships (qa/models/recency.json)
    text = "The Kumbh Mela, the world's largest religious gathering, begins in {}."
    old = make_article(title="Gathering", text=text.format("Allahabad, India"),
                       published="2013-01-14")  # fmt: skip
    new = make_article(title="Gathering", text=text.format("Prayagraj, India"),
                       published="2025-01-13")  # fmt: skip
    fake_index.add([old, new])
    question = "Where does the world's largest religious gathering begin, Allahabad?"
    archive = fake_index.retrieve(question, k=2, mode="bm25")
    assert archive[0].article.id == old.id  # no date asked on, not live: as it matches
    asked = fake_index.retrieve(question, k=2, mode="bm25", today=date(2025, 1, 15))
    assert asked[0].article.id == new.id
    # A question whose time words chose a period is read by it, not by the prior.
    period = Filters(since="2013-01-01", until="2025-12-31")
    dated = fake_index.retrieve(question, k=2, mode="bm25", filters=period,
                                today=date(2025, 1, 15))  # fmt: skip
    assert dated[0].article.id == old.id
    assert fake_index.searcher.asked_on(None) is None  # an archive: its newest is not recent
    fresh = make_article(title="Gathering", text=text.format("Haridwar, India"),
                         published=(date.today() - timedelta(days=1)).isoformat())  # fmt: skip
    fake_index.add([fresh])
    assert fake_index.searcher.asked_on(None) == date.today()  # live: asked today


def test_an_answer_to_a_narrow_period_is_chosen_from_that_period_first():
    from qa.answer.ask import _in_period
    from qa.records import Passage

    def passage(day: str) -> Passage:
        article = make_article(title=day, text=f"A toll reported on {day}.", published=day)
        return Passage(1.0, 0, article.text, 0, len(article.text), article, ())

    period = Filters(prefer_since="2025-10-03", prefer_until="2025-10-03")
    oct3, oct4, sep1 = passage("2025-10-03"), passage("2025-10-04"), passage("2025-09-01")
    # Ranked below that day's toll, the next day's is not an answer for it...
    assert _in_period([oct3, oct4, sep1], period) == [oct3]
    # ...ranked above it (it matched far better), it may be; so may a story of another date.
    assert _in_period([sep1, oct4, oct3], period) == [sep1, oct4, oct3]
    # Nothing of the day itself: the days after it, and what ranks above them.
    assert _in_period([sep1, oct4, passage("2025-08-01")], period) == [sep1, oct4]
    assert _in_period([sep1], period) == [sep1]
    assert _in_period([sep1, oct4], Filters()) == [sep1, oct4]


def test_a_badly_dated_article_counts_as_undated_for_the_date_steps(fake_index):
    from dataclasses import replace
    from datetime import date

    good = make_article(title="Vote", text="The council voted on the bridge.",
                        published="2024-06-03")  # fmt: skip
    odd = replace(make_article(title="Vote again", text="The council voted on a bridge toll."),
                  published="2024")  # fmt: skip
    fake_index.add([good, odd])
    for mode in ("hybrid", "bm25", "dense"):
        # Asked the next day: no error, both found ("2024" counts as old as the oldest).
        asked = fake_index.retrieve("council bridge vote", k=2, mode=mode, today=date(2024, 6, 4))
        assert {p.article.id for p in asked} == {good.id, odd.id}
        text, filters, _ = fake_index.interpret_time("council bridge vote on 3 June 2024")
        assert filters.prefer_since == "2024-06-03"
        dated = fake_index.retrieve(text, k=2, mode=mode, filters=filters)
        assert {p.article.id for p in dated} == {good.id, odd.id}
    assert fake_index.searcher.asked_on(None) is None


def test_a_missing_or_damaged_recency_weight_is_a_clear_error(tmp_path, monkeypatch):
    import qa.fusion as fusion
    from qa.errors import RecencyPriorError

    fusion.recency_weight.cache_clear()
    try:
        monkeypatch.setattr(fusion, "RECENCY_FILE", tmp_path / "recency.json")
        with pytest.raises(RecencyPriorError, match="python -m eval.train_recency --write"):
            fusion.recency_weight()
        (tmp_path / "recency.json").write_text('{"weight": -1}', encoding="utf-8")
        with pytest.raises(RecencyPriorError, match="not a weight >= 0"):
            fusion.recency_weight()
    finally:
        monkeypatch.undo()
        fusion.recency_weight.cache_clear()
    assert fusion.recency_weight() > 0  # the shipped file
