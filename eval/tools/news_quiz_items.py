"""Draw the seeded random sample of news items the news-quiz questions are written from.

Every page of the Wikipedia "Current events" mirror is loaded with ``qa.load`` (one article
per page, one event item per paragraph), each page's text is split into event items, and the
items of all pages are shuffled with a fixed seed. The sample is a *prefix* of that shuffle,
so drawing more items never changes the ones already drawn::

    python -m eval.tools.news_quiz_items --count 300

prints ``number  date  item`` for each drawn item; the questions in
``eval/data/news-quiz.jsonl`` were written by going through this list in order.
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from pathlib import Path

from qa.load import load_paths
from qa.records import Article

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "datasets" / "wikipedia-current-events" / "days"
SEED = 2025
# Pages whose file name and front-matter date are wrong: 2020-12-20 is a copy of 2025-04-09
# and 2027-12-05 a copy of 2025-09-30. Their items are left out of the sample (their date
# would be wrong, and the same items are drawable from the correctly dated copies).
MISDATED_PAGES = frozenset({"2020-12-20", "2027-12-05"})

# The portal's fixed category headings: never event items.
CATEGORY_HEADINGS = frozenset(
    {
        "Armed conflicts and attacks",
        "Arts and culture",
        "Business and economy",
        "Disasters and accidents",
        "Health and environment",
        "International relations",
        "Law and crime",
        "Politics and elections",
        "Science and technology",
        "Sports",
    }
)

# Trailing source credits: one or more "(Outlet)" groups (one level of nested brackets, as in
# "(Meczyki (in Polish))"), separated by spaces or commas, maybe followed by a stray full stop
# or a "[unreliable source?]" tag.
_CREDITS = re.compile(r"(?:[\s,]*\((?:[^()]|\([^()]*\))*\))+\s*\.?\s*(?:\[[^\]]*\])?\s*$")
_SENTENCE_END = re.compile(r"[.!?\"”’]$")
# Topic lines also end in brackets, but with a year or a range: "Typhoon Halong (2025)".
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Item:
    """One event item: a paragraph of a page that reports a news event."""

    date: str  # the page's date, YYYY-MM-DD
    text: str  # the paragraph as qa.load renders it, source credits included
    article_id: str


def split_credits(paragraph: str) -> tuple[str, str]:
    """(report, credits): the paragraph without and with only its trailing source credits."""
    match = _CREDITS.search(paragraph)
    if not match:
        return paragraph, ""
    return paragraph[: match.start()], paragraph[match.start() :]


def is_event_item(paragraph: str) -> bool:
    """A news item ends with its source credit in brackets, after a full sentence (or, when
    the editor forgot the full stop, after a long report with a credit that is no year).

    Category headings ("Sports") and topic lines ("Red Sea crisis", "Typhoon Halong (2025)")
    are not items; neither are the few items left without any credit (about 30 of 10,600).
    """
    if paragraph in CATEGORY_HEADINGS:
        return False
    report, credits = split_credits(paragraph)
    if not credits:
        return False
    report = report.rstrip()
    if _SENTENCE_END.search(report):
        return True
    return len(report.split()) >= 8 and not _DIGIT.search(credits)


def page_date(article: Article) -> str:
    """YYYY-MM-DD of a page (its front-matter date, which qa.load puts in ``published``)."""
    return article.published[:10]


def event_items(article: Article) -> list[Item]:
    """The event items of one loaded page, in page order."""
    date = page_date(article)
    paragraphs = (paragraph.strip() for paragraph in article.text.split("\n\n"))
    return [
        Item(date, paragraph, article.id) for paragraph in paragraphs if is_event_item(paragraph)
    ]


def load_pages(folder: Path = CORPUS) -> list[Article]:
    """Every page of the corpus, as ``qa.load.load_paths`` loads the folder."""
    result = load_paths([folder])
    if result.skipped:
        problems = "; ".join(f"{s.path}: {s.reason}" for s in result.skipped[:3])
        raise ValueError(f"some pages of {folder} did not load: {problems}")
    return result.articles


def all_items(pages: list[Article]) -> list[Item]:
    """Every event item of the correctly dated pages, in file order."""
    return [
        item
        for page in pages
        if page_date(page) not in MISDATED_PAGES
        for item in event_items(page)
    ]


def draw(items: list[Item], count: int, seed: int = SEED) -> list[Item]:
    """The first ``count`` items of a seeded shuffle (a prefix, so stable as count grows)."""
    order = list(items)
    random.Random(seed).shuffle(order)
    return order[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="items to draw (default: 300)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"shuffle seed ({SEED})")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the day pages")
    args = parser.parse_args(argv)
    pages = load_pages(args.corpus)
    items = all_items(pages)
    print(f"# {len(pages)} pages, {len(items)} event items; seed {args.seed}, first {args.count}")
    for number, item in enumerate(draw(items, args.count, args.seed), start=1):
        print(f"{number:4d}  {item.date}  {item.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
