import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.chunk import chunk_sentences, count_tokens
from qa.segment import split_sentences


def spans(text):
    return [span for span, _ in split_sentences(text)]


def test_chunks_are_whole_sentences_within_budget(sample_text):
    sentences = spans(sample_text)
    chunks = chunk_sentences(sample_text, sentences, max_tokens=60)
    assert chunks[0].first_sentence == 0 and chunks[-1].last_sentence == len(sentences) - 1
    for chunk in chunks:
        assert count_tokens(sample_text[chunk.start : chunk.end]) <= 60
        if not chunk.partial:
            assert chunk.start == sentences[chunk.first_sentence].start
            assert chunk.end == sentences[chunk.last_sentence].end
    # Without overlap, consecutive chunks continue where the last one stopped.
    for a, b in zip(chunks, chunks[1:], strict=False):
        if not (a.partial or b.partial):
            assert b.first_sentence == a.last_sentence + 1


def test_overlap_repeats_sentences(sample_text):
    sentences = spans(sample_text)
    chunks = chunk_sentences(sample_text, sentences, max_tokens=80, overlap=1)
    assert len(chunks) > 2
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.first_sentence == a.last_sentence  # one sentence shared


def test_long_sentence_is_cut_at_clause_boundaries_and_marked():
    text = "This sentence, which is long, goes on; and on, with clauses, until the end of it all."
    chunks = chunk_sentences(text, spans(text), max_tokens=8)
    assert all(c.partial for c in chunks)
    assert all(count_tokens(text[c.start : c.end]) <= 8 for c in chunks)
    rebuilt = " ".join(text[c.start : c.end] for c in chunks)
    assert rebuilt == text
    assert text[chunks[0].start : chunks[0].end].endswith(",")


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="too small"):
        chunk_sentences("A b.", spans("A b."), max_tokens=2)
    with pytest.raises(ValueError, match="negative"):
        chunk_sentences("A b.", spans("A b."), overlap=-1)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Alpha beta gamma.",
                "Delta, epsilon; zeta eta theta iota kappa.",
                "Lambda.",
                "\n",
                "Mu nu xi omicron pi rho sigma tau upsilon phi.",
            ]
        ),
        min_size=1,
        max_size=30,
    ).map(" ".join),
    st.integers(8, 40),
    st.integers(0, 2),
)
def test_every_sentence_is_covered_and_budget_holds(text, budget, overlap):
    sentences = spans(text)
    chunks = chunk_sentences(text, sentences, max_tokens=budget, overlap=overlap)
    covered = {i for c in chunks for i in range(c.first_sentence, c.last_sentence + 1)}
    assert covered == set(range(len(sentences)))
    assert all(count_tokens(text[c.start : c.end]) <= budget for c in chunks)
