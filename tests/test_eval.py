"""The evaluation suite: loaders on hand-made files, metrics against hand-computed values and
a direct reference, the hit rules, reports, the gate and the CLI. No real model is loaded."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eval import gate, metrics, report
from eval.__main__ import main
from eval.datasets import multihop_rag, sample, squad2
from eval.datasets.base import exact_substring_hit, same_article_hit, squash, substring_hit
from eval.run import DEFAULT_TIMED, questions_to_ask, run, spread
from eval.systems import SYSTEMS, System, get_systems, mode_system

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
        "a1": metrics.AnswerOutcome(False, True, 2, 2),
        "a2": metrics.AnswerOutcome(False, False, 1, 1),
        "a3": metrics.AnswerOutcome(True, False, 0, 0),  # abstained on an answerable question
        "a4": metrics.AnswerOutcome(False, None, 1, 0),  # no gold answer: not judged
        "u1": metrics.AnswerOutcome(True, None, 0, 0),
        "u2": metrics.AnswerOutcome(False, None, 1, 1),  # answered an unanswerable question
    }
    scores = metrics.answer_scores(outcomes, {"u1", "u2"})
    assert scores["Answer hit"] == pytest.approx(1 / 3)
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
        lambda index, questions, k: [
            list(reversed(p)) for p in hybrid.retrieve(index, questions, k)
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
        assert set(metrics.RETRIEVAL_METRICS) <= set(s.scores)
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
    assert good.passed and len(good.checks) == len(metrics.RETRIEVAL_METRICS)

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
    assert set(expected.scores) == {"sample", "squad2", "multihop-rag"}
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
# Answers (only when the library can answer)
# ---------------------------------------------------------------------------------------------


def test_answer_metrics_on_the_sample():
    result = run(
        [sample.load().limited(12)],  # s01..s09 and u01..u03 would need all 45; 12 is enough
        get_systems(["hybrid"]),
        embedder=FakeEmbedder(),
        log=lambda message: None,
    )
    scores = result.scores()["sample"]["hybrid"]
    assert scores["Citation exact"] == 1.0
    for name in ("Answer hit", "Abstain P", "Abstain R", "Abstain F1"):
        assert 0.0 <= scores[name] <= 1.0


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
        "--ask-limit", "--limit", "--model", "--index-dir",
    ):  # fmt: skip
        assert option in text


def test_missing_data_dir_is_a_clear_error(monkeypatch, tmp_path, capsys):
    import eval.__main__ as cli

    monkeypatch.setattr(cli, "DEFAULT_DATA_DIR", tmp_path / "no-such-folder")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: squad2, multihop-rag, news-quiz need the shared datasets")
    assert "pass --data-dir DIR" in err and "Traceback" not in err
    assert main(["--data-dir", str(tmp_path / "nope")]) == 2
    assert "--data-dir" in capsys.readouterr().err
    assert main(["--dataset", "squad3"]) == 2
    assert "unknown dataset 'squad3'; choose from: sample, squad2, multihop-rag, news-quiz" in (
        capsys.readouterr().err
    )
    assert main(["--dataset", "sample", "--systems", "bm25,nope"]) == 2
    assert "unknown system 'nope'" in capsys.readouterr().err


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
