"""Presenting answers (qa.present): escaping untrusted article text for Markdown and HTML,
cited sentences highlighted in their paragraph, plain-text answers for the CLI."""

from __future__ import annotations

from qa import Answer, Citation, Sentence
from qa.answer.compose import paragraph_of
from qa.load import make_article
from qa.present import (
    answer_markdown,
    excerpts,
    format_answer,
    highlighted_html,
    references,
    sources_html,
)

from .conftest import EVIL_TITLE, evil_article


# -- escaping --------------------------------------------------------------------------------
def test_sources_panel_escapes_article_text_and_highlights_the_cited_sentence(fake_index):
    article = evil_article()
    fake_index.add([article])
    sentences = fake_index.sentences(article.id)
    cited = next(s for s in sentences if "minister" in s.text)
    paragraph = paragraph_of(cited, sentences)
    answer = Answer(
        question="What did the minister say?",
        text=f"{cited.text} [1]",
        abstained=False,
        confidence=0.9,
        citations=(
            Citation(1, article, cited.text, cited.start, cited.end, cited.index, (), paragraph),
        ),
    )
    panel = sources_html(answer)
    assert "<script" not in panel and "<img" not in panel and "<b>" not in panel
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert "&lt;img src=x onerror=alert(3)&gt;" in panel
    assert "href" not in panel  # a javascript: url is not a link; only http(s) urls are
    assert "&lt;b&gt;evil&lt;/b&gt;.example · 2024-03-05" in panel
    # The cited sentence is marked inside its paragraph, next to its neighbour.
    assert "<mark>The minister said &lt;img" in panel
    assert "acceptable.</mark> Nobody commented." in panel
    assert "Officials met on Monday." not in panel  # another paragraph


def test_answer_markdown_cannot_inject_html_or_markdown():
    article = evil_article()
    answer = Answer(
        question="q",
        text=f"{EVIL_TITLE} [1]\n1. $$x$$ ~~gone~~ | a | b |",
        abstained=False,
        confidence=1.0,
        citations=(Citation(1, article, "s", 0, 1, 0),),
    )
    markdown = answer_markdown(answer)
    assert "<script" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert r"\*\*Breaking\*\* \[click\](javascript:alert(2))" in markdown
    assert r"1\. \$\$x\$\$ \~\~gone\~\~ \| a \| b \|" in markdown
    assert markdown.startswith("&lt;") and "<sup>[1]</sup>" in markdown


def test_abstention_shows_closest_passages_labelled_not_an_answer(fake_index):
    fake_index.add([evil_article()])
    passages = fake_index.retrieve("minister", 2)
    answer = Answer("q", "The articles don't say.", True, 0.1, closest=tuple(passages))
    panel = sources_html(answer)
    assert "Closest passages (not an answer)" in panel
    assert "&lt;img src=x onerror=alert(3)&gt;" in panel and "<img" not in panel
    assert "closest passages (not an answer)" in answer_markdown(answer)


def test_excerpts_stay_in_the_paragraph_and_merge_touching_windows():
    para = [0, 0, 0, 0, 0, 0, 0, 1]
    sentences = [Sentence("a", i, 0, 0, f"s{i}.", p) for i, p in enumerate(para)]
    shown = excerpts(sentences, [1, 3], around=1)
    assert [[(s.index, cited) for s, cited in e] for e in shown] == [
        [(0, False), (1, True), (2, False), (3, True), (4, False)]
    ]
    assert [[s.index for s, _ in e] for e in excerpts(sentences, [6], around=2)] == [[4, 5, 6]]
    assert highlighted_html(shown[0][:2]) == "s0. <mark>s1.</mark>"


def test_references_and_plain_answer_list_copies_once():
    article = evil_article()
    wire = make_article(title="Copy", text="The minister said so.", source="Wire")
    citation = Citation(1, article, "The minister said so.", 0, 21, 0, (wire, wire))
    answer = Answer("q", "The minister said so. [1]", False, 0.9, citations=(citation,))
    assert references(answer) == [
        f"[1] {article.title} — <b>evil</b>.example, 2024-03-05 (also reported by Wire)"
    ]
    assert format_answer(answer).splitlines()[-1] == references(answer)[0]
