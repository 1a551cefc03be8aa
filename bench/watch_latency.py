"""The feed watcher's two figures: time from a new feed entry to an answer that cites it,
and the cost of an idle poll (every feed answers 304 Not Modified).

A loopback HTTP server (127.0.0.1, in this process) serves feeds built from the Wikipedia
"Portal:Current events" pages (../shared/datasets/wikipedia-current-events, CC BY-SA 4.0):
a full-content RSS feed, a full-content Atom feed and a summary-only RSS feed whose stories
are on article pages. The index holds the first ``--days`` daily pages (real model), plus the
feeds' entries after a first poll. Then:

* new entry -> answerable: publish one new entry (items of days not in the index), run one
  poll of all feeds, ask a question made from the entry's first words, check the answer cites
  it. A running watcher adds up to one polling interval (--every) of waiting on top.
* idle poll: a round over all feeds that all answer 304, against the same round with the
  validators ignored by the server (a 200 each time: download, parse, and a content-hash
  check per entry, still nothing embedded) -- what the conditional requests save.

    python -m bench watch_latency                 # 150 days of base index, 5 trials
    python -m bench watch_latency --days 600 --trials 10

The politeness delay is 0 here (every feed is on one loopback site); with real feeds on
different sites it is a pause between requests, not work. Prints a Markdown table and writes
bench/results/watch_latency.json.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import platform
import re
import shutil
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from qa import Index
from qa.fetch import Fetcher
from qa.load import load_paths, markdown_to_text, normalise_text
from qa.watch import Feed, poll_once

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "datasets" / "wikipedia-current-events" / "days"
RESULTS = Path(__file__).parent / "results" / "watch_latency.json"
ENTRIES_PER_FEED = 30
_SOURCE_LINK = re.compile(r"\[\((?P<source>[^)]+)\)\]\((?P<url>[^)\s]+)[^)]*\)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench watch_latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=150, help="daily pages in the base index")
    parser.add_argument("--trials", type=int, default=5, help="new entries per feed kind")
    parser.add_argument("--rounds", type=int, default=20, help="idle poll rounds to time")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        parser.error(f"{CORPUS} is missing (the shared datasets sit beside the repository)")

    days = sorted(p for p in CORPUS.iterdir() if p.suffix == ".md")
    base, later = days[: args.days], days[args.days :]
    items = [item for day in reversed(later) for item in _items(day)]
    needed = 3 * ENTRIES_PER_FEED + 2 * args.trials
    if len(items) < needed:
        parser.error(f"--days {args.days} leaves too few later items ({len(items)} < {needed})")
    folder = Path(tempfile.mkdtemp(prefix="newsqa-watch-bench-"))
    site = _Site()
    try:
        index = Index.open(folder, create=True)
        started = time.perf_counter()
        index.add(load_paths(base).articles)
        base_s = time.perf_counter() - started
        desk, wire, summaries = (items[i * ENTRIES_PER_FEED : (i + 1) * ENTRIES_PER_FEED]
                                 for i in range(3))  # fmt: skip
        fresh = items[3 * ENTRIES_PER_FEED : needed]
        site.publish(desk, wire, summaries)
        feeds = [Feed(site.url(p)) for p in ("/desk.xml", "/wire.atom", "/summaries.xml")]
        with Fetcher(delay=0.0, trust_env=False) as fetcher:
            started = time.perf_counter()
            first = poll_once(index, feeds, fetcher=fetcher)
            first_s = time.perf_counter() - started
            index.ask("What happened?")  # warm the caches before timing anything

            trials = []
            for n, item in enumerate(fresh):
                full = n % 2 == 0  # alternate: a full-content entry, a summary-only one
                if full:
                    desk = [item, *desk]
                else:
                    summaries = [item, *summaries]
                site.publish(desk, wire, summaries)
                trials.append(_new_entry_trial(index, feeds, fetcher, item, full))

            idle = _time_rounds(index, feeds, fetcher, args.rounds)
            site.ignore_validators = True
            baseline = _time_rounds(index, feeds, fetcher, args.rounds)
        info = index.info()
        index.close()
    finally:
        site.close()
        shutil.rmtree(folder, ignore_errors=True)

    results = {
        "base_days": len(base),
        "articles": info.articles,
        "chunks": info.chunks,
        "feeds": len(feeds),
        "entries_per_feed": ENTRIES_PER_FEED,
        "base_ingest_s": round(base_s, 1),
        "first_poll": {"s": round(first_s, 2), "added": sum(r.added for r in first),
                       "pages": sum(r.pages for r in first)},
        "new_entry": _summarise(trials),
        "trials": trials,
        "idle_poll_ms": idle,
        "no_validators_poll_ms": baseline,
        "machine": f"{platform.machine()}, {_cores()} cores",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(_table(results))
    return 0


def _new_entry_trial(index: Index, feeds: list[Feed], fetcher: Fetcher, item: dict,
                     full: bool) -> dict:  # fmt: skip
    started = time.perf_counter()
    results = poll_once(index, feeds, fetcher=fetcher)
    polled = time.perf_counter()
    question = "What happened when " + " ".join(item["text"].split()[:8]).rstrip(".,") + "?"
    answer = index.ask(question)
    answered = time.perf_counter()
    added = [aid for r in results for aid in r.added_ids]
    cited = {c.article.id for c in answer.citations} | {p.article.id for p in answer.closest}
    return {
        "kind": "full content" if full else "summary + page",
        "added": len(added),
        "embedded_chunks": sum(r.chunks_added for r in results),
        "poll_s": round(polled - started, 3),
        "first_answer_s": round(answered - polled, 3),
        "total_s": round(answered - started, 3),
        "cited": bool(added) and added[0] in cited,
    }


def _summarise(trials: list[dict]) -> dict:
    summary = {}
    for kind in ("full content", "summary + page"):
        chosen = [t for t in trials if t["kind"] == kind]
        if chosen:
            summary[kind] = {
                key: round(statistics.median(t[key] for t in chosen), 3)
                for key in ("poll_s", "first_answer_s", "total_s")
            }
            summary[kind]["cited"] = f"{sum(t['cited'] for t in chosen)}/{len(chosen)}"
            summary[kind]["max_total_s"] = max(t["total_s"] for t in chosen)
    return summary


def _time_rounds(index: Index, feeds: list[Feed], fetcher: Fetcher, rounds: int) -> dict:
    poll_once(index, feeds, fetcher=fetcher)  # settle: validators stored, nothing pending
    seconds, outcomes, embedded = [], set(), 0
    for _ in range(rounds):
        started = time.perf_counter()
        results = poll_once(index, feeds, fetcher=fetcher)
        seconds.append(time.perf_counter() - started)
        outcomes |= {r.outcome for r in results}
        embedded += sum(r.chunks_added for r in results)
    ordered = sorted(seconds)
    return {
        "round_p50": round(statistics.median(ordered) * 1000, 1),
        "round_p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "per_feed_p50": round(statistics.median(ordered) * 1000 / len(feeds), 1),
        "outcomes": sorted(outcomes),
        "chunks_embedded": embedded,
    }


# ---------------------------------------------------------------------------------------------
# Fixture news and the loopback site
# ---------------------------------------------------------------------------------------------


def _items(day: Path) -> list[dict]:
    """The news items of one current-events page, each a short article."""
    stamp = day.name[:10]
    items = []
    for line in day.read_text(encoding="utf-8").splitlines():
        link = _SOURCE_LINK.search(line)
        if link is None:
            continue
        text = normalise_text(markdown_to_text(line[: link.start()].strip().lstrip("*").strip()))
        if len(text.split()) < 12:
            continue
        try:
            when = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
        except ValueError:
            continue
        n = len(items)
        items.append({
            "slug": f"{stamp}-{n}",
            "title": " ".join(text.rstrip(".").split()[:9]),
            "text": text,
            "published": when + timedelta(hours=6, minutes=n),
        })  # fmt: skip
    return items


class _Site:
    """Feeds and pages on 127.0.0.1 with ETags; ``ignore_validators`` makes it always 200."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str, str]] = {}
        self.ignore_validators = False
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 -- http.server's name
                body, kind, etag = site.routes.get(self.path, (b"", "text/plain", ""))
                if not body:
                    status = 404
                elif not site.ignore_validators and self.headers.get("If-None-Match") == etag:
                    status = 304
                else:
                    status = 200
                self.send_response(status)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", kind)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def route(self, path: str, body: str, kind: str) -> None:
        data = body.encode("utf-8")
        self.routes[path] = (data, kind, '"' + hashlib.sha1(data).hexdigest()[:16] + '"')

    def publish(self, desk: list[dict], wire: list[dict], summaries: list[dict]) -> None:
        self.route("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        self.route("/desk.xml", _rss("World Desk", [
            _rss_item(i, self.url(f"/desk/{i['slug']}"), full=True) for i in desk
        ]), "application/rss+xml")  # fmt: skip
        self.route("/summaries.xml", _rss("Loopback Times", [
            _rss_item(i, self.url(f"/news/{i['slug']}.html"), full=False) for i in summaries
        ]), "application/rss+xml")  # fmt: skip
        for i in summaries:
            page = (
                f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
                f"{html.escape(i['title'])}</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article><h1>{html.escape(i['title'])}</h1><p>{html.escape(i['text'])}</p>"
                "</article><footer>Loopback Times</footer></body></html>"
            )
            self.route(f"/news/{i['slug']}.html", page, "text/html; charset=utf-8")
        entries = "".join(
            f"<entry><title>{escape(i['title'])}</title>"
            f"<link href='{self.url('/w/' + i['slug'])}'/>"
            f"<id>tag:wire:{i['slug']}</id><updated>{i['published'].isoformat()}</updated>"
            f"<content type='html'>{escape('<p>' + html.escape(i['text']) + '</p>')}</content>"
            "</entry>"
            for i in wire
        )
        self.route("/wire.atom", "<?xml version='1.0' encoding='utf-8'?><feed xmlns="
                   f"'http://www.w3.org/2005/Atom'><title>Wire</title><id>wire</id>{entries}</feed>",
                   "application/atom+xml")  # fmt: skip

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _rss(title: str, items: list[str]) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        f"<title>{escape(title)}</title>{''.join(items)}</channel></rss>"
    )


def _rss_item(item: dict, link: str, full: bool) -> str:
    content = (f"<content:encoded><![CDATA[<p>{html.escape(item['text'])}</p>]]>"
               "</content:encoded>" if full else "")  # fmt: skip
    return (
        f"<item><title>{escape(item['title'])}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(item['published'])}</pubDate>"
        f"<description>{escape(item['text'][:100])}</description>{content}</item>"
    )


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _table(r: dict) -> str:
    lines = [
        f"Index: {r['articles']} articles, {r['chunks']} chunks ({r['base_days']} daily pages "
        f"+ {r['feeds']} feeds of {r['entries_per_feed']} entries); {r['machine']}",
        "",
        "| new feed entry -> cited answer (median) | poll | first answer | total | cited |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, s in r["new_entry"].items():
        lines.append(
            f"| {kind} | {s['poll_s']:.2f} s | {s['first_answer_s']:.2f} s | "
            f"{s['total_s']:.2f} s (max {s['max_total_s']:.2f}) | {s['cited']} |"
        )
    idle, base = r["idle_poll_ms"], r["no_validators_poll_ms"]
    lines += [
        "",
        f"| poll round over {r['feeds']} feeds | p50 | p95 | per feed | embedded |",
        "|---|---:|---:|---:|---:|",
        f"| idle: 304 Not Modified | {idle['round_p50']} ms | {idle['round_p95']} ms | "
        f"{idle['per_feed_p50']} ms | {idle['chunks_embedded']} chunks |",
        f"| baseline: validators ignored (200) | {base['round_p50']} ms | {base['round_p95']} ms"
        f" | {base['per_feed_p50']} ms | {base['chunks_embedded']} chunks |",
    ]
    return "\n".join(lines)
