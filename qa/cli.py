"""The command line: ``python -m qa`` (or ``newsqa``). Thin: it calls the public library."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from qa.embed import BACKENDS
from qa.errors import NewsQAError
from qa.fusion import DEFAULT_MODE, MODES
from qa.records import Filters
from qa.safety import write_error
from qa.store import DB_NAME, corrupt_error, is_corruption

# Not imported from qa.index: `--help` should not wait for FAISS, bm25s, spaCy and the rest,
# which each command imports when it runs (measured in BENCHMARKS.md, "Lazy imports").
DEFAULT_INDEX_DIR = "index"
DEFAULT_FEED_DELAY = 1.0  # qa.fetch.DEFAULT_DELAY, written here so --help needs no HTTP client

DESCRIPTION = """\
Question answering over news articles with sentence-exact citations.

Typical use:
  python -m qa ingest data/ --index index/        build or update an index
  python -m qa ask "What did Ohanian say?"        answer with cited sentences
  python -m qa retrieve "How many Armenian officers will study in Russia?" --k 5
  python -m qa info --index index/                what the index holds
  python -m qa delete <article id or url>         remove an article
  python -m qa rebuild --index index/             re-make an index after an upgrade
  python -m qa watch --feeds feeds.toml           keep the index current with RSS/Atom feeds
  python -m qa ingest data/ --engine ray          ingest on Ray (pip install -e '.[ray]')
  python -m qa serve --engine ray --shards 2      answer over HTTP from Ray Serve
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qa",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--index",
            default=DEFAULT_INDEX_DIR,
            metavar="DIR",
            help=f"index folder (default: {DEFAULT_INDEX_DIR}/)",
        )
        return sub

    ingest = command(
        "ingest",
        "Add articles from files and folders (txt, md, html, json, jsonl, rss/atom). "
        "Unchanged articles are skipped; changed ones (same url) are replaced.",
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of articles")
    ingest.add_argument(
        "--model",
        default=None,
        help="sentence-transformers model folder for a NEW index "
        "(default: the bundled all-MiniLM-L6-v2)",
    )
    ingest.add_argument(
        "--chunk-tokens",
        type=int,
        default=None,
        help="token budget per chunk for a NEW index (default: 128 cl100k tokens)",
    )
    ingest.add_argument(
        "--overlap",
        type=int,
        default=None,
        help="sentences shared by consecutive chunks for a NEW index (default: 0)",
    )
    ingest.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="how the model runs, for a NEW index (default: $NEWSQA_BACKEND or onnx; "
        "onnx-int8 is faster, with slightly different vectors; an existing index keeps "
        "its own)",
    )
    ingest.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_scale_options(ingest)
    ingest.add_argument(
        "--follow-links",
        action="store_true",
        help="inside a folder, also read files that symbolic links point to outside it "
        "(default: such links are skipped and reported)",
    )

    retrieve = command("retrieve", "Show the passages that best match a question.")
    retrieve.add_argument("question", help="the question, in quotes")
    _add_search_options(retrieve)

    ask = command(
        "ask",
        "Answer a question with sentences quoted from the articles, each cited; says so when "
        "the articles don't answer it.",
    )
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument(
        "--all",
        action="store_true",
        help="list every story of a digest (\"What happened in X?\"), not only the first "
        "8 by relevance",
    )
    _add_search_options(ask, k=False)

    info = command("info", "Show what an index holds: counts, model, settings, sources, size.")
    info.add_argument("--articles", action="store_true", help="also list every article's id")
    info.add_argument("--json", action="store_true", help="print JSON")

    command(
        "rebuild",
        "Re-make an index with this version of newsqa from the articles it holds (after an "
        "upgrade changed how articles are split or searched); its model and settings are kept.",
    ).add_argument("--quiet", action="store_true", help="no progress bars")

    delete = command("delete", "Remove an article (by id or url) with its sentences and vectors.")
    delete.add_argument(
        "article", metavar="ID_OR_URL", help="article id (see info --articles) or url"
    )
    watch = command(
        "watch",
        "Follow RSS/Atom feeds and add their new articles as they appear. Each poll is a "
        "conditional request; what is already indexed is not fetched or embedded again.",
    )
    watch.add_argument(
        "feeds", nargs="*", metavar="URL_OR_FILE",
        help="feed urls, local feed files, or feeds files (.toml)",
    )  # fmt: skip
    watch.add_argument(
        "--feeds", action="append", default=[], metavar="FEEDS.TOML", dest="feeds_files",
        help='a feeds file: [[feed]] tables with url = "...", optional source and interval',
    )  # fmt: skip
    watch.add_argument(
        "--every", default="15m", metavar="INTERVAL",
        help="time between polls of a feed, e.g. 90s, 15m, 2h (default: 15m)",
    )  # fmt: skip
    watch.add_argument(
        "--delay", type=float, default=DEFAULT_FEED_DELAY, metavar="SECONDS",
        help=f"pause between two requests to one site (default: {DEFAULT_FEED_DELAY:g}; "
        "a longer robots.txt Crawl-delay wins)",
    )  # fmt: skip
    watch.add_argument(
        "--once", action="store_true",
        help="poll every feed once and exit (for cron); feeds backing off are left out",
    )  # fmt: skip
    _add_serve_command(command)
    return parser


# -- scale-out on Ray (qa.distributed) ------------------------------------------------------


def _add_scale_options(ingest: argparse.ArgumentParser) -> None:
    ingest.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="where to segment, chunk and embed: this process (default) or Ray, the cluster "
        "at $RAY_ADDRESS or a local one (needs: pip install -e '.[ray]'); same results",
    )
    ingest.add_argument(
        "--workers",
        type=int,
        default=None,
        help="--engine ray: embedding actors (default: one per two cores of the cluster)",
    )
    ingest.add_argument(
        "--shards",
        type=int,
        default=None,
        help="keep the dense vectors in N shards (qa.distributed.shards: IVF chosen by size) "
        "instead of one FAISS file; kept for later ingests",
    )


def _add_serve_command(command) -> None:
    serve = command(
        "serve",
        "Answer questions over HTTP from Ray Serve: one deployment per dense shard, an "
        "ingress that embeds, fans out and answers (POST /ask, POST /retrieve, GET /health).",
    )
    serve.add_argument(
        "--engine", choices=("ray",), default="ray", help="serving engine (only ray; the "
        "single-machine server is app.py)",
    )  # fmt: skip
    serve.add_argument("--shards", type=int, default=None, help="dense shards (default: as "
                       "the index has them, else 2)")  # fmt: skip
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")


def _serve(args: argparse.Namespace) -> int:
    import time

    from qa.distributed import require_ray

    require_ray()
    from qa.distributed import serve

    url = serve.start(args.index, args.shards, host=args.host, port=args.port)
    print(f"newsqa on Ray Serve at {url}  (POST /ask; Ctrl+C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        from ray import serve as ray_serve

        ray_serve.shutdown()
    return 0


def _add_search_options(sub: argparse.ArgumentParser, k: bool = True) -> None:
    if k:
        sub.add_argument("--k", type=int, default=5, help="how many passages (default: 5)")
    sub.add_argument(
        "--mode",
        choices=MODES,
        default=DEFAULT_MODE,
        help=f"retrieval mode (default: {DEFAULT_MODE}: dense + BM25 fused)",
    )
    sub.add_argument("--source", action="append", default=[], help="only this source (repeatable)")
    sub.add_argument("--since", default="", help="only articles published on/after YYYY-MM-DD")
    sub.add_argument("--until", default="", help="only articles published on/before YYYY-MM-DD")
    sub.add_argument(
        "--today",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the question is asked on: time words ('last week') are read from it "
        "(default: from the newest article's date), and a question naming no time prefers "
        "the stories of the days before it (without --today: only on an index with articles "
        "of the last 7 days, as of today)",
    )
    sub.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date written YYYY-MM-DD (e.g. 2025-03-05)"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except NewsQAError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # bad argument values from the library (k, dates, ...)
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (sqlite3.Error, OSError) as error:
        print(f"error: {_storage_problem(Path(args.index), error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the index keeps its last committed state", file=sys.stderr)
        return 130


def _storage_problem(folder: Path, error: sqlite3.Error | OSError) -> str:
    """One line for an error of the disk or the database file (never a traceback)."""
    failure = write_error(folder, error)
    if failure is not None:
        return str(failure)
    if is_corruption(error):
        return str(corrupt_error(folder / DB_NAME, error))
    if isinstance(error, sqlite3.Error):
        return (f"the index database {folder / DB_NAME} cannot be used ({error}); check that "
                "it is readable and no other program holds it")
    return f"{error.strerror or error}: {error.filename or folder}"


def _ingest(args: argparse.Namespace) -> int:
    options = {
        key: value
        for key, value in (
            ("model", args.model),
            ("chunk_tokens", args.chunk_tokens),
            ("overlap", args.overlap),
            ("backend", args.backend),
        )
        if value is not None
    }
    from qa.index import Index

    if args.workers is not None:  # read by qa.distributed.ingest.RayOptions
        os.environ["NEWSQA_RAY_WORKERS"] = str(args.workers)
    with Index.open(args.index, create=True, **options) as index:
        report = index.ingest(
            args.paths,
            progress=not args.quiet,
            engine=args.engine,
            follow_links=args.follow_links,
        )
        if args.shards:  # the sharded dense backend
            from qa.distributed.shards import use_sharded_backend

            use_sharded_backend(index, args.shards)
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    print(f"{args.index}: {report.summary()}")
    if report.chunks_resplit:
        print(f"note: {report.chunks_resplit} chunks were re-cut to fit the model's input limit")
    nothing_loaded = not (report.added or report.updated or report.unchanged)
    return 1 if nothing_loaded and report.skipped else 0


def _retrieve(args: argparse.Namespace) -> int:
    from qa.index import Index
    from qa.present import format_passage

    filters = Filters(tuple(args.source), args.since, args.until)
    with Index.open(args.index) as index:
        question, filters, notes = index.interpret_time(args.question, filters, args.today)
        passages = index.retrieve(
            question, args.k, mode=args.mode, filters=filters, today=args.today
        )
    for note in notes:  # on stderr, so --json output stays machine-readable
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps([p.to_dict() for p in passages], ensure_ascii=False, indent=2))
        return 0
    if not passages:
        print("no passages match (check the filters, or ingest articles first)")
    for passage in passages:
        print(format_passage(passage))
    return 0


def _ask(args: argparse.Namespace) -> int:
    from qa.index import Index
    from qa.present import format_answer

    filters = Filters(tuple(args.source), args.since, args.until)
    with Index.open(args.index) as index:
        answer = index.ask(args.question, filters=filters, mode=args.mode, today=args.today)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(format_answer(answer, every=args.all))
    return 0


def _info(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index) as index:
        info = index.info().to_dict()
        articles = index.articles() if args.articles else []
    if args.json:
        if articles:
            info["articles"] = [
                {"id": a.id, "title": a.title, "source": a.source, "published": a.published}
                for a in articles
            ]
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    for key, value in info.items():
        if key == "sources":
            value = ", ".join(f"{name or '(none)'} ({n})" for name, n in value.items()) or "-"
        elif key == "size_bytes":
            key, value = "size", f"{int(value) / 1e6:.2f} MB"
        print(f"{key:>18}: {value}")
    for article in articles:
        print(f"{article.id}  {article.published[:10]:10}  {article.source:20.20}  {article.title}")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from qa.index import rebuild_index

    report = rebuild_index(args.index, progress=not args.quiet)
    print(f"{args.index}: rebuilt, {report.summary()}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index) as index:
        article = index.delete(args.article)
    print(f"deleted {article.id}: {article.title}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from qa import watch

    return watch.run(args)


COMMANDS = {
    "ask": _ask,
    "ingest": _ingest,
    "retrieve": _retrieve,
    "info": _info,
    "rebuild": _rebuild,
    "delete": _delete,
    "watch": _watch,
    "serve": _serve,
}
