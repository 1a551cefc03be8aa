"""Shared fixtures. Most tests use a deterministic fake embedder so they run in
milliseconds without the model; tests marked ``model`` load the real bundled one."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "shoigu-azerbaijan-armenia-military-ties.md"
SHARED = ROOT.parent / "shared"


class FakeEmbedder:
    """Bag-of-words hashing embedder: texts sharing words get similar vectors. Deterministic,
    normalised, and honest about its token limit, which is all the index logic needs."""

    name = "fake-hashing-64"
    dimension = 64
    max_tokens = 512

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                out[row, digest[0] % self.dimension] += 1.0 if digest[1] % 2 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
        return out

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def sample_text() -> str:
    return (ROOT.parent / "shared" / "seed" / "000_1333d49264e5efcb.txt").read_text()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory):
    """The bundled sample, indexed with the real bundled model (built once per session)."""
    from qa import Index

    folder = tmp_path_factory.mktemp("sample-index")
    index = Index.open(folder, create=True)
    report = index.ingest([SAMPLE])
    assert len(report.added) == 1
    yield index
    index.close()
