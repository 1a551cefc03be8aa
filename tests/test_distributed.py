"""The Ray engine against the single-process one, in Ray local mode (marker ``ray``;
deselect with ``-m 'not ray'``): ingest of the sample and of the SQuAD contexts with the
real model (same chunks, same vectors to float tolerance, same top 10 for every evaluation
question), shards built as Ray tasks, and a Ray Serve deployment answering as ``index.ask``.

Ray starts once per session (2 CPUs, no dashboard, token auth off so no token file is
needed); the Ray-built and locally built indexes are made once per module and shared.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from qa import Index
from qa.cli import main

from .conftest import FAKE_MODEL, ROOT, SHARED, FakeEmbedder, free_port, needs, require

pytestmark = [
    pytest.mark.ray,
    needs(importlib.util.find_spec("ray") is not None, "needs ray: make setup (the ray extra)"),
]

SQUAD = SHARED / "datasets" / "squad2-sample"
# Of its 411 paragraphs: enough for Ray's batches to split them several ways (and every one
# of the 500 questions still ranks them), without ingesting all of them twice with the model.
SQUAD_ARTICLES = 120
CHUNK_COLUMNS = "article_id, start, end, first_sentence, last_sentence, n_tokens, partial, context"


@pytest.fixture(scope="module")
def ray_local():
    import ray

    os.environ["RAY_AUTH_MODE"] = "disabled"  # no ~/.ray/auth_token needed or written
    started = not ray.is_initialized()
    if started:
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            _node_ip_address="127.0.0.1",  # with RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 (conftest)
        )
    yield ray
    if started:
        from ray import serve

        serve.shutdown()
        ray.shutdown()


def chunks_of(index: Index) -> list[tuple]:
    return index.store.db.execute(f"SELECT id, {CHUNK_COLUMNS} FROM chunks ORDER BY id").fetchall()


def squad_set():
    from eval.datasets import squad2

    require(SQUAD.is_dir(), f"needs {SQUAD} (the shared datasets)")
    return squad2.load(SQUAD)


def sample_questions() -> list[str]:
    from eval.datasets import sample

    return list(sample.load().queries.values())


@pytest.fixture(scope="module")
def built(ray_local, tmp_path_factory):
    """(local, ray) indexes of the sample (``ingest`` of data/: loading runs on Ray too) and
    of the SQuAD contexts (``add``), with the real bundled model."""
    folder = tmp_path_factory.mktemp("engines")
    squad = squad_set()
    pairs = {}
    for name in ("sample", "squad"):
        local = Index.open(folder / f"{name}-local", create=True)
        on_ray = Index.open(folder / f"{name}-ray", create=True)
        if name == "sample":
            local.ingest([ROOT / "data"])
            on_ray.ingest([ROOT / "data"], engine="ray")
        else:
            local.add(squad.articles[:SQUAD_ARTICLES])
            on_ray.add(squad.articles[:SQUAD_ARTICLES], engine="ray")
        pairs[name] = (local, on_ray)
    yield pairs
    for local, on_ray in pairs.values():
        local.close()
        on_ray.close()


@pytest.mark.model
@pytest.mark.parametrize("name", ["sample", "squad"])
def test_ray_ingest_stores_the_same_chunks_and_vectors(built, name):
    local, on_ray = built[name]
    assert chunks_of(on_ray) == chunks_of(local)  # ids too: written in the same order
    assert len(chunks_of(local)) > 0
    ids_local, vectors_local = local.store.all_vectors(local.embedder.dimension)
    ids_ray, vectors_ray = on_ray.store.all_vectors(on_ray.embedder.dimension)
    assert ids_local.tolist() == ids_ray.tolist()
    # Batches of other sizes pad differently: equal to float tolerance, not bit for bit.
    np.testing.assert_allclose(vectors_ray, vectors_local, atol=2e-5)
    assert on_ray.info().articles == local.info().articles


@pytest.mark.model
@pytest.mark.parametrize("name", ["sample", "squad"])
def test_ray_ingest_gives_the_same_top_10_for_every_evaluation_question(built, name):
    local, on_ray = built[name]
    questions = sample_questions() if name == "sample" else list(squad_set().queries.values())
    want = local.retrieve_many(questions, k=10)
    got = on_ray.retrieve_many(questions, k=10)
    differ = [
        q
        for q, a, b in zip(questions, want, got, strict=True)
        if [p.chunk_id for p in a] != [p.chunk_id for p in b]
    ]
    assert not differ, f"{len(differ)} of {len(questions)} ranked differently: {differ[:3]}"


@pytest.mark.model
def test_a_ray_serve_deployment_answers_with_the_citations_of_index_ask(built, monkeypatch):
    from ray import serve

    import app
    from qa.distributed.client import RemoteAnswers
    from qa.distributed.serve import start

    local, on_ray = built["sample"]
    expected = local.ask("What did Ohanian say?")
    url = start(on_ray.folder, shards=2, port=free_port())
    try:
        got = RemoteAnswers(url).ask("What did Ohanian say?")
        follow = RemoteAnswers(url).ask("What else did he say?", [got])
        # The chat app with --backend-url asks the deployment, not its own index.
        monkeypatch.setattr(app, "BACKEND", RemoteAnswers(url))
        via_app = app.ask(local, "What did Ohanian say?", [], None)
    finally:
        serve.shutdown()
    assert via_app == got
    cited = [(c.n, c.article.id, c.sentence_index, c.start, c.end) for c in got.citations]
    assert cited == [
        (c.n, c.article.id, c.sentence_index, c.start, c.end) for c in expected.citations
    ]
    assert "We want to maintain our strategic partnership" in got.text
    assert got.text == expected.text
    assert follow.resolved_question  # the history went over the wire and was used


def test_ray_ingest_reports_skips_and_unchanged_like_the_local_engine(ray_local, tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("   ")
    paths = [ROOT / "data", bad, tmp_path / "missing.md"]
    with Index.open(tmp_path / "a", create=True, embedder=FakeEmbedder()) as local:
        want = local.ingest(paths)
    with Index.open(tmp_path / "b", create=True, embedder=FakeEmbedder()) as on_ray:
        got = on_ray.ingest(paths, engine="ray")
        again = on_ray.ingest(paths, engine="ray")
        assert chunks_of(on_ray) == chunks_of(Index.open(tmp_path / "a"))
    assert sorted(map(str, got.skipped)) == sorted(map(str, want.skipped))
    assert (got.added, got.chunks_added) == (want.added, want.chunks_added)
    assert again.unchanged == got.added and not again.added and again.chunks_added == 0


def test_cli_ingest_on_ray_into_shards(ray_local, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NEWSQA_RAY_WORKERS", raising=False)  # --workers sets it; undone after
    folder = str(tmp_path / "ix")
    command = ["ingest", str(ROOT / "data"), "--index", folder, "--quiet", "--model", FAKE_MODEL]
    assert main([*command, "--engine", "ray", "--workers", "1", "--shards", "2"]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["info", "--index", folder]) == 0
    assert "sharded flat x2" in capsys.readouterr().out


def test_shards_built_as_ray_tasks_match_those_built_in_threads(ray_local, tmp_path, monkeypatch):
    from qa.backends import Queries
    from qa.distributed.shards import ShardedIndex, calibration_queries

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(3000, 48)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(3000, dtype=np.int64) + 100
    queries = calibration_queries(vectors, 50)
    on_ray = ShardedIndex.build(ids, vectors, tmp_path / "ray", shards=3, kind="ivf-sq8")
    monkeypatch.setattr(ray_local, "is_initialized", lambda: False)  # the same, in threads
    threads = ShardedIndex.build(ids, vectors, tmp_path / "threads", shards=3, kind="ivf-sq8")
    for a, b in zip(on_ray.shard_files(), threads.shard_files(), strict=True):
        assert a.read_bytes() == b.read_bytes()
    batch = Queries([""] * 50, queries)
    found = [on_ray.search(batch, 10), threads.search(batch, 10)]
    assert [h[1].tolist() for h in found[0]] == [h[1].tolist() for h in found[1]]
