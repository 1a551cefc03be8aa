"""The evaluation suite: loaders on hand-made files, metrics against hand-computed values and
a direct reference, the hit rules, reports, the gate and the CLI. No real model is loaded."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eval import calibrate, gate, metrics, pool, report
from eval.__main__ import _answer_plan, _distractor_systems, load_datasets, main, run_names
from eval.datasets import DATASETS, DatasetSpec, multihop_rag, sample, squad2
from eval.datasets.base import (
    exact_substring_hit,
    question_kind,
    same_article_hit,
    squash,
    substring_hit,
)
from eval.embedcache import CachingEmbedder, uncached
from eval.run import (
    DEFAULT_TIMED,
    GATE_ASK,
    AnswerPlan,
    QueryResult,
    breakdown,
    questions_to_ask,
    run,
    spread,
)
from eval.systems import SYSTEMS, System, get_systems, mode_system
from qa import Index
from qa.load import make_article

from .conftest import FakeEmbedder

# ---------------------------------------------------------------------------------------------
# Loaders
# ---------------------------------------------------------------------------------------------

ARTICLE_MD = """---
title: Budget vote
source: Daily A
---
The parliament approved the budget on Monday. Opposition parties walked out.

The finance minister said the deficit would fall to 2 percent.
"""


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_sample_loader_reads_questions_and_checks_sentences(tmp_path):
    article = tmp_path / "budget.md"
    article.write_text(ARTICLE_MD, encoding="utf-8")
    questions = tmp_path / "q.jsonl"
    write_jsonl(
        questions,
        [
            {
                "id": "a",
                "question": "When was the budget approved?",
                "kind": "when",
                "relevant": ["The parliament approved the budget on Monday."],
                "answers": ["Monday"],
            },
            {"id": "b", "question": "What did the king say?", "unanswerable": True},
        ],
    )
    loaded = sample.load(questions, article)
    assert loaded.queries == {"a": "When was the budget approved?", "b": "What did the king say?"}
    assert loaded.relevant == {"a": ["The parliament approved the budget on Monday."]}
    assert loaded.answers["a"] == ["Monday"]
    assert loaded.unanswerable == {"b"}
    assert loaded.answerable == ["a"]
    assert [a.title for a in loaded.articles] == ["Budget vote"]
    assert loaded.hit_rule is exact_substring_hit

    write_jsonl(questions, [{"id": "a", "question": "?", "relevant": ["Not in the article."]}])
    with pytest.raises(ValueError, match=r"q.jsonl:1: relevant sentence 'Not in the article.'"):
        sample.load(questions, article)


def test_bundled_sample_is_varied_and_exact():
    loaded = sample.load()
    text = loaded.articles[0].text
    assert len(loaded.answerable) >= 30
    assert len(loaded.unanswerable) >= 5
    assert {"who", "what", "when", "where", "how many", "quote"} <= set(loaded.kinds.values())
    questions = " ".join(loaded.queries.values())
    for name in ("Ohanian", "Hasanov", "Putin"):
        assert name in questions
    assert "Shoygu" in questions and "Shoigu" in questions
    for qid in loaded.answerable:
        assert all(sentence in text for sentence in loaded.relevant[qid])
        sentences = [metrics.squeeze(s) for s in loaded.relevant[qid]]
        for answer in loaded.answers[qid]:
            assert any(metrics.squeeze(answer) in s for s in sentences), (qid, answer)


def test_squad2_loader_makes_one_article_per_context(tmp_path):
    para_a = "Paris is the capital of France. It has 2 million people."
    para_b = "The Nile flows north through Egypt into the Mediterranean Sea."
    queries = {
        "queries": [
            {"id": "q1", "context": para_a, "question": "What is the capital of France?"},
            {"id": "q2", "context": para_a, "question": "How many people live in Paris?"},
            {"id": "q3", "context": para_b, "question": "Who built the Nile?"},
        ]
    }
    truth = {
        "q1": {"answers": ["Paris", "Paris", "Paris "], "is_impossible": False},
        "q2": {"answers": ["2 million"], "is_impossible": False},
        "q3": {"answers": [""], "is_impossible": True},
    }
    (tmp_path / "queries.json").write_text(json.dumps(queries))
    (tmp_path / "ground_truth.json").write_text(json.dumps(truth))
    loaded = squad2.load(tmp_path)
    assert [a.text for a in loaded.articles] == [para_a, para_b]
    assert loaded.articles[0].title == "Paris is the capital of France. It has…"
    first = loaded.articles[0].id
    assert loaded.relevant == {"q1": [first], "q2": [first]}
    assert loaded.answers == {"q1": ["Paris", "Paris "], "q2": ["2 million"], "q3": []}
    assert loaded.unanswerable == {"q3"}
    assert loaded.hit_rule is same_article_hit
    assert loaded.map_rule == "standard"
    assert loaded.kinds == {"q1": "what", "q2": "how many", "q3": "unanswerable"}


def test_question_kind_reads_the_wh_word():
    assert question_kind("How many people live in Paris?") == "how many"
    assert question_kind("how did the war end") == "how"
    assert question_kind("In what year was it built?") == "when"
    assert question_kind("The treaty was signed by whom?") == "who"
    assert question_kind("Whose army won?") == "who"
    assert question_kind("In which country is Lyon?") == "which"
    assert question_kind("What is the capital of France?") == "what"
    assert question_kind("Name the river.") == "other"


def evidence(fact, title, source, url="", published="2023-10-01T10:00:00+00:00"):
    return {
        "author": "A. Writer",
        "category": "tech",
        "fact": fact,
        "published_at": published,
        "source": source,
        "title": title,
        "url": url,
    }


def test_multihop_loader_groups_facts_into_articles(tmp_path):
    queries = {
        "queries": [
            {"id": "0", "question": "Did both report X?", "question_type": "comparison_query"},
            {"id": "1", "question": "Who leads Y?", "question_type": "inference_query"},
            {"id": "2", "question": "What did Z say?", "question_type": "null_query"},
        ]
    }
    truth = {
        "0": {
            "answer": "Yes",
            "evidence_list": [
                evidence("Fact one.", "Story A", "Wire", "https://wire.example/a"),
                evidence("Fact two.", "Story B", "Daily", "https://daily.example/b"),
            ],
        },
        "1": {
            "answer": "Sam Altman.",
            "evidence_list": [
                evidence("Fact three.", "Story A", "Wire", "https://wire.example/a"),
                evidence("Fact one.", "Story A", "Wire", "https://wire.example/a"),
            ],
        },
        "2": {"answer": "Insufficient information.", "evidence_list": []},
    }
    (tmp_path / "queries.json").write_text(json.dumps(queries))
    (tmp_path / "ground_truth.json").write_text(json.dumps(truth))
    loaded = multihop_rag.load(tmp_path)
    by_title = {a.title: a for a in loaded.articles}
    assert sorted(by_title) == ["Story A", "Story B"]
    story_a = by_title["Story A"]
    assert story_a.text == "Fact one.\n\nFact three."  # first-appearance order, no repeats
    assert (story_a.source, story_a.url) == ("Wire", "https://wire.example/a")
    assert story_a.published == "2023-10-01T10:00:00+00:00"
    assert loaded.relevant == {"0": ["Fact one.", "Fact two."], "1": ["Fact three.", "Fact one."]}
    assert loaded.unanswerable == {"2"}
    # "Yes" judges rather than quotes, so it is no answer target; trailing dots are dropped.
    assert loaded.answers == {"0": [], "1": ["Sam Altman"], "2": []}
    assert loaded.map_rule == "multihop-rag"
    assert loaded.kinds["2"] == "null_query"


# ---------------------------------------------------------------------------------------------
# Hit rules
# ---------------------------------------------------------------------------------------------


def test_substring_rule_ignores_spaces_and_newlines_only():
    fact = "The Justice Department is focused on the deals Google makes."
    assert substring_hit(
        fact, "Intro.\nThe Justice Department is focused on the deals Google makes.", ""
    )
    assert substring_hit(
        fact, "TheJustice Department is\nfocused on the  deals Google\n\nmakes.", ""
    )
    assert substring_hit("a b\nc", "xx abc yy", "")
    assert not substring_hit(
        fact, "The Justice Department is focused on the deals Google made.", ""
    )
    assert not substring_hit(fact, fact.lower(), "")  # case matters
    assert not substring_hit("a\tb", "ab", "")  # the official rule removes spaces and \n only
    assert squash(" a \n b\n") == "ab"


def test_exact_and_article_rules():
    assert exact_substring_hit("Ohanian said.", "“We want…,” Ohanian said. Next.", "x")
    assert not exact_substring_hit("Ohanian  said.", "“We want…,” Ohanian said.", "x")
    assert same_article_hit("h123", "any text", "h123")
    assert not same_article_hit("h123", "h123", "h999")


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------

F = frozenset


def test_gold_item_list_keeps_passage_ranks_for_first_hits():
    ranking = [F(), F({0, 1}), F(), F({1}), F({2})]
    assert metrics.gold_item_list(ranking) == ["miss1", "gold0", "gold1", "miss3", "miss4", "gold2"]
    assert metrics.gold_item_list([]) == ["miss0"]


def test_retrieval_metrics_match_hand_computed_values():
    # 4 gold items; passage 2 holds gold 0 and 1, passage 4 repeats gold 1, passage 5 gold 2.
    rankings = {"q": [F(), F({0, 1}), F(), F({1}), F({2})], "none": [F(), F()], "top": [F({0})]}
    n_gold = {"q": 4, "none": 2, "top": 1}
    scores = metrics.retrieval_scores(rankings, n_gold)
    q = scores["q"]
    assert q["Hits@1"] == 0.0
    assert q["Hits@4"] == 1.0 and q["Hits@10"] == 1.0
    assert q["MRR@10"] == pytest.approx(1 / 2)
    assert q["Recall@10"] == pytest.approx(3 / 4)
    # gold items at positions 2, 3, 6 of the list; ideal: positions 1-4
    dcg = 1 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(7)
    idcg = sum(1 / math.log2(i + 1) for i in range(1, 5))
    assert q["nDCG@10"] == pytest.approx(dcg / idcg)
    assert q["MAP@10"] == pytest.approx((1 / 2 + 2 / 3 + 3 / 6) / 4)
    assert scores["none"] == dict.fromkeys(metrics.RETRIEVAL_METRICS, 0.0)
    assert scores["top"] == dict.fromkeys(metrics.RETRIEVAL_METRICS, 1.0)
    means = metrics.mean(scores, ["MRR@10", "Hits@1"])
    assert means == {"MRR@10": pytest.approx((0.5 + 0 + 1) / 3), "Hits@1": pytest.approx(1 / 3)}


def test_multihop_map_is_the_official_formula():
    ranking = [F(), F({0, 1}), F(), F({1}), F({2})]
    # official: (2 new at rank 2)/2 + (1 new at rank 5)/5, over min(4, 10)
    assert metrics.official_map(ranking, 4) == pytest.approx((2 / 2 + 1 / 5) / 4)
    scores = metrics.retrieval_scores({"q": ranking}, {"q": 4}, map_rule="multihop-rag")
    assert scores["q"]["MAP@10"] == pytest.approx(0.3)
    late = [F()] * 10 + [F({0})]  # rank 11 is past the cutoff
    assert metrics.official_map(late, 1) == 0.0
    assert metrics.official_map([F({g}) for g in range(12)], 12) == pytest.approx(
        sum(1 / r for r in range(1, 11)) / 10
    )


rankings_strategy = st.lists(
    st.lists(st.frozensets(st.integers(0, 3), max_size=2), max_size=12), min_size=1, max_size=6
)


@settings(max_examples=60, deadline=None)
@given(rankings_strategy)
def test_converted_metrics_agree_with_direct_definitions(raw):
    rankings = {f"q{i}": r for i, r in enumerate(raw)}
    n_gold = dict.fromkeys(rankings, 4)
    scores = metrics.retrieval_scores(rankings, n_gold)
    curve = metrics.hits_curve(rankings, n_gold, 10)
    for qid, ranking in rankings.items():
        first = next((r for r, g in enumerate(ranking, start=1) if g), None)
        for k in (1, 4, 10):
            assert scores[qid][f"Hits@{k}"] == float(first is not None and first <= k)
        expected_rr = 1 / first if first is not None and first <= 10 else 0.0
        assert scores[qid]["MRR@10"] == pytest.approx(expected_rr)
        found = frozenset().union(*ranking[:10])
        assert scores[qid]["Recall@10"] == pytest.approx(len(found) / 4)
        assert 0.0 <= scores[qid]["nDCG@10"] <= 1.0 + 1e-9
    for k in range(1, 11):
        direct = [any(r[:k]) for r in rankings.values()]
        assert curve[k - 1] == pytest.approx(sum(direct) / len(direct))


def test_answer_rank_finds_gold_strings_case_insensitively():
    passages = [
        "The parliament met on Monday.",
        "The finance minister said the deficit would fall to 2\npercent.",
        "PARIS is the capital.",
    ]
    assert metrics.answer_rank(passages, ["2 percent"]) == 2  # a line break reads as a space
    assert metrics.answer_rank(passages, ["paris", "Monday"]) == 1  # the first passage wins
    assert metrics.answer_rank(passages, ["Capital Of France"]) is None
    assert metrics.answer_rank(passages, ["", "   "]) is None  # empty answers match nothing
    assert metrics.answer_rank([], ["Paris"]) is None
    deep = ["nothing here"] * 10 + ["Paris"]
    assert metrics.answer_rank(deep, ["Paris"]) is None  # rank 11 is past the cutoff
    assert metrics.answer_rank(deep[1:], ["Paris"]) == 10


def test_latency_percentiles_in_milliseconds():
    timings = [0.001 * i for i in range(1, 101)]  # 1..100 ms
    assert metrics.percentiles(timings) == {
        "p50 ms": pytest.approx(50.5),
        "p95 ms": pytest.approx(95.05),
    }
    assert metrics.percentiles([], prefix="Answer ") == {"Answer p50 ms": 0.0, "Answer p95 ms": 0.0}


def test_answer_metrics():
    assert metrics.contains_answer(["Moscow will include over 200 officers."], ["OVER 200"])
    assert metrics.contains_answer(["Seyran\nOhanian said."], ["seyran ohanian"])
    assert not metrics.contains_answer(["He said nothing."], ["Ohanian"])
    assert not metrics.contains_answer([], ["Ohanian"])
    outcomes = {
        "a1": metrics.AnswerOutcome(False, True, 2, 2, first_hit=False),  # in the 2nd only
        "a2": metrics.AnswerOutcome(False, False, 1, 1, first_hit=False),
        "a3": metrics.AnswerOutcome(True, False, 0, 0),  # abstained on an answerable question
        "a4": metrics.AnswerOutcome(False, None, 1, 0),  # no gold answer: not judged
        "u1": metrics.AnswerOutcome(True, None, 0, 0),
        "u2": metrics.AnswerOutcome(False, None, 1, 1),  # answered an unanswerable question
    }
    scores = metrics.answer_scores(outcomes, {"u1", "u2"})
    assert scores["Answer hit"] == pytest.approx(1 / 3)
    assert scores["First hit"] == 0.0
    first = dict(outcomes, a1=metrics.AnswerOutcome(False, True, 2, 2, first_hit=True))
    assert metrics.answer_scores(first, {"u1", "u2"})["First hit"] == pytest.approx(1 / 3)
    assert scores["Answered"] == pytest.approx(3 / 4)  # a1, a2, a4 of a1..a4
    assert scores["Citation exact"] == pytest.approx(4 / 5)
    assert scores["Abstain P"] == pytest.approx(1 / 2)  # abstained on a3 and u1
    assert scores["Abstain R"] == pytest.approx(1 / 2)  # u1 of u1, u2
    assert scores["Abstain F1"] == pytest.approx(1 / 2)
    none = metrics.answer_scores({"a": metrics.AnswerOutcome(False, True, 0, 0)}, set())
    assert none["Citation exact"] == 1.0 and none["Abstain P"] == 0.0


# ---------------------------------------------------------------------------------------------
# Running, reports and the gate
# ---------------------------------------------------------------------------------------------


def worst_system() -> System:
    """Hybrid's passages, worst first: a deliberately worse system for the gate."""
    hybrid = SYSTEMS["hybrid"]
    return System(
        "reversed",
        "hybrid upside down",
        lambda index, questions, k, today=None: [
            list(reversed(p)) for p in hybrid.retrieve(index, questions, k, today)
        ],
    )


@pytest.fixture(scope="module")
def sample_run():
    return run(
        [sample.load()],
        get_systems(["bm25", "hybrid"]) + [worst_system()],
        embedder=FakeEmbedder(),
        answers=False,
        log=lambda message: None,
    )


def test_run_evaluates_every_system_on_one_index(sample_run):
    d = sample_run.datasets["sample"]
    assert list(d.systems) == ["bm25", "hybrid", "reversed"]
    assert (d.n_articles, d.n_answerable, d.n_unanswerable) == (1, 36, 9)
    assert d.n_chunks >= 3 and d.gold_reachable == 1.0
    for s in d.systems.values():
        assert set(metrics.RETRIEVAL_COLUMNS) <= set(s.scores)
        # every answerable sample question has a gold answer inside its gold sentence
        assert s.scores[metrics.ANSWER_RECALL] >= s.scores["Recall@10"]
        assert s.scores["p95 ms"] >= s.scores["p50 ms"] > 0
        assert len(s.hits_curve) == 10
        assert s.hits_curve == sorted(s.hits_curve)
        answered = [q for q in s.queries if q.answerable]
        timed = [q for q in answered if q.seconds is not None]
        assert len(answered) == 36 and len(timed) == DEFAULT_TIMED
        assert all(q.seconds > 0 for q in timed)
    hybrid, worse = d.systems["hybrid"], d.systems["reversed"]
    assert hybrid.scores["Hits@1"] > worse.scores["Hits@1"]
    assert hybrid.scores["MRR@10"] > worse.scores["MRR@10"]
    assert sample_run.scores()["sample"]["hybrid"] == hybrid.scores


def test_timed_and_asked_questions_are_fixed_and_spread():
    assert spread(["a", "b", "c", "d", "e", "f"], 3) == ["a", "c", "e"]
    assert spread(["a", "b"], 5) == ["a", "b"] and spread(["a", "b"], None) == ["a", "b"]
    loaded = sample.load()
    asked = questions_to_ask(loaded, 10)
    assert asked == ["s01", "s02", "s03", "s04", "s05", "u01", "u02", "u03", "u04", "u05"]
    assert len(questions_to_ask(loaded, 40)) == 40  # only 9 unanswerable: the rest answerable
    assert questions_to_ask(loaded, None) == list(loaded.queries)


def test_answer_plans_ask_every_question_unless_limited():
    assert AnswerPlan().limit_for("squad2") is None  # every question by default
    # The gate asks every question of the small sets, a fixed subset of the large ones, and
    # the same subset clean and with distractors (limits are keyed by the base name).
    gate_plan = _answer_plan("hybrid", "gate")
    assert gate_plan.systems == frozenset({"hybrid"})
    assert gate_plan.limit_for("sample") is None and gate_plan.limit_for("news-quiz") is None
    assert gate_plan.limit_for("squad2") == GATE_ASK["squad2"] > 0
    assert gate_plan.limit_for("multihop-rag") == GATE_ASK["multihop-rag"] > 0
    assert "every question per dataset" in gate_plan.describe()
    assert f"{GATE_ASK['squad2']} on squad2" in gate_plan.describe()
    assert _answer_plan("hybrid", "all") == AnswerPlan(systems=frozenset({"hybrid"}))
    assert _answer_plan("all", "12") == AnswerPlan(systems=None, limit=12)
    plan = _answer_plan("hybrid", "12")
    assert questions_to_ask(sample.load(), plan.limit_for("sample")) == questions_to_ask(
        sample.load(), 12
    )


def test_run_refuses_k_below_the_cutoffs():
    with pytest.raises(ValueError, match="k of 5 is below 10"):
        run([], [], k=5)


def test_reports_are_written(sample_run, tmp_path):
    written = report.write_reports(sample_run, tmp_path)
    names = sorted(p.name for p in written)
    assert names == ["hits_at_k.png", "latency.png", "per_query.jsonl", "report.md", "results.json"]
    for png in ("hits_at_k.png", "latency.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((tmp_path / "results.json").read_text())
    assert report.scores_from_json(saved) == sample_run.scores()
    md = (tmp_path / "report.md").read_text()
    assert "| hybrid |" in md and "## Worst questions" in md and "armenews.com" in md
    rows = [json.loads(line) for line in (tmp_path / "per_query.jsonl").read_text().splitlines()]
    hybrid = [r for r in rows if r["system"] == "hybrid"]
    assert len(hybrid) == 36
    mrr = [r["scores"]["MRR@10"] for r in hybrid]
    assert mrr == sorted(mrr)  # worst first
    table = report.text_table(sample_run)
    assert "Hits@1" in table and "reversed" in table


def test_gate_fails_a_worse_system_and_passes_a_good_one(sample_run, tmp_path):
    scores = sample_run.scores()["sample"]
    expected_file = tmp_path / "expected.toml"
    gate.write_expected({"sample": {"hybrid": scores["hybrid"]}}, expected_file)
    expected = gate.load_expected(expected_file)
    assert expected.tolerance == 0.02
    assert (
        expected.scores["sample"]["hybrid"]["Hits@1"]
        == math.floor(scores["hybrid"]["Hits@1"] * 100) / 100
    )
    assert "p50 ms" not in expected.scores["sample"]["hybrid"]  # timings are not gated

    good = gate.compare(expected, {"sample": {"hybrid": scores["hybrid"]}})
    assert good.passed and len(good.checks) == len(metrics.RETRIEVAL_COLUMNS)

    # the reversed system, judged against hybrid's expectations
    bad = gate.compare(expected, {"sample": {"hybrid": scores["reversed"]}})
    assert not bad.passed
    failed = {c.metric for c in bad.failures}
    assert {"Hits@1", "MRR@10"} <= failed
    text = bad.summary()
    assert text.startswith("GATE FAILED")
    hits1 = expected.scores["sample"]["hybrid"]["Hits@1"]
    assert f"sample / hybrid / Hits@1: expected {hits1:.3f} (tolerance 0.020), got " in text


def test_gate_tolerance_missing_scores_and_hard_floor():
    expected = gate.Expected(
        tolerance=0.02,
        tolerances={"Citation exact": 0.0},
        scores={"squad2": {"dense": {"Hits@1": 0.60, "MRR@10": 0.70}}},
    )
    within = {"squad2": {"dense": {"Hits@1": 0.581, "MRR@10": 0.9}}}
    assert gate.compare(expected, within).passed
    below = {"squad2": {"dense": {"Hits@1": 0.579, "MRR@10": 0.9}}}
    [failure] = gate.compare(expected, below).failures
    assert str(failure) == (
        "squad2 / dense / Hits@1: expected 0.600 (tolerance 0.020), got 0.579 (-0.021)"
    )
    missing = gate.compare(expected, {"squad2": {"dense": {"Hits@1": 0.6}}})
    assert [str(c) for c in missing.failures] == [
        "squad2 / dense / MRR@10: expected 0.700, not measured in this run"
    ]
    # a dataset the user did not select is not checked
    assert gate.compare(expected, {}, datasets=["sample"]).passed
    # citation exactness must be 1.0 even with no expectation written for it
    broken = {"squad2": {"dense": {"Hits@1": 0.6, "MRR@10": 0.7, "Citation exact": 0.99}}}
    [floor] = gate.compare(expected, broken).failures
    assert (floor.metric, floor.expected, floor.got) == ("Citation exact", 1.0, 0.99)


def test_gate_checks_only_the_systems_run_with_distractors():
    both = {"hybrid": {"Hits@1": 0.5}, "hybrid+rescore": {"Hits@1": 0.5}}
    expected = gate.Expected(scores={"s": both, "s+distractors": both})
    scores = {"s": both, "s+distractors": {"hybrid": {"Hits@1": 0.5}}}
    [missing] = gate.compare(expected, scores).failures
    assert str(missing) == "s+distractors / hybrid+rescore / Hits@1: expected 0.500, not " + (
        "measured in this run"
    )
    assert gate.compare(expected, scores, systems_of={"s+distractors": ["hybrid"]}).passed
    every = ["bm25", "dense", "hybrid", "hybrid+rescore"]
    assert _distractor_systems(None, True, every) == ["bm25", "dense", "hybrid"]  # the gate's
    assert _distractor_systems(None, False, every) is None  # a full run: all of them
    assert _distractor_systems("all", True, every) is None
    assert _distractor_systems("hybrid,bm25", False, every) == ["hybrid", "bm25"]


def test_write_expected_keeps_other_entries_and_rounds_down(tmp_path):
    path = tmp_path / "expected.toml"
    previous = gate.Expected(scores={"squad2": {"bm25": {"Hits@1": 0.5}}})
    gate.write_expected({"sample": {"dense": {"Hits@1": 0.29, "MRR@10": 0.6789}}}, path, previous)
    loaded = gate.load_expected(path)
    assert loaded.scores == {
        "squad2": {"bm25": {"Hits@1": 0.5}},
        "sample": {"dense": {"Hits@1": 0.29, "MRR@10": 0.67}},
    }
    with pytest.raises(ValueError, match="no expected scores at"):
        gate.load_expected(tmp_path / "nothing.toml")


def test_shipped_expected_file_covers_every_dataset_and_system():
    expected = gate.load_expected()
    clean = {"sample", "squad2", "multihop-rag"}
    assert clean | {pool.distractor_name(n) for n in clean} <= set(expected.scores)
    for by_system in expected.scores.values():
        assert set(by_system) >= {"bm25", "dense", "hybrid"}
        for values in by_system.values():
            assert set(metrics.RETRIEVAL_METRICS) <= set(values)
            assert all(0.0 <= v <= 1.0 for v in values.values())


def test_systems_registry():
    assert [s.name for s in get_systems(["hybrid", "bm25", "hybrid"])] == ["hybrid", "bm25"]
    with pytest.raises(ValueError, match="unknown system 'rerank'; choose from: bm25, dense"):
        get_systems(["rerank"])
    system = mode_system("bm25-again", "bm25", "test")
    assert system.name == "bm25-again" and callable(system.retrieve)


# ---------------------------------------------------------------------------------------------
# Distractors: one pool index per run, copied per dataset
# ---------------------------------------------------------------------------------------------

# Sentences quoted from the sample article: a distractor quoting the gold verbatim must still
# never count as a hit.
QUOTED = (
    "Russian Defense Minister Sergei Shoigu made a point of stressing Moscow's close military "
    "ties with Azerbaijan."
)


def tiny_pool() -> pool.Pool:
    texts = [
        "A storm flooded the harbour in Lisbon. Ferries stopped for two days.",
        "The central bank raised rates by half a point on Thursday. Markets fell.",
        f"Old news, quoted again. {QUOTED} Nothing else was said.",
    ]
    articles = [
        make_article(title=f"Day {i}", text=text, published=f"2025-01-0{i + 1}")
        for i, text in enumerate(texts)
    ]
    return pool.Pool("tiny-pool", tuple(articles))


def folder_digest(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_pool_index_is_copied_and_extended_without_touching_the_pool(tmp_path):
    embedder = FakeEmbedder()
    built = pool.build_pool_index(tiny_pool(), tmp_path / "pool", embedder=embedder)
    assert built.n_chunks >= 3 and len(built.article_ids) == 3
    before = folder_digest(built.folder)
    assert {n.split("-")[0] for n in before} >= {"dense", "bm25"}
    assert not any(n.endswith(("-wal", "-shm")) for n in before)  # closed: WAL folded in

    copy = pool.copy_pool_index(built, tmp_path / "copy")
    with Index.open(copy, embedder=embedder) as index:
        generation = index.store.generation()
        report_ = index.add(sample.load().articles)
        assert len(report_.added) == 1 and report_.chunks_added > 0
        info = index.info()
        assert info.articles == 4
        assert info.chunks == built.n_chunks + report_.chunks_added
        # The caches moved to the new generation: the copied ones were updated, not kept.
        new_generation = index.store.generation()
        assert new_generation > generation
        names = {p.name for p in copy.iterdir()}
        assert {f"dense-{new_generation}.faiss", f"bm25-{new_generation}"} <= names
        assert f"dense-{generation}.faiss" not in names
        found = index.retrieve_many(["harbour storm Lisbon", "Shoigu Azerbaijan"], 3)
        assert found[0][0].article.title == "Day 0"  # a pool article, found in the copy
        assert {p.article.title for p in found[1]} & {a.title for a in sample.load().articles}
    assert folder_digest(built.folder) == before  # the pool's own folder is untouched
    with Index.open(built.folder, embedder=embedder) as original:
        assert original.info().articles == 3


def test_caching_embedder_remembers_vectors_except_when_paused():
    class Counting(FakeEmbedder):
        def __init__(self) -> None:
            self.embedded: list[str] = []

        def embed(self, texts, progress=False):
            self.embedded.extend(texts)
            return super().embed(texts, progress)

    inner = Counting()
    cached = CachingEmbedder(inner)
    assert (cached.name, cached.dimension, cached.max_tokens) == (
        inner.name, inner.dimension, inner.max_tokens,
    )  # fmt: skip
    first = cached.embed(["a storm", "a bank", "a storm"])
    assert inner.embedded == ["a storm", "a bank"]  # each new text embedded once
    again = cached.embed(["a bank", "a storm"])
    assert inner.embedded == ["a storm", "a bank"] and cached.reused == 3
    assert np.array_equal(again, first[[1, 0]])
    assert np.array_equal(first, FakeEmbedder().embed(["a storm", "a bank", "a storm"]))
    with uncached(cached):
        cached.embed(["a storm", "new words"])
    assert inner.embedded[2:] == ["a storm", "new words"]  # the model itself, not the memory
    cached.embed(["new words"])
    assert inner.embedded[4:] == ["new words"]  # nothing was remembered while paused
    assert cached.embed([]).shape == (0, inner.dimension)


def test_plan_variants_names_runs_and_spares_a_dataset_over_the_pool(tmp_path):
    built = pool.PoolIndex(tmp_path, frozenset({"p1", "p2"}), 5, 0.0, pool.CREDIT)
    [alone], note = pool.plan_variants("squad2", {"a"}, False, None)
    assert (alone.name, alone.distractors, alone.from_pool, note) == ("squad2", False, False, "")
    variants, note = pool.plan_variants("squad2", {"a"}, False, built)
    assert [(v.name, v.dataset, v.distractors, v.from_pool) for v in variants] == [
        ("squad2", "squad2", False, False),
        ("squad2+distractors", "squad2", True, True),
    ]
    assert note == ""
    # A dataset over the pool's own pages: one run, which already has every distractor.
    [only], note = pool.plan_variants("news-quiz", {"p1", "p2"}, True, built)
    assert (only.name, only.distractors, only.from_pool) == ("news-quiz", True, True)
    assert "no separate +distractors run" in note
    # Declared to be over the pool but loaded differently: its own index, still one run.
    [only], _ = pool.plan_variants("news-quiz", {"x"}, True, built)
    assert (only.name, only.from_pool) == ("news-quiz", False)
    assert pool.base_name("squad2+distractors") == "squad2" == pool.base_name("squad2")


def test_run_names_skip_the_variant_of_a_dataset_over_the_pool(monkeypatch):
    assert run_names(["sample", "squad2"], False) == ["sample", "squad2"]
    assert run_names(["sample", "squad2"], True) == [
        "sample",
        "sample+distractors",
        "squad2",
        "squad2+distractors",
    ]
    spec = DatasetSpec("news-quiz", pool.POOL_FOLDER, lambda folder: sample.load(), "pool")
    monkeypatch.setitem(DATASETS, "news-quiz", spec)
    assert run_names(["news-quiz"], True) == ["news-quiz"]


def test_a_dataset_reading_the_pool_folder_is_marked(monkeypatch, tmp_path):
    spec = DatasetSpec("news-quiz", pool.POOL_FOLDER, lambda folder: sample.load(), "pool")
    monkeypatch.setitem(DATASETS, "news-quiz", spec)
    (tmp_path / pool.POOL_FOLDER).mkdir()
    quiz, bundled = load_datasets(["news-quiz", "sample"], tmp_path)
    assert quiz.corpus_is_pool and not bundled.corpus_is_pool
    assert quiz.limited(3).corpus_is_pool


def distractors_only() -> System:
    """Hybrid's passages with the dataset's own articles removed: every passage a distractor."""
    hybrid = SYSTEMS["hybrid"]
    own = {a.id for a in sample.load().articles}
    return System(
        "distractors-only",
        "hybrid without the dataset's articles",
        lambda index, questions, k, today=None: [
            [p for p in passages if p.article.id not in own]
            for passages in hybrid.retrieve(index, questions, 20, today)
        ],
    )


@pytest.fixture(scope="module")
def distractor_run():
    return run(
        [sample.load()],
        get_systems(["hybrid"]) + [distractors_only()],
        embedder=FakeEmbedder(),
        answers=AnswerPlan(systems=frozenset({"hybrid"}), limit=12),
        timed=3,
        pool=tiny_pool(),
        log=lambda message: None,
    )


def test_distractor_run_is_named_and_reported_beside_the_clean_one(distractor_run, tmp_path):
    assert list(distractor_run.datasets) == ["sample", "sample+distractors"]
    clean, noisy = distractor_run.datasets.values()
    assert (clean.distractors, noisy.distractors) == (False, True)
    assert clean.dataset == noisy.dataset == "sample"
    assert (clean.n_distractor_articles, noisy.n_distractor_articles) == (0, 3)
    assert noisy.n_chunks == clean.n_chunks + noisy.n_distractor_chunks
    assert noisy.pool_credit == pool.CREDIT and clean.pool_credit == ""
    assert distractor_run.settings["distractors"]["articles"] == 3
    assert distractor_run.settings["vectors_reused"] > 0  # the sample's chunks, for one
    assert clean.n_asked == noisy.n_asked == 12

    scores = distractor_run.scores()
    assert set(scores) == {"sample", "sample+distractors"}
    written = report.write_reports(distractor_run, tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert report.scores_from_json(saved) == scores
    assert saved["datasets"]["sample+distractors"]["distractors"] is True
    md = (tmp_path / "report.md").read_text()
    assert "## Clean and with distractors" in md and "## sample+distractors" in md
    assert "fordred/wikinews" in md and "fordred/wikinews" in report.text_table(distractor_run)
    assert "| sample | hybrid | " in md and " → " in md
    rows = [json.loads(line) for line in (tmp_path / "per_query.jsonl").read_text().splitlines()]
    assert {r["dataset"] for r in rows} == {"sample", "sample+distractors"}
    assert len(written) == 5

    # The gate names the variant: expect the clean scores of the distractor run, then break it.
    expected_file = tmp_path / "expected.toml"
    gate.write_expected(scores, expected_file)
    expected = gate.load_expected(expected_file)
    assert "sample+distractors" in expected.scores
    assert gate.compare(expected, scores).passed
    broken = json.loads(json.dumps(scores))
    broken["sample+distractors"]["hybrid"]["Hits@10"] -= 0.5
    [failure] = gate.compare(expected, broken).failures
    assert str(failure).startswith("sample+distractors / hybrid / Hits@10: expected")
    # Without distractors in the run, its expectations are not checked.
    assert gate.compare(expected, {"sample": scores["sample"]}, ["sample"]).passed


def test_a_distractor_passage_is_never_a_hit(distractor_run):
    noisy = distractor_run.datasets["sample+distractors"].systems["distractors-only"]
    # The pool quotes a gold sentence verbatim, and this system returns only pool passages:
    # the hit rule would accept the quote, but a passage that is not the dataset's is no hit.
    for metric in ("Hits@10", "Recall@10", "MRR@10", "nDCG@10", "MAP@10"):
        assert noisy.scores[metric] == 0.0
    quoting = [
        q
        for q in noisy.queries
        if q.answerable and any(t["distractor"] and QUOTED in t["text"] + QUOTED for t in q.top)
    ]
    assert quoting and all(not t["hit"] for q in quoting for t in q.top)
    # An answer string may still turn up in a distractor: counted, and marked as such.
    stray = [q for q in noisy.queries if q.answer_rank is not None]
    assert all(q.answer_in_distractor for q in stray)
    clean = distractor_run.datasets["sample"].systems["hybrid"]
    assert all(not t["distractor"] for q in clean.queries for t in q.top)


def test_breakdown_by_question_type():
    def result(qid, kind, scores=None, abstained=None, hit=None):
        answer = None if abstained is None else {"abstained": abstained, "answer_hit": hit}
        return QueryResult(qid, "?", kind, scores is not None, scores or {}, answer=answer)

    recall = metrics.ANSWER_RECALL
    queries = [
        result("a", "who", {"Recall@10": 1.0, "MRR@10": 0.5, recall: 1.0}, False, True),
        result("b", "who", {"Recall@10": 0.0, "MRR@10": 0.0, recall: 0.0}, True, False),
        result("c", "who", {"Recall@10": 1.0, "MRR@10": 1.0}),  # not asked, no gold answer
        result("d", "", {"Recall@10": 0.5, "MRR@10": 1.0}, False),
        result("u", "unanswerable", None, True),
        result("v", "unanswerable", None, False),
    ]
    table = breakdown(queries)
    assert list(table) == ["who", "other", "unanswerable"]
    assert table["who"] == {
        "n": 3,
        "answerable": 3,
        "with answer": 2,
        "asked": 2,
        "Recall@10": pytest.approx(2 / 3),
        "MRR@10": pytest.approx(0.5),
        metrics.ANSWER_RECALL: pytest.approx(0.5),  # c has no gold answer: not counted
        "Answer hit": pytest.approx(0.5),
        "Abstained": pytest.approx(0.5),
    }
    assert table["other"] == {
        "n": 1, "answerable": 1, "with answer": 0, "asked": 1, "Recall@10": 0.5, "MRR@10": 1.0,
        "Abstained": 0.0,
    }  # fmt: skip
    assert table["unanswerable"] == {
        "n": 2, "answerable": 0, "with answer": 0, "asked": 2, "Abstained": 0.5,
    }  # fmt: skip


def test_breakdown_in_a_real_run(distractor_run):
    hybrid = distractor_run.datasets["sample"].systems["hybrid"]
    kinds = sample.load().kinds
    assert set(hybrid.by_kind) == set(kinds.values())
    for kind, row in hybrid.by_kind.items():
        assert row["n"] == sum(k == kind for k in kinds.values())
    assert sum(row["asked"] for row in hybrid.by_kind.values()) == 12
    saved = json.loads(json.dumps(report.results_json(distractor_run)))
    assert saved["datasets"]["sample"]["systems"]["hybrid"]["by_kind"]["who"]["n"] == 6
    md = report.markdown_report(distractor_run, [])
    assert "By question type (hybrid):" in md and "| unanswerable | 9 | 0 | 0 |" in md


def test_calibration_runs_each_dataset_clean_and_with_distractors():
    scored = calibrate.score_runs([sample.load()], tiny_pool(), 8, FakeEmbedder())
    assert [s.dataset for s in scored] == ["sample"] * 8 + ["sample+distractors"] * 8
    assert sum(s.unanswerable for s in scored) == 8  # half of each run
    groups = dict(calibrate._groups(["sample", "sample+distractors", "news-quiz"], True))
    assert groups == {
        " (clean runs)": ["sample", "news-quiz"],
        " (with distractors)": ["sample+distractors", "news-quiz"],
        " (all runs)": ["sample", "sample+distractors", "news-quiz"],
    }


# ---------------------------------------------------------------------------------------------
# Answers (only when the library can answer)
# ---------------------------------------------------------------------------------------------


def test_answer_metrics_on_the_sample():
    evalset = sample.load()
    result = run(
        [evalset],  # 12 questions asked: 6 unanswerable and 6 with a gold answer
        get_systems(["hybrid"]),
        embedder=FakeEmbedder(),
        answers=AnswerPlan(systems=frozenset({"hybrid"}), limit=12),
        log=lambda message: None,
    )
    scores = result.scores()["sample"]["hybrid"]
    assert scores["Citation exact"] == 1.0
    # Recomputed by hand from what each question got: the scores must say exactly that.
    queries = result.datasets["sample"].systems["hybrid"].queries
    records = {q.qid: q.answer for q in queries if q.answer is not None}
    assert len(records) == 12 and len(evalset.unanswerable & set(records)) == 6

    def holds_gold(record, golds):
        said = " ".join(" ".join(c["sentence"].split()) for c in record["citations"]).lower()
        return any(" ".join(g.split()).lower() in said for g in golds)

    judged = [q for q in records if q not in evalset.unanswerable and evalset.answers.get(q)]
    hits = [
        not records[q]["abstained"] and holds_gold(records[q], evalset.answers[q]) for q in judged
    ]
    refused = {q for q, r in records.items() if r["abstained"]}
    refused_right = refused & evalset.unanswerable
    precision = len(refused_right) / len(refused) if refused else 0.0
    recall = len(refused_right) / 6
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert scores["Answer hit"] == pytest.approx(sum(hits) / len(judged))
    firsts = [
        not records[q]["abstained"]
        and holds_gold({"citations": records[q]["citations"][:1]}, evalset.answers[q])
        for q in judged
    ]
    assert scores["First hit"] == pytest.approx(sum(firsts) / len(judged))
    assert scores["Answered"] == pytest.approx(
        sum(not records[q]["abstained"] for q in records if q not in evalset.unanswerable) / 6
    )
    assert scores["Abstain P"] == pytest.approx(precision)
    assert scores["Abstain R"] == pytest.approx(recall)
    assert scores["Abstain F1"] == pytest.approx(f1)
    assert all(c["exact"] for r in records.values() for c in r["citations"])


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--dataset", "--systems", "--k", "--data-dir", "--out", "--gate", "--expected",
        "--update-expected", "--results", "--timed", "--no-answers", "--answer-systems",
        "--ask", "--limit", "--model", "--index-dir", "--distractors", "--no-distractors",
    ):  # fmt: skip
        assert option in text


def test_missing_data_dir_is_a_clear_error(monkeypatch, tmp_path, capsys):
    import eval.__main__ as cli

    monkeypatch.setattr(cli, "DEFAULT_DATA_DIR", tmp_path / "no-such-folder")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: squad2, squad2-long, multihop-rag, news-quiz, news-quiz-asked, news-digest "
        "need the shared datasets"
    )
    assert "pass --data-dir DIR" in err and "Traceback" not in err
    assert main(["--data-dir", str(tmp_path / "nope")]) == 2
    assert "--data-dir" in capsys.readouterr().err
    assert main(["--dataset", "squad3"]) == 2
    assert f"unknown dataset 'squad3'; choose from: {', '.join(DATASETS)}" in (
        capsys.readouterr().err
    )
    assert main(["--dataset", "sample", "--systems", "bm25,nope"]) == 2
    assert "unknown system 'nope'" in capsys.readouterr().err
    assert main(["--dataset", "sample", "--ask", "some"]) == 2
    assert "--ask 'some' is not 'all', 'gate' or a number" in capsys.readouterr().err
    # The gate runs the distractors, which need the current-events pages.
    assert main(["--dataset", "sample", "--gate", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "distractors need" in err and "wikipedia-current-events" in err
    assert "--no-distractors" in err and "Traceback" not in err


def test_cli_gates_saved_results(sample_run, tmp_path, capsys):
    results = tmp_path / "results.json"
    results.write_text(json.dumps(report.results_json(sample_run)))
    expected = tmp_path / "expected.toml"
    assert main(["--results", str(results), "--update-expected", "--expected", str(expected)]) == 0
    assert main(["--results", str(results), "--gate", "--expected", str(expected)]) == 0
    assert "gate passed" in capsys.readouterr().out

    # Now claim the reversed system should score like hybrid: the gate must fail, loudly.
    data = json.loads(results.read_text())
    systems = data["datasets"]["sample"]["systems"]
    systems["hybrid"] = systems["reversed"]
    results.write_text(json.dumps(data))
    assert main(["--results", str(results), "--gate", "--expected", str(expected)]) == 1
    out = capsys.readouterr().out
    assert "GATE FAILED" in out and "sample / hybrid / Hits@1: expected" in out


def test_questions_asked_on_a_date_reach_retrieval_and_ask_with_it():
    from dataclasses import replace
    from datetime import date

    evalset = sample.load()
    first, second = evalset.answerable[:2]
    dated = replace(evalset, asked_on={first: "2023-12-10", second: "2023-12-17"})
    seen: list[tuple[str, date | None]] = []
    hybrid = SYSTEMS["hybrid"]

    def retrieve(index, questions, k, today=None):
        seen.extend((q, today) for q in questions)
        return hybrid.retrieve(index, questions, k, today)

    def answer(index, question, today=None):
        seen.append((f"ask: {question}", today))
        return hybrid.answer(index, question, today)

    recording = System("recording", "hybrid, recording the dates", retrieve, answer)
    run([dated], [recording], embedder=FakeEmbedder(), answers=AnswerPlan(limit=4),
        timed=0, log=lambda message: None)  # fmt: skip
    by_question = {}
    for question, today in seen:
        by_question.setdefault(question, set()).add(today)
    assert by_question[dated.queries[first]] == {date(2023, 12, 10)}
    assert by_question[dated.queries[second]] == {date(2023, 12, 17)}
    others = [q for q in dated.answerable[2:] if dated.queries[q] in by_question]
    assert others and all(by_question[dated.queries[q]] == {None} for q in others)
    assert any(q.startswith("ask: ") and days == {None} for q, days in by_question.items())


def test_recorded_answers_are_judged_again_at_higher_thresholds(tmp_path, capsys):
    from qa.reader import get_reader

    floor = get_reader().threshold
    rows = []
    for dataset in ("squad2", "news-quiz"):
        for i, (answerable, confidence, hit) in enumerate(
            [(True, floor + 0.3, True), (True, floor + 0.05, True), (False, floor + 0.1, None),
             (False, 0.0, None)]  # the last one refused at the run's threshold
        ):  # fmt: skip
            rows.append({
                "dataset": dataset, "system": "hybrid", "qid": f"{dataset}{i}",
                "question": "Who won the final?", "answerable": answerable,
                "answer": {"abstained": confidence < floor, "confidence": confidence,
                           "answer_hit": hit},
            })  # fmt: skip
    rows.append({"dataset": "news-digest", "system": "hybrid", "qid": "d1", "question": "x",
                 "answerable": True, "answer": {"abstained": False, "confidence": 1.0,
                                                "answer_hit": None}})  # fmt: skip
    path = tmp_path / "per_query.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    scored, low = calibrate.recorded(path, "hybrid")
    assert low == floor and len(scored) == 9
    refused = [s for s in scored if s.hard_abstain]
    assert len(refused) == 2  # refused in the run: refused at any higher threshold
    # At the run's threshold one of two unanswerable questions is refused; just above the
    # weak answer's confidence both are, and one answerable question is lost.
    assert calibrate._rates([s for s in scored if s.dataset == "squad2"], floor)[2] == 2 / 3
    at = round(floor + 0.12, 2)
    precision, recall, f1, answered = calibrate._rates(
        [s for s in scored if s.dataset == "squad2"], at
    )
    assert (precision, recall, answered) == (2 / 3, 1.0, 0.5)
    assert calibrate.main(["--from-run", str(path), "--high", "0.9", "--step", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "news-digest" not in out  # nothing to judge there
    assert "held out squad2: threshold" in out
    with pytest.raises(SystemExit):
        calibrate.main(["--from-run", str(path), "--system", "dense"])
    assert "holds no answers of system 'dense'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        calibrate.main(["--from-run", str(path), "--low", "0.1", "--high", "0.2"])
    assert "no threshold to judge" in capsys.readouterr().err


def test_the_recency_weight_is_learned_and_cross_fitted():
    from eval.train_recency import Candidates, cross_fit, fit_weight, scores

    # Gold items are this week's; an old story often matches a little better.
    items = []
    for i in range(40):
        asked = "2025-06-15"
        rows = [(1, 1.0, "2019-03-01", False), (2, 0.9, "2025-06-12", True),
                (3, 0.5, "2025-06-14", False), (4, 0.4, "2018-01-01", False)]  # fmt: skip
        if i % 4 == 0:  # sometimes the gold item leads anyway
            rows = [(2, 1.0, "2025-06-12", True), (1, 0.95, "2019-03-01", False)]
        items.append(Candidates(f"q{i}", asked, rows))
    weight = fit_weight(items)
    assert weight > 0
    assert scores(items, weight)["MRR@10"] == 1.0 > scores(items, 0.0)["MRR@10"]
    crossed = cross_fit(items)
    assert len(crossed["weights"]) == 2
    assert crossed["with_prior"]["MRR@10"] > crossed["without"]["MRR@10"]
