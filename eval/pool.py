"""Distractors: every dataset is also run with a shared pool of unrelated news indexed beside it.

A dataset's own corpus is small (one article, a few hundred paragraphs), so finding the right
passage is easier than in a real news archive. The pool makes it realistic: the Wikipedia
"Portal:Current events" pages (601 daily pages, about 10,600 dated news items, about 4,900
chunks) are indexed together with the dataset's articles, so every question competes with
thousands of news passages that do not answer it.

Embedding the pool costs about 2 minutes on 2 cores, so it is embedded once per run, into its
own index folder. Each dataset's with-distractors index starts as a copy of that folder (the
SQLite file and the FAISS and BM25 caches, copied after the pool index is closed, so SQLite's
write-ahead log is folded in) and then gets the dataset's articles with ``Index.add``: only
they are embedded, the FAISS cache is brought up to date in place and BM25 is rebuilt.

A dataset whose corpus *is* the pool (``news-quiz``, over the same pages) gets no second run:
its clean run already competes with the whole pool, and indexing the pages twice would only
make duplicates. When its articles are exactly the pool's, its clean index is a copy of the
pool index too, so the pages are embedded once per run, not twice.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from eval.datasets.base import EvalSet
from qa import Index
from qa.chunk import DEFAULT_CHUNK_TOKENS
from qa.embed import Embedder
from qa.load import load_paths
from qa.records import Article
from qa.store import DB_NAME

POOL_FOLDER = "wikipedia-current-events"  # under the shared datasets folder
POOL_PAGES = "days"  # the daily pages, under POOL_FOLDER
POOL_NAME = "wikipedia-current-events"
CREDIT = (
    "Distractor pool: Wikipedia contributors, Portal:Current events, CC BY-SA 4.0, mirrored "
    "by fordred/wikinews."
)
SUFFIX = "+distractors"
POOL_INDEX_DIR = "_distractor-pool"  # under --index-dir, when indexes are kept


@dataclass(frozen=True)
class Pool:
    """The distractor articles, loaded."""

    name: str
    articles: tuple[Article, ...]
    credit: str = CREDIT


@dataclass(frozen=True)
class PoolIndex:
    """The pool indexed alone, closed, in ``folder``: what each dataset's copy starts from."""

    folder: Path
    article_ids: frozenset[str]
    n_chunks: int
    seconds: float  # to build (or bring up to date) the pool index
    credit: str


@dataclass(frozen=True)
class Variant:
    """One run of a dataset: clean, or with the distractor pool indexed beside it."""

    name: str  # "squad2" or "squad2+distractors": the key in reports, results.json, the gate
    dataset: str  # "squad2"
    distractors: bool  # pool articles share the index with the dataset's
    from_pool: bool  # the index starts as a copy of the pool index


def distractor_name(dataset: str) -> str:
    return dataset + SUFFIX


def base_name(name: str) -> str:
    """ "squad2+distractors" -> "squad2"; a clean name is returned as is."""
    return name.removesuffix(SUFFIX)


def pool_folder(data_dir: Path) -> Path:
    return data_dir / POOL_FOLDER / POOL_PAGES


def load_pool(data_dir: Path) -> Pool:
    """Load the current-events pages under ``data_dir``; ``FileNotFoundError`` saying what to
    pass when they are not there."""
    folder = pool_folder(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"the distractor pool needs {folder}/ (the Wikipedia current-events pages); pass "
            "--data-dir DIR holding wikipedia-current-events/days/, or run without "
            "distractors (--no-distractors)"
        )
    loaded = load_paths([folder])
    if not loaded.articles:
        raise FileNotFoundError(f"no articles could be loaded from {folder}/")
    return Pool(POOL_NAME, tuple(loaded.articles))


def build_pool_index(
    pool: Pool,
    folder: Path,
    *,
    embedder: Embedder | None = None,
    model: str | None = None,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> PoolIndex:
    """Index the pool alone in ``folder`` (kept articles are not re-embedded) and close it,
    with its FAISS and BM25 caches written, ready to be copied."""
    started = time.perf_counter()
    with Index.open(
        folder, create=True, embedder=embedder, model=model, chunk_tokens=chunk_tokens
    ) as index:
        index.add(pool.articles)
        n_chunks = index.info().chunks  # writes the caches
    return PoolIndex(
        folder=folder,
        article_ids=frozenset(a.id for a in pool.articles),
        n_chunks=n_chunks,
        seconds=time.perf_counter() - started,
        credit=pool.credit,
    )


def copy_pool_index(pool_index: PoolIndex, destination: Path) -> Path:
    """Copy the pool's index folder to ``destination`` (replacing whatever is there); the
    copy is an ordinary index: ``Index.open`` it and ``add`` articles. The pool's folder is
    only read."""
    if destination.exists():
        shutil.rmtree(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    # The pool index is closed, so its write-ahead log is folded into the SQLite file; the
    # -wal/-shm files are left out in case a reader left empty ones behind.
    shutil.copytree(pool_index.folder, destination, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return destination


def plan_variants(
    dataset: str,
    article_ids: set[str] | frozenset[str],
    corpus_is_pool: bool,
    pool_index: PoolIndex | None,
) -> tuple[list[Variant], str]:
    """The runs a dataset gets, and a note for the report when its corpus is the pool.

    Without a pool: one clean run. With one: clean, then with distractors; except a dataset
    whose corpus is the pool (declared, or the very same articles), whose clean run already
    has every distractor in it. When its articles are exactly the pool's, its clean index is
    copied from the pool index instead of embedding the same pages again."""
    clean = Variant(dataset, dataset, distractors=False, from_pool=False)
    if pool_index is None:
        return [clean], ""
    same_articles = set(article_ids) == set(pool_index.article_ids)
    if corpus_is_pool or same_articles:
        note = (
            f"Its corpus is the distractor pool itself ({POOL_NAME}), so its clean run already "
            "competes with every distractor: it has no separate +distractors run and its "
            "scores stand for both."
        )
        return [Variant(dataset, dataset, distractors=True, from_pool=same_articles)], note
    return [
        clean,
        Variant(distractor_name(dataset), dataset, distractors=True, from_pool=True),
    ], ""


@contextmanager
def variant_index(
    variant: Variant,
    pool_index: PoolIndex | None,
    *,
    index_root: Path | None = None,
    embedder: Embedder | None = None,
    model: str | None = None,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> Iterator[Index]:
    """An open index for one run: a fresh temporary folder (or ``index_root/<name>``, kept and
    reused), starting as a copy of the pool index when the variant says so."""
    with ExitStack() as stack:
        if index_root is None:
            temporary = stack.enter_context(tempfile.TemporaryDirectory(prefix="eval-"))
            folder = Path(temporary) / "index"
        else:
            folder = index_root / variant.name
        if variant.from_pool:
            if pool_index is None:
                raise ValueError(f"{variant.name} starts from the pool index, but none was built")
            if not (folder / DB_NAME).exists():  # a kept copy is reused, like any kept index
                copy_pool_index(pool_index, folder)
        index = stack.enter_context(
            Index.open(
                folder, create=True, embedder=embedder, model=model, chunk_tokens=chunk_tokens
            )
        )
        # An archive: a question is asked on a date only when its dataset says so
        # (``EvalSet.asked_on``), never because the suite runs days after the newest page.
        index.searcher.detect_live = False
        yield index


@contextmanager
def pool_index_for(
    pool: Pool | None,
    *,
    index_root: Path | None = None,
    embedder: Embedder | None = None,
    model: str | None = None,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> Iterator[PoolIndex | None]:
    """Build the pool index once for a whole run (None without a pool); a temporary folder is
    removed at the end, ``index_root/_distractor-pool`` is kept for the next run."""
    if pool is None:
        yield None
        return
    with ExitStack() as stack:
        if index_root is None:
            temporary = stack.enter_context(tempfile.TemporaryDirectory(prefix="eval-pool-"))
            folder = Path(temporary) / "index"
        else:
            folder = index_root / POOL_INDEX_DIR
        yield build_pool_index(
            pool, folder, embedder=embedder, model=model, chunk_tokens=chunk_tokens
        )


@contextmanager
def datasets_with_distractors(
    names: Sequence[str], data_dir: Path, index_root: Path | None = None
) -> Iterator[Iterator[tuple[EvalSet, Variant, Index]]]:
    """For studies that read every dataset as ``python -m eval --distractors`` indexes it:
    yields an iterator of (dataset, its distractor variant, its open index with the
    dataset's articles added), one dataset at a time, over one shared pool index."""
    from eval.datasets import DATASETS
    from eval.embedcache import CachingEmbedder
    from qa.embed import get_embedder

    embedder = CachingEmbedder(get_embedder())
    pool = load_pool(data_dir)
    with pool_index_for(pool, index_root=index_root, embedder=embedder) as pooled:

        def each() -> Iterator[tuple[EvalSet, Variant, Index]]:
            for name in names:
                spec = DATASETS[name]
                folder = data_dir / spec.folder if spec.folder else data_dir
                evalset = spec.load(folder)
                ids = {a.id for a in evalset.articles}
                variant = plan_variants(name, ids, evalset.corpus_is_pool, pooled)[0][-1]
                with variant_index(
                    variant, pooled, index_root=index_root, embedder=embedder
                ) as index:
                    index.add(evalset.articles)  # unchanged articles are skipped
                    yield evalset, variant, index

        yield each()
