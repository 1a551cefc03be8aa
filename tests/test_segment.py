from hypothesis import given, settings
from hypothesis import strategies as st

from qa.segment import paragraphs, split_sentences


def texts_of(text: str) -> list[str]:
    return [span.text for span, _ in split_sentences(text)]


def test_quote_with_attribution_is_one_sentence():
    text = "“We want to maintain our strategic partnership,” Ohanian said. Then he left."
    assert texts_of(text) == [
        "“We want to maintain our strategic partnership,” Ohanian said.",
        "Then he left.",
    ]


def test_abbreviations_do_not_split():
    text = "Mr. Smith met Gov. Brown of the U.S. Army on Tuesday. They spoke."
    assert texts_of(text) == [
        "Mr. Smith met Gov. Brown of the U.S. Army on Tuesday.",
        "They spoke.",
    ]


def test_line_breaks_are_hard_boundaries_even_with_unbalanced_quotes():
    # The sample article has `grow, “he added.` — a closing quote typed as an opening one.
    text = "“We will grow, “he added.\nHasanov, in turn, agreed. He smiled."
    got = split_sentences(text)
    assert [s.text for s, _ in got] == [
        "“We will grow, “he added.",
        "Hasanov, in turn, agreed.",
        "He smiled.",
    ]
    assert [p for _, p in got] == [0, 1, 1]


def test_sample_article_offsets_and_count(sample_text):
    found = split_sentences(sample_text)
    assert len(found) == 23
    for span, _ in found:
        assert sample_text[span.start : span.end] == span.text
    assert found[-1][0].text == "Claire © armenews.com"


def test_paragraphs_trim_whitespace():
    assert paragraphs("  a b \n\n  c\n") == [(2, 5), (10, 11)]


_words = st.sampled_from(
    [
        "Mr.",
        "U.S.",
        "said",
        "“Yes,”",
        "he",
        "Gov.",
        "3.5",
        "Ohanian",
        "end.",
        "Why?",
        "no!",
        "\n",
        "\n\n",
        "  ",
        "”",
        "“",
        "e.g.",
        "Dr.",
        "word",
        "1991",
        "—",
        "\t",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_words, max_size=60).map(" ".join))
def test_offsets_are_exact_and_ordered(text):
    previous_end = 0
    for span, _ in split_sentences(text):
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip() and span.text
        assert span.start >= previous_end
        previous_end = span.end


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_offsets_exact_on_arbitrary_unicode(text):
    spans = [span for span, _ in split_sentences(text)]
    for span in spans:
        assert text[span.start : span.end] == span.text
    # Nothing but whitespace is left out of the sentences.
    covered = "".join(span.text for span in spans)
    assert "".join(covered.split()) == "".join(text.split())
