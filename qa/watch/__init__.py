"""Watch RSS/Atom feeds and keep an index current: ``python -m qa watch URL... --index DIR``.

Each poll of a feed is one conditional GET (ETag / Last-Modified: a 304 costs one request and
nothing else). A changed feed's entries become articles through the feed loader's own code
(``qa.load.feed_entry_article``); an entry that carries only a summary gets its page fetched
(robots.txt, politeness delay, timeout and size limit in ``qa.fetch``) and extracted with
trafilatura (``qa.load.parse_html``) -- unless its url is already stored and the feed does not
say it was updated. ``Index.add`` then skips unchanged articles by content hash (no
re-embedding), replaces changed ones and groups near-duplicates, committing in transactions.

What the watcher remembers lives in the index's own SQLite file, in two tables this package
creates (the articles schema and its version are untouched, so any newsqa reads the index):

    feeds          one row per feed: validators, last poll, last success, failures, next poll
    feed_entries   one row per entry of a feed's latest copy: its key, "updated" stamp, article

so a restarted watcher sends the stored ETag and fetches nothing it already has. A feed that
fails (timeout, 5xx, not a feed) is reported in one line and retried with exponential
backoff (and never sooner than its Retry-After); the other feeds go on.

The modules, each importing only those below it:

    cli.py    python -m qa watch: arguments, Ctrl+C handling, timestamped log lines
    loop.py   poll_once, watch, start_background: which feeds are due, and the loop
    poll.py   poll_feed: one feed's conditional GET, entries to articles, backoff on failure
    feeds.py  Feed, feeds files (feeds.toml) and feed arguments, parse_interval
    state.py  the two SQLite tables (FeedState, feed_states) and freshness for the chat
"""

from qa.watch.cli import run
from qa.watch.feeds import (
    DEFAULT_INTERVAL,
    MIN_INTERVAL,
    Feed,
    FeedsFileError,
    feeds_from_arguments,
    load_feeds_file,
    parse_interval,
)
from qa.watch.loop import poll_once, start_background, watch
from qa.watch.poll import MAX_BACKOFF, PollResult, poll_feed
from qa.watch.state import FeedState, ensure_tables, feed_states, freshness

__all__ = [
    "DEFAULT_INTERVAL",
    "MAX_BACKOFF",
    "MIN_INTERVAL",
    "Feed",
    "FeedState",
    "FeedsFileError",
    "PollResult",
    "ensure_tables",
    "feed_states",
    "feeds_from_arguments",
    "freshness",
    "load_feeds_file",
    "parse_interval",
    "poll_feed",
    "poll_once",
    "run",
    "start_background",
    "watch",
]
