"""Build the news-digest questions: "What happened with X in <month>?" over the day pages.

Every page of the Wikipedia "Current events" mirror is loaded with ``qa.load`` and split into
stories as the index splits them (``qa.segment`` + ``qa.structure``: one list item a story).
A story's **topics** are the topic lines it sits under on its page ("2025 Myanmar
earthquake" under "Disasters and accidents"; the portal's fixed category headings are not
topics): that is the page editors' own judgement of what a story is about, so it is the
gold, not anything newsqa computes. Then, with ``random.Random(SEED)``:

* **event** questions: (topic, month) pairs with ``MIN_STORIES``-``MAX_STORIES`` stories,
  shuffled; the first ``EVENTS`` with distinct topics are asked as "What happened with
  <topic> in <Month YYYY>?" (or one of ``EVENT_TEMPLATES``), gold = that topic's stories in
  that month;
* **development** questions: topics with ``MIN_STORIES``-``MAX_STORIES`` stories in all
  pages, asked without a period ("How has <topic> developed?"), gold = all their stories.

A topic is asked as written on the page, less a leading year or month ("2025 Myanmar
earthquake" -> "the Myanmar earthquake"): news readers name a story by its subject. The
output, ``eval/data/news-digest.jsonl``, opens with a header line (credit, seed, procedure)
and has one question a line with its gold stories (date and first sentence, as cited)::

    python -m eval.tools.news_digest_questions            # write eval/data/news-digest.jsonl
    python -m eval.tools.news_digest_questions --check    # fail if the file is not what
                                                            # this would write
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.tools.news_quiz_items import CATEGORY_HEADINGS, CORPUS, MISDATED_PAGES, load_pages
from qa.answer.digest import story_lead
from qa.records import Article, Sentence
from qa.segment import split_sentences
from qa.structure import analyse

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "eval" / "data" / "news-digest.jsonl"
SEED = 2026
MIN_STORIES, MAX_STORIES = 3, 12
EVENTS = 30
DEVELOPMENTS = 10
EVENT_TEMPLATES = (
    "What happened with {topic} in {month}?",
    "What was the news on {topic} in {month}?",
    "Tell me about {topic} in {month}",
)
DEVELOPMENT_TEMPLATES = (
    "How has the story of {topic} developed?",
    "What is the latest on {topic}?",
)
# Headings of older pages that are categories, not topics.
NOT_TOPICS = frozenset({"Attacks and armed conflicts", "Armed conflict and attacks"})
MONTHS = (
    "January February March April May June July August September October November December"
).split()
_LEADING_DATE = re.compile(
    rf"^(?:(?:{'|'.join(MONTHS)})\s+)?(?:\d{{4}}(?:[–-]\d{{2,4}})?\s+)(?=\w)"
)
_TRAILING_YEAR = re.compile(r"\s*(?:\(\d{4}\)|in \d{4})$")


@dataclass(frozen=True)
class Story:
    date: str
    lead: str
    topics: tuple[str, ...]


def page_stories(article: Article) -> list[Story]:
    """The stories of one page with the topic lines above each."""
    found = split_sentences(article.text)
    spans = [span for span, _ in found]
    paragraphs = [paragraph for _, paragraph in found]
    layout = analyse(article.text, spans, paragraphs, article.blocks)
    sentences = [
        Sentence(
            article.id,
            i,
            s.start,
            s.end,
            s.text,
            paragraphs[i],
            layout.heading[i],
            layout.section[i],
        )  # fmt: skip
        for i, s in enumerate(spans)
    ]
    by_section: dict[int, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        by_section[sentence.section].append(sentence)
    stories = []
    for section in sorted(by_section):
        lead = story_lead(by_section[section])
        if lead is None:
            continue
        topics = tuple(t for t in layout.headings_above[lead.index] if t not in CATEGORY_HEADINGS)
        stories.append(Story(article.published[:10], lead.text, topics))
    return stories




_PREPOSITIONS = frozenset("of in on at during against between from to for".split())


def topic_phrase(label: str, common: frozenset[str] = frozenset()) -> str:
    """How a reader names a topic line: no leading year or month, no "(2025)", a first word
    that is a common noun (``common``: words the pages write in lower case) lower-cased
    ("Attacks in Russia" -> "attacks in Russia"), and "the" before a singular common noun
    or a name that ends in one ("the war in the Sahel", "the Myanmar earthquake")."""
    text = _TRAILING_YEAR.sub("", _LEADING_DATE.sub("", label.strip()))
    words = text.split()
    if not words:
        return label.strip()
    second_lower = len(words) == 1 or words[1][:1].islower()
    if words and words[0].lower() in common and not words[0].isupper() and second_lower:
        words[0] = words[0].lower()
        text = " ".join(words)
        return text if words[0].endswith("s") else f"the {text}"
    possessive = any(w.endswith(("'s", "’s")) for w in words)
    if (
        len(words) >= 2
        and words[-1][:1].islower()
        and words[0].lower() not in ("the", "a")
        and words[1] not in _PREPOSITIONS  # "Kuwait in the 2026 Iran war"
        and not possessive
    ):
        return f"the {text}"
    return text


def lower_case_words(pages: Sequence[Article]) -> frozenset[str]:
    """Words the pages write in lower case at least 3 times: common, not names."""
    counts: dict[str, int] = defaultdict(int)
    for page in pages:
        for word in re.findall(r"\b[a-z][a-z-]+\b", page.text):
            counts[word] += 1
    return frozenset(w for w, n in counts.items() if n >= 3)


def _one_topic(label: str) -> bool:
    """A topic line naming one topic: not "2025 massacres of Syrian Alawites, March 2025
    Western Syria clashes" (two topic lines joined), not "2026 in spaceflight" (a year's
    chronicle), not an old category heading."""
    stripped = _LEADING_DATE.sub("", label.strip())
    return ", " not in label and label not in NOT_TOPICS and stripped.split()[:1] != ["in"]


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def build(pages: Sequence[Article], seed: int = SEED) -> tuple[dict, list[dict]]:
    stories = [
        story
        for page in sorted(pages, key=lambda p: p.published)
        if page.published[:10] not in MISDATED_PAGES
        for story in page_stories(page)
    ]
    by_topic_month: dict[tuple[str, str], list[Story]] = defaultdict(list)
    by_topic: dict[str, list[Story]] = defaultdict(list)
    # Umbrella topic lines ("Middle East crisis" above "2026 Iran war") are left out: pages
    # name them inconsistently ("Middle Eastern crisis") and a month of one is no digest.
    umbrellas = {t for story in stories for t in story.topics[:-1]}
    for story in stories:
        for topic in dict.fromkeys(story.topics):
            by_topic_month[(topic, story.date[:7])].append(story)
            by_topic[topic].append(story)
    common = lower_case_words(pages)
    rng = random.Random(seed)
    pairs = sorted(
        k
        for k, v in by_topic_month.items()
        if MIN_STORIES <= len(v) <= MAX_STORIES and _one_topic(k[0]) and k[0] not in umbrellas
    )
    rng.shuffle(pairs)
    questions: list[dict] = []
    asked: set[str] = set()
    for topic, month in pairs:
        if len([q for q in questions if q["kind"] == "event"]) == EVENTS:
            break
        phrase = topic_phrase(topic, common)
        if topic in asked or phrase.lower() in asked:
            continue
        asked.update((topic, phrase.lower()))
        template = EVENT_TEMPLATES[len(questions) % len(EVENT_TEMPLATES)]
        questions.append(
            _question(
                f"nd{len(questions) + 1:03d}",
                "event",
                template.format(topic=phrase, month=month_name(month)),
                topic,
                month,
                by_topic_month[(topic, month)],
            )  # fmt: skip
        )
    topics = sorted(
        t
        for t, v in by_topic.items()
        if MIN_STORIES <= len(v) <= MAX_STORIES and _one_topic(t) and t not in umbrellas
    )
    rng.shuffle(topics)
    developments = 0
    for topic in topics:
        if developments == DEVELOPMENTS:
            break
        phrase = topic_phrase(topic, common)
        if topic in asked or phrase.lower() in asked:
            continue
        asked.update((topic, phrase.lower()))
        template = DEVELOPMENT_TEMPLATES[developments % len(DEVELOPMENT_TEMPLATES)]
        questions.append(
            _question(
                f"nd{len(questions) + 1:03d}",
                "development",
                template.format(topic=phrase),
                topic,
                "",
                by_topic[topic],
            )  # fmt: skip
        )
        developments += 1
    header = {
        "name": "news-digest",
        "credit": (
            "Questions generated for newsqa from Wikipedia contributors' \"Portal:Current "
            'events" day pages (January 2025 - August 2026), CC BY-SA 4.0, mirrored by the '
            "public repository fordred/wikinews; read from ../shared/datasets/"
            "wikipedia-current-events/days/."
        ),
        "seed": seed,
        "procedure": (
            "python -m eval.tools.news_digest_questions: stories split as the index splits "
            "them; a story's topics are the topic lines above it on its page (category "
            "headings aside); umbrella topic lines (above another) are not asked. Event "
            f"questions: (topic, month) pairs with {MIN_STORIES}-"
            f"{MAX_STORIES} stories, seeded shuffle, first {EVENTS} with distinct topics; "
            f"development questions: {DEVELOPMENTS} topics with {MIN_STORIES}-{MAX_STORIES} "
            "stories in all, asked without a period. Gold: every story of the topic (and "
            "month), by page date and first sentence."
        ),
        "counts": {
            "event": sum(q["kind"] == "event" for q in questions),
            "development": sum(q["kind"] == "development" for q in questions),
        },
    }
    return header, questions


def _question(
    qid: str, kind: str, question: str, topic: str, month: str, stories: Sequence[Story]
) -> dict:
    gold = list(dict.fromkeys((s.date, s.lead) for s in stories))
    return {
        "id": qid,
        "kind": kind,
        "question": question,
        "topic_line": topic,
        "month": month,
        "stories": [{"date": d, "sentence": s} for d, s in gold],
    }


def render(header: dict, questions: Sequence[dict]) -> str:
    lines = [json.dumps({"header": header}, ensure_ascii=False)]
    lines += [json.dumps(q, ensure_ascii=False) for q in questions]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.tools.news_digest_questions", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the day pages")
    parser.add_argument("--out", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --out differs from what would be written"
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: {args.corpus} is missing; it comes with ../shared", file=sys.stderr)
        return 2
    text = render(*build(load_pages(args.corpus)))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'differs from what would be written'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {text.count(chr(10)) - 1} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
