"""The cost of "What did X say?": attribution over a real corpus, and one answer end to end.

1. Attribution: every article of Wikipedia's "Portal:Current events" daily pages
   (../shared/datasets/wikipedia-current-events, CC BY-SA 4.0) is loaded and split into
   sentences the way ingest does; then the people and statements of each article are found
   as ``qa.answer`` finds them (``find_people`` + ``find_statements``), and with one
   ``analyse`` pass per article.
2. Answer: the bundled sample article is indexed with the real model and
   ``Index.ask("What did Ohanian say?")`` is timed with the per-article analysis cache
   cleared before each call (cold) and kept (warm).

    python -m bench speakers                 # the whole corpus
    python -m bench speakers --limit 100     # the first 100 days

Prints a Markdown table and writes bench/results/speakers.json. Attribution timings are
CPU seconds, the best of ``--repeat`` runs; answer timings are wall-clock milliseconds.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from qa import Index, speakers
from qa import answer as answer_module
from qa.load import load_paths
from qa.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "datasets" / "wikipedia-current-events" / "days"
SAMPLE = ROOT / "data" / "shoigu-azerbaijan-armenia-military-ties.md"
RESULTS = Path(__file__).parent / "results" / "speakers.json"
QUESTION = "What did Ohanian say?"

Article = tuple[tuple[str, ...], tuple[int, ...]]  # sentences, paragraph numbers


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench speakers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of articles")
    parser.add_argument("--limit", type=int, default=None, help="only the first N files")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--asks", type=int, default=20, help="answers per ask timing")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"{args.corpus} is not a folder; pass --corpus DIR")

    files = sorted(p for p in args.corpus.iterdir() if p.suffix == ".md")[: args.limit]
    articles = [_sentences(a.text) for a in load_paths(files).articles]
    timings = {
        "find_people + find_statements": _best(args.repeat, lambda: _both(articles)),
        "find_statements": _best(args.repeat, lambda: _statements(articles)),
    }
    analyse = getattr(speakers, "analyse", None)  # the one-pass entry point, where it exists
    if analyse is not None:
        timings["analyse"] = _best(args.repeat, lambda: [analyse(s, p) for s, p in articles])
    results = {
        "corpus": args.corpus.name,
        "articles": len(articles),
        "sentences": sum(len(s) for s, _ in articles),
        "statements": sum(len(speakers.find_statements(s, p)) for s, p in articles),
        "attribution_s": {name: round(t, 2) for name, t in timings.items()},
        "ask_ms": _ask_timings(args.asks),
        "machine": f"{platform.machine()}, {_cores()} cores",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(_table(results))
    return 0


def _sentences(text: str) -> Article:
    found = split_sentences(text)
    return tuple(s.text for s, _ in found), tuple(p for _, p in found)


def _both(articles: list[Article]) -> None:
    for sentences, paragraphs in articles:
        speakers.find_people(sentences)
        speakers.find_statements(sentences, paragraphs)


def _statements(articles: list[Article]) -> None:
    for sentences, paragraphs in articles:
        speakers.find_statements(sentences, paragraphs)


def _best(repeat: int, run: Callable[[], object]) -> float:
    """CPU seconds of this process (attribution is single-threaded Python), so other
    processes on the machine disturb the figure less than wall-clock time would."""
    seconds = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        seconds.append(time.process_time() - started)
    return min(seconds)


def _ask_timings(asks: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="newsqa-bench-"))
    try:
        with Index.open(folder, create=True) as index:
            index.ingest([SAMPLE])
            index.ask(QUESTION)  # load the model and fill the sentence vectors
            cold, warm = [], []
            for _ in range(asks):
                answer_module._who_said_what.cache_clear()
                started = time.perf_counter()
                index.ask(QUESTION)
                cold.append(time.perf_counter() - started)
                started = time.perf_counter()
                index.ask(QUESTION)
                warm.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "cold p50": round(statistics.median(cold) * 1000, 1),
        "cold min": round(min(cold) * 1000, 1),
        "warm p50": round(statistics.median(warm) * 1000, 1),
        "warm min": round(min(warm) * 1000, 1),
    }


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _table(r: dict) -> str:
    lines = [
        f"Corpus {r['corpus']}: {r['articles']} articles, {r['sentences']} sentences, "
        f"{r['statements']} statements ({r['machine']})",
        "",
        "| step | result |",
        "|---|---:|",
    ]
    for name, seconds in r["attribution_s"].items():
        lines.append(f"| {name}, all articles (CPU, best run) | {seconds} s |")
    for name, ms in r["ask_ms"].items():
        lines.append(f"| ask {QUESTION!r}, sample index, {name} | {ms} ms |")
    return "\n".join(lines)
