"""The long-document variant of squad2: whole articles rebuilt from qa-train, the answer's
sentence as the gold item (skipped without ../shared/datasets, failed in CI)."""

from __future__ import annotations

import shutil

import pytest

from eval.datasets import squad2, squad2_long

from .conftest import SHARED, needs

FOLDER = SHARED / "datasets" / "squad2-sample"
needs_data = needs((SHARED / "datasets" / "qa-train").is_dir() and FOLDER.is_dir(),
                   "needs ../shared/datasets (squad2-sample and qa-train)")  # fmt: skip


@needs_data
def test_the_sample_over_whole_articles():
    long = squad2_long.load(FOLDER)
    short = squad2.load(FOLDER)
    assert long.queries == short.queries and long.unanswerable == short.unanswerable
    assert len(long.articles) == 35  # every SQuAD 2.0 dev article the sample touches
    assert len(short.articles) > 35  # ... where the squad2 set has one a paragraph
    texts = [a.text for a in long.articles]
    for qid, (sentence,) in long.relevant.items():
        # The gold item is one sentence of one article, and it holds a gold answer.
        assert sum(sentence in t for t in texts) >= 1, qid
        assert any(a.casefold() in sentence.casefold() for a in long.answers[qid]), qid
    # Each article is far longer than one paragraph: the answer must be found inside it.
    words = sum(len(t.split()) for t in texts) / len(texts)
    paragraph_words = sum(len(a.text.split()) for a in short.articles) / len(short.articles)
    assert words > 10 * paragraph_words


@needs_data
def test_without_qa_train_it_says_what_is_missing(tmp_path):
    shutil.copytree(FOLDER, tmp_path / "squad2-sample")
    with pytest.raises(ValueError, match=r"qa-train.jsonl.gz is missing"):
        squad2_long.load(tmp_path / "squad2-sample")
