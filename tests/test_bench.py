"""The benchmark plumbing: percentiles, tables, the corpus builder, the replayed vectors and
the suite's command line. Fast: the fake embedder, three small articles."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bench._common import percentiles, table
from bench._corpus import ReplayEmbedder, chunk_count, compose, copy_of, news_items
from qa import Index
from qa.load import make_article
from tests.conftest import ROOT, FakeEmbedder

PAGE = make_article(
    title="2025 April 10",
    text=(
        "Armed conflicts and attacks\n\nGaza war\n\n"
        "Israeli strikes in the Gaza Strip kill at least 35 Palestinians, including 23 in an "
        "apartment building in Shuja'iyya, Gaza City. (AP)\n\n"
        "Business and economy\n\n"
        "The European Union announces a 90-day pause on counter measures against the U.S. "
        "tariffs on European goods. (BBC News)"
    ),
    published="2025-04-10",
    source="Wikipedia Current events",
)
OTHER = make_article(
    title="Floods",
    text="Floods hit the south of Brazil on Monday. Rescuers searched villages for a third day.",
    published="2025-05-02",
)
DATASET = make_article(title="SQuAD paragraph", text="The Normans gave their name to Normandy.")


def test_percentiles_are_milliseconds_and_ordered():
    seconds = [0.010, 0.020, 0.030, 0.040, 1.0]
    p = percentiles(seconds)
    assert p["p50"] == 30.0
    assert p["p50"] <= p["p95"] <= p["p99"] <= 1000.0
    assert p["p99"] > p["p95"] > 40.0  # the slow outlier shows in the tail only
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None}


def test_table_right_aligns_number_columns():
    text = table(["name", "ms"], [["a", 1.5], ["b", None]])
    lines = text.splitlines()
    assert lines[1] == "|---|---:|"
    assert lines[2] == "| a | 1.5 |" and lines[3] == "| b | - |"


def test_news_items_are_articles_titled_by_their_topic():
    items = news_items([PAGE])
    titles = [i.title for i in items]
    assert titles == ["Gaza war (2025-04-10)", "Business and economy (2025-04-10)"]
    assert all(i.published.startswith("2025-04-10") for i in items)
    assert len({i.id for i in items}) == 2
    assert items[0].text.startswith("Israeli strikes")


def test_copies_are_distinct_articles_with_the_same_text():
    first, second = copy_of(PAGE, 1), copy_of(PAGE, 2)
    assert len({PAGE.id, first.id, second.id}) == 3
    assert first.text == second.text == PAGE.text
    assert first.published.startswith("2028-04-10") and second.published.startswith("2031")
    assert first.title.endswith("(copy 1)")


def test_compose_takes_real_articles_then_copies_until_the_size():
    real = [("datasets", DATASET), ("day pages", PAGE), ("day pages", OTHER)]
    per_round = chunk_count(PAGE) + chunk_count(OTHER)
    target = chunk_count(DATASET) + 2 * per_round + 1
    articles, about = compose(target, real)
    assert articles[:3] == [DATASET, PAGE, OTHER]
    assert about["chunks_estimated"] >= target
    assert about["copies"] == 2  # a third of a round was needed
    assert DATASET.text not in [a.text for a in articles[3:]]  # dataset articles never copied
    assert len({a.id for a in articles}) == len(articles)


def test_corpus_index_replays_vectors_of_repeated_texts(tmp_path):
    articles, _ = compose(30, [("day pages", PAGE), ("day pages", OTHER)])
    embedder = ReplayEmbedder(FakeEmbedder(), folder=tmp_path)
    with Index.open(tmp_path / "index", create=True, embedder=embedder) as index:
        report = index.add(articles)
        chunks = index.info().chunks
    distinct = chunk_count(PAGE) + chunk_count(OTHER)
    assert embedder.embedded == distinct
    assert embedder.replayed == chunks - distinct
    assert report.duplicates  # copies are grouped with their originals, like syndication
    embedder.save()
    again = ReplayEmbedder(FakeEmbedder(), folder=tmp_path)
    vectors = again.embed([PAGE.text[:40], OTHER.text])
    assert again.embedded == 1  # only the text never seen before
    assert np.allclose(vectors[1], FakeEmbedder().embed([OTHER.text])[0])


def test_bench_help_lists_the_parts():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for part in ("ingest", "latency", "coldstart", "memory", "peers", "backends"):
        assert f"* {part}" in done.stdout


def test_bench_refuses_an_unknown_part():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "nonsense"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2 and "choose one of" in done.stderr


@pytest.mark.parametrize("part", ["coldstart", "peers"])
def test_each_part_has_help(part):
    done = subprocess.run(
        [sys.executable, "-m", "bench", part, "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "usage: python -m bench " + part in done.stdout
