"""Print every part's tables again from bench/results/*.json (no measuring): BENCHMARKS.md.

    python -m bench report
"""

from __future__ import annotations

import importlib
import json
import sys

from bench._common import RESULTS

PARTS = ("backends", "ingest", "peers", "coldstart", "latency", "memory", "faiss_1m")


def main(argv: list[str]) -> int:
    for part in PARTS:
        path = RESULTS / f"{part}.json"
        if not path.exists():
            continue
        results = json.loads(path.read_text())
        module = importlib.import_module(f"bench.{part}")
        machine = results.get("machine", {})
        print(f"\n## {part}\n\n(measured {machine.get('date', '?')}, commit "
              f"{machine.get('commit', '?')}, load average at start "
              f"{machine.get('load_average_at_start', '?')})\n")
        if part == "peers":
            for name, dataset in results["datasets"].items():
                print(module._tables(name, dataset) + "\n")
            print(module.summary_table(results["summary"]))
        elif part == "faiss_1m":
            print(module.report_tables(results))
        else:
            print(module.report_tables(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
