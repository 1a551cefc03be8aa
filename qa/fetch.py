"""Polite HTTP for the feed watcher: conditional GETs, a size limit, a total timeout, one
clear User-Agent, a delay between requests to the same site, robots.txt, Retry-After.

``Fetcher.get`` returns a ``Response`` for 200 and 304 and raises ``FetchError`` (one line
saying what went wrong, and ``retry_after`` when the server named one) for everything else,
so the watcher can report a failing feed in one line and go on with the others.
Local files (a path or a file:// url) are "fetched" too, with their modification time and
size standing in for an ETag, so a feed file on disk can be watched like a url.
"""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

__all__ = ["USER_AGENT", "FetchError", "Fetcher", "Response", "is_url"]

USER_AGENT = "newsqa/0.1 (+https://github.com/newsqa/newsqa; feed watcher)"
ROBOTS_AGENT = "newsqa"  # the product token robots.txt rules are matched against
DEFAULT_TIMEOUT = 20.0  # seconds for a whole request, headers and body
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a feed or page larger than this is refused
DEFAULT_DELAY = 1.0  # seconds between two requests to one site
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_TTL = 24 * 3600.0  # robots.txt is re-read once a day (RFC 9309 caps caching at 24h)
ROBOTS_RETRY = 3600.0  # an unreachable robots.txt disallows the site for this long
MAX_REDIRECTS = 5
MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay above this is read as this
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


class FetchError(Exception):
    """A request that gave no usable answer. ``permanent`` tells a missing page (404, 410,
    robots.txt disallow, too large) from a failure worth retrying (timeout, 5xx, 429)."""

    def __init__(self, url: str, problem: str, *, permanent: bool = False,
                 retry_after: float | None = None, status: int | None = None) -> None:  # fmt: skip
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
        self.permanent = permanent
        self.retry_after = retry_after
        self.status = status


@dataclass
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 when the validators matched
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser | None  # None: the whole site is allowed
    disallow_all: bool
    expires: float


@dataclass
class Fetcher:
    """One HTTP client shared by every feed and page of a watcher (connections are reused).
    Thread-safe: requests are serialised, which is what politeness asks for anyway."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    delay: float = DEFAULT_DELAY
    user_agent: str = USER_AGENT
    trust_env: bool = True  # HTTP(S)_PROXY / NO_PROXY from the environment, as curl does
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0  # sent so far, robots.txt included (the bench reports it)
    _client: httpx.Client = field(init=False, repr=False)
    _next_request: dict[str, float] = field(init=False, default_factory=dict, repr=False)
    _robots: dict[str, _Robots] = field(init=False, default_factory=dict, repr=False)
    _crawl_delay: dict[str, float] = field(init=False, default_factory=dict, repr=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent},
            # Per-operation timeouts; the whole request is also bounded in _get.
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            trust_env=self.trust_env,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ------------------------------------------------------------------------
    def get_feed(self, url: str, etag: str = "", last_modified: str = "") -> Response:
        """GET a feed with its validators: a 304 ``Response`` means nothing changed.
        The feed was named by the user, as in a feed reader, so robots.txt is not asked."""
        if not is_url(url):
            return _read_file(url, etag, self.max_bytes)
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers)

    def get_page(self, url: str) -> Response:
        """GET an article page, if robots.txt allows it. Raises ``FetchError`` otherwise."""
        if not self.allowed(url):
            raise FetchError(url, "robots.txt disallows fetching this page", permanent=True)
        return self._get(url, {"Accept": PAGE_ACCEPT})

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets newsqa fetch ``url`` (read once a day per site)."""
        robots = self._robots_for(url)
        if robots.disallow_all:
            return False
        return robots.parser is None or robots.parser.can_fetch(ROBOTS_AGENT, url)

    # -- requests ----------------------------------------------------------------------
    def _get(self, url: str, headers: dict[str, str], limit: int | None = None) -> Response:
        limit = limit or self.max_bytes
        with self._lock:
            self._wait_turn(url)
            self.requests += 1
            deadline = self.clock() + self.timeout
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status == 304:
                        return _response(response, b"")
                    if status != 200:
                        retry_after = _retry_after(response.headers.get("Retry-After"))
                        if retry_after is not None:
                            self._hold_site(url, retry_after)
                        raise _status_error(url, status, retry_after)
                    declared = response.headers.get("Content-Length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise FetchError(url, _too_large(int(declared), limit), permanent=True)
                    body = bytearray()
                    for piece in response.iter_bytes():
                        body += piece
                        if len(body) > limit:
                            raise FetchError(url, _too_large(len(body), limit), permanent=True)
                        if self.clock() > deadline:
                            raise FetchError(url, f"timed out after {self.timeout:g} s")
                    return _response(response, bytes(body))
            except httpx.TimeoutException:
                raise FetchError(url, f"timed out after {self.timeout:g} s") from None
            except httpx.TooManyRedirects:
                problem = f"more than {MAX_REDIRECTS} redirects"
                raise FetchError(url, problem, permanent=True) from None
            except httpx.UnsupportedProtocol:
                problem = "not an http(s) url"
                raise FetchError(url, problem, permanent=True) from None
            except httpx.HTTPError as error:  # refused, reset, DNS, bad response...
                raise FetchError(url, _network_problem(error)) from None
            finally:
                site = _site(url)
                pause = max(self.delay, self._crawl_delay.get(site, 0.0))
                self._next_request[site] = max(
                    self._next_request.get(site, 0.0), self.clock() + pause
                )

    def _wait_turn(self, url: str) -> None:
        """Sleep until this site's politeness delay (or its Retry-After) has passed."""
        wait = self._next_request.get(_site(url), 0.0) - self.clock()
        if wait > 0:
            self.sleep(wait)

    def _hold_site(self, url: str, seconds: float) -> None:
        self._next_request[_site(url)] = self.clock() + seconds

    # -- robots.txt --------------------------------------------------------------------
    def _robots_for(self, url: str) -> _Robots:
        site = _site(url)
        cached = self._robots.get(site)
        if cached is not None and cached.expires > self.clock():
            return cached
        robots = self._read_robots(site)
        self._robots[site] = robots
        return robots

    def _read_robots(self, site: str) -> _Robots:
        """RFC 9309: a robots.txt that is missing (4xx) allows everything; one that cannot
        be read (5xx, timeout) disallows everything until it can."""
        now = self.clock()
        try:
            response = self._get(site + "/robots.txt", {"Accept": "text/plain"}, ROBOTS_MAX_BYTES)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.permanent:
                return _Robots(None, False, now + ROBOTS_TTL)
            return _Robots(None, True, now + ROBOTS_RETRY)
        parser = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        parser.parse(response.content.decode("utf-8", "replace").splitlines())
        delay = parser.crawl_delay(ROBOTS_AGENT)
        if delay:
            # The site asks for a longer pause between requests (within reason): honour it.
            self._crawl_delay[site] = min(float(delay), MAX_CRAWL_DELAY)
        return _Robots(parser, False, now + ROBOTS_TTL)


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _response(response: httpx.Response, content: bytes) -> Response:
    return Response(
        url=str(response.url),
        status=response.status_code,
        content=content,
        content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower(),
        etag=response.headers.get("ETag", ""),
        last_modified=response.headers.get("Last-Modified", ""),
    )


def _status_error(url: str, status: int, retry_after: float | None) -> FetchError:
    try:
        reason = httpx.codes(status).phrase
    except ValueError:
        reason = ""
    problem = f"HTTP {status}" + (f" {reason}" if reason else "")
    if retry_after is not None:
        problem += f" (Retry-After: {retry_after:.0f} s)"
    # 404/410 and other client errors will not fix themselves; 408, 429 and 5xx may.
    permanent = 400 <= status < 500 and status not in (408, 425, 429)
    return FetchError(url, problem, permanent=permanent, retry_after=retry_after, status=status)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _too_large(size: int, limit: int) -> str:
    return f"larger than the {limit / 1024 / 1024:g} MB limit ({size / 1024 / 1024:.1f} MB or more)"


def _network_problem(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return f"could not connect ({error})" if str(error) else "could not connect"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _read_file(location: str, etag: str, max_bytes: int) -> Response:
    """A local feed file, with "mtime-size" as its ETag: unchanged means a 304."""
    path = Path(unquote(urlsplit(location).path)) if location.startswith("file:") else None
    path = path or Path(location)
    try:
        stat = path.stat()
    except OSError as error:
        raise FetchError(location, f"cannot read the file ({error.strerror or error})") from None
    stamp = f"{stat.st_mtime_ns}-{stat.st_size}"
    if etag == stamp:
        return Response(url=location, status=304, etag=stamp)
    if stat.st_size > max_bytes:
        raise FetchError(location, _too_large(stat.st_size, max_bytes), permanent=True)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise FetchError(location, f"cannot read the file ({error.strerror or error})") from None
    return Response(url=location, status=200, content=content, etag=stamp)
