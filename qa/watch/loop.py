"""The watch loop: poll every due feed in turn, sleep until the next one is due, repeat
until stopped; in the foreground (``watch``) or in a daemon thread (``start_background``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from qa.fetch import Fetcher
from qa.watch.feeds import DEFAULT_INTERVAL, Feed
from qa.watch.poll import PollResult, _unexpected, poll_feed
from qa.watch.state import FeedState, _seconds, ensure_tables, feed_states

if TYPE_CHECKING:
    from qa.index import Index


def _due(state: FeedState | None, now: float, schedule: bool) -> bool:
    """A feed is due when its next poll time has come. Without a schedule (``--once``) every
    feed is due except one still backing off after failures."""
    if state is None or not state.next_poll:
        return True
    if not schedule and state.failures == 0:
        return True
    return _seconds(state.next_poll) <= now


def poll_once(
    index: Index,
    feeds: Sequence[Feed],
    *,
    fetcher: Fetcher | None = None,
    clock: Callable[[], float] = time.time,
    schedule: bool = False,
    stop: threading.Event | None = None,
    log: Callable[[str], None] | None = None,
) -> list[PollResult]:
    """Poll each due feed once, one after the other; a failing feed does not stop the
    others. ``schedule=True`` polls only feeds whose interval has passed."""
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    ensure_tables(index)
    results = []
    try:
        states = feed_states(index)
        for feed in feeds:
            if stop is not None and stop.is_set():
                break
            state = states.get(feed.url)
            if not _due(state, clock(), schedule):
                if not schedule and state is not None:  # --once: say why it was left out
                    waiting = PollResult(
                        feed.url, "waiting", next_poll=state.next_poll, failures=state.failures
                    )
                    results.append(waiting)
                    if log:
                        log(waiting.line())
                continue
            try:
                result = poll_feed(index, feed, fetcher, clock=clock, stop=stop)
            except Exception as error:  # one odd feed must not stop the others
                result = _unexpected(index, feed, clock(), error)
            results.append(result)
            if log:
                log(result.line())
                for problem in result.problems:
                    log(f"  {problem}")
    finally:
        if own:
            fetcher.close()
    return results


def watch(
    index: Index,
    feeds: Sequence[Feed],
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    fetcher: Fetcher | None = None,
    clock: Callable[[], float] = time.time,
    log: Callable[[str], None] | None = print,
) -> list[PollResult]:
    """Keep ``index`` current with ``feeds`` until ``stop`` is set (or after one round with
    ``once``). Returns the last round's results."""
    stop = stop or threading.Event()
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    results: list[PollResult] = []
    try:
        while not stop.is_set():
            results = poll_once(
                index, feeds, fetcher=fetcher, clock=clock, schedule=not once, stop=stop, log=log
            )
            if once:
                break
            stop.wait(_seconds_to_next(index, feeds, clock()))
    finally:
        if own:
            fetcher.close()
    return results


def _seconds_to_next(index: Index, feeds: Sequence[Feed], now: float) -> float:
    states = feed_states(index)
    times = [_seconds(states[f.url].next_poll) if f.url in states else now for f in feeds]
    return min(max(min(times, default=now) - now, 0.5), DEFAULT_INTERVAL)


def start_background(
    index: Index,
    feeds: Sequence[Feed],
    log: Callable[[str], None] | None = print,
    fetcher: Fetcher | None = None,
) -> tuple[threading.Thread, threading.Event]:
    """Run ``watch`` in a daemon thread (the chat app's ``--watch``); set the returned event
    to stop it after the current feed."""
    stop = threading.Event()

    def run() -> None:
        try:
            watch(index, feeds, stop=stop, log=log, fetcher=fetcher)
        except Exception as error:  # the chat goes on serving; say why watching stopped
            if log:
                log(f"feed watcher stopped: {type(error).__name__}: {error}")

    thread = threading.Thread(target=run, name="newsqa-watch", daemon=True)
    thread.start()
    return thread, stop
