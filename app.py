"""The newsqa web chat: ask questions about news articles, get quoted, cited answers.

    python app.py                                   # index/ on http://127.0.0.1:7860
    python app.py --index DIR --host H --port P
    python app.py --watch feeds.toml                # and keep it current with RSS/Atom feeds
    python app.py --backend-url http://127.0.0.1:8000   # answers from Ray Serve (docs/scale.md)
    python app.py --host 0.0.0.0 --auth user:pass   # for other machines: with a login

Thin by design: this file lays out the page and calls the public ``qa`` library (``Index.ask``,
``load_paths``, ``parse_text``, ``Index.add``); answering and retrieval live in ``qa/``.
``create_app(index)`` builds the page for any open index (the tests use it) and ``serve``
starts it. The chat is also an API endpoint, ``/ask``, for ``gradio_client``.

Over 400 lines because a Gradio page is long to lay out (chat, sources panel, filters,
upload, freshness header, queue limits, login); everything it shows is rendered by
``qa.present`` and everything it answers comes from ``qa``.
"""

from __future__ import annotations

import argparse
import html
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from qa.errors import IndexNotFoundError, LoadError, NewsQAError
from qa.index import DEFAULT_INDEX_DIR, Index, IngestReport
from qa.load import SUPPORTED_SUFFIXES, Skipped, load_paths, parse_text
from qa.present import (
    chat_messages,
    escape_markdown,
    index_stats,
    ingest_summary,
    sources_html,
)
from qa.records import Answer, Filters, check_date
from qa.store import DB_NAME, corrupt_error
from qa.watch import feeds_from_arguments, freshness, start_background

DEFAULT_HOST = "127.0.0.1"  # local only: the index may hold articles not meant to be public
DEFAULT_PORT = 7860
DEFAULT_DATA_DIR = "data"
MAX_UPLOAD_MB = 20  # per file; Gradio refuses a bigger one before it is stored
MAX_UPLOAD_FILES = 50  # per "Add to index"
MAX_UPLOAD_TOTAL_MB = 100  # per "Add to index", all files together
# The request queue (RELIABILITY.md, "Load"). Questions are answered one at a time (the
# index's lock), in about 0.3-1 s each on 2 cores: 128 waiting requests is a minute or two of
# work, past which a newcomer is better told "busy, try again" (Gradio's HTTP 503, shown in
# the page as "This application is currently busy. Please try again.") than left waiting.
# 4 workers overlap one answer's rendering and the page's small events with the next answer.
MAX_QUEUE = 128
CONCURRENCY = 4
AUTH_ENV = "NEWSQA_AUTH"  # user:password, kept out of the process list unlike --auth
HEADER_REFRESH_SECONDS = 30  # the header's "newest ... ago" line is redrawn this often
# Pasted text gets the same limit as a file (a character is at least one byte).
MAX_PASTE_CHARS = MAX_UPLOAD_MB * 1024 * 1024
SAMPLE_TITLE = "Shoigu welcomes “strategic” military ties with Azerbaijan"
SAMPLE_QUESTIONS = (
    "What did Ohanian say?",
    "How many Armenian officers will study in Russian academies?",
    "What did the Armenian leaders accuse Russia of?",
)
# Gradio spots a progress bar by a gr.Progress default; track_tqdm shows the library's own
# ingest bars in the page.
_PROGRESS = gr.Progress(track_tqdm=True)
# Local system fonts: the default theme font would be fetched from Google at page load.
_FONTS = ("ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "sans-serif")
# escape_markdown turns a marker "[1]" into "\[1\]"; this finds it again to style it.

HELP = (
    "Answers are sentences quoted word for word from the articles, each with a numbered "
    "citation [n]; the sources panel shows every cited sentence highlighted in its paragraph. "
    "Ask follow-up questions in the same chat. When the articles don't answer, you get the "
    "closest passages instead of a guess."
)

CSS = """
.gradio-container { max-width: 1320px !important; margin: 0 auto; }
#nq-header h1 { margin: 4px 0 4px 0; font-size: 1.7rem; letter-spacing: -0.01em; }
#nq-header p { margin: 0; color: var(--body-text-color-subdued); max-width: 980px; }
#nq-header .nq-stats { margin-top: 6px; font-size: 0.85rem; font-weight: 600; }
#nq-chat .message sup { color: var(--color-accent); font-weight: 600; }
#nq-filter-status p { font-size: 0.85rem; margin: 0; }
#nq-sources { max-height: 660px; overflow-y: auto !important; padding-right: 4px; }
.nq-panel-title { font-weight: 600; font-size: 0.95rem; margin: 2px 0 10px 0; }
.nq-empty { color: var(--body-text-color-subdued); font-size: 0.9rem; }
.nq-source { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 10px 12px; margin-bottom: 10px; background: var(--background-fill-secondary); }
.nq-title { font-weight: 600; line-height: 1.3; }
.nq-title a { color: inherit; text-decoration: underline; text-underline-offset: 2px; }
.nq-n { display: inline-block; min-width: 1.6em; padding: 0 4px; margin-right: 6px;
  border-radius: 6px; text-align: center; font-size: 0.8rem; color: white;
  background: var(--color-accent); }
.nq-meta { font-size: 0.8rem; color: var(--body-text-color-subdued); margin: 2px 0 6px 0; }
.nq-excerpt { font-size: 0.9rem; line-height: 1.5; margin: 6px 0 0 0; padding-left: 10px;
  border-left: 3px solid var(--border-color-primary); }
.nq-excerpt mark { background: #fde68a; color: #111827; padding: 0 2px; border-radius: 3px; }
.nq-also { font-size: 0.8rem; margin-top: 6px; color: var(--body-text-color-subdued); }
.nq-closest .nq-source { background: transparent; border-style: dashed; }
.nq-timeline ol { list-style: none; padding-left: 0; margin: 0 0 12px 0;
  border-left: 2px solid var(--color-accent); }
.nq-timeline ol > li { margin: 0 0 8px 0; padding-left: 10px; font-size: 0.85rem; }
.nq-timeline ul { margin: 2px 0 0 0; padding-left: 16px; }
.nq-date { font-weight: 600; font-variant-numeric: tabular-nums; }
.nq-timeline .nq-hidden { color: var(--body-text-color-subdued); }
"""


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Open the newsqa web chat: ask questions about the articles in an index and "
        "get answers quoted from them, with citations. On first run, when the index does not "
        f"exist, it is built from --data (default: {DEFAULT_DATA_DIR}/).",
    )
    parser.add_argument(
        "--index",
        default=DEFAULT_INDEX_DIR,
        metavar="DIR",
        help=f"index folder (default: {DEFAULT_INDEX_DIR}/)",
    )
    parser.add_argument(
        "--data",
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"articles to build a missing index from (default: {DEFAULT_DATA_DIR}/)",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only; "
        "0.0.0.0 makes the chat reachable from your network)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--auth",
        default=None,
        metavar="USER:PASSWORD",
        help="ask for this user name and password before showing the chat (Gradio's login "
        f"page); use it, or the {AUTH_ENV} environment variable, whenever --host makes the "
        "chat reachable from other machines",
    )
    parser.add_argument(
        "--max-queue",
        type=int,
        default=MAX_QUEUE,
        metavar="N",
        help=f"requests that may wait for an answer; one more is told the chat is busy and to "
        f"try again (default: {MAX_QUEUE})",
    )
    parser.add_argument(
        "--example",
        action="append",
        default=[],
        metavar="QUESTION",
        help="an example question to offer in the chat (repeatable; default: a few that fit "
        "the loaded articles)",
    )
    parser.add_argument(
        "--watch",
        action="append",
        default=[],
        metavar="FEEDS",
        help="keep the index current with RSS/Atom feeds while the chat serves: a feeds file "
        "(feeds.toml) or a feed url (repeatable); see docs/watch.md",
    )
    parser.add_argument(
        "--backend-url",
        default="",
        metavar="URL",
        help="answer from a Ray Serve backend (python -m qa serve --engine ray) at URL over the "
        "same index, instead of in this process; see docs/scale.md",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.backend_url:  # questions go to the Ray Serve ingress
        from qa.distributed.client import RemoteAnswers

        global BACKEND
        BACKEND = RemoteAnswers(args.backend_url)
    try:
        auth = parse_auth(args.auth or os.environ.get(AUTH_ENV, ""))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.max_queue < 1:
        print("error: --max-queue must be at least 1", file=sys.stderr)
        return 2
    if auth is None and args.host not in LOCAL_HOSTS:
        print(f"warning: the chat on {args.host} is reachable from other machines without a "
              f"password; pass --auth USER:PASSWORD (or set {AUTH_ENV})", file=sys.stderr)
    try:
        index = open_or_build(args.index, args.data)
        app = create_app(index, examples=args.example or None)  # reads the whole index
    except (NewsQAError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as error:  # damage found while reading the articles
        print(f"error: {corrupt_error(Path(args.index) / DB_NAME, error)}", file=sys.stderr)
        return 2
    if args.watch:
        try:
            feeds = feeds_from_arguments(args.watch)
        except NewsQAError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        start_background(index, feeds)  # a daemon thread: it ends with the server
        print(f"watching {len(feeds)} feed{'' if len(feeds) == 1 else 's'}", flush=True)
    print(f"newsqa chat on http://{args.host}:{args.port}  (Ctrl+C to stop)")
    try:
        serve(app, args.host, args.port, max_queue=args.max_queue, auth=auth)
    except OSError as error:  # Gradio's "Cannot find empty port", or a bad --host
        hint = f"Is the chat already running? Try --port {args.port + 1}."
        print(f"error: {error}\n{hint}", file=sys.stderr)
        return 2
    return 0


def open_or_build(folder: str | Path, data: str | Path) -> Index:
    """Open the index in ``folder``; if there is none yet, build it from ``data`` and show
    the progress in the terminal (the first run embeds every article, which takes a while)."""
    try:
        return Index.open(folder)
    except IndexNotFoundError:
        pass
    loaded = load_paths([data])  # before creating anything: a typo must not leave an empty index
    if not loaded.articles:
        problems = "; ".join(str(skipped) for skipped in loaded.skipped[:3])
        raise NewsQAError(
            f"no index in {folder}/ and no articles to build one from in {data} ({problems}); "
            "pass --data with a folder of articles"
        )
    print(f"No index in {folder}/ yet: building it from {data}/ ...", flush=True)
    index = Index.open(folder, create=True)
    report = index.add(loaded.articles, progress=True)
    report.skipped[:0] = loaded.skipped
    for skipped in report.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    print(f"{folder}: {report.summary()}", flush=True)
    return index


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def parse_auth(value: str) -> tuple[str, str] | None:
    """(user, password) from "user:password"; None for ""; ``ValueError`` saying how to
    write it otherwise."""
    if not value:
        return None
    user, colon, password = value.partition(":")
    if not colon or not user.strip() or not password:
        raise ValueError("--auth takes USER:PASSWORD, e.g. --auth editor:long-secret-phrase")
    return user.strip(), password


def bypass_proxy_for_local_hosts(host: str) -> None:
    """Gradio checks that its server is up with a plain HTTP request that honours
    HTTP(S)_PROXY: on a machine with a proxy set, the check of our own loopback server would
    go to the proxy (and fail, or leave the machine). Local hosts join ``NO_PROXY``."""
    local = ["127.0.0.1", "localhost", "::1", host]
    for name in ("NO_PROXY", "no_proxy"):
        hosts = [h.strip() for h in os.environ.get(name, "").split(",") if h.strip()]
        os.environ[name] = ",".join(dict.fromkeys([*hosts, *local]))


def serve(
    app: gr.Blocks,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    block: bool = True,
    max_queue: int = MAX_QUEUE,
    auth: tuple[str, str] | None = None,
) -> str:
    """Start the server and return its url. ``block=False`` returns at once (tests stop it
    with ``app.close()``). Theme, CSS and the upload limit are launch options in Gradio 6.
    ``max_queue``: requests that may wait (see ``MAX_QUEUE``); ``auth``: a login."""
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=max_queue)
    bypass_proxy_for_local_hosts(host)
    _, url, _ = app.launch(
        auth=auth,
        auth_message="newsqa: sign in to ask the news" if auth else None,
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        max_file_size=f"{MAX_UPLOAD_MB}mb",
        theme=gr.themes.Soft(primary_hue="indigo", neutral_hue="slate", font=_FONTS),
        css=CSS,
        footer_links=["api"],
        show_error=True,
        quiet=not block,
    )
    return url


# ---------------------------------------------------------------------------------------------
# Talking to the library
# ---------------------------------------------------------------------------------------------


# Set by --backend-url; answers then come from Ray Serve (qa.distributed.client)
BACKEND: Any = None


def ask(
    index: Index, question: str, turns: Sequence[tuple[str, Answer]], filters: Filters | None
) -> Answer:
    """``index.ask`` with the conversation so far (its answers, oldest first) as history."""
    if BACKEND is not None:
        return BACKEND.ask(question, [answer for _, answer in turns], filters)
    return index.ask(question, history=[answer for _, answer in turns], filters=filters)


def parse_filters(sources: Sequence[str] | None, since: str, until: str) -> Filters:
    """Filters from the form; a badly written date raises ``ValueError`` naming the box and
    saying how to fix it."""
    since, until = (since or "").strip(), (until or "").strip()
    for label, value in (("Published from (since)", since), ("Published to (until)", until)):
        if value:
            check_date(value, label)
    if since and until and since > until:  # Filters checks this too, in the library's words
        raise ValueError(f"Published from {since} is after published to {until}; swap them")
    return Filters(sources=tuple(sources or ()), since=since, until=until)


def example_questions(index: Index) -> list[str]:
    """Questions to offer on an empty chat: tested ones for the bundled sample, otherwise
    one about each of the newest articles."""
    articles = index.articles()
    if any(a.title.startswith(SAMPLE_TITLE) for a in articles):
        return list(SAMPLE_QUESTIONS)
    newest = sorted(articles, key=lambda a: a.published, reverse=True)[:3]
    return [f"What does “{a.title}” report?" for a in newest]


def add_articles(
    index: Index, files: Sequence[str] | None, pasted: str, progress: Any = None
) -> str:
    """Load uploaded files and pasted text, add them to ``index`` and return a Markdown report
    of what was added, updated, left unchanged and skipped (and why)."""
    if progress is not None:
        progress(0, desc="Reading articles")
    names: dict[str, str] = {}  # upload temp path -> the file name the user knows
    paths: list[str] = []
    skipped: list[Skipped] = []
    files = list(files or [])
    if len(files) > MAX_UPLOAD_FILES:
        return (
            f"**Nothing added:** {len(files)} files is more than the {MAX_UPLOAD_FILES} one "
            "upload takes. Add them in smaller groups, or all at once with: "
            "`python -m qa ingest FOLDER`"
        )
    budget = MAX_UPLOAD_TOTAL_MB * 1024 * 1024
    for path in files:
        name = Path(path).name
        names[str(path)] = name
        if not Path(path).is_file():  # a folder or a link: uploads are plain files only
            skipped.append(Skipped(name, "not an uploaded file"))
            continue
        size = Path(path).stat().st_size
        if size > MAX_UPLOAD_MB * 1024 * 1024:
            skipped.append(
                Skipped(
                    name,
                    f"{size / 1024 / 1024:.1f} MB is over the {MAX_UPLOAD_MB} MB upload limit; "
                    "split it, or add it with: python -m qa ingest FILE",
                )
            )
        elif size > budget:
            skipped.append(
                Skipped(
                    name,
                    f"the files of one upload may total {MAX_UPLOAD_TOTAL_MB} MB; add this "
                    "one in another upload, or with: python -m qa ingest FILE",
                )
            )
        else:
            budget -= size
            paths.append(str(path))
    loaded = load_paths(paths)
    articles = list(loaded.articles)
    skipped += loaded.skipped
    if pasted and pasted.strip():
        if len(pasted) > MAX_PASTE_CHARS:
            skipped.append(
                Skipped("pasted text", f"longer than the {MAX_UPLOAD_MB} MB limit; upload it")
            )
        else:
            try:
                articles += parse_text(pasted, name="pasted text")
            except LoadError as error:
                skipped.append(Skipped(error.path, error.problem))
    if not articles and not skipped:
        return "Choose files or paste an article first."
    if progress is not None:
        progress(0.1, desc=f"Adding {len(articles)} articles")
    report = index.add(articles, progress=progress is not None) if articles else IngestReport()
    report.skipped[:0] = skipped
    return ingest_summary(report, articles, names)


# ---------------------------------------------------------------------------------------------
# Page pieces (the rendering itself is qa.present's)
# ---------------------------------------------------------------------------------------------


def header_html(index: Index) -> str:
    return (
        f"<h1>newsqa · ask the news</h1><p>{html.escape(HELP)}</p>"
        f'<p class="nq-stats">{html.escape(index_stats(index.info(), freshness(index)))}</p>'
    )


def _source_choices(index: Index) -> list[tuple[str, str]]:
    sources = index.info().sources
    return [(f"{name} ({count})", name) for name, count in sorted(sources.items()) if name]


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def create_app(index: Index, examples: Sequence[str] | None = None) -> gr.Blocks:
    """The chat page for ``index``: chat on the left, sources on the right, filters under the
    question box and an "Add articles" tab. Serve it with ``serve(app, host, port)``."""
    questions = list(examples) if examples else example_questions(index)

    def respond(
        question: str,
        turns: list[tuple[str, Answer]],
        sources: list[str] | None,
        since: str,
        until: str,
    ) -> Iterator[tuple[Any, ...]]:
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            filters = parse_filters(sources, since, until)
        except ValueError as error:
            gr.Warning(str(error))
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), f"⚠ {escape_markdown(str(error))}"
            return
        # Show the question at once; the answer follows when ready.
        yield chat_messages([*turns, (question, None)]), gr.skip(), gr.skip(), "", gr.skip()
        try:
            answer = ask(index, question, turns, filters)
        except NewsQAError as error:
            gr.Warning(str(error))
            yield chat_messages(turns), gr.skip(), gr.skip(), question, gr.skip()
            return
        turns = [*turns, (question, answer)]
        yield chat_messages(turns), sources_html(answer), turns, "", ""

    def check_dates(since: str, until: str) -> str:
        try:
            parse_filters((), since, until)
        except ValueError as error:
            return f"⚠ {escape_markdown(str(error))}"
        return ""

    def clear() -> tuple[Any, ...]:
        return [], sources_html(None), [], ""

    def pick_example(event: gr.SelectData) -> str:
        return event.value["text"]

    def ingest(
        files: list[str] | None, pasted: str, progress: gr.Progress = _PROGRESS
    ) -> tuple[Any, ...]:
        try:
            summary = add_articles(index, files, pasted, progress)
        except NewsQAError as error:  # disk full, a damaged index: say so, keep the page
            summary = f"**Could not add the articles:** {escape_markdown(str(error))}"
        return (
            summary,
            gr.update(choices=_source_choices(index)),
            header_html(index),
            None,
            "",
        )

    def refresh() -> tuple[Any, ...]:
        return header_html(index), gr.update(choices=_source_choices(index))

    def ask_api(
        question: str,
        history: list[str] | None = None,
        sources: list[str] | None = None,
        since: str = "",
        until: str = "",
    ) -> tuple[str, dict]:
        """Answer a question from the articles. ``history``: the earlier questions of the
        conversation, oldest first, so follow-ups ("What else did he say?") resolve. Returns
        the answer text with [n] markers and the full answer as JSON (citations, closest
        passages when it abstains)."""
        try:
            filters = parse_filters(sources, since, until)
            turns: list[tuple[str, Answer]] = []
            for earlier in history or []:
                turns.append((earlier, ask(index, earlier, turns, filters)))
            answer = ask(index, question, turns, filters)
        except (NewsQAError, ValueError) as error:
            raise gr.Error(str(error)) from None
        return answer.text, answer.to_dict()

    with gr.Blocks(title="newsqa: ask the news", analytics_enabled=False) as app:
        turns_state = gr.State([])
        header = gr.HTML(header_html(index), elem_id="nq-header", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=420):
                    chatbot = gr.Chatbot(
                        elem_id="nq-chat",
                        label="Chat",
                        show_label=False,
                        height=520,
                        layout="bubble",
                        examples=[{"text": q} for q in questions],
                        placeholder="**Ask a question about the articles**<br>"
                        "or start with one of these:",
                        latex_delimiters=[],
                        allow_tags=False,
                        sanitize_html=True,
                        feedback_options=None,
                        buttons=["copy"],
                    )
                    question = gr.Textbox(
                        placeholder="Ask about the news, e.g. What did Ohanian say?",
                        show_label=False,
                        submit_btn="Ask",
                        elem_id="nq-question",
                        autofocus=True,
                    )
                    with gr.Row():
                        source_filter = gr.Dropdown(
                            choices=_source_choices(index),
                            multiselect=True,
                            label="Only from these sources",
                            info="Empty: all sources",
                            scale=2,
                        )
                        since_box = gr.Textbox(
                            label="Published from", placeholder="YYYY-MM-DD", scale=1
                        )
                        until_box = gr.Textbox(
                            label="Published to", placeholder="YYYY-MM-DD", scale=1
                        )
                    with gr.Row():
                        filter_status = gr.Markdown("", elem_id="nq-filter-status")
                        clear_btn = gr.Button("New conversation", size="sm", scale=0)
                with gr.Column(scale=2, min_width=340):
                    sources = gr.HTML(
                        sources_html(None), elem_id="nq-sources", js_on_load=None
                    )
            with gr.Tab("Add articles"):
                gr.Markdown(
                    "Upload files or paste an article; it is added to the open index and "
                    "searchable at once. Formats: "
                    + ", ".join(f"`{s}`" for s in SUPPORTED_SUFFIXES)
                    + f". Up to {MAX_UPLOAD_FILES} files and {MAX_UPLOAD_TOTAL_MB} MB at a "
                    f"time, {MAX_UPLOAD_MB} MB per file (no archives). Pasted JSON needs a "
                    '`"text"` field (optional `"title"`, `"source"`, `"url"`, `"published"`); '
                    "pasted plain text uses its first line as the title."
                )
                with gr.Row():
                    files = gr.File(
                        label="Files",
                        file_count="multiple",
                        file_types=list(SUPPORTED_SUFFIXES),
                        type="filepath",
                    )
                    pasted = gr.Textbox(
                        label="Or paste an article (text, Markdown, HTML or JSON)",
                        lines=10,
                        max_lines=20,
                    )
                add_btn = gr.Button("Add to index", variant="primary")
                ingest_report = gr.Markdown(elem_id="nq-ingest-report")

        answer_outputs = [chatbot, sources, turns_state, question, filter_status]
        answer_inputs = [question, turns_state, source_filter, since_box, until_box]
        # A question sent while the last answer is still on its way is answered after it
        # (Gradio's default drops it: the answer was on screen, the next Enter did nothing).
        question.submit(
            respond, answer_inputs, answer_outputs, api_visibility="undocumented",
            trigger_mode="always_last",
        )
        chatbot.example_select(
            pick_example, None, question, api_visibility="undocumented", queue=False
        ).then(respond, answer_inputs, answer_outputs, api_visibility="undocumented")
        for box in (since_box, until_box):
            box.blur(
                check_dates, [since_box, until_box], filter_status, api_visibility="undocumented"
            )
        clear_outputs = [chatbot, sources, turns_state, filter_status]
        clear_btn.click(clear, None, clear_outputs, api_visibility="undocumented")
        # The chat's own trash button clears the messages; forget the conversation too.
        chatbot.clear(clear, None, clear_outputs, api_visibility="undocumented")
        add_btn.click(
            ingest,
            [files, pasted],
            [ingest_report, source_filter, header, files, pasted],
            api_visibility="undocumented",
        )
        # The page is built once; another tab may have added articles since, so each visit
        # shows the index as it is now.
        app.load(refresh, None, [header, source_filter], api_visibility="undocumented")
        # Articles arrive from the feed watcher (or another process) while the page is open.
        gr.Timer(HEADER_REFRESH_SECONDS).tick(
            lambda: header_html(index),
            None,
            header,
            api_visibility="undocumented",
            show_progress="hidden",
        )
        gr.api(ask_api, api_name="ask")
    return app


if __name__ == "__main__":
    sys.exit(main())
