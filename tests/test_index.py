"""Index behaviour with the fake embedder: real SQLite, real FAISS, real bm25s."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from qa import Filters, Index
from qa.errors import (
    ArticleNotFoundError,
    EmptyQuestionError,
    IndexMismatchError,
    IndexNotFoundError,
)
from qa.index import rebuild_index
from qa.load import make_article
from qa.store import SCHEMA_VERSION

from .conftest import ROOT, FakeEmbedder


def article(title, text, **meta):
    return make_article(title=title, text=text, **meta)


ARTICLES = [
    article(
        "Budget vote",
        "The parliament approved the budget on Monday. Opposition parties walked out.",
        source="Daily A",
        url="https://a.example/budget",
        published="2024-03-04",
    ),
    article(
        "Storm hits coast",
        "A storm flooded the harbour. Fishermen lost 40 boats.",
        source="Daily B",
        url="https://b.example/storm",
        published="2024-05-10",
    ),
    article(
        "Chess final",
        "The champion won the final game in 31 moves.",
        source="Daily A",
        published="2023-12-01",
    ),
]


@pytest.fixture
def index(tmp_path, fake_embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES)
        yield ix


def test_retrieve_returns_typed_passages_with_exact_spans(index):
    passages = index.retrieve("How many boats did fishermen lose in the storm?", k=2)
    top = passages[0]
    assert top.article.title == "Storm hits coast"
    assert top.article.text[top.start : top.end] == top.text
    assert [s.text for s in top.sentences] == [
        "A storm flooded the harbour.",
        "Fishermen lost 40 boats.",
    ]
    for sentence in top.sentences:
        assert top.article.text[sentence.start : sentence.end] == sentence.text
    assert [p.rank for p in passages] == [1, 2]


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_mode_finds_the_keyword_match(index, mode):
    assert index.retrieve("chess champion final", k=1, mode=mode)[0].article.title == "Chess final"


def test_k_larger_than_index_returns_what_exists(index):
    assert len(index.retrieve("storm", k=50, mode="dense")) == 3


@pytest.mark.parametrize("question", ["", "   \n\t"])
def test_empty_question_is_a_clear_error(index, question):
    with pytest.raises(EmptyQuestionError, match="question is empty"):
        index.retrieve(question)


def test_unknown_mode_and_bad_k(index):
    with pytest.raises(ValueError, match="unknown"):
        index.retrieve("storm", mode="magic")
    with pytest.raises(ValueError, match="at least 1"):
        index.retrieve("storm", k=0)


def test_reingest_unchanged_adds_nothing(index):
    before = index.store.counts()
    generation = index.store.generation()
    report = index.add(ARTICLES)
    assert len(report.unchanged) == 3 and not report.added and not report.updated
    assert index.store.counts() == before
    assert index.store.generation() == generation  # no write at all


def test_changed_text_at_same_url_replaces_the_article(index):
    changed = article(
        "Storm hits coast",
        "A storm flooded the harbour. Fishermen lost 55 boats.",
        source="Daily B",
        url="https://b.example/storm",
        published="2024-05-10",
    )
    report = index.add([changed])
    assert report.updated == [changed.id]
    assert index.store.counts()["articles"] == 3
    top = index.retrieve("fishermen boats", k=1, mode="bm25")[0]
    assert "55 boats" in top.text
    assert all("40 boats" not in p.text for p in index.retrieve("boats", k=10, mode="dense"))


def test_delete_by_url_removes_everything(index):
    deleted = index.delete("https://a.example/budget")
    assert deleted.title == "Budget vote"
    assert index.store.counts() == {"articles": 2, "sentences": 3, "chunks": 2}
    assert all(p.article.id != deleted.id for p in index.retrieve("budget", k=10, mode="hybrid"))
    with pytest.raises(ArticleNotFoundError, match="no article"):
        index.delete("https://a.example/budget")


def test_filters_apply_inside_the_search(index):
    only_b = index.retrieve("budget parliament", k=5, filters=Filters(sources=("daily b",)))
    assert [p.article.source for p in only_b] == ["Daily B"]
    in_2024 = index.retrieve("chess", k=5, mode="dense", filters=Filters(since="2024-01-01"))
    assert {p.article.title for p in in_2024} == {"Budget vote", "Storm hits coast"}
    until = index.retrieve("storm", k=5, mode="bm25", filters=Filters(until="2023-12-31"))
    assert until == []  # the only 2023 article does not mention storms
    none = index.retrieve("storm", k=5, filters=Filters(sources=("nobody",)))
    assert none == []


def test_reopen_keeps_everything(tmp_path, fake_embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES)
    with Index.open(tmp_path / "ix", embedder=fake_embedder) as ix:
        assert ix.store.counts()["articles"] == 3
        assert ix.retrieve("storm harbour", k=1)[0].article.title == "Storm hits coast"
        assert ix.info().dense_index == "flat"


def test_stale_caches_are_rebuilt_from_the_store(tmp_path, fake_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES)
    for cache in folder.glob("dense-*"):
        cache.unlink()  # as if the process died after the SQLite commit
    with Index.open(folder, embedder=fake_embedder) as ix:
        assert (
            ix.retrieve("storm harbour", k=1, mode="dense")[0].article.title == "Storm hits coast"
        )


def test_missing_index_and_model_mismatch(tmp_path, fake_embedder):
    with pytest.raises(IndexNotFoundError, match="python -m qa ingest"):
        Index.open(tmp_path / "nothing")
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES[:1])

    class Wider(FakeEmbedder):
        dimension = 32

    with pytest.raises(IndexMismatchError, match="64-d vectors"):
        Index.open(tmp_path / "ix", embedder=Wider())
    with pytest.raises(IndexMismatchError, match="built with model 'fake-hashing-64'"):
        Index.open(tmp_path / "ix", model="some-other-model")


def test_over_long_chunks_are_recut_for_the_model(tmp_path):
    class Tiny(FakeEmbedder):
        max_tokens = 12  # far below the chunk budget: every chunk must be re-cut

    with Index.open(tmp_path / "ix", create=True, embedder=Tiny()) as ix:
        report = ix.add(ARTICLES)
        assert report.chunks_resplit > 0
        for passage in ix.retrieve("storm", k=10, mode="dense"):
            assert Tiny().count_tokens(passage.text) <= 10


CRASHING_INGEST = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{root!r}, {tests!r}]
    from conftest import FakeEmbedder
    from qa import Index
    from qa.load import make_article

    class Slow(FakeEmbedder):
        def embed(self, texts, progress=False):
            print("embedding", flush=True)
            time.sleep(60)  # killed here, in the middle of an ingest
            return super().embed(texts)

    ix = Index.open({folder!r}, embedder=Slow())
    ix.add([make_article(title="New", text="Brand new article about volcanoes.")])
    """
)


def test_kill_during_ingest_keeps_previous_state(tmp_path, fake_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES)
        before = ix.store.counts()
    script = CRASHING_INGEST.format(root=str(ROOT), tests=str(ROOT / "tests"), folder=str(folder))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "embedding"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.1)
    with Index.open(folder, embedder=fake_embedder) as ix:
        assert ix.store.counts() == before
        assert ix.retrieve("volcanoes", k=3, mode="bm25") == []
        assert ix.retrieve("storm harbour", k=1)[0].article.title == "Storm hits coast"


def test_time_words_become_a_date_filter_and_are_reported(index):
    # abstain_below=0: what is cited is the point here, not whether the fake model's
    # similarities are confident enough to answer (an abstention would cite nothing).
    answer = index.ask("What happened to the boats in May 2024?", abstain_below=0)
    assert answer.notes == ("dates: in May 2024 → 2024-05-01 to 2024-05-31",)
    assert not answer.abstained
    assert {c.article.title for c in answer.citations} == {"Storm hits coast"}
    # Relative to the newest article (2024-05-10): "last year" is 2023 -> the chess article.
    last_year = index.ask("Who won the final game last year?", abstain_below=0)
    assert last_year.notes == ("dates: last year → 2023-01-01 to 2023-12-31",)
    assert not last_year.abstained
    assert {c.article.title for c in last_year.citations} == {"Chess final"}


def test_time_range_with_no_articles_falls_back_to_all_dates(index):
    answer = index.ask("What did the parliament approve in 1999?")
    assert "no article is dated then" in answer.notes[0]


STORY = (
    "The central bank raised interest rates by half a point on Thursday, its third increase "
    "this year. Governor Ana Lopez said inflation remained too high and that further rises "
    "could not be ruled out. Markets had expected a smaller move.\n"
    "Mortgage lenders said they would pass the increase on to borrowers within weeks. "
    "The currency rose against the dollar after the announcement."
)


def test_syndicated_copies_are_grouped_and_shown_once(tmp_path, fake_embedder):
    original = article("Bank raises rates", STORY + "\nReporting by A. Writer", source="Wire",
                       url="https://wire.example/rates")
    copy = article("Central bank lifts rates again", STORY + "\n© Daily Paper 2025",
                   source="Daily Paper", url="https://daily.example/rates")
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES)
        report = ix.add([original, copy])
        assert report.duplicates == [(copy.id, original.id)]
        assert "1 near-duplicates grouped" in report.summary()
        passages = ix.retrieve("interest rates central bank", k=5, mode="bm25")
        shown = [p for p in passages if "interest rates" in p.text]
        # One copy stands for the story (the better match: titles are searched too), listing
        # the other beside it.
        assert len(shown) == 1
        assert {shown[0].article.id, *(a.id for a in shown[0].also_reported_by)} == {
            original.id,
            copy.id,
        }
        assert [p.rank for p in passages] == list(range(1, len(passages) + 1))
        answer = ix.ask("What did Governor Ana Lopez say about inflation?")
        # Whichever copy ranks first is cited; the other is listed beside it, once.
        cited = answer.citations[0]
        assert {cited.article.id, *(a.id for a in cited.also_in)} == {original.id, copy.id}
        assert len(answer.citations) == len({c.sentence for c in answer.citations})
        # The representative goes: the copy now stands for the story on its own.
        ix.delete(original.id)
        again = ix.retrieve("interest rates central bank", k=5, mode="bm25")
        assert again[0].article.id == copy.id and again[0].also_reported_by == ()


def test_article_of_only_stop_words_does_not_break_the_index(tmp_path, fake_embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        ix.add([article("Short", "It was.")])
        assert ix.retrieve("it was", k=3, mode="bm25") == []
        assert len(ix.retrieve("it was", k=3, mode="dense")) == 1
        ix.add(ARTICLES)
        assert ix.retrieve("storm harbour", k=1, mode="bm25")[0].article.title == "Storm hits coast"


def test_delete_needs_an_id_and_finds_urls_however_written(index):
    with pytest.raises(ArticleNotFoundError):
        index.delete("")
    assert index.delete("HTTPS://B.EXAMPLE/storm/").title == "Storm hits coast"


def test_bad_settings_and_filters_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="too small"):
        Index.open(tmp_path / "ix", create=True, chunk_tokens=3)
    assert not (tmp_path / "ix").exists()
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        Filters(since="March")
    with pytest.raises(ValueError, match="after until"):
        Filters(since="2025-05-01", until="2025-04-01")


def test_later_entry_with_the_same_url_wins_within_a_batch(tmp_path, fake_embedder):
    old = article("Storm", "Old text about a storm.", url="https://b.example/x")
    new = article("Storm", "Updated text about a storm and floods.", url="https://b.example/x")
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        report = ix.add([old, new])
        assert report.added == [new.id] and "later entry" in report.skipped[0].reason
        assert "floods" in ix.article(new.id).text


def test_dense_cache_is_updated_in_place_not_rebuilt(tmp_path, fake_embedder, monkeypatch):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES[:2])

        def no_full_read(*args, **kwargs):
            raise AssertionError("every vector was re-read: the cache was rebuilt")

        monkeypatch.setattr(ix.store, "all_vectors", no_full_read)
        ix.add(ARTICLES[2:])
        ix.delete("https://a.example/budget")
        in_place = [p.chunk_id for p in ix.retrieve("storm chess final", k=5, mode="dense")]
        assert ix.store.counts()["chunks"] == ix.caches.dense.faiss.ntotal == 2
    # A fresh process (no cache of this generation) builds from scratch: same answers.
    for cache in (tmp_path / "ix").glob("dense-*"):
        cache.unlink()
    with Index.open(tmp_path / "ix", embedder=fake_embedder) as ix:
        rebuilt = [p.chunk_id for p in ix.retrieve("storm chess final", k=5, mode="dense")]
    assert in_place == rebuilt


def test_interpret_time_for_retrieve(index):
    question, filters, notes = index.interpret_time("storm damage in May 2024")
    assert question == "storm damage"
    assert (filters.since, filters.until) == ("2024-05-01", "2024-05-31")
    assert notes == ["dates: in May 2024 → 2024-05-01 to 2024-05-31"]
    passages = index.retrieve(question, k=5, filters=filters)
    assert {p.article.title for p in passages} == {"Storm hits coast"}


def test_an_index_from_an_older_version_is_refused_then_rebuilt(tmp_path, fake_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, create=True, embedder=fake_embedder) as ix:
        ix.add(ARTICLES)
        before = ix.retrieve("storm chess final", k=3, mode="bm25")
    # What a schema-1 index looks like: no layout column, version 1 in the manifest.
    db = sqlite3.connect(folder / "newsqa.sqlite")
    old_columns = "id, title, text, source, url, published, author, path, content_hash, minhash"
    db.execute(f"CREATE TABLE articles_v1 AS SELECT {old_columns}, duplicate_of FROM articles")
    db.execute("DROP TABLE articles")
    db.execute("ALTER TABLE articles_v1 RENAME TO articles")
    db.execute("UPDATE manifest SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(IndexMismatchError, match=f"python -m qa rebuild --index {folder}"):
        Index.open(folder, embedder=fake_embedder)
    report = rebuild_index(folder)
    assert len(report.added) == len(ARTICLES) and not (tmp_path / "ix.old").exists()
    with Index.open(folder, embedder=fake_embedder) as ix:
        after = ix.retrieve("storm chess final", k=3, mode="bm25")
        assert ix.info().schema_version == SCHEMA_VERSION
    assert [p.article.id for p in after] == [p.article.id for p in before]


def test_a_misdated_copy_in_the_future_loses_to_the_real_one(tmp_path, fake_embedder):
    real = make_article(title="2025 September 30", text="The council approves the budget.",
                        published="2025-09-30")
    future = make_article(title="2027 December 05", text="The council approves the budget.",
                          published="2027-12-05")
    assert real.id == future.id  # no url: the id comes from the text
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as ix:
        report = ix.add([real, future])
        assert ix.article(real.id).published == "2025-09-30"
        assert "in the future" in report.skipped[0].reason
