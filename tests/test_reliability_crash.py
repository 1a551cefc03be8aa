"""Crashes and damaged files (RELIABILITY.md, "Crashes"): an ingest killed at random moments,
a full disk, truncated or damaged search caches and a damaged SQLite file. The real command
line runs in child processes on the fake embedder (``tests.fakeqa``); the long kill loop is
``python -m tests.faults --kills 40``."""

from __future__ import annotations

import logging
import os
import random
import resource
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from qa import Index
from qa.errors import IndexCorruptError
from qa.lexical import LexicalIndex
from qa.load import make_article

from . import faults
from .conftest import ROOT

# Every other kill is anchored on a commit (after 0, 1, 2 batches in turn): 6 kills land before
# the first commit and after one and two. `make reliability` runs 40 (RELIABILITY.md).
SHORT_KILLS = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> faults.Corpus:
    return faults.write_corpus(tmp_path_factory.mktemp("corpus"), seed=3, new=120)


@pytest.fixture(scope="module")
def base_index(tmp_path_factory, corpus) -> Path:
    """The base articles, committed by the real CLI; copy it before changing it."""
    folder = tmp_path_factory.mktemp("base") / "ix"
    done = faults.run_cli(*faults.ingest_args(folder, [corpus.base]), "--quiet")
    assert done.returncode == 0, done.stderr
    return folder


def copy_of(base: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ix"
    shutil.copytree(base, target)
    return target


def assert_clean_error(result: subprocess.CompletedProcess, *phrases: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


# -- SIGKILL at random moments --------------------------------------------------------------------
def test_sigkill_at_random_moments_keeps_every_invariant(tmp_path, fake_embedder):
    figures = faults.kill_loop(tmp_path, SHORT_KILLS, seed=11, embedder=fake_embedder, new=120)
    assert figures.kills == figures.survived == SHORT_KILLS
    # The kills landed in more than one place: before a commit, between batches, after all.
    assert len(figures.batches_committed) >= 2, figures.batches_committed


def test_the_checker_fails_on_a_half_written_article(corpus, fake_embedder, tmp_path,
                                                     base_index):  # fmt: skip
    """The invariant checker itself: it is not a test that cannot fail."""
    target = copy_of(base_index, tmp_path)
    with Index.open(target, embedder=fake_embedder) as index:
        index.store.db.execute(
            "DELETE FROM chunks WHERE article_id = (SELECT min(article_id) FROM chunks)"
        )
    with pytest.raises(AssertionError, match="half-written"):
        faults.check_index(target, corpus.base_numbers, fake_embedder)
    second_only = faults.IndexState(0, 0, 0, versions={1: 1, 5: 2}, spans=Counter())
    with pytest.raises(AssertionError, match="not a prefix"):
        faults.committed_prefix(second_only, [1, 5], batch=1)
    three_of_four = faults.IndexState(0, 0, 0, versions={1: 2, 2: 2, 3: 2}, spans=Counter())
    with pytest.raises(AssertionError, match="not a whole number"):
        faults.committed_prefix(three_of_four, [1, 2, 3, 4], batch=2)


# -- disk full ------------------------------------------------------------------------------------
@pytest.mark.parametrize("limit", [4_096, 64_000, 300_000])
def test_file_size_limit_is_a_clear_error_and_the_index_stays_usable(
    limit, corpus, base_index, tmp_path, fake_embedder
):
    target = copy_of(base_index, tmp_path)

    def small_files() -> None:  # in the child: every file it writes stops at `limit` bytes
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    failed = faults.run_cli(
        *faults.ingest_args(target, [corpus.new]), "--quiet", preexec_fn=small_files
    )
    assert_clean_error(failed, "could not write to the index", "run the same command again")
    state = faults.check_index(target, corpus.base_numbers, fake_embedder)
    faults.committed_prefix(state, corpus.new_numbers, faults.BATCH)
    with Index.open(target, embedder=fake_embedder) as index:
        answer = index.ask(f"What about {faults.key_word(1)}?")
        assert answer.citations or answer.closest
    again = faults.run_cli(*faults.ingest_args(target, [corpus.new]), "--quiet")
    assert again.returncode == 0, again.stderr
    final = faults.check_index(target, corpus.base_numbers, fake_embedder)
    assert len(final.versions) == len(corpus.base_numbers) + len(set(corpus.new_numbers)) - len(
        set(corpus.new_numbers) & set(corpus.base_numbers)
    )


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 4 MB tmpfs: a real "No space left on device". Needs root (CAP_SYS_ADMIN)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the RLIMIT_FSIZE test covers it")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_a_clear_error_and_questions_are_still_answered(
    small_disk, corpus, base_index, fake_embedder
):
    target = small_disk / "ix"
    shutil.copytree(base_index, target)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - 150_000))  # leave room for a batch or two
    failed = faults.run_cli(*faults.ingest_args(target, [corpus.new]), "--quiet")
    assert_clean_error(failed, "could not write to the index", "the disk is full")
    # Still full: a reader must answer anyway (caches it cannot save are used from memory).
    with Index.open(target, embedder=fake_embedder) as index:
        found = index.retrieve(faults.key_word(2), k=1, mode="bm25")
        assert found and found[0].article.title.startswith("Report 2 ")
    filler.unlink()
    state = faults.check_index(target, corpus.base_numbers, fake_embedder)
    faults.committed_prefix(state, corpus.new_numbers, faults.BATCH)
    again = faults.run_cli(*faults.ingest_args(target, [corpus.new]), "--quiet")
    assert again.returncode == 0, again.stderr


# -- damaged search caches ------------------------------------------------------------------------
def _damage(path: Path, how: str, rng: random.Random) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(rng.randbytes(len(data)))
    elif how == "flipped":  # a few bytes in the middle: the file still parses
        middle = bytearray(data)
        for i in rng.sample(range(len(data) // 4, len(data) - 32), 8):
            middle[i] ^= 0xFF
        path.write_bytes(bytes(middle))
    elif how == "deleted":
        path.unlink()


HOW = ["truncated", "empty", "garbage", "flipped"]


def _caches(folder: Path) -> tuple[Path, Path]:
    (dense,) = folder.glob("dense-*.faiss")
    (lexical,) = (p for p in folder.glob("bm25-*") if p.is_dir())
    return dense, lexical


def _answers_as_before(folder: Path, embedder, expected: list) -> None:
    with Index.open(folder, embedder=embedder) as index:
        got = [
            [(p.article.id, p.start) for p in index.retrieve(q, k=3, mode=mode)]
            for q, mode in QUERIES
        ]
        assert np.array_equal(np.sort(index.caches.dense.ids()), index.store.chunk_ids())
    assert got == expected


QUERIES = [(faults.key_word(n), mode) for n in (0, 7, 19) for mode in ("dense", "bm25", "hybrid")]


def _expected(folder: Path, embedder) -> list:
    with Index.open(folder, embedder=embedder) as index:
        return [
            [(p.article.id, p.start) for p in index.retrieve(q, k=3, mode=mode)]
            for q, mode in QUERIES
        ]


@pytest.mark.parametrize("how", HOW)
def test_damaged_dense_cache_is_rebuilt_with_a_note(how, base_index, tmp_path, fake_embedder,
                                                    caplog):  # fmt: skip
    target = copy_of(base_index, tmp_path)
    expected = _expected(target, fake_embedder)
    dense, _ = _caches(target)
    _damage(dense, how, random.Random(how))
    with caplog.at_level(logging.WARNING, logger="qa"):
        _answers_as_before(target, fake_embedder, expected)
    assert f"{dense.name}" in caplog.text and "rebuilding it from" in caplog.text
    assert faults.integrity(target) == "ok"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="qa"):  # the rebuilt file was saved
        _answers_as_before(target, fake_embedder, expected)
    assert caplog.text == ""


@pytest.mark.parametrize("how", [*HOW, "deleted"])
@pytest.mark.parametrize("part", ["data.csc.index.npy", "vocab.index.json", "chunk_ids.npy"])
def test_damaged_keyword_cache_is_rebuilt_with_a_note(how, part, base_index, tmp_path,
                                                      fake_embedder, caplog):  # fmt: skip
    target = copy_of(base_index, tmp_path)
    expected = _expected(target, fake_embedder)
    _, lexical = _caches(target)
    _damage(lexical / part, how, random.Random(how + part))
    with caplog.at_level(logging.WARNING, logger="qa"):
        _answers_as_before(target, fake_embedder, expected)
    assert "rebuilding it from" in caplog.text


def test_cache_of_other_chunks_is_rebuilt(base_index, tmp_path, fake_embedder, caplog):
    """A well-formed cache that holds other chunks (copied from another index)."""
    target = copy_of(base_index, tmp_path)
    expected = _expected(target, fake_embedder)
    with Index.open(tmp_path / "other", create=True, embedder=fake_embedder) as other:
        other.add([make_article(title="Other", text="Another index entirely.")])
        other_dense, other_lexical = _caches(other.folder)
    dense, lexical = _caches(target)
    shutil.copy(other_dense, dense)
    shutil.rmtree(lexical)
    shutil.copytree(other_lexical, lexical)
    with caplog.at_level(logging.WARNING, logger="qa"):
        _answers_as_before(target, fake_embedder, expected)
    assert caplog.text.count("do not match the store") == 2


def test_keyword_cache_of_stop_words_only_reopens(tmp_path, fake_embedder, caplog):
    """Regression: chunks with no content word saved no BM25 model, and the next process
    failed to load the folder (bm25s found no params file)."""
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        index.add([make_article(title="It", text="It was. It is.")])
    with caplog.at_level(logging.WARNING, logger="qa"), Index.open(tmp_path / "ix") as index:
        assert index.retrieve("what was it", k=1, mode="bm25") == []
        assert len(index.retrieve("what was it", k=1, mode="dense")) == 1
    assert caplog.text == ""  # loaded as saved, not rebuilt
    assert isinstance(LexicalIndex.load(next((tmp_path / "ix").glob("bm25-*"))), LexicalIndex)


def test_leftovers_of_a_killed_save_are_removed(base_index, tmp_path, fake_embedder):
    target = copy_of(base_index, tmp_path)
    dense, lexical = _caches(target)
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (target / f"{dense.name}.{dead}.tmp").write_bytes(b"half a file")
    shutil.copytree(lexical, target / f"{lexical.name}.{dead}.tmp")
    (target / f"{dense.name}.{os.getpid()}.tmp").write_bytes(b"a save in progress here")
    with Index.open(target, embedder=fake_embedder) as index:
        index.add([make_article(title="New", text="A new generation of the caches.")])
    names = {p.name for p in target.iterdir()}
    assert f"{dense.name}.{dead}.tmp" not in names
    assert f"{lexical.name}.{dead}.tmp" not in names
    assert f"{dense.name}.{os.getpid()}.tmp" in names  # a live process's: left alone


# -- a damaged SQLite file ------------------------------------------------------------------------
def _damage_db(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "header":
        path.write_bytes(b"\x00" * 100 + data[100:])
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(random.Random(how).randbytes(len(data)))
    elif how == "pages":  # a valid header, damaged b-tree pages
        page = 4096
        damaged = bytearray(data)
        for start in range(page, len(data), page * 2):
            damaged[start : start + 64] = random.Random(start).randbytes(64)
        path.write_bytes(bytes(damaged))


DB_DAMAGE = ["header", "truncated", "empty", "garbage", "pages"]


@pytest.fixture
def damaged(request, base_index, tmp_path) -> Path:
    target = copy_of(base_index, tmp_path)
    for extra in ("newsqa.sqlite-wal", "newsqa.sqlite-shm"):
        (target / extra).unlink(missing_ok=True)
    _damage_db(target / "newsqa.sqlite", request.param)
    return target


@pytest.mark.parametrize(
    ("damaged", "command"),
    [("header", "info"), ("truncated", "ask"), ("empty", "ingest"), ("garbage", "retrieve"),
     ("pages", "ask"), ("pages", "ingest")],
    indirect=["damaged"],
)  # fmt: skip
def test_damaged_database_is_a_clear_cli_error(damaged, command, corpus):
    args = {
        "info": ["info"],
        "ask": ["ask", "What happened?"],
        "retrieve": ["retrieve", "What happened?"],
        "ingest": ["ingest", str(corpus.base)],
    }[command]
    result = faults.run_cli(*args, "--index", str(damaged), timeout=120)
    assert_clean_error(result, f"{damaged / 'newsqa.sqlite'}", "is damaged", "ingest")


@pytest.mark.parametrize("damaged", ["pages"], indirect=True)  # found after opening
def test_damaged_database_is_a_clear_app_start_error(damaged):
    script = "import sys; from tests import conftest; import app; sys.exit(app.main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", script, "--index", str(damaged), "--port", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    assert_clean_error(result, f"{damaged / 'newsqa.sqlite'}", "is damaged")


def test_damaged_database_raises_index_corrupt_error(base_index, tmp_path, fake_embedder):
    target = copy_of(base_index, tmp_path)
    _damage_db(target / "newsqa.sqlite", "header")
    with pytest.raises(IndexCorruptError, match="newsqa.sqlite is damaged"):
        Index.open(target, embedder=fake_embedder)
    # An empty database file: never silently a new, empty index...
    (target / "newsqa.sqlite").write_bytes(b"")
    for create in (False, True):  # ...beside an index's caches, not even when creating
        with pytest.raises(IndexCorruptError, match="no newsqa manifest"):
            Index.open(target, create=create, embedder=fake_embedder)
    fresh = tmp_path / "fresh"  # an empty file alone (a crash while creating): a new index
    fresh.mkdir()
    (fresh / "newsqa.sqlite").write_bytes(b"")
    with pytest.raises(IndexCorruptError, match="no newsqa manifest"):
        Index.open(fresh, embedder=fake_embedder)
    with Index.open(fresh, create=True, embedder=fake_embedder) as index:
        assert index.info().articles == 0
