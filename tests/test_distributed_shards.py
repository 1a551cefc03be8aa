"""The sharded dense backend (qa.distributed.shards) without Ray: real FAISS files on disk,
shards built in threads, searched merged-on-disk or as IndexShards, and as an index's dense
backend through qa.caches. The Ray-built variant is in test_distributed.py."""

from __future__ import annotations

import numpy as np
import pytest

from qa import Index
from qa.backends import Queries
from qa.dense import DenseIndex
from qa.distributed.shards import (
    ShardedIndex,
    choose_plan,
    load_shard,
    merge_hits,
    recall_at_10,
    search_index,
    use_sharded_backend,
)
from qa.load import make_article

from .test_index import ARTICLES

DIM = 32


def clustered(n: int, seed: int = 7) -> np.ndarray:
    """Unit vectors around 50 fixed centres: structured like embeddings, so IVF has lists to
    find; another ``seed`` draws other vectors around the same centres."""
    centres = np.random.default_rng(0).normal(size=(50, DIM))
    rng = np.random.default_rng(seed)
    x = centres[rng.integers(0, 50, n)] + 0.6 * rng.normal(size=(n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def corpus():
    vectors = clustered(6000)
    ids = np.arange(len(vectors), dtype=np.int64) * 3 + 11  # not row numbers: ids must map
    queries = clustered(100, seed=8)  # held out from the index
    exact = DenseIndex.build(ids, vectors, DIM)
    truth = exact.search(Queries([""] * len(queries), queries), 10)
    return ids, vectors, queries, exact, truth


def ids_of(hits):
    return [found for _, found in hits]


def test_plan_picks_the_index_type_by_size():
    assert choose_plan(10_000).kind == "flat"
    assert choose_plan(5_000_000).kind == "ivf-sq8"
    assert choose_plan(60_000_000).kind == "ivf-pq"
    assert choose_plan(1_000_000).nlist == 1000  # ~ sqrt(n) lists
    with pytest.raises(ValueError, match="unknown sharded index type"):
        choose_plan(10, kind="lsh")
    with pytest.raises(ValueError, match="at least 1"):
        choose_plan(10, shards=0)


def test_flat_shards_give_exactly_the_unsharded_results(tmp_path, corpus):
    ids, vectors, queries, exact, truth = corpus
    sharded = ShardedIndex.build(ids, vectors, tmp_path / "s", shards=3)
    assert sharded.kind == "sharded flat x3"
    found = sharded.search(Queries([""] * len(queries), queries), 10)
    for (s1, i1), (s2, i2) in zip(truth, found, strict=True):
        assert i1.tolist() == i2.tolist()
        np.testing.assert_allclose(s1, s2, atol=1e-6)
    assert sorted(sharded.ids().tolist()) == sorted(ids.tolist())


def test_a_filter_is_applied_inside_every_shard(tmp_path, corpus):
    ids, vectors, queries, exact, _ = corpus
    allowed = ids[::13]
    for kind in ("flat", "ivf-sq8"):
        sharded = ShardedIndex.build(ids, vectors, tmp_path / kind, shards=3, kind=kind)
        found = sharded.search(Queries([""] * 5, queries[:5]), 10, allowed)
        want = exact.search(Queries([""] * 5, queries[:5]), 10, allowed)
        for hits, expected in zip(ids_of(found), ids_of(want), strict=True):
            assert len(hits) == 10 and np.isin(hits, allowed).all()
            if kind == "flat":
                assert hits.tolist() == expected.tolist()
    assert sharded.search(Queries([""], queries[:1]), 10, np.zeros(0, np.int64))[0][1].size == 0


@pytest.mark.parametrize("kind", ["ivf-sq8", "ivf-pq"])
def test_ivf_reaches_its_calibrated_recall_on_held_out_queries(tmp_path, corpus, kind):
    ids, vectors, queries, _, truth = corpus
    sharded = ShardedIndex.build(ids, vectors, tmp_path / kind, shards=2, kind=kind)
    assert sharded.plan.recall_at_10 >= 0.95  # calibration's own measurement
    assert 1 <= sharded.plan.nprobe <= sharded.plan.nlist
    found = sharded.search(Queries([""] * len(queries), queries), 10)
    measured = recall_at_10(np.array(ids_of(truth)), ids_of(found))
    # Held-out queries are not the calibration queries: allow the difference of two samples.
    assert measured >= min(0.95, sharded.plan.recall_at_10) - 0.03, (measured, sharded.plan)
    reopened = ShardedIndex.load(tmp_path / kind)
    again = reopened.search(Queries([""] * len(queries), queries), 10)
    assert [a.tolist() for a in ids_of(again)] == [f.tolist() for f in ids_of(found)]


def test_merged_on_disk_and_index_shards_agree(tmp_path, corpus):
    """The two ways to search IVF shards — merged into one memory-mapped index, or each shard
    searched and the results merged (what the Ray Serve ingress does) — give one answer."""
    import faiss

    ids, vectors, queries, _, _ = corpus
    sharded = ShardedIndex.build(ids, vectors, tmp_path / "m", shards=3, kind="ivf-sq8")
    plan = sharded.plan
    merged = sharded.search(Queries([""] * len(queries), queries), 10)
    shards = [load_shard(path, plan.kind) for path in sharded.shard_files()]
    parts = [search_index(shard, plan, queries, 10, None) for shard in shards]
    fanned = merge_hits(parts, 10)[1]
    combined = faiss.IndexShards(DIM, False, False)
    for shard in shards:
        combined.add_shard(shard)
    in_faiss = search_index(combined, plan, queries, 10, None)[1]
    for row, (_, want) in enumerate(merged):
        assert set(fanned[row].tolist()) == set(want.tolist())
        assert set(in_faiss[row].tolist()) == set(want.tolist())


def test_an_index_can_keep_its_vectors_in_shards(tmp_path, fake_embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        index.add(ARTICLES)
        question = "How many boats did fishermen lose in the storm?"
        before = [p.chunk_id for p in index.retrieve(question, k=3, mode="dense")]
        use_sharded_backend(index, 2)
        assert index.info().dense_index == "sharded flat x2"
        assert [p.chunk_id for p in index.retrieve(question, k=3, mode="dense")] == before
        index.add([make_article(title="Harbour", text="Fishermen rebuilt 40 boats in the storm.")])
        top = index.retrieve("fishermen rebuilt boats", k=1, mode="dense")[0]
        assert top.article.title == "Harbour"  # the new generation's shards hold it
        shard_folders = sorted(p.name for p in index.folder.glob("dense-*.shards"))
        assert len(shard_folders) == 1  # older generations are dropped
        with pytest.raises(ValueError, match="at least 1"):
            use_sharded_backend(index, 0)
    with Index.open(tmp_path / "ix") as reopened:  # the choice is kept in the manifest
        assert reopened.info().dense_index == "sharded flat x2"
