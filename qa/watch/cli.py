"""``python -m qa watch``: watch feeds from the command line until done or Ctrl+C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qa.fetch import Fetcher
from qa.watch.feeds import feeds_from_arguments, parse_interval
from qa.watch.loop import watch


def run(args: argparse.Namespace) -> int:
    """``python -m qa watch``: 0 when done (or stopped), 1 when a feed failed in --once mode,
    130 when stopped by Ctrl+C."""
    from qa.index import Index  # late: qa.index imports this module's users

    every = parse_interval(args.every)
    feeds = feeds_from_arguments(args.feeds, args.feeds_files, every)
    if args.delay < 0:
        raise ValueError(f"--delay of {args.delay:g} s is negative; use 0 or more")
    stop = threading.Event()
    interrupted = _stop_on_interrupt(stop)
    with Index.open(args.index, create=True) as index:
        plural = "" if len(feeds) == 1 else "s"
        how = "once" if args.once else f"every {args.every} (Ctrl+C to stop)"
        _log(f"watching {len(feeds)} feed{plural} for {args.index}/ {how}")
        try:
            with Fetcher(delay=args.delay) as fetcher:
                results = watch(index, feeds, once=args.once, stop=stop, fetcher=fetcher, log=_log)
        finally:
            signal.signal(signal.SIGINT, interrupted.previous)
    if interrupted.count:
        print("stopped; the index keeps everything added so far", file=sys.stderr)
        return 130
    return 1 if args.once and any(r.outcome == "failed" for r in results) else 0


@dataclass
class _Interrupts:
    previous: Any
    count: int = 0


def _stop_on_interrupt(stop: threading.Event) -> _Interrupts:
    """First Ctrl+C: finish the current feed's batch, then stop. Second: stop now (the
    open transaction rolls back, so the index still holds only whole batches)."""
    seen = _Interrupts(signal.getsignal(signal.SIGINT))

    def handler(signum: int, frame: object) -> None:
        seen.count += 1
        if seen.count > 1:
            raise KeyboardInterrupt
        stop.set()
        print("stopping after the current feed (Ctrl+C again to stop now)", file=sys.stderr)

    seen.previous = signal.signal(signal.SIGINT, handler)
    return seen


def _log(line: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {line}", flush=True)
