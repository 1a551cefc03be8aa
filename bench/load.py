"""Load test of the web chat: many users asking, following up and filtering at once.

    python -m bench load                      # 1 user, then 100 users x 150 s, then again
                                              # during an upload
    python -m bench load --users 20 --seconds 20 --no-upload    # a quick look

What runs: ``python app.py`` in a child process on 127.0.0.1 (a free port; never another
address) over the realistic index of ``bench/_load_corpus.py`` (>= 20,000 chunks, real model; built
once and cached under ``bench/.cache/``), and ``--users`` simulated users, one thread and one
``gradio_client.Client`` each, calling the chat's ``/ask`` API:

* 50% ask a question of the news quiz, SQuAD or MultiHop-RAG sets (``../shared/datasets``),
* 30% follow up on their previous question ("When was that?" with it as history),
* 20% ask with a filter (one source, or a date range).

Each user waits ``--think-min``..``--think-max`` seconds between questions, as a reader of
the answer does. The run is bounded: users start no request after ``--seconds``; a request
that takes longer than ``--timeout`` counts as an error (a hang); the app is stopped at the
end, always.

A first run of one user asking without pause measures what one answer costs alone (the
service time); the queueing seen with many users is that time times the requests ahead.
The third run does the same as the second while a file of ``--upload-articles`` new
articles (re-dated copies of current-events pages) is uploaded and ingested through the
app's "Add articles" endpoint, on a copy of the index.

Prints a Markdown table and writes ``bench/results/load.json``: requests, errors (by kind),
"busy" refusals, latency p50/p95/p99 (per kind of request and overall) and throughput.
Figures depend on the machine and on what else runs on it: they are what this run measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "load.json"
DATASETS = ROOT.parent / "shared" / "datasets"
QUIZ = ROOT / "eval" / "data" / "news-quiz.jsonl"
HOST = "127.0.0.1"  # the load test never leaves this machine
FOLLOW_UPS = (
    "When was that?",
    "What else happened?",
    "Who was involved?",
    "Where did it happen?",
    "How many people were affected?",
)


@dataclass
class Outcome:
    kind: str  # "ask" | "follow-up" | "filter"
    started: float  # seconds since the run started
    seconds: float
    error: str = ""  # "" when answered; else the exception's type and first line
    busy: bool = False  # refused with "queue is full, try again"


@dataclass
class RunFigures:
    users: int
    seconds: float
    requests: int
    answered: int
    errors: int
    busy: int
    throughput_per_s: float
    latency_s: dict[str, dict[str, float]]
    error_kinds: dict[str, int] = field(default_factory=dict)
    upload: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------


def question_pool() -> list[str]:
    """Questions from the evaluation sets: the news quiz (written for the current-events
    pages), SQuAD 2.0 and MultiHop-RAG."""
    pool = []
    if QUIZ.exists():
        for line in QUIZ.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if "question" in record:
                pool.append(record["question"])
    for name in ("squad2-sample", "multihop-rag-sample"):
        path = DATASETS / name / "queries.json"
        if path.exists():
            pool += [q["question"] for q in json.loads(path.read_text())["queries"]]
    if not pool:
        pool = ["What did Ohanian say?", "Who met in Moscow?", "What was announced?"]
    return pool


def index_sources(folder: Path) -> list[str]:
    """The index's sources with at least 5 articles (read straight from SQLite)."""
    db = sqlite3.connect(f"file:{folder / 'newsqa.sqlite'}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT source FROM articles WHERE source != '' GROUP BY source HAVING count(*) >= 5"
        ).fetchall()
    finally:
        db.close()
    return [r[0] for r in rows] or [""]


def request_for(kind: str, rng: random.Random, pool: list[str], previous: str | None,
                sources: list[str]) -> tuple:  # fmt: skip
    """The ``/ask`` arguments (question, history, sources, since, until) of one request."""
    if kind == "follow-up" and previous:
        return rng.choice(FOLLOW_UPS), [previous], None, "", ""
    question = rng.choice(pool)
    if kind == "filter":
        if rng.random() < 0.5:
            return question, None, [rng.choice(sources)], "", ""
        year, month = rng.choice([2025, 2026]), rng.randint(1, 12)
        return question, None, None, f"{year}-{month:02d}-01", f"{year}-{month:02d}-28"
    return question, None, None, "", ""


# ---------------------------------------------------------------------------------------------
# The app in a child process
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_app(index: Path, port: int, max_queue: int | None, log: Path,
              command: list[str] | None = None) -> subprocess.Popen:  # fmt: skip
    """``python app.py --index INDEX --port PORT`` on 127.0.0.1, output to ``log``."""
    args = command or [sys.executable, str(ROOT / "app.py")]
    args += ["--index", str(index), "--host", HOST, "--port", str(port)]
    if max_queue:
        args += ["--max-queue", str(max_queue)]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    with open(log, "wb") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode} before serving")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the app did not answer on {url} within {timeout:.0f}s")


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(20)


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------


def is_busy(error: BaseException) -> bool:
    text = str(error).lower()
    return "queue is full" in text or "try again" in text


def run_users(url: str, users: int, seconds: float, *, think: tuple[float, float] = (1, 3),
              seed: int = 1, ramp: float = 5.0, timeout: float = 180.0,
              pool: list[str] | None = None, sources: list[str] | None = None,
              ) -> tuple[list[Outcome], float]:  # fmt: skip
    """``users`` threads asking for ``seconds`` (after a ``ramp`` of staggered starts);
    returns every request's outcome and the run's wall time."""
    from gradio_client import Client

    pool = pool or question_pool()
    sources = sources or [""]
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    t0 = time.monotonic()
    deadline = t0 + ramp + seconds

    def user(number: int) -> None:
        rng = random.Random(seed * 10_000 + number)
        time.sleep(ramp * number / max(1, users))
        try:
            client = Client(url, verbose=False, httpx_kwargs={"timeout": timeout})
        except Exception as error:  # noqa: BLE001 - counted, never raised
            with lock:
                outcomes.append(Outcome("connect", time.monotonic() - t0, 0.0,
                                        _describe(error), is_busy(error)))  # fmt: skip
            return
        previous: str | None = None
        try:
            while time.monotonic() < deadline:
                kind = rng.choices(["ask", "follow-up", "filter"], [5, 3, 2])[0]
                if kind == "follow-up" and previous is None:
                    kind = "ask"
                args = request_for(kind, rng, pool, previous, sources)
                started = time.monotonic()
                error: BaseException | None = None
                try:
                    client.submit(*args, api_name="/ask").result(timeout=timeout)
                except Exception as failure:  # noqa: BLE001 - counted, never raised
                    error = failure
                took = time.monotonic() - started
                with lock:
                    outcomes.append(Outcome(kind, started - t0, took,
                                            _describe(error) if error else "",
                                            bool(error) and is_busy(error)))  # fmt: skip
                if kind != "follow-up":
                    previous = args[0]
                time.sleep(rng.uniform(*think))
        finally:
            client.close()

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(ramp + seconds + timeout + 60)
    return outcomes, time.monotonic() - t0


def _describe(error: BaseException | None) -> str:
    if error is None:
        return ""
    first = (str(error).strip().splitlines() or [""])[0][:120]
    return f"{type(error).__name__}: {first}"


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "n": 0}
    if len(values) == 1:
        return {"p50": values[0], "p95": values[0], "p99": values[0], "max": values[0], "n": 1}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 3), "p95": round(cuts[94], 3), "p99": round(cuts[98], 3),
            "max": round(max(values), 3), "n": len(values)}  # fmt: skip


def summarise(outcomes: list[Outcome], users: int, wall: float) -> RunFigures:
    answered = [o for o in outcomes if not o.error]
    latency = {"all": percentiles([o.seconds for o in answered])}
    for kind in ("ask", "follow-up", "filter"):
        latency[kind] = percentiles([o.seconds for o in answered if o.kind == kind])
    errors = [o for o in outcomes if o.error]
    return RunFigures(
        users=users,
        seconds=round(wall, 1),
        requests=len(outcomes),
        answered=len(answered),
        errors=len(errors),
        busy=sum(o.busy for o in errors),
        throughput_per_s=round(len(answered) / wall, 2) if wall else 0.0,
        latency_s=latency,
        error_kinds=dict(Counter(o.error for o in errors).most_common(10)),
    )


# ---------------------------------------------------------------------------------------------
# The upload
# ---------------------------------------------------------------------------------------------


def write_upload(path: Path, articles: int) -> Path:
    """A JSONL file of ``articles`` current-events pages re-dated 12 years back: new
    articles (their own urls) for the index to segment, embed and add."""
    from bench import _load_corpus as _corpus

    pages = _corpus.current_events()[-articles:]
    with open(path, "w", encoding="utf-8") as out:
        for page in pages:
            copy = _corpus.redated(page, years=12)
            out.write(json.dumps({"title": copy.title, "text": copy.text, "url": copy.url,
                                  "source": "upload.example",
                                  "published": copy.published}) + "\n")  # fmt: skip
    return path


def upload(url: str, path: Path, result: dict, timeout: float = 1800) -> None:
    """Upload ``path`` through the app's "Add articles" endpoint; record how long it took."""
    from gradio_client import Client, handle_file

    started = time.monotonic()
    try:
        client = Client(url, verbose=False, httpx_kwargs={"timeout": timeout})
        report = client.submit([handle_file(str(path))], "", api_name="/ingest").result(
            timeout=timeout
        )
        result["report"] = str(report[0]).splitlines()[0]
    except Exception as error:  # noqa: BLE001 - recorded
        result["error"] = _describe(error)
    result["seconds"] = round(time.monotonic() - started, 1)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def one_run(index: Path, args: argparse.Namespace, work: Path, upload_file: Path | None,
            label: str, users: int | None = None, seconds: float | None = None,
            think: tuple[float, float] | None = None) -> RunFigures:  # fmt: skip
    users = users or args.users
    port = free_port()
    url = f"http://{HOST}:{port}/"
    proc = start_app(index, port, args.max_queue, work / f"{label}.log")
    try:
        wait_ready(url, proc)
        uploaded: dict = {}
        uploader = None
        if upload_file is not None:
            uploader = threading.Thread(target=upload, args=(url, upload_file, uploaded))
            uploader.start()
        outcomes, wall = run_users(
            url, users, seconds or args.seconds, think=think or (args.think_min, args.think_max),
            seed=args.seed, timeout=args.timeout, sources=index_sources(index),
        )  # fmt: skip
        if uploader is not None:
            uploader.join(args.timeout * 10)
            uploaded["during_requests"] = sum(
                1 for o in outcomes if o.started <= uploaded.get("seconds", 0)
            )
    finally:
        stop_app(proc)
    figures = summarise(outcomes, users, wall)
    figures.upload = uploaded
    return figures


def table(runs: dict[str, RunFigures]) -> str:
    lines = ["| run | users | s | requests | errors | busy | p50 s | p95 s | p99 s | req/s |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, f in runs.items():
        p = f.latency_s["all"]
        lines.append(f"| {name} | {f.users} | {f.seconds} | {f.requests} | {f.errors} | "
                     f"{f.busy} | {p['p50']} | {p['p95']} | {p['p99']} | "
                     f"{f.throughput_per_s} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=150, help="how long users ask")
    parser.add_argument("--think-min", type=float, default=5.0)
    parser.add_argument("--think-max", type=float, default=15.0)
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="a request slower than this counts as an error (a hang)")
    parser.add_argument("--max-queue", type=int, default=None,
                        help="the app's --max-queue (default: the app's default)")
    parser.add_argument("--index", type=Path, default=None,
                        help="index folder (default: the cached realistic index)")
    parser.add_argument("--no-upload", action="store_true", help="skip the run during an upload")
    parser.add_argument("--baseline-seconds", type=float, default=30,
                        help="first, one user asking without pause this long (0: skip)")
    parser.add_argument("--upload-articles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from bench import _load_corpus as _corpus

    index = args.index or _corpus.ensure_index()
    db = sqlite3.connect(f"file:{index / 'newsqa.sqlite'}?mode=ro", uri=True)
    chunks, articles = (db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                        for t in ("chunks", "articles"))  # fmt: skip
    db.close()
    print(f"index {index}: {articles} articles, {chunks} chunks", file=sys.stderr)
    runs: dict[str, RunFigures] = {}
    with tempfile.TemporaryDirectory(prefix="newsqa-load-") as tmp:
        work = Path(tmp)
        if args.baseline_seconds:  # one user, no pause: the time one answer takes, alone
            runs["one user (service time)"] = one_run(
                index, args, work, None, "baseline", users=1, seconds=args.baseline_seconds,
                think=(0.0, 0.0),
            )  # fmt: skip
        runs["questions"] = one_run(index, args, work, None, "questions")
        if not args.no_upload:
            copy = work / "index-copy"
            shutil.copytree(index, copy)
            upload_file = write_upload(work / "upload.jsonl", args.upload_articles)
            runs["questions during an upload"] = one_run(copy, args, work, upload_file,
                                                         "upload")  # fmt: skip
    print(table(runs))
    for name, figures in runs.items():
        if figures.error_kinds:
            print(f"{name}: errors {figures.error_kinds}")
        if figures.upload:
            print(f"{name}: upload {figures.upload}")
    result = {
        "index": {"articles": articles, "chunks": chunks},
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": {name: asdict(f) for name, f in runs.items()},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_after": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(f.errors == 0 for f in runs.values()) else 1
