"""A real HTTP server on 127.0.0.1 for the feed watcher's tests, and the feeds and pages it
serves, built at test time from data/ and the shared Wikipedia current-events pages (never
committed copies of them).

``FeedServer`` answers conditional GETs the way a news site does (ETag / Last-Modified ->
304), can be told to fail (status, delay, garbage) per path, and logs every request with
its headers, so a test can assert what the watcher sent and what it got.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from qa.load import markdown_to_text, normalise_text

from .conftest import SHARED

DAYS = SHARED / "datasets" / "wikipedia-current-events" / "days"
_SOURCE_LINK = re.compile(r"\[\((?P<source>[^)]+)\)\]\((?P<url>[^)\s]+)[^)]*\)")


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = ""  # "" = derived from the body; None = send no ETag
    last_modified: str | None = None
    delay: float = 0.0  # seconds to wait before answering (a slow or hung server)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]  # lower-case names
    status: int
    at: float  # time.monotonic() when the request arrived


class FeedServer:
    """``with FeedServer() as server: server.route("/feed.xml", body)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 -- http.server's name
                server._answer(self)

            def log_message(self, *args: object) -> None:  # quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, body: bytes | str, **options: object) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, **options)  # type: ignore[arg-type]
        if route.etag == "":
            route.etag = '"' + hashlib.sha1(data).hexdigest()[:12] + '"'
        with self._lock:
            self.routes[path] = route
        return route

    def hits_of(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        arrived = time.monotonic()
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            route = self.routes.get(request.path)
        if route is None:
            status, body, extra = 404, b"not found", {"Content-Type": "text/plain"}
        else:
            fresh = (route.etag and headers.get("if-none-match") == route.etag) or (
                route.last_modified and headers.get("if-modified-since") == route.last_modified
            )
            status = 304 if fresh and route.status == 200 else route.status
            body = b"" if status == 304 else route.body
            extra = {"Content-Type": route.content_type, **route.headers}
            if route.etag:
                extra["ETag"] = route.etag
            if route.last_modified:
                extra["Last-Modified"] = route.last_modified
        with self._lock:  # logged on arrival: a client that times out was still seen
            self.hits.append(Hit(request.path, headers, status, arrived))
        if route is not None and route.delay:
            time.sleep(route.delay)
        try:
            request.send_response(status)
            for name, value in extra.items():
                request.send_header(name, value)
            if status != 304:
                request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            if status != 304:
                request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass


# ---------------------------------------------------------------------------------------------
# Fixture news: items of the shared current-events pages, the bundled sample article
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    title: str
    text: str
    source: str  # the outlet the current-events page credits
    published: datetime
    slug: str


def current_events(day: str, limit: int = 6) -> list[Item]:
    """News items of one day of Wikipedia's Portal:Current events (CC BY-SA 4.0)."""
    page = DAYS / f"{day}-index.md"
    items = []
    for line in page.read_text(encoding="utf-8").splitlines():
        link = _SOURCE_LINK.search(line)
        if link is None:
            continue
        text = normalise_text(markdown_to_text(line[: link.start()].strip().lstrip("*").strip()))
        if len(text.split()) < 8:
            continue
        words = text.rstrip(".").split()
        number = len(items)
        items.append(
            Item(
                title=" ".join(words[:9]),
                text=text,
                source=link["source"].strip("*"),
                published=datetime.fromisoformat(day).replace(tzinfo=UTC)
                + timedelta(hours=8, minutes=number),
                slug=f"{day}-{number}",
            )
        )
        if len(items) == limit:
            break
    return items


def sample_item(root: Path) -> tuple[Item, list[str]]:
    """The bundled sample article (data/) as a news item plus its paragraphs."""
    raw = (root / "data" / "shoigu-azerbaijan-armenia-military-ties.md").read_text()
    body = raw.split("---", 2)[2].strip()
    paragraphs = [p.strip() for p in body.splitlines() if p.strip() and "©" not in p]
    item = Item(
        title="Shoigu welcomes strategic military ties with Azerbaijan, courts Armenia",
        text=paragraphs[0],
        source="armenews.com",
        published=datetime(2026, 8, 23, 9, 30, tzinfo=UTC),
        slug="shoigu-azerbaijan",
    )
    return item, paragraphs


def rss(title: str, base: str, entries: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>{base}/</link>"
        f"<description>{escape(title)} test feed</description>"
        + "".join(entries)
        + "</channel></rss>"
    )


def rss_item(item: Item, link: str, *, full: bool, updated: datetime | None = None,
             author: str = "") -> str:  # fmt: skip
    """An RSS <item>: the text as content:encoded when ``full``, else only a summary."""
    when = format_datetime(updated or item.published)
    content = (
        f"<content:encoded><![CDATA[<p>{html.escape(item.text)}</p>]]></content:encoded>"
        if full
        else ""
    )
    who = f"<author>{escape(author)}</author>" if author else ""
    return (
        f"<item><title>{escape(item.title)}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{when}</pubDate>{who}<description>{escape(item.text[:90])}…</description>"
        f"{content}</item>"
    )


def atom(title: str, base: str, items: list[Item]) -> str:
    entries = "".join(
        f"<entry><title>{escape(i.title)}</title><link href='{base}/wire/{i.slug}'/>"
        f"<id>tag:wire,2026:{i.slug}</id><updated>{i.published.isoformat()}</updated>"
        f"<published>{i.published.isoformat()}</published>"
        f"<summary>{escape(i.text[:80])}</summary>"
        f"<content type='html'>{escape('<p>' + html.escape(i.text) + '</p>')}</content></entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{base}/wire</id>"
        f"<updated>{max(i.published for i in items).isoformat()}</updated>{entries}</feed>"
    )


def article_page(title: str, paragraphs: list[str], author: str) -> str:
    """A news site's article page: navigation and footer around the story."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} | Loopback Times</title>"
        f"<meta name='author' content='{html.escape(author)}'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a> "
        "<a href='/subscribe'>Subscribe to the Loopback Times newsletter</a></nav>"
        f"<main><article><h1>{html.escape(title)}</h1>{body}</article></main>"
        "<footer>Copyright Loopback Times. All rights reserved. Cookie settings.</footer>"
        "</body></html>"
    )


def paragraphs_for(item: Item, others: list[Item]) -> list[str]:
    """A roundup page: the item's own text first, then related items (page-only text)."""
    return [item.text] + [f"Also on {o.published:%d %B}: {o.text}" for o in others]


def wait_until(predicate, timeout: float = 20.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
