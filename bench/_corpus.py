"""Benchmark corpora of a given size in chunks, built from real news text with real vectors.

What a corpus holds, in this order, until it reaches the size asked for:

1. the articles of the evaluation datasets (SQuAD 2.0 paragraphs, MultiHop-RAG evidence
   grouped per article), so the questions timed have answers in every corpus;
2. the Wikipedia "Portal:Current events" day pages (CC BY-SA 4.0), one article per day;
3. each news item of those pages (a paragraph of a sentence or more) as an article of its
   own, titled by its topic line and dated by its day;
4. beyond the ~16,000 distinct chunks of 1-3, copies of the day pages and items, re-dated
   (+N years) and re-titled ("... (copy N)") with their own url, so they are distinct
   articles whose chunk texts repeat. Embedding each distinct text once and replaying its
   vector for its copies (``ReplayEmbedder``) builds 100,000 chunks without embedding
   100,000 texts (about 40 minutes on 2 cores). The index's near-duplicate finder groups
   each copy with its original, as it groups syndicated copies: questions over such a corpus
   take the copy-collapsing path (a search 3x deeper, then one result per story).

Built corpora are cached under ``bench/.cache/`` (git-ignored): ``corpus-<chunks>-<backend>/``
holds the index and ``built.json`` (what was built, how long it took, peak memory).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import resource
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from bench._common import CACHE, CURRENT_EVENTS, load_evalsets
from qa.embed import embed_with_spans
from qa.records import Article

TOPIC_WORDS = 10  # a paragraph this short is a topic line ("Gaza war"), not a news item
COPY_YEARS = 3  # a copy is dated this many years after the previous one
PORTAL = "https://en.wikipedia.org/wiki/Portal:Current_events/"


def chunk_count(article: Article, chunk_tokens: int = 128) -> int:
    """Chunks the index will cut from ``article`` (its default settings, before the rare
    re-cut to the model's own token limit)."""
    from qa.ingest import split_article

    return len(split_article(article, chunk_tokens, 0)[1])


def day_pages(limit: int | None = None) -> list[Article]:
    from qa.load import load_paths

    files = sorted(CURRENT_EVENTS.glob("*.md"))[:limit]
    return load_paths(files).articles


def news_items(pages: Sequence[Article]) -> list[Article]:
    """Each news item of the day pages as an article, titled by the topic line above it."""
    from qa.load import make_article

    items = []
    for page in pages:
        topic = page.title
        for number, paragraph in enumerate(page.text.split("\n\n")):
            if len(paragraph.split()) < TOPIC_WORDS:
                topic = paragraph.strip() or topic
                continue
            items.append(
                make_article(
                    title=f"{topic} ({page.published[:10]})",
                    text=paragraph,
                    source="Wikipedia Current events",
                    url=f"{PORTAL}{page.published[:10]}?item={number}",
                    published=page.published,
                )
            )
    return items


def copy_of(article: Article, n: int) -> Article:
    """The ``n``-th copy: same text, dated ``n * COPY_YEARS`` years later, its own url."""
    from dataclasses import replace

    from qa.load import article_id

    published = article.published
    if published[:4].isdigit():
        try:
            day = date.fromisoformat(published[:10])
            moved = day.replace(year=day.year + n * COPY_YEARS, day=min(day.day, 28))
            published = moved.isoformat() + published[10:]
        except ValueError:
            pass
    base = article.url or f"{PORTAL}{article.id}"
    url = f"{base}{'&' if '?' in base else '?'}copy={n}"  # a #fragment would not make a new id
    return replace(
        article,
        id=article_id(url, article.text),
        title=f"{article.title} (copy {n})",
        url=url,
        published=published,
    )


def corpus(target_chunks: int) -> tuple[list[Article], dict]:
    """Articles whose chunks add up to at least ``target_chunks`` (see the module doc)."""
    datasets = [a for s in load_evalsets(["squad2", "multihop-rag"]) for a in s.articles]
    pages = day_pages()
    items = news_items(pages)
    real = [("datasets", a) for a in datasets]
    real += [("day pages", a) for a in pages] + [("news items", a) for a in items]
    return compose(target_chunks, real)


def compose(target_chunks: int, real: list[tuple[str, Article]]) -> tuple[list[Article], dict]:
    """Take ``real`` articles in order, then copies of the non-"datasets" ones, until their
    chunks add up to ``target_chunks``."""
    chosen: list[Article] = []
    parts: dict[str, int] = {}
    total = 0
    seen: set[str] = set()
    counts: dict[str, int] = {}

    def take(kind: str, article: Article) -> bool:
        nonlocal total
        if article.id in seen:
            return total < target_chunks
        n = counts.setdefault(article.text, chunk_count(article))
        seen.add(article.id)
        chosen.append(article)
        parts[kind] = parts.get(kind, 0) + n
        total += n
        return total < target_chunks

    for kind, article in real:
        if not take(kind, article):
            break
    copy = 1
    originals = [a for kind, a in real if kind != "datasets"]
    while total < target_chunks and originals:
        before = total
        for article in originals:
            if not take("copies", copy_of(article, copy)):
                break
        if total == before:
            raise RuntimeError("copies add no chunks: are their ids distinct?")
        copy += 1
    return chosen, {"chunks_estimated": total, "chunks_by_part": parts, "copies": copy - 1}


class ReplayEmbedder:
    """Embeds each distinct text once with the real embedder; repeated texts get the vector
    computed for them before (kept on disk between runs, per model and backend)."""

    def __init__(self, inner, folder: Path = CACHE) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.backend = getattr(inner, "backend", "")
        self.path = folder / f"vectors-{_safe(self.name)}-{self.backend or 'custom'}.npz"
        self._row: dict[str, int] = {}
        self._vectors: list[np.ndarray] = []
        self.embedded = 0  # texts embedded for real in this process
        self.replayed = 0
        self._spans: dict[tuple[str, tuple], np.ndarray] = {}
        if self.path.exists():
            saved = np.load(self.path)
            for row, key in enumerate(saved["keys"]):
                self._row[str(key)] = row
            self._vectors = [saved["vectors"]]

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._row))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            fresh = self.inner.embed([text_of[k] for k in missing], progress=progress)
            start = len(self._row)
            for offset, key in enumerate(missing):
                self._row[key] = start + offset
            self._vectors.append(fresh)
            self.embedded += len(missing)
        self.replayed += len(texts) - len(missing)
        matrix = self._matrix()
        return matrix[[self._row[k] for k in keys]]

    def embed_spans(self, texts, spans, progress: bool = False):
        """Texts and their sentences' vectors (``qa.embed.embed_with_spans``), replayed per
        text: a text seen before gives back its vector and its sentences' without a model
        run; the sentence vectors live in memory only (the saved file keeps text vectors)."""
        keys = [_key(t) for t in texts]
        missing = [
            i for i, key in enumerate(keys)
            if key not in self._row or (key, tuple(spans[i])) not in self._spans
        ]  # fmt: skip
        if missing:
            todo = list({keys[i]: i for i in missing}.values())
            fresh, pooled = embed_with_spans(
                self.inner, [texts[i] for i in todo], [spans[i] for i in todo], progress
            )
            start = len(self._row)
            new_rows = [i for i in todo if keys[i] not in self._row]
            for offset, i in enumerate(new_rows):
                self._row[keys[i]] = start + offset
            if new_rows:
                self._vectors.append(fresh[[todo.index(i) for i in new_rows]])
            for row, i in enumerate(todo):
                self._spans[(keys[i], tuple(spans[i]))] = pooled[row]
            self.embedded += len(todo)
        self.replayed += len(texts) - len({keys[i] for i in missing})
        matrix = self._matrix()
        return (
            matrix[[self._row[k] for k in keys]],
            [self._spans[(k, tuple(own))] for k, own in zip(keys, spans, strict=True)],
        )

    def _matrix(self) -> np.ndarray:
        if len(self._vectors) > 1:
            self._vectors = [np.vstack(self._vectors)]
        return self._vectors[0] if self._vectors else np.zeros((0, self.dimension), np.float32)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._row, key=self._row.get)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=self._matrix())
        tmp.replace(self.path)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)[-60:]


def corpus_dir(chunks: int, backend: str) -> Path:
    return CACHE / f"corpus-{chunks}-{backend}"


def build(chunks: int, backend: str, folder: Path | None = None) -> dict:
    """Build the corpus index of ``chunks`` chunks in this process and describe it (the
    peak RSS is this process's: model, pipeline and the replay cache's vectors)."""
    from qa import Index
    from qa.embed import get_embedder

    folder = folder or corpus_dir(chunks, backend)
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    articles, composition = corpus(chunks)
    compose_s = time.perf_counter() - started
    inner = get_embedder(backend=backend)
    # A batch as large as ingest's, so the session ingest uses (all cores) is made and its
    # memory counts in the peak even when every vector is replayed.
    inner.embed(["warm the model up: its memory counts in the peak"] * 100)
    embedder = ReplayEmbedder(inner)
    started = time.perf_counter()
    with Index.open(folder, create=True, embedder=embedder) as index:
        report = index.add(articles, progress=sys.stderr.isatty())
        ingest_s = time.perf_counter() - started
        info = index.info()
    embedder.save()
    built = {
        "chunks_asked": chunks,
        "backend": backend,
        "articles": info.articles,
        "chunks": info.chunks,
        "sentences": info.sentences,
        "near_duplicates_grouped": len(report.duplicates),
        "composition": composition,
        "texts_embedded_now": embedder.embedded,
        "texts_replayed": embedder.replayed,
        "compose_s": round(compose_s, 1),
        "ingest_s": round(ingest_s, 1),
        "size_bytes": info.size_bytes,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    (folder / "built.json").write_text(json.dumps(built, indent=2) + "\n")
    return built


def ensure(chunks: int, backend: str) -> tuple[Path, dict]:
    """The cached corpus index, built (in a child process, so its peak memory is its own)
    when missing."""
    import subprocess

    folder = corpus_dir(chunks, backend)
    marker = folder / "built.json"
    if not marker.exists():
        print(f"building the {chunks:,}-chunk corpus ({backend}) in {folder} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "bench._corpus", str(chunks), "--backend", backend],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    return folder, json.loads(marker.read_text())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._corpus", description=__doc__)
    parser.add_argument("chunks", type=int)
    parser.add_argument("--backend", default="onnx")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.chunks, args.backend), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
