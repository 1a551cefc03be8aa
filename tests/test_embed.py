"""Embedding backends: ONNX equals torch, and an index never mixes kinds of vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa import Index, IndexMismatchError
from qa.embed import (
    DEFAULT_MODEL,
    default_backend,
    get_embedder,
    onnx_files,
    read_config,
    threads_for,
    vector_kind,
)
from qa.errors import NewsQAError
from qa.records import Article
from tests.conftest import FakeEmbedder

TEXTS = [
    "Armenia's defence minister said officers would study in Russia.",
    "Short.",
    "A longer news paragraph about floods in the south, where rescuers searched villages "
    "for a third day while the government promised aid to families who lost homes. " * 4,
    "Who won the election in 2025?",
    "word " * 400,  # longer than the model's 256 word pieces: both backends must cut it alike
]


class BackendFake(FakeEmbedder):
    """The fake embedder, saying which backend made its vectors."""

    def __init__(self, backend: str, name: str = "fake-hashing-64", dimension: int = 64):
        self.backend = backend
        self.name = name
        self.dimension = dimension


def _article() -> Article:
    return Article(id="a1", title="Floods", text="Rain fell. Rivers rose in the south.")


def test_index_records_backend_and_refuses_another_kind(tmp_path):
    with Index.open(tmp_path, create=True, embedder=BackendFake("onnx-int8")) as index:
        index.add([_article()])
        assert index.info().backend == "onnx-int8"
    with pytest.raises(IndexMismatchError, match="onnx-int8.*rebuild"):
        Index.open(tmp_path, embedder=BackendFake("onnx"))
    with pytest.raises(IndexMismatchError, match="backend='onnx-int8'"):
        Index.open(tmp_path, embedder=BackendFake("onnx-int8"), backend="torch")
    with Index.open(tmp_path, embedder=BackendFake("onnx-int8")) as index:
        assert len(index.retrieve("rivers", 1, mode="dense")) == 1


def test_torch_and_onnx_vectors_share_an_index(tmp_path):
    with Index.open(tmp_path, create=True, embedder=BackendFake("torch")) as index:
        index.add([_article()])
    with Index.open(tmp_path, embedder=BackendFake("onnx")) as index:
        assert index.info().backend == "torch"  # the record says who made the vectors


def test_int8_index_opens_with_int8_by_default(tmp_path):
    """Opened without naming a backend, an int8 index loads the int8 model, whatever the
    default is; a float index loads the default. No model is run: sessions are lazy."""
    fake = BackendFake("onnx-int8", name=DEFAULT_MODEL, dimension=384)
    Index.open(tmp_path / "int8", create=True, embedder=fake).close()
    with Index.open(tmp_path / "int8") as index:
        assert index.embedder.backend == "onnx-int8"
    Index.open(tmp_path / "torch", create=True, embedder=BackendFake("torch", DEFAULT_MODEL, 384))
    with Index.open(tmp_path / "torch") as index:
        assert vector_kind(index.embedder.backend) == "float32"


def test_backend_from_environment(monkeypatch):
    monkeypatch.setenv("NEWSQA_BACKEND", "onnx-int8")
    assert default_backend() == "onnx-int8"
    monkeypatch.setenv("NEWSQA_BACKEND", "tensorflow")
    with pytest.raises(NewsQAError, match="onnx, onnx-int8, torch"):
        default_backend()


def test_small_batches_use_one_thread(monkeypatch):
    monkeypatch.setenv("NEWSQA_THREADS", "3")
    assert threads_for(1) == 1
    assert threads_for(1000) == 3


def _model_folder(tmp_path: Path, pooling: dict) -> Path:
    folder = tmp_path / "model"
    (folder / "1_Pooling").mkdir(parents=True)
    kinds = [("", "Transformer"), ("1_Pooling", "Pooling")]
    modules = [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (path, kind) in enumerate(kinds)
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 8, **pooling})
    )
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    return folder


def test_onnx_path_reads_pooling_and_refuses_what_it_cannot_run(tmp_path):
    folder = _model_folder(tmp_path, {"pooling_mode_mean_tokens": True})
    config = read_config(folder)
    assert (config.dimension, config.pooling, config.max_tokens) == (8, "mean", 512)
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 8, "pooling_mode_max_tokens": True})
    )
    with pytest.raises(NewsQAError, match="--backend torch"):
        read_config(folder)


def test_onnx_cache_follows_the_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path / "cache"))
    folder = _model_folder(tmp_path, {"pooling_mode_mean_tokens": True})
    first, first_int8 = onnx_files(folder)
    assert first.parent == first_int8.parent
    assert str(first).startswith(str(tmp_path / "cache"))
    (folder / "model.safetensors").write_bytes(b"other weights")
    assert onnx_files(folder)[0] != first


@pytest.mark.model
def test_onnx_vectors_equal_torch(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path / "cache"))  # a fresh export
    torch_model = get_embedder(DEFAULT_MODEL, "torch")
    from qa.embed import OnnxEmbedder

    onnx = OnnxEmbedder(DEFAULT_MODEL, "onnx")
    int8 = OnnxEmbedder(DEFAULT_MODEL, "onnx-int8")
    expected = torch_model.embed(TEXTS)
    got = onnx.embed(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384)
    assert np.abs(got - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # One text alone (no padding) and in a batch (padded) give the same vector.
    assert np.abs(onnx.embed(TEXTS[2:3])[0] - got[2]).max() < 1e-5
    assert [onnx.count_tokens(t) for t in TEXTS] == [torch_model.count_tokens(t) for t in TEXTS]
    assert (onnx.max_tokens, onnx.dimension) == (torch_model.max_tokens, torch_model.dimension)
    cosine = (int8.embed(TEXTS) * expected).sum(axis=1)
    assert cosine.min() > 0.95  # close, not equal: why the index keeps int8 apart
    assert onnx_files(onnx.folder)[0].exists()
