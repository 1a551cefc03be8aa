"""Coverage-guided fuzzing (atheris, libFuzzer) of every part that reads untrusted input.

    python -m tests.fuzz all --seconds 15          # every target, picked by the first byte
    python -m tests.fuzz load --seconds 600        # one target for ten minutes
    python -m tests.fuzz --list

Targets: ``load`` (any bytes as a .txt/.md/.html/.json/.jsonl/.xml file), ``paste`` (text in
each format), ``segment`` (segmenter, story structure and chunker on any text), ``time``
(the time-expression parser), ``ask`` (``Index.ask`` on the fake embedder over articles full
of markup, then the chat's Markdown and the sources panel's HTML), ``markdown``
(``escape_markdown``). The checks are ``tests/fuzz/targets.py``'s, shared with the property
tests. A crash, a broken invariant or an input slower than the libFuzzer ``-timeout`` is
written to ``test-artifacts/fuzz/`` and the run exits non-zero; the last line printed is
``fuzzed N inputs in S s, 0 crashes`` for RELIABILITY.md.

Seeds are ``tests/fuzz/seeds/`` plus the sample article; the corpus that grows during a run
stays in ``test-artifacts/fuzz/corpus-<target>/`` so later runs start where this one ended.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "fuzz"
SEEDS = Path(__file__).parent / "seeds"
TARGETS = ("load", "paste", "segment", "time", "ask", "markdown")
SUFFIXES = (".txt", ".md", ".html", ".json", ".jsonl", ".xml", ".atom")


def _instrumented():
    """Import the checked code under atheris' instrumentation (coverage feedback)."""
    import atheris

    with atheris.instrument_imports(include=["qa", "tests.fuzz.targets"]):
        from tests.fuzz import targets
    return atheris, targets


def one_input(name: str):
    """The function libFuzzer calls with each input for target ``name``."""
    atheris, targets = _instrumented()
    targets.warm_up()
    index = _index() if name in ("ask", "all") else None

    def load(fdp) -> None:
        suffix = SUFFIXES[fdp.ConsumeIntInRange(0, len(SUFFIXES) - 1)]
        targets.check_load_bytes(fdp.ConsumeBytes(fdp.remaining_bytes()), suffix)

    def paste(fdp) -> None:
        fmt = targets.FORMATS[fdp.ConsumeIntInRange(0, len(targets.FORMATS) - 1)]
        targets.check_parse_text(fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes()), fmt)

    def segment(fdp) -> None:
        max_tokens, overlap = fdp.ConsumeIntInRange(8, 64), fdp.ConsumeIntInRange(0, 2)
        text = targets.normalise_text(fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes()))
        targets.check_structure_and_chunks(text, (), max_tokens, overlap)

    def time_words(fdp) -> None:
        reference = date(1950, 1, 1) + timedelta(days=fdp.ConsumeIntInRange(0, 100_000))
        targets.check_time_expression(fdp.ConsumeUnicodeNoSurrogates(400), reference)

    def ask(fdp) -> None:
        from qa.records import Filters

        since = ["", "2024-01-01", "2024-05-01"][fdp.ConsumeIntInRange(0, 2)]
        until = ["", "2024-03-05", "2024-12-31"][fdp.ConsumeIntInRange(0, 2)]
        sources = [("",), ("armenews.com",), ("wire.example", "nowhere")][
            fdp.ConsumeIntInRange(0, 2)
        ]
        filters = Filters(tuple(s for s in sources if s), since, until) if (
            not since or not until or since <= until
        ) else None
        history = []
        if fdp.ConsumeBool():
            earlier = targets.check_ask(index, fdp.ConsumeUnicodeNoSurrogates(80), [], filters)
            history = [earlier] if earlier is not None else []
        question = fdp.ConsumeUnicodeNoSurrogates(min(300, fdp.remaining_bytes()))
        targets.check_ask(index, question, history, filters)

    def markdown(fdp) -> None:
        text = " ".join(fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes()).split())
        targets.check_escape_markdown(text)

    chosen = {"load": load, "paste": paste, "segment": segment, "time": time_words,
              "ask": ask, "markdown": markdown}  # fmt: skip

    def test_one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        if name == "all":
            pick = chosen[TARGETS[fdp.ConsumeIntInRange(0, len(TARGETS) - 1)]]
        else:
            pick = chosen[name]
        pick(fdp)

    return atheris, test_one_input


def _index():
    """A small index on the fake embedder: the sample and articles full of markup."""
    from tests.conftest import hostile_index

    return hostile_index(Path(tempfile.mkdtemp(prefix="newsqa-fuzz-index-")))


def fuzz_child(name: str, libfuzzer_args: list[str]) -> None:
    """In the child process: run libFuzzer on target ``name`` (never returns normally)."""
    atheris, test_one_input = one_input(name)
    atheris.Setup([sys.argv[0], *libfuzzer_args], test_one_input)
    atheris.Fuzz()


def run(name: str, seconds: float, timeout_per_input: int, jobs: int = 1) -> tuple[int, int]:
    """Fuzz ``name`` for ``seconds`` in a child process; (inputs run, exit code)."""
    corpus = ARTIFACTS / f"corpus-{name}"
    corpus.mkdir(parents=True, exist_ok=True)
    seeds = [str(SEEDS / t) for t in (TARGETS if name == "all" else (name,))
             if (SEEDS / t).is_dir()]  # fmt: skip
    args = [
        f"-max_total_time={int(seconds)}",
        f"-timeout={timeout_per_input}",
        "-rss_limit_mb=4096",
        "-max_len=8192",
        f"-artifact_prefix={ARTIFACTS}/{name}-",
        "-print_final_stats=1",
        str(corpus),
        *seeds,
    ]
    command = [sys.executable, "-m", "tests.fuzz", "--child", name, "--", *args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))  # fmt: skip
    tail = done.stderr[-4000:]
    runs = re.findall(r"Done (\d+) runs", tail) or re.findall(r"#(\d+)\s", tail)
    count = int(runs[-1]) if runs else 0
    took = time.monotonic() - started
    if done.returncode != 0:  # the Python traceback, then libFuzzer's report of the input
        at = done.stderr.rfind("=== Uncaught Python exception")
        print(done.stderr[at:][:6000] if at >= 0 else tail, file=sys.stderr)
    print(f"{name}: fuzzed {count} inputs in {took:.0f} s, "
          f"{0 if done.returncode == 0 else 1} crashes")  # fmt: skip
    return count, done.returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        fuzz_child(argv[1], argv[3:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", nargs="?", default="all", choices=("all", *TARGETS))
    parser.add_argument("--seconds", type=float, default=60, help="time budget per target")
    parser.add_argument("--each", action="store_true",
                        help="run every target in turn (each for --seconds) instead of 'all'")
    parser.add_argument("--timeout", type=int, default=20,
                        help="seconds one input may take before it counts as a hang")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(TARGETS))
        return 0
    names = list(TARGETS) if args.each else [args.target]
    total, status = 0, 0
    for name in names:
        count, code = run(name, args.seconds, args.timeout)
        total += count
        status = status or code
    if len(names) > 1:
        print(f"all targets: fuzzed {total} inputs, {'0 crashes' if not status else 'CRASHED'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
