"""The answer model (``qa.reader``): the shipped file is checked against its manifest, a
missing or damaged one is an error that names the file and the command that rebuilds it, and
the real model tells an answering sentence from a near miss."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from qa.answer.features import is_source_line
from qa.errors import ReaderModelError
from qa.reader import (
    REBUILD,
    OnnxReader,
    candidate_text,
    manifest_path,
    model_path,
    read_manifest,
    sha256_of,
)


def test_the_shipped_model_matches_its_manifest():
    model = model_path()
    manifest = read_manifest(model)
    assert manifest["sha256"] == sha256_of(model)
    assert manifest["bytes"] == model.stat().st_size <= 25_000_000  # the size budget
    assert manifest["command"].startswith("python -m eval.train_reader")
    assert manifest["training"]["left_out"] == "every question on a paragraph of squad2-sample"
    assert manifest["held_out"]["all"]["top1"] > 0.5  # measured held out, by title


def test_a_missing_or_damaged_model_is_a_clear_error(tmp_path):
    copy = tmp_path / "reader.onnx"
    with pytest.raises(ReaderModelError, match=f"{copy} is missing.*{REBUILD}"):
        OnnxReader(copy)
    shutil.copy(model_path(), copy)
    with pytest.raises(ReaderModelError, match="manifest .* is missing"):
        OnnxReader(copy)
    shutil.copy(manifest_path(), manifest_path(copy))
    OnnxReader(copy)  # a faithful copy loads
    with copy.open("r+b") as f:  # one byte changed
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ReaderModelError, match=f"{copy} is damaged.*{REBUILD}"):
        OnnxReader(copy)
    manifest_path(copy).write_text("{not json")
    with pytest.raises(ReaderModelError, match="unreadable"):
        OnnxReader(copy)


def test_candidate_text_keeps_the_sentence_first_and_the_context_short():
    text = candidate_text("The CDU won.", "Election  results", "x " * 300)
    assert text.startswith("The CDU won. | Election results | ")
    assert len(text) < len("The CDU won. | Election results | ") + 201


@pytest.mark.model
def test_the_model_reads_the_question_against_each_candidate():
    reader = OnnxReader()
    question = "Who won the 2025 German federal election?"
    winner = "The opposition CDU/CSU wins a plurality of seats in the federal election."
    other = "At least six people die when an earthquake strikes Guatemala."
    texts = [
        candidate_text(winner, "2025 German federal election"),
        candidate_text(other, "Earthquakes in Central America"),
    ]
    scores = reader.score([question] * 2, texts)
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))
    assert scores[0] >= reader.threshold > scores[1]
    # Batched or one by one: nearly the same probabilities. Not identical: int8 dynamic
    # quantisation scales the activations per batch (measured: round 3 0.772 batched, 0.783
    # alone; round 5 0.569 and 0.597).
    [alone] = reader.score([question], texts[:1])
    assert alone == pytest.approx(float(scores[0]), abs=0.04)
    # Known gap (README, "The answer model"): "The AfD came second…" scores 0.53 against the
    # winner's 0.60, both above the threshold: "who won" and "who came second" are not yet
    # told apart well enough to refuse the second.


def test_source_lines_are_never_candidates():
    for line in (
        "(Euronews) (Elections of Poland) (The Times of India)",
        "(AP)",
        "By Jane Doe, Reuters",
        "Reporting by John Smith; Editing by Mark Potter",
        "Photo: AP",
    ):
        assert is_source_line(line), line
    for sentence in (
        "By Monday, the storm had passed.",
        "By 2030, the city will rebuild the sea wall.",
        "The AfD came second (20.8%).",
        "By the end of the year, prices rose.",
    ):
        assert not is_source_line(sentence), sentence


def test_manifest_is_json_with_the_figures(tmp_path):
    manifest = json.loads(manifest_path().read_text())
    assert {"sha256", "bytes", "command", "commit", "training", "held_out", "format"} <= set(
        manifest
    )


@pytest.mark.model
def test_a_question_longer_than_the_model_reads_is_cut_not_an_error():
    reader = OnnxReader()
    question = "Who won " + "the very long and winding election campaign " * 60 + "?"
    [score] = reader.score([question], [candidate_text("The CDU won the election.", "Vote")])
    assert 0.0 <= score <= 1.0


@pytest.mark.model
def test_ask_with_the_answer_model_cites_what_it_reads_as_the_answer(sample_index, monkeypatch):
    from qa.answer import select

    monkeypatch.setattr(select, "ANSWER_SCORER", "reader")
    answer = sample_index.ask("What exhibition will Russia hold in September?")
    assert not answer.abstained
    assert "massive arms exhibition" in answer.citations[0].sentence
    assert answer.confidence >= OnnxReader().threshold  # its own probability and threshold
    refused = sample_index.ask("Who won the 2025 German federal election?")
    assert refused.abstained and refused.confidence < OnnxReader().threshold


def test_kept_weights_are_half_precision_and_train_on_in_full(tmp_path):
    """``--keep`` stores a round's weights at half size; ``--init`` reads them back as
    float32 (a tiny random model stands in for the real checkpoint)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from eval.train_reader import keep_checkpoint

    config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=16, num_labels=1)  # fmt: skip
    model = BertForSequenceClassification(config).eval()
    model.save_pretrained(tmp_path / "full")
    kept = keep_checkpoint(tmp_path / "full", tmp_path / "kept")
    full_size = (tmp_path / "full" / "model.safetensors").stat().st_size
    assert (kept / "model.safetensors").stat().st_size < 0.6 * full_size
    again = BertForSequenceClassification.from_pretrained(kept).float().eval()
    ids = torch.tensor([[1, 5, 7, 2]])
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, again(ids).logits, atol=1e-2)


def test_the_cheaper_variants_keep_fewer_layers_or_train_only_the_upper_ones(tmp_path):
    """``--layers`` cuts the model to its first layers; ``--freeze`` leaves the embeddings
    and the lower layers as they were (a tiny random model with MiniLM's vocabulary)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from eval.train_reader import train

    config = BertConfig(vocab_size=30522, hidden_size=8, num_hidden_layers=4,
                        num_attention_heads=2, intermediate_size=16, num_labels=1)  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(tmp_path / "init")
    before = BertForSequenceClassification.from_pretrained(tmp_path / "init")
    pairs = [("Who won?", "The CDU won.", 1.0), ("Who won?", "The AfD came second.", 0.0)] * 4
    out = train(pairs, tmp_path / "out", batch_size=4, learning_rate=1e-2,
                init=tmp_path / "init", layers=2, freeze=1)  # fmt: skip
    after = BertForSequenceClassification.from_pretrained(out)
    assert after.config.num_hidden_layers == 2 and len(after.bert.encoder.layer) == 2
    frozen = before.bert.encoder.layer[0].attention.self.query.weight
    assert torch.equal(frozen, after.bert.encoder.layer[0].attention.self.query.weight)
    assert torch.equal(before.bert.embeddings.word_embeddings.weight,
                       after.bert.embeddings.word_embeddings.weight)  # fmt: skip
    trained = after.bert.encoder.layer[1].attention.self.query.weight
    assert not torch.equal(before.bert.encoder.layer[1].attention.self.query.weight, trained)


def test_an_unknown_scorer_is_a_clear_error(fake_index, monkeypatch):
    from qa.answer import select
    from qa.errors import NewsQAError
    from qa.load import make_article

    fake_index.add([make_article(title="Storm", text="A storm hit the coast.")])
    monkeypatch.setattr(select, "ANSWER_SCORER", "gpt")
    with pytest.raises(NewsQAError, match="NEWSQA_ANSWER_SCORER='gpt' is not a scorer: set"):
        fake_index.ask("What hit the coast?")


def test_the_question_length_limit_is_what_nearly_every_training_question_stays_within():
    from eval.train_reader import Example, question_words_limit

    def example(words: int) -> Example:
        return Example("squad2", "T", " ".join(["w"] * words), ("s",), frozenset(), frozenset())

    examples = [example(n) for n in [5] * 998 + [10, 60]]
    assert question_words_limit(examples) == 10  # 99.9% of 1,000: the longest is left out
    assert question_words_limit(examples, share=1.0) == 60
    assert question_words_limit([]) == 0


def test_hard_negatives_are_the_paragraph_sentences_sharing_most_question_words():
    from eval.train_reader import Example, make_pairs, overlap_order

    sentences = (
        "Germans vote to elect the Bundestag.",
        "The opposition CDU/CSU wins a plurality, with 28.5% of the vote.",
        "The weather was mild across the country on the day.",
        "The AfD came second in the 2025 German federal election.",
        "Turnout was the highest since reunification.",
    )
    question = "Who won the 2025 German federal election?"
    assert overlap_order(question, sentences, [0, 2, 3, 4]) == [3, 0, 2, 4]
    example = Example("squad2", "T", question, sentences, frozenset({1}), frozenset())
    for seed in range(5):  # whatever order the shuffle left them in
        hard = make_pairs([example], 3, seed=seed, hard_negatives=1.0)
        negatives = [text for _, text, label in hard if label == 0.0]
        assert any(t.startswith("The AfD came second") for t in negatives)  # most shared words
    # Without the option the negatives are drawn at random: some draw misses the AfD sentence.
    drawn = [
        [t for _, t, y in make_pairs([example], 3, seed=seed) if y == 0.0] for seed in range(20)
    ]
    assert any(not any(t.startswith("The AfD") for t in negatives) for negatives in drawn)


def test_the_model_reads_only_questions_as_long_as_it_was_trained_on():
    reader = OnnxReader()
    limit = reader.max_question_words
    assert 15 <= limit <= 40  # from the manifest, measured on the training questions
    assert reader.reads(" ".join(["word"] * limit))
    assert not reader.reads(" ".join(["word"] * (limit + 1)))


@pytest.mark.model
def test_a_question_longer_than_the_training_ones_is_scored_by_the_hand_set_weights(
    sample_index, monkeypatch
):
    """Like MultiHop-RAG's compound questions: the model refused most of them, so a
    question past its training lengths is answered exactly as NEWSQA_ANSWER_SCORER=hand
    answers it, while a short one is the model's."""
    from qa.answer import select

    long_question = (
        "Considering the meeting of the defence ministers of Russia and Azerbaijan in Moscow "
        "and the cooperation they discussed there, what exhibition will Russia hold in "
        "September?"
    )
    assert not OnnxReader().reads(long_question)
    short_question = "What exhibition will Russia hold in September?"
    monkeypatch.setattr(select, "ANSWER_SCORER", "hand")
    by_hand = [sample_index.ask(q) for q in (long_question, short_question)]
    monkeypatch.setattr(select, "ANSWER_SCORER", "reader")
    by_reader = [sample_index.ask(q) for q in (long_question, short_question)]
    assert by_reader[0].confidence == pytest.approx(by_hand[0].confidence)
    assert [c.sentence for c in by_reader[0].citations] == [
        c.sentence for c in by_hand[0].citations
    ]
    assert by_reader[1].confidence != pytest.approx(by_hand[1].confidence)


@pytest.mark.model
def test_the_hand_set_score_breaks_the_models_near_ties_on_what_the_question_names(
    tmp_path, monkeypatch
):
    """The model reads "the zebra13 report quoted ![pic](…)" as more of a quote than "the
    zebra19 report quoted Annual report fdp.exe" and ignores which report was asked about;
    the hand-set share (exact words shared with the question) puts the one asked about
    first, while abstention still rests on the model's probability alone."""
    from qa import Index
    from qa.answer import select
    from qa.load import make_article

    payloads = {13: "![pic](http://news.example/md.png)", 19: "Annual report fdp.exe",
                15: '&lt;script&gt;alert("x")&lt;/script&gt;'}  # fmt: skip
    articles = [
        make_article(title=f"Zebra{i} {p}", source="wire", published=f"2024-03-{i:02d}",
                     text=f"The zebra{i} report quoted {p} in full. Officials confirmed zebra{i}.")
        for i, p in payloads.items()
    ]  # fmt: skip
    question = "What did the zebra19 report quote?"
    with Index.open(tmp_path / "ix", create=True) as index:
        index.add(articles)
        monkeypatch.setattr(select, "HAND_SHARE", 0.0)
        model_alone = index.ask(question)
        monkeypatch.setattr(select, "HAND_SHARE", 1.0)
        blended = index.ask(question)
    assert "zebra13" in model_alone.citations[0].sentence
    assert "zebra19" in blended.citations[0].sentence
    assert blended.confidence == pytest.approx(model_alone.confidence)  # the best probability


@pytest.mark.model
def test_the_answer_step_does_not_read_again_what_the_second_stage_read(
    sample_index, monkeypatch
):
    """hybrid+reader reads the sentences of its head passages as the answer step reads
    candidates; the answer step takes those probabilities and reads only the rest."""
    from qa.reader import get_reader

    reader = get_reader()
    batches: list[list[str]] = []
    score = reader.score

    def counted(questions, texts):
        batches.append(list(texts))
        return score(questions, texts)

    monkeypatch.setattr(reader, "score", counted)
    answer = sample_index.ask("What exhibition will Russia hold in September?",
                              mode="hybrid+reader")  # fmt: skip
    assert "massive arms exhibition" in answer.citations[0].sentence
    second_stage, *answer_step = batches
    assert len(answer_step) <= 1
    assert not set(second_stage) & {t for batch in answer_step for t in batch}
    batches.clear()
    sample_index.ask("What exhibition will Russia hold in September?")  # plain hybrid
    assert len(batches) == 1 and len(batches[0]) > len(answer_step[0] if answer_step else [])
