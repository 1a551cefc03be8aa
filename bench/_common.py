"""Helpers shared by the benchmark parts: percentiles, tables, results files, the machine,
and the real questions every latency figure is measured on."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets"
CURRENT_EVENTS = DATA / "wikipedia-current-events" / "days"
RESULTS = Path(__file__).parent / "results"
CACHE = Path(__file__).parent / ".cache"  # git-ignored: built corpora and vectors


def percentiles(seconds: Sequence[float], points: Sequence[int] = (50, 95, 99)) -> dict:
    """Percentiles of a list of durations in seconds, as milliseconds rounded to 0.1 ms
    (numpy's linear interpolation between the two nearest ranks)."""
    if not len(seconds):
        return {f"p{p}": None for p in points}
    values = np.percentile(np.asarray(seconds, dtype=np.float64) * 1000, list(points))
    return {f"p{p}": round(float(v), 1) for p, v in zip(points, values, strict=True)}


def timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; numbers right-aligned."""

    def cell(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            if abs(value) >= 100:
                return f"{value:,.0f}"
            return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
        return str(value)

    numeric = [
        all(isinstance(r[i], int | float) or r[i] is None for r in rows) if rows else False
        for i in range(len(headers))
    ]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if n else "---" for n in numeric) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> dict:
    """What the numbers were measured on, and how busy the machine was when they started."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
        memory = f"{int(total) / 2**20:.0f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    versions = {}
    for name in ("torch", "onnxruntime", "faiss", "bm25s", "sentence_transformers", "txtai"):
        versions[name] = _version(name)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "cpu": model,
        "cores": len(os.sched_getaffinity(0)),
        "memory": memory,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def _version(name: str) -> str:
    from importlib import metadata

    dist = {"faiss": "faiss-cpu", "sentence_transformers": "sentence-transformers"}.get(name, name)
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def write_results(name: str, results: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return path


def load_evalsets(names: Sequence[str] | None = None) -> list:
    """The evaluation datasets (``eval.datasets``) that are present, by name."""
    from eval.datasets import DATASETS

    chosen = []
    for name in names or list(DATASETS):
        spec = DATASETS[name]
        folder = DATA / spec.folder if spec.folder else DATA
        if spec.folder and not folder.is_dir():
            continue
        chosen.append(spec.load(folder))
    return chosen


def real_questions(n: int = 300) -> list[str]:
    """``n`` real questions, alternating between the SQuAD 2.0 and MultiHop-RAG samples
    (each read in file order, evenly spread), the same ones every run."""
    pools = [
        [q for q in s.queries.values() if q.strip()]
        for s in load_evalsets(["squad2", "multihop-rag"])
    ]
    pools = [p for p in pools if p]
    if not pools:
        raise SystemExit(f"no question sets under {DATA}; the benchmarks need ../shared/datasets")
    per_pool = -(-n // len(pools))
    spread = []
    for pool in pools:
        step = max(1, len(pool) // per_pool)
        spread.append(pool[::step][:per_pool])
    mixed = [q for group in zip(*spread, strict=False) for q in group]
    return mixed[:n]
