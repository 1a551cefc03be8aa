"""Shared fixtures. Most tests use a deterministic fake embedder so they run in
milliseconds without the model; tests marked ``model`` load the real bundled one.

The fake embedder is registered under its name (``qa.embed.register_embedder``), so the CLI
and the app run on it exactly as a user runs them on a real model: ``--model
fake-hashing-64`` builds an index with it, and every later command finds it by the name in
the index's manifest.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from qa.embed import register_embedder

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
        return self._vectors(texts)

    def embed_spans(self, texts, spans, progress: bool = False):
        """One "forward pass" per text, as the real model's span pooling: the spans' vectors
        come with the texts' (``qa.embed.embed_with_spans``)."""
        vectors = self.embed(texts, progress)
        pieces = [[t[a:b] for a, b in own] for t, own in zip(texts, spans, strict=True)]
        return vectors, [self._vectors(p) for p in pieces]

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
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


# -- what a test needs that may be missing here ------------------------------------------------
# On a developer's machine a test whose browser, shared dataset or optional package is missing
# is skipped, saying what to install. In CI (CI=true) it fails instead: a green CI must mean
# every test ran.
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Inside a test or fixture: skip (fail in CI) unless ``available``."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing requirement fails instead of skipping)")
    pytest.skip(reason)


def needs(available: bool, reason: str):
    """A mark: the test runs only when ``available`` (skipped here, failed in CI)."""
    return pytest.mark.needs(available, reason)


def require_module(name: str):
    """``pytest.importorskip`` that fails in CI."""
    try:
        return __import__(name)
    except ImportError as error:
        require(False, f"needs the Python package {name!r} ({error}): run `make setup`")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "needs(available, reason): see tests/conftest.py")


def pytest_runtest_setup(item) -> None:
    for mark in item.iter_markers("needs"):
        require(*mark.args)


FAKE_MODEL = FakeEmbedder.name
register_embedder(FAKE_MODEL, FakeEmbedder)

# Article text that tries every trick to run script or restyle the page.
EVIL_TITLE = "<script>alert(1)</script> **Breaking** [click](javascript:alert(2))"
EVIL_TEXT = (
    "Officials met on Monday.\n"
    "The minister said <img src=x onerror=alert(3)> was **not** acceptable. "
    "Nobody commented.\n"
    "A later paragraph ${7*7} {{value}}."
)
OHANIAN_QUOTE = "We want to maintain our strategic partnership"


def evil_article():
    from qa.load import make_article

    return make_article(
        title=EVIL_TITLE,
        text=EVIL_TEXT,
        source="<b>evil</b>.example",
        url="javascript:alert(4)",
        published="2024-03-05",
    )


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_index(tmp_path, fake_embedder):
    """An empty index on the fake embedder."""
    from qa import Index

    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        yield index


# -- loopback only ---------------------------------------------------------------------------------
# Every server a test starts listens on 127.0.0.1, and every request a test makes goes there
# directly: proxy variables are dropped for the whole run (children inherit that), and the
# clients below ignore the environment besides (tests/test_loopback.py checks both, with a
# trap proxy in the environment).
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                   "all_proxy")  # fmt: skip
for _name in PROXY_VARIABLES:
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # gradio and its client phone home otherwise
# gradio_client's headers ask huggingface.co for a list of "agent harnesses" unless offline.
os.environ["HF_HUB_OFFLINE"] = "1"
# Ray (tests/test_distributed.py) on 127.0.0.1 too; before anything imports ray.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"


def loopback_http(**options):
    """An ``httpx.Client`` for loopback servers: no proxy from the environment, ever."""
    import httpx

    return httpx.Client(trust_env=False, **options)


def app_client(url: str, **options):
    """A ``gradio_client.Client`` for a local app: no proxy, no analytics."""
    from gradio_client import Client

    return Client(
        url,
        verbose=False,
        analytics_enabled=False,
        httpx_kwargs={"trust_env": False},
        **options,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(index) -> Iterator[str]:
    """The real app for ``index`` on a free local port; yields its url, stops it after."""
    import app

    blocks = app.create_app(index)
    url = app.serve(blocks, "127.0.0.1", free_port(), block=False)
    try:
        yield url
    finally:
        blocks.close()


@pytest.fixture(scope="session")
def sample_server(tmp_path_factory) -> Iterator[str]:
    """The real app over its own index of the sample (real model), shared by the API and
    browser tests; the browser test adds an article to it."""
    from qa import Index

    with Index.open(tmp_path_factory.mktemp("app") / "ix", create=True) as index:
        index.ingest([SAMPLE])
        with running_app(index) as url:
            yield url


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


# -- the real browser (Debian's Chromium, driven by Playwright; never a downloaded browser) --
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-proxy-server",  # loopback only, whatever the environment says
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = needs(
    CHROMIUM.exists(),
    "needs Debian's Chromium at /usr/bin/chromium: run `make browser` "
    "(apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the browser tests of one module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def hostile_index(folder: Path):
    """An index on the fake embedder of the sample and articles full of markup, direction
    overrides and entities: what the fuzzers ask their questions over."""
    from qa import Index
    from qa.load import make_article

    index = Index.open(folder, create=True, embedder=FakeEmbedder())
    index.ingest([SAMPLE])
    index.add([
        evil_article(),
        make_article(title="\u202eevil.exe\u202c", text="Right-to-left \u202e override.\u202c "
                     "It said <b>bold</b> & [link](javascript:x).", url="http://x.example/rtl",
                     source="&lt;source&gt;", published="2024-03-06"),
        make_article(title="Storm", text="A storm hit. Fishermen lost 40 boats in May 2024.",
                     source="wire.example", published="2024-05-10"),
    ])  # fmt: skip
    return index
