"""The realistic index the load benchmark runs against (``python -m bench load``).

At least 20,000 chunks of real news text from ``../shared/datasets`` (read in place, never
copied into the repository):

* every ``wikipedia-current-events/days`` page (601 pages, ~10,700 chunks; CC BY-SA 4.0),
* every distinct SQuAD 2.0 context (411 Wikipedia paragraphs; CC BY-SA 4.0), one article each,
* every MultiHop-RAG evidence fact (ODC-BY 1.0), grouped by url into one article per news
  story (326 articles) with its source, title, author and date,
* and, because those make only ~12,000 chunks, a **re-dated copy** of every current-events
  page: the same text, dated ``REDATE_YEARS`` years earlier, under its own url
  (``https://archive.example/YYYY-MM-DD``) so it is a separate article with its own chunks
  and vectors. The near-duplicate detector files each copy in its original's story group
  (``qa.dedup``), which is what a real archive of syndicated copies looks like.

The index is built once with the real bundled model (~10 min on 2 cores) and cached under
``bench/.cache/`` (git-ignored), keyed by a fingerprint of the corpus, the model and the
store's schema, so reruns start at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

from qa.embed import DEFAULT_MODEL
from qa.index import Index
from qa.load import article_id, load_paths, make_article
from qa.records import Article
from qa.store import DB_NAME, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"
DAYS = DATASETS / "wikipedia-current-events" / "days"
SQUAD = DATASETS / "squad2-sample" / "queries.json"
MULTIHOP = DATASETS / "multihop-rag-sample" / "ground_truth.json"
CACHE = ROOT / "bench" / ".cache"
REDATE_YEARS = 6
MIN_CHUNKS = 20_000
STAMP = "corpus.json"


def current_events() -> list[Article]:
    loaded = load_paths([DAYS])
    return sorted(loaded.articles, key=lambda a: a.published)


def redated(page: Article, years: int = REDATE_YEARS) -> Article:
    """The same page dated ``years`` earlier, as a separate article (its own url and id)."""
    year, rest = page.published[:4], page.published[4:10]
    day = f"{int(year) - years:04d}{rest}"
    if day.endswith("02-29"):  # no 29 February in the shifted year
        day = day[:-2] + "28"
    url = f"https://archive.example/{day}"
    return dataclasses.replace(
        page,
        id=article_id(url, page.text),
        title=f"{page.title} (archive copy, {day})",
        url=url,
        source="archive.example",
        published=day,
        path="",
    )


def squad_contexts() -> list[Article]:
    queries = json.loads(SQUAD.read_text(encoding="utf-8"))["queries"]
    contexts = list(dict.fromkeys(q["context"] for q in queries))
    return [
        make_article(
            title=f"Encyclopedia paragraph {i + 1}",
            text=context,
            source="wikipedia.org",
            url=f"https://squad.example/{hashlib.sha1(context.encode()).hexdigest()[:12]}",
        )
        for i, context in enumerate(contexts)
    ]


def multihop_stories() -> list[Article]:
    truth = json.loads(MULTIHOP.read_text(encoding="utf-8"))
    facts: dict[str, list[str]] = defaultdict(list)
    about: dict[str, dict] = {}
    for item in truth.values():
        for evidence in item["evidence_list"]:
            url = evidence["url"]
            if evidence["fact"] not in facts[url]:
                facts[url].append(evidence["fact"])
            about.setdefault(url, evidence)
    return [
        make_article(
            title=about[url]["title"],
            text="\n\n".join(facts[url]),
            source=about[url]["source"],
            url=url,
            published=about[url]["published_at"],
            author=about[url].get("author", ""),
        )
        for url in sorted(facts)
    ]


def corpus() -> list[Article]:
    pages = current_events()
    return [*pages, *squad_contexts(), *multihop_stories(), *(redated(p) for p in pages)]


def fingerprint() -> str:
    """Changes when the corpus files, the model or the store's schema change."""
    digest = hashlib.sha1(f"{SCHEMA_VERSION}|{DEFAULT_MODEL}|{REDATE_YEARS}".encode())
    for path in sorted(DAYS.glob("*.md")) + [SQUAD, MULTIHOP]:
        stat = path.stat()
        digest.update(f"{path.name}|{stat.st_size}|{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def ensure_index(folder: Path = CACHE / "load-index") -> Path:
    """The cached realistic index, built first if missing or stale."""
    stamp = folder / STAMP
    wanted = fingerprint()
    if (folder / DB_NAME).exists() and stamp.exists() and _stamped(stamp) == wanted:
        return folder
    if not DAYS.is_dir():
        raise SystemExit(f"{DAYS} is missing: the load benchmark needs ../shared/datasets")
    shutil.rmtree(folder, ignore_errors=True)
    articles = corpus()
    print(f"building the load-test index in {folder}/ from {len(articles)} articles "
          "(real model, about 10 minutes on 2 cores) ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with Index.open(folder, create=True) as index:
        report = index.add(articles, progress=True)
        chunks = index.info().chunks
    if chunks < MIN_CHUNKS:
        raise SystemExit(f"the corpus made only {chunks} chunks (< {MIN_CHUNKS})")
    stamp.write_text(json.dumps({
        "fingerprint": wanted,
        "articles": len(articles),
        "chunks": chunks,
        "duplicates_grouped": len(report.duplicates),
        "build_s": round(time.perf_counter() - started, 1),
    }, indent=2))
    return folder


def _stamped(stamp: Path) -> str:
    return str(json.loads(stamp.read_text()).get("fingerprint", ""))


if __name__ == "__main__":
    print(ensure_index())
