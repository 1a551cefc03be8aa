"""Run benchmarks: ``python -m bench`` runs all, ``python -m bench NAME [ARGS]`` runs one,
``python -m bench --list`` lists them. A benchmark is any module in this folder with a
``main(argv: list[str]) -> int``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    folder = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if argv and argv[0] in ("--list", "-l"):
        print("\n".join(names))
        return 0
    if argv and argv[0] not in names:
        print(f"no benchmark {argv[0]!r}; choose one of: {', '.join(names)}", file=sys.stderr)
        return 2
    chosen, rest = ([argv[0]], argv[1:]) if argv else (names, [])
    status = 0
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        status = module.main(rest) or status
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
