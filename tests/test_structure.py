"""Story structure (qa.structure, qa.chunk.chunk_stories): headings are context, stories
never share a chunk, and nothing of an article becomes unsearchable."""

from __future__ import annotations

from datetime import date

from qa.chunk import chunk_stories
from qa.load import make_article, parse_text
from qa.segment import split_sentences
from qa.structure import analyse, chunk_context, looks_like_label

DAY_PAGE = """---
title: 2025 March 30
date: 2025-03-30
---
#### Armed conflicts and attacks

* [Red Sea crisis](https://en.wikipedia.org/wiki/Red_Sea_crisis)
  * Israel intercepts a missile fired from Yemen. The Houthis claim three attacks. (AP)

#### Disasters and accidents

* [2025 Myanmar earthquake](https://en.wikipedia.org/wiki/2025_Myanmar_earthquake)
  * The death toll from the earthquake rises to over 3,050 people. (Reuters)
* A bus crashed in Katsina State, Nigeria, killing nine. (The Guardian)
* The Caribbean guilder becomes legal tender in Curaçao. (AP)
"""


def layout_of(article):
    found = split_sentences(article.text)
    spans = [s for s, _ in found]
    return spans, analyse(article.text, spans, [p for _, p in found], article.blocks)


def test_labels_are_short_unpunctuated_lines():
    assert looks_like_label("2025 Myanmar earthquake", 14)
    assert looks_like_label("By Jane Doe", 10)
    assert not looks_like_label("The toll rises to 3,050 people.", 14)
    assert not looks_like_label("“We will win,” he said", 14)  # a quotation is speech
    assert not looks_like_label("(AP)", 14)


def test_day_page_headings_sections_and_context():
    article = parse_text(DAY_PAGE, name="2025-03-30.md", fmt="md")[0]
    spans, layout = layout_of(article)
    by_text = {s.text: i for i, s in enumerate(spans)}
    toll = by_text["The death toll from the earthquake rises to over 3,050 people."]
    bus = by_text["A bus crashed in Katsina State, Nigeria, killing nine."]
    guilder = by_text["The Caribbean guilder becomes legal tender in Curaçao."]
    for label in ("Armed conflicts and attacks", "Red Sea crisis", "2025 Myanmar earthquake"):
        assert layout.heading[by_text[label]]
    assert not any(layout.heading[i] for i in (toll, bus, guilder))
    # Each story is its own section; its labels belong to it.
    assert len({layout.section[i] for i in (toll, bus, guilder)}) == 3
    assert layout.section[by_text["2025 Myanmar earthquake"]] == layout.section[toll]
    assert layout.headings_above[toll] == ("Disasters and accidents", "2025 Myanmar earthquake")
    assert layout.headings_above[guilder] == ("Disasters and accidents",)
    assert chunk_context(article, layout.headings_above[toll]) == (
        "2025 March 30 — Disasters and accidents — 2025 Myanmar earthquake"
    )


def test_a_chunk_never_spans_two_stories_and_leaves_headings_out():
    article = parse_text(DAY_PAGE, name="2025-03-30.md", fmt="md")[0]
    spans, layout = layout_of(article)
    chunks = chunk_stories(article.text, spans, layout.heading, layout.section, 128)
    texts = [article.text[c.start : c.end] for c in chunks]
    assert "The death toll from the earthquake rises to over 3,050 people. (Reuters)" in texts
    assert not any("guilder" in t and "death toll" in t for t in texts)
    assert not any("Disasters and accidents" in t for t in texts)
    for chunk in chunks:
        inside = range(chunk.first_sentence, chunk.last_sentence + 1)
        assert len({layout.section[i] for i in inside}) == 1


def test_prose_keeps_its_paragraphs_together_and_a_closing_credit_stays_searchable():
    text = (
        "The council approved the budget on Monday. Critics said it was too small.\n"
        "The mayor defended it. She said more money would come next year.\n"
        "Claire © armenews.com"
    )
    article = make_article(title="Budget", text=text)
    spans, layout = layout_of(article)
    assert layout.heading == [False, False, False, False, True]
    chunks = chunk_stories(article.text, spans, layout.heading, layout.section, 128)
    texts = [article.text[c.start : c.end] for c in chunks]
    assert texts[0].startswith("The council") and texts[0].endswith("next year.")
    assert texts[-1] == "Claire © armenews.com"  # a section of headings only: chunked as is


def test_an_article_of_only_labels_is_still_chunked():
    article = make_article(title="List", text="Alpha Team\nBeta Team\nGamma Team")
    spans, layout = layout_of(article)
    assert all(layout.heading)
    chunks = chunk_stories(article.text, spans, layout.heading, layout.section, 128)
    covered = {i for c in chunks for i in range(c.first_sentence, c.last_sentence + 1)}
    assert covered == {0, 1, 2}


def test_layout_survives_the_store(fake_index):
    article = parse_text(DAY_PAGE, name="2025-03-30.md", fmt="md")[0]
    fake_index.add([article])
    stored = fake_index.article(article.id)
    assert stored.blocks == article.blocks and stored.blocks
    sentences = fake_index.sentences(article.id)
    assert [s.text for s in sentences if s.heading][:2] == [
        "Armed conflicts and attacks",
        "Red Sea crisis",
    ]
    passages = fake_index.retrieve("death toll earthquake", k=1, mode="bm25")
    assert passages[0].text.startswith("The death toll")


def test_today_is_never_a_misdated_future_page(fake_index):
    pages = [
        make_article(title="Old", text="Storms hit the coast again.", published="2025-03-01"),
        make_article(title="Future", text="A page dated wrongly.", published="2099-12-05"),
    ]
    fake_index.add(pages)
    _, filters, notes = fake_index.interpret_time("What happened last week?")
    assert notes and "2025-02" in notes[0]  # the week before 2025-03-01, not 2099
    assert filters.until < date.today().isoformat()


def test_every_chunk_carries_its_title_and_outlet_in_its_context(tmp_path, fake_embedder):
    from qa import Index

    text = " ".join(f"Sentence number {i} talks about the harbour budget." for i in range(12))
    article = make_article(title="Harbour budget", text=text, source="Daily B")
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder, chunk_tokens=40) as ix:
        ix.add([article])
        rows = ix.store.db.execute("SELECT context FROM chunks ORDER BY id").fetchall()
        found = ix.retrieve("Daily B", k=5, mode="bm25")
    assert len(rows) >= 2 and {row[0] for row in rows} == {"Harbour budget — Daily B"}
    assert len(found) == len(rows)  # the outlet's name finds every chunk: it is in the keywords
