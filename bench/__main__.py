"""The benchmark suite: ``python -m bench`` runs the default parts, ``python -m bench PART
[ARGS]`` runs one (``python -m bench PART --help`` for its options). Each part prints
Markdown tables and writes JSON to bench/results/PART.json. BENCHMARKS.md has the numbers.

A part is any module in this folder with a ``main(argv: list[str]) -> int``; the first line
of its docstring is its description below.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

# What `python -m bench` (and `make bench`) runs, in this order: the ones that time things
# first-hand before the long ones, which build cached corpora on their first run.
DEFAULT_PARTS = ("backends", "ingest", "peers", "coldstart", "latency", "memory", "faiss_1m")


def available() -> list[str]:
    folder = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if not m.name.startswith("_"))


def describe(name: str) -> str:
    """The first line of a part's docstring, read without importing it (imports are slow)."""
    source = (Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8")
    import ast

    doc = ast.get_docstring(ast.parse(source)) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def usage() -> str:
    names = available()
    width = max(map(len, names))
    lines = [__doc__.strip(), "", "parts (* = run by default):"]
    for name in names:
        mark = "*" if name in DEFAULT_PARTS else " "
        lines.append(f"  {mark} {name:<{width}}  {describe(name)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    names = available()
    if argv and argv[0] in ("--help", "-h"):
        print(usage())
        return 0
    if argv and argv[0] in ("--list", "-l"):
        print("\n".join(names))
        return 0
    if argv and argv[0] not in names:
        print(f"no benchmark {argv[0]!r}; choose one of: {', '.join(names)}", file=sys.stderr)
        return 2
    chosen, rest = ([argv[0]], argv[1:]) if argv else (list(DEFAULT_PARTS), [])
    status = 0
    for name in chosen:
        print(f"\n## {name}\n", flush=True)
        module = importlib.import_module(f"bench.{name}")
        status = module.main(rest) or status
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
