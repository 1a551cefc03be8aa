"""Fault injection for the index: ``SIGKILL`` an ingest at random moments and check, after
every kill, everything the store promises (RELIABILITY.md, "Crashes").

    python -m tests.faults --kills 40            # the long run; figures in bench/results/
    python -m tests.faults --kills 5 --seed 7    # a quick one

The short run is ``tests/test_reliability_crash.py`` (10 kills). Each round:

1. start from a copy of a base index (``BASE`` articles already committed),
2. run ``python -m qa ingest`` (``tests.fakeqa``: the real CLI on the fake embedder, one
   commit every ``BATCH`` articles) on new articles plus new versions of some base ones,
3. ``SIGKILL`` it after a random delay, drawn uniformly over the ingest's measured length
   (re-estimated when the machine turns out faster or slower than for the reference run),
   counted from the moment it starts ingesting; every other round instead waits until its
   progress bar shows 0, 1, 2... batches committed (in turn) and kills it within the next
   batch's time, so kills land between batches however slow the machine,
4. check (``check_index``): ``PRAGMA integrity_check`` is ok; after reopening, every chunk row
   has exactly one vector in the dense cache and one row in BM25, nothing else; what was
   committed is a whole number of batches, in order; every base article is still there and
   found by a search for its own key word,
5. run the same ingest again to the end and check it holds exactly what an uninterrupted
   ingest holds (no duplicated article, sentence, chunk or vector).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "kills.json"
BASE = 40  # articles committed before the ingest that gets killed
NEW = 200  # articles the killed ingest adds
UPDATED = 20  # base articles the killed ingest replaces by a new version
BATCH = 32  # articles per commit in the child (NEWSQA_TEST_BATCH)
FAKE_MODEL = "fake-hashing-64"


# ---------------------------------------------------------------------------------------------
# A corpus with a key word per article
# ---------------------------------------------------------------------------------------------


def _vocabulary(rng: random.Random, size: int = 1500) -> list[str]:
    syllables = "ka lo mi ne ru ta vo shi pe da gu ri zo fa le mu".split()
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def key_word(n: int) -> str:
    """A word only article ``n`` contains: a search for it must find that article."""
    return f"keyq{n:04d}x"


def article_record(n: int, version: int, rng: random.Random, words: list[str]) -> dict:
    sentences = []
    for i in range(rng.randint(3, 7)):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(6, 16)))
        lead = f"{key_word(n)} " if i == 0 else ""
        sentences.append(f"{lead}{body}.".capitalize())
    paragraphs = [" ".join(sentences[:2]), " ".join(sentences[2:])]
    return {
        "title": f"Report {n} version {version}",
        "text": "\n\n".join(p for p in paragraphs if p),
        "url": f"https://faults.example/{n}",
        "source": f"source{n % 5}.example",
        "published": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
    }


def write_versions(folder: Path, numbers: list[int], version: int, seed: int = 1) -> Path:
    """A JSONL file with version ``version`` of the given articles (same urls, new text)."""
    rng = random.Random(seed * 1000 + version)
    words = _vocabulary(random.Random(seed))
    path = folder / f"version-{version}.jsonl"
    path.write_text(
        "".join(json.dumps(article_record(n, version, rng, words)) + "\n" for n in numbers)
    )
    return path


@dataclass
class Corpus:
    base: Path  # JSONL of the base articles
    new: Path  # folder of JSONL files: new articles and new versions of some base ones
    base_numbers: list[int]
    new_numbers: list[int]  # in load order: what the ingest plans, batch by batch


def write_corpus(folder: Path, seed: int = 1, base: int = BASE, new: int = NEW,
                 updated: int = UPDATED) -> Corpus:
    rng = random.Random(seed)
    words = _vocabulary(rng)
    folder.mkdir(parents=True, exist_ok=True)
    base_path = folder / "base.jsonl"
    base_path.write_text(
        "".join(json.dumps(article_record(n, 1, rng, words)) + "\n" for n in range(base))
    )
    new_dir = folder / "new"
    new_dir.mkdir(exist_ok=True)
    numbers = [*range(updated), *range(base, base + new)]  # updates first, then new ones
    records = [article_record(n, 2, rng, words) for n in numbers]
    per_file = 60
    for i in range(0, len(records), per_file):
        (new_dir / f"part-{i // per_file:02d}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in records[i : i + per_file])
        )
    return Corpus(base_path, new_dir, list(range(base)), numbers)


# ---------------------------------------------------------------------------------------------
# Running the real command line (on the fake model) in a child process
# ---------------------------------------------------------------------------------------------


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.fakeqa", *args]


def child_env(batch: int = BATCH) -> dict[str, str]:
    env = dict(os.environ, NEWSQA_TEST_BATCH=str(batch), PYTHONPATH=str(ROOT))
    env.pop("PYTHONHASHSEED", None)
    return env


def run_cli(*args: str, timeout: float = 300, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        cli_command(*args), cwd=ROOT, env=child_env(), capture_output=True, text=True,
        timeout=timeout, **options,
    )  # fmt: skip


def ingest_args(folder: Path, paths: list[Path]) -> list[str]:
    return ["ingest", *map(str, paths), "--index", str(folder), "--model", FAKE_MODEL]


# A process that has imported the command line once and forks a fresh child per command:
# the child runs ``qa.cli.main`` exactly as ``python -m qa`` does, minus the seconds of
# imports, so a test can afford many kills. One child at a time: the server waits for it
# and reports its exit status (-9 after a SIGKILL).
_FORK_SERVER = """
import json, os, sys, traceback
import qa.ingest
from qa.cli import main
from tests import conftest  # registers the fake embedder
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
        sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)
        qa.ingest.BATCH_ARTICLES = request["batch"]
        try:
            code = main(request["args"])
        except SystemExit as error:
            code = error.code
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code or 0)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), flush=True)
"""


@dataclass
class Child:
    """A running command: its pid, where its stderr goes, and how to wait for it."""

    pid: int
    stderr_path: Path
    wait: Callable[[float], int]
    poll: Callable[[], int | None] = lambda: None  # the exit code once it ended (exec only)

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:  # the child has not opened it yet
            return ""

    def stdout(self) -> str:
        try:
            return self.stderr_path.with_suffix(".out").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def ended(self) -> bool:
        """It has exited (a zombie not yet reaped by its parent counts as ended)."""
        if self.poll() is not None:
            return True
        try:
            return Path(f"/proc/{self.pid}/stat").read_text().split()[2] == "Z"
        except OSError:  # gone from /proc: reaped
            return True

    def wait_until_ingesting(self, timeout: float = 120) -> None:
        """Until it shows its ingest progress bar (or ends): the ingest proper has begun."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Ingesting" in self.stderr() or self.ended():
                return
            time.sleep(0.005)
        raise TimeoutError("the ingest did not start")

    def articles_done(self) -> int:
        """The most articles its ``Ingesting`` bar has shown as committed (the bar moves
        once per committed batch; tqdm may skip a step but never shows one early)."""
        shown = [
            int(match.group(1))
            for line in re.split(r"[\r\n]", self.stderr())
            if line.startswith("Ingesting")
            for match in [re.search(r"(\d+)/\d+ \[", line)]
            if match
        ]
        return max(shown, default=0)

    def wait_until_done(self, articles: int, timeout: float = 120) -> None:
        """Until at least ``articles`` articles are committed (or it ends)."""
        deadline = time.monotonic() + timeout
        while self.articles_done() < articles and not self.ended():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the ingest did not commit {articles} articles")
            time.sleep(0.005)


class ForkServer:
    """Runs ``python -m qa`` commands (fake embedder) in forked children; see above."""

    def __init__(self, work: Path, batch: int = BATCH) -> None:
        self.work = work
        self.batch = batch
        self.count = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _FORK_SERVER], cwd=ROOT, env=child_env(batch),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def start(self, *args: str) -> Child:
        self.count += 1
        out, err = (self.work / f"child-{self.count}.{name}" for name in ("out", "err"))
        request = {"args": list(args), "stdout": str(out), "stderr": str(err),
                   "batch": self.batch}  # fmt: skip
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        pid = json.loads(self.proc.stdout.readline())["pid"]

        def wait(timeout: float = 300) -> int:
            assert self.proc.stdout is not None
            return int(json.loads(self.proc.stdout.readline())["code"])

        return Child(pid, err, wait)

    def run(self, *args: str) -> tuple[int, str]:
        child = self.start(*args)
        return child.wait(300), child.stderr()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(30)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ExecRunner:
    """The same interface, one fresh ``python -m tests.fakeqa`` process per command (what a
    user runs, imports included): the long run uses it."""

    def __init__(self, work: Path, batch: int = BATCH) -> None:
        self.work = work
        self.batch = batch
        self.count = 0

    def start(self, *args: str) -> Child:
        self.count += 1
        out, err = (self.work / f"child-{self.count}.{name}" for name in ("out", "err"))
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            proc = subprocess.Popen(cli_command(*args), cwd=ROOT, env=child_env(self.batch),
                                    stdout=stdout, stderr=stderr)  # fmt: skip
        return Child(proc.pid, err, lambda timeout=300: proc.wait(timeout), proc.poll)

    def run(self, *args: str) -> tuple[int, str]:
        child = self.start(*args)
        return child.wait(300), child.stderr()

    def __enter__(self) -> ExecRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# The invariants
# ---------------------------------------------------------------------------------------------


@dataclass
class IndexState:
    articles: int
    sentences: int
    chunks: int
    versions: dict[int, int]  # article number -> its stored version
    spans: Counter  # (article id, start, end) -> how many chunk rows


def integrity(folder: Path) -> str:
    db = sqlite3.connect(folder / "newsqa.sqlite")
    try:
        result = db.execute("PRAGMA integrity_check").fetchall()
        problems = db.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        db.close()
    text = "; ".join(r[0] for r in result)
    return text if not problems else f"{text}; foreign key problems: {problems[:3]}"


def check_index(folder: Path, base_numbers: list[int], embedder) -> IndexState:
    """Assert every invariant of a (possibly just killed) index; return what it holds."""
    from qa import Index

    assert integrity(folder) == "ok", f"integrity_check: {integrity(folder)}"
    with Index.open(folder, embedder=embedder) as index:  # reopening refreshes the caches
        store = index.store
        stored = store.chunk_ids()
        assert len(np.unique(stored)) == len(stored)
        dense = np.sort(index.caches.dense.ids())
        assert np.array_equal(dense, stored), (
            f"dense cache holds {len(dense)} vectors ({len(np.unique(dense))} distinct) for "
            f"{len(stored)} chunk rows"
        )
        assert index.caches.dense.faiss.ntotal == len(stored)
        lexical = np.sort(index.caches.lexical.chunk_ids)
        assert np.array_equal(lexical, stored), "BM25 disagrees with SQLite"
        rows = store.db.execute(
            "SELECT a.title, (SELECT count(*) FROM sentences s WHERE s.article_id = a.id), "
            "(SELECT count(*) FROM chunks c WHERE c.article_id = a.id) FROM articles a"
        ).fetchall()
        versions: dict[int, int] = {}
        for title, n_sentences, n_chunks in rows:
            assert n_sentences > 0 and n_chunks > 0, f"{title!r} is half-written"
            _, number, _, version = title.split()
            versions[int(number)] = int(version)
        missing = [n for n in base_numbers if n not in versions]
        assert not missing, f"base articles lost: {missing[:5]}"
        for n in base_numbers:  # every earlier article is still found
            found = index.retrieve(key_word(n), k=3, mode="bm25")
            assert found and found[0].article.title.startswith(f"Report {n} "), (
                f"base article {n} not retrievable by its key word"
            )
        # Hybrid search over the reopened caches works and cites exact text.
        for passage in index.retrieve(key_word(base_numbers[0]), k=5):
            assert passage.article.text[passage.start : passage.end] == passage.text
        counts = store.counts()
        spans = Counter(
            store.db.execute("SELECT article_id, start, end FROM chunks").fetchall()
        )
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".old"))]
    assert not leftovers, f"temporary files left after reopening: {leftovers}"
    return IndexState(counts["articles"], counts["sentences"], counts["chunks"], versions, spans)


def committed_prefix(state: IndexState, new_numbers: list[int], batch: int) -> int:
    """How many of the planned articles the state holds in their new version; asserts that
    they are the first whole batches of the plan (a commit is all-or-nothing)."""
    done = [n for n in new_numbers if state.versions.get(n) == 2]
    count = len(done)
    assert done == new_numbers[:count], "committed articles are not a prefix of the plan"
    assert count % batch == 0 or count == len(new_numbers), (
        f"{count} articles committed: not a whole number of {batch}-article batches"
    )
    return count


# ---------------------------------------------------------------------------------------------
# The kill loop
# ---------------------------------------------------------------------------------------------


@dataclass
class KillFigures:
    kills: int = 0  # SIGKILLs delivered to a live ingest
    survived: int = 0  # kills after which every invariant held and the re-run completed
    finished_first: int = 0  # rounds where the ingest ended before the kill (not counted)
    batches_committed: Counter = field(default_factory=Counter)  # batches done at the kill
    kill_after_s: list[float] = field(default_factory=list)
    seconds: float = 0.0


def kill_loop(work: Path, kills: int, seed: int = 1, embedder=None, fork: bool = True,
              new: int = NEW, log=lambda message: None) -> KillFigures:  # fmt: skip
    """``kills`` rounds of kill, check, re-run, check (see the module docstring). ``fork``:
    children forked from a process that imported the CLI once (fast), else a fresh
    ``python`` per command."""
    if embedder is None:
        from tests.conftest import FakeEmbedder

        embedder = FakeEmbedder()
    rng = random.Random(seed)
    started = time.perf_counter()
    corpus = write_corpus(work / "corpus", seed, new=new)
    base = work / "base"
    logs = work / "logs"
    logs.mkdir()
    with (ForkServer if fork else ExecRunner)(logs) as runner:
        code, err = runner.run(*ingest_args(base, [corpus.base]), "--quiet")
        assert code == 0, err
        check_index(base, corpus.base_numbers, embedder)
        # The reference: the same ingest, never interrupted; and how long it takes.
        reference_dir = work / "reference"
        shutil.copytree(base, reference_dir)
        child = runner.start(*ingest_args(reference_dir, [corpus.new]))
        child.wait_until_ingesting()
        t_ingest = time.perf_counter()
        assert child.wait(300) == 0, child.stderr()
        length = time.perf_counter() - t_ingest
        reference = check_index(reference_dir, corpus.base_numbers, embedder)
        log(f"uninterrupted ingest: {length:.2f}s after it starts ingesting; "
            f"{reference.articles} articles, {reference.chunks} chunks")
        figures = KillFigures()
        target = work / "target"
        batches = -(-len(corpus.new_numbers) // runner.batch)
        rounds = 0
        while figures.kills < kills:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(base, target)
            child = runner.start(*ingest_args(target, [corpus.new]))
            child.wait_until_ingesting()
            began = time.perf_counter()
            # Every other round is anchored on a commit (after 0, 1, 2... batches in turn,
            # as its progress bar shows them) and killed within the next batch's time: on a
            # slow or busy machine, whose first commit comes late, purely timed kills can
            # all land before it.
            anchored = rounds % 2 == 1
            if anchored:
                child.wait_until_done((rounds // 2) % batches * runner.batch)
            delay = rng.uniform(0, length / batches if anchored else length * 1.05)
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
            delay = time.perf_counter() - began
            rounds += 1
            code = child.wait(60)
            if code != -signal.SIGKILL:  # it had finished before the kill: not counted
                assert code == 0, child.stderr()
                figures.finished_first += 1
                if not anchored:  # the machine got faster: aim at the ingest it has now
                    length = (length + min(length, time.perf_counter() - began)) / 2
                continue
            figures.kills += 1
            figures.kill_after_s.append(round(delay, 3))
            state = check_index(target, corpus.base_numbers, embedder)
            prefix = committed_prefix(state, corpus.new_numbers, runner.batch)
            figures.batches_committed[-(-prefix // runner.batch)] += 1
            if not anchored and prefix == 0 and delay > length / batches:
                # Nothing committed yet well past the reference's first commit: this ingest
                # runs slower than the reference did (a busier machine). Aim at the ingest it
                # has now, or every kill lands before the first commit.
                length = max(length, delay * batches)
            code, err = runner.run(*ingest_args(target, [corpus.new]), "--quiet")
            assert code == 0 and "Traceback" not in err, err
            final = check_index(target, corpus.base_numbers, embedder)
            assert (final.articles, final.sentences, final.chunks) == (
                reference.articles, reference.sentences, reference.chunks,
            ), "the re-run does not hold what an uninterrupted ingest holds"  # fmt: skip
            assert final.versions == reference.versions
            assert max(final.spans.values()) == 1, "a chunk is stored twice"
            assert sorted(final.spans) == sorted(reference.spans)
            figures.survived += 1
            log(f"kill {figures.kills}: {delay:.2f}s into the ingest, {prefix} articles "
                "committed; every invariant held, the re-run completed")
    figures.seconds = round(time.perf_counter() - started, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=40, help="SIGKILLs to survive")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--new", type=int, default=NEW, help="articles the killed ingest adds")
    parser.add_argument("--fork", action="store_true",
                        help="fork each command from a process that imported the CLI once "
                        "(faster; default: a fresh python process per command)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="figures (JSON)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsqa-faults-") as work:
        figures = kill_loop(Path(work), args.kills, args.seed, fork=args.fork, new=args.new,
                            log=print)
    result = asdict(figures)
    result["batches_committed"] = dict(sorted(figures.batches_committed.items()))
    result.update(seed=args.seed, base_articles=BASE, new_articles=args.new,
                  children="forked" if args.fork else "python -m tests.fakeqa",
                  updated_articles=UPDATED, batch=BATCH, machine=f"{os.cpu_count()} cores")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{figures.survived}/{figures.kills} kills survived ({figures.finished_first} runs "
          f"finished before their kill), {figures.seconds}s; figures in {args.out}")
    return 0 if figures.survived == figures.kills else 1


if __name__ == "__main__":
    sys.exit(main())
