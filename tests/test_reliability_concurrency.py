"""Readers and writers at once (RELIABILITY.md, "Concurrency"): a reader (the app's side of
an index) sees the state before or after each committed batch of another process's ingest,
never a mix; two writers on one index are serialised by its file lock."""

from __future__ import annotations

import logging
import os
import random
import shutil
import threading
import time
from pathlib import Path

import pytest

import qa.ingest
from qa import Index
from qa.load import make_article
from qa.safety import writer_lock

from . import faults

BATCH = 16


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A base index, the files a writer ingests (new articles, then new versions of every
    article) and every state a reader may see: the counts after each committed batch."""
    from tests.conftest import FakeEmbedder

    work = tmp_path_factory.mktemp("concurrency")
    corpus = faults.write_corpus(work / "corpus", seed=5, new=96)
    everyone = sorted({*corpus.base_numbers, *corpus.new_numbers})
    third = faults.write_versions(work / "corpus", everyone, version=3, seed=5)
    base = work / "base"
    with Index.open(base, create=True, embedder=FakeEmbedder()) as index:
        index.ingest([corpus.base])
    states = committed_states(base, work / "reference", [[corpus.new], [third]])
    return base, corpus, [[corpus.new], [third]], states


def committed_states(base: Path, folder: Path, passes: list[list[Path]]) -> set[tuple]:
    """(articles, sentences, chunks) after every commit of the same ingests, uninterrupted
    (the ingest is deterministic: the same files give the same batches)."""
    from tests.conftest import FakeEmbedder

    shutil.copytree(base, folder)
    states = set()
    original = qa.ingest.BATCH_ARTICLES
    qa.ingest.BATCH_ARTICLES = BATCH
    try:
        with Index.open(folder, embedder=FakeEmbedder()) as index:
            states.add(_counts(index))
            write_batch = index.ingester.write_batch

            def recording(*args, **kwargs):
                write_batch(*args, **kwargs)
                states.add(_counts(index))

            index.ingester.write_batch = recording  # type: ignore[method-assign]
            for paths in passes:
                index.ingest(paths)
    finally:
        qa.ingest.BATCH_ARTICLES = original
    return states


def _counts(index: Index) -> tuple[int, int, int]:
    counts = index.store.counts()
    return counts["articles"], counts["sentences"], counts["chunks"]


def check_passage(passage) -> None:
    """A passage's sentences are its article's and lie inside it: chunk rows, sentence rows
    and article text all come from one committed state."""
    text = passage.article.text
    assert text[passage.start : passage.end] == passage.text
    assert passage.sentences, "a passage without its sentences"
    for sentence in passage.sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert passage.start <= sentence.start and sentence.end <= passage.end, (
            "a sentence outside its passage: chunk and sentences from different versions"
        )


def test_reader_sees_whole_batches_while_another_process_ingests(setup, tmp_path,
                                                                 fake_embedder):  # fmt: skip
    base, corpus, passes, states = setup
    folder = tmp_path / "ix"
    shutil.copytree(base, folder)
    rng = random.Random(1)
    seen: set[tuple] = set()
    reads = asks = 0
    with Index.open(folder, embedder=fake_embedder) as reader, \
            faults.ExecRunner(tmp_path, batch=BATCH) as runner:  # fmt: skip
        writer = runner.start(*faults.ingest_args(folder, passes[0]), "--quiet")
        second = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            code = writer.poll()
            if code is not None:
                assert code == 0, writer.stderr()
                if second is not None:
                    break
                second = writer = runner.start(*faults.ingest_args(folder, passes[1]), "--quiet")
            info = reader.info()
            state = (info.articles, info.sentences, info.chunks)
            assert state in states, f"a state no commit made: {state}"
            seen.add(state)
            n = rng.choice(corpus.base_numbers)
            mode = rng.choice(["bm25", "dense", "hybrid"])
            found = reader.retrieve(faults.key_word(n), k=3, mode=mode)
            for passage in found:
                check_passage(passage)
            if mode == "bm25":  # the key word's chunk: in the caches and in the store
                assert found and found[0].article.title.startswith(f"Report {n} "), (
                    f"article {n} missing: the keyword cache and the store disagree"
                )
            reads += 1
            if reads % 4 == 0:
                answer = reader.ask(f"What about {faults.key_word(n)}?")
                for citation in answer.citations:
                    article = citation.article
                    assert article.text[citation.start : citation.end] == citation.sentence
                asks += 1
        else:
            pytest.fail("the writers did not finish in time")
        final = reader.info()
    assert (final.articles, final.sentences, final.chunks) in states
    # The reader really ran during the writes: it saw states between the first and last.
    assert len(seen) >= 3, (len(seen), reads)
    faults.check_index(folder, corpus.base_numbers, fake_embedder)
    print(f"{reads} reads and {asks} answers during the ingests; {len(seen)} states seen")


def test_two_writers_are_serialised_by_the_lock(setup, tmp_path, fake_embedder):
    """Two ``ingest`` processes of the same files, held at the lock until both wait there:
    one ingests everything, the other starts after it has finished and finds it all
    unchanged (interleaved, it would have planned before the other's commits)."""
    base, corpus, passes, _ = setup
    folder = tmp_path / "ix"
    shutil.copytree(base, folder)
    with faults.ExecRunner(tmp_path, batch=BATCH) as runner:
        with writer_lock(folder):
            writers = [runner.start(*faults.ingest_args(folder, passes[0])) for _ in range(2)]
            deadline = time.monotonic() + 120
            while not all("waiting for it to finish" in w.stderr() for w in writers):
                assert time.monotonic() < deadline, [w.stderr() for w in writers]
                time.sleep(0.05)
        for writer in writers:
            assert writer.wait(240) == 0, writer.stderr()
            assert "Traceback" not in writer.stderr()
            assert "another process is writing to" in writer.stderr()
    added = len(set(corpus.new_numbers) - set(corpus.base_numbers))
    reports = sorted(w.stdout().split(": ", 1)[1].strip() for w in writers)
    assert reports[0].startswith(f"0 added, 0 updated, {len(corpus.new_numbers)} unchanged")
    assert reports[1].startswith(f"{added} added, {len(corpus.new_numbers) - added} updated")
    state = faults.check_index(folder, corpus.base_numbers, fake_embedder)
    assert max(state.spans.values()) == 1
    assert state.articles == len(set(corpus.base_numbers) | set(corpus.new_numbers))


def test_writer_lock_serialises_threads_of_one_process(tmp_path, fake_embedder, caplog):
    folder = tmp_path / "ix"
    with Index.open(folder, create=True, embedder=fake_embedder) as index:
        index.add([make_article(title="First", text="The first article is here.")])
        finished: list[float] = []

        def add_second() -> None:
            index.add([make_article(title="Second", text="The second one waited its turn.")])
            finished.append(time.monotonic())

        with caplog.at_level(logging.WARNING, logger="qa"):
            with writer_lock(folder):
                worker = threading.Thread(target=add_second)
                worker.start()
                time.sleep(0.5)
                assert not finished, "a second writer went ahead while the lock was held"
                released_at = time.monotonic()
            worker.join(30)
        assert finished and finished[0] >= released_at
        assert "waiting for it to finish" in caplog.text
        assert index.info().articles == 2


def test_a_commit_in_the_middle_of_a_read_is_not_seen(tmp_path, fake_embedder):
    """Deterministic: another connection replaces the article between the reader's read of
    the chunks and its read of the articles. The reader's snapshot still shows the version
    its chunks came from; the next read shows the new one."""
    url = "https://snapshot.example/storm"
    old = make_article(title="Storm", url=url, text="Storm hits coast. Boats lost. All safe.")
    new = make_article(
        title="Storm",
        url=url,
        text="An updated report, much longer than the first one, came in later today. "
        "The storm hit the northern coast overnight. Fishermen lost forty boats in the "
        "harbour. Nobody was hurt, officials said.",
    )
    folder = tmp_path / "ix"
    with Index.open(folder, create=True, embedder=fake_embedder) as reader, \
            Index.open(folder, embedder=fake_embedder) as writer:  # fmt: skip
        reader.add([old])
        read_articles = reader.store.articles
        replaced: list[bool] = []

        def articles_after_a_commit(*args, **kwargs):
            if not replaced:
                replaced.append(True)
                writer.add([new])  # commits on its own connection, now
            return read_articles(*args, **kwargs)

        reader.store.articles = articles_after_a_commit  # type: ignore[method-assign]
        passages = reader.retrieve("storm boats", k=3, mode="bm25")
        assert replaced and passages
        for passage in passages:
            check_passage(passage)
        assert passages[0].article.text == old.text
        replaced.clear()
        answer = reader.ask("What happened to the boats?")  # the writer re-adds: unchanged
        for citation in answer.citations:
            assert citation.article.text[citation.start : citation.end] == citation.sentence
        reader.store.articles = read_articles  # type: ignore[method-assign]
        assert reader.retrieve("storm boats", k=1, mode="bm25")[0].article.text == new.text


def test_a_cache_removed_by_another_process_meanwhile_is_not_an_error(
    tmp_path, fake_embedder, caplog, monkeypatch
):
    """Found by the reader test: between seeing ``dense-<gen>.faiss`` and reading it, the
    writer moved on and removed it (FileNotFoundError in the reader); ``info()`` summed the
    sizes of files that were gone by then."""
    from qa import dense

    folder = tmp_path / "ix"
    with Index.open(folder, create=True, embedder=fake_embedder) as index:
        index.add([make_article(title="Storm", text="A storm hit the harbour.")])
    load = dense.load

    def removed_meanwhile(path):
        path.unlink()  # the other process's _drop_older, just now
        return load(path)

    monkeypatch.setattr(dense, "load", removed_meanwhile)
    with caplog.at_level(logging.WARNING, logger="qa"), Index.open(folder) as reader:
        assert reader.retrieve("storm", k=1, mode="dense")[0].article.title == "Storm"
        real_stat = os.stat

        def stat_after_removal(path, *args, **kwargs):
            if str(path).endswith(".faiss"):
                raise FileNotFoundError(path)
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(os, "stat", stat_after_removal)
        assert reader.info().articles == 1
    assert "rebuilding" not in caplog.text  # gone is not damaged: no note
