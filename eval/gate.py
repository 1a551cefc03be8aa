"""The CI gate: compare a run's scores with ``eval/expected.toml`` and name every regression.

``expected.toml`` holds one expected value per dataset / system / metric, written from a real
run and rounded down to two decimals. A score may fall below its expected value by at most the
tolerance (absolute; per-metric overrides in ``[tolerances]``). Timings are never gated: they
depend on the machine. Citation exactness is a hard floor of 1.0 whenever answers are measured,
expected or not: a citation that does not quote its article is a bug, not a regression.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eval.metrics import LOWER_IS_BETTER

EXPECTED = Path(__file__).resolve().parent / "expected.toml"
DEFAULT_TOLERANCE = 0.02
# Answer metrics are measured on 45-120 questions per dataset (the sample has 36 with a gold
# answer, so one question moves its answer hit by 0.028): a tighter tolerance would fail on
# noise. Citations must stay exact.
DEFAULT_TOLERANCES = {
    "Citation exact": 0.0,
    "Answer hit": 0.05,
    "First hit": 0.05,
    "Answered": 0.05,
    "Abstain P": 0.05,
    "Abstain R": 0.05,
    "Abstain F1": 0.05,
    # Measured on 40 digest questions and news-quiz's 18 "latest" ones.
    "Story recall": 0.05,
    "Story precision": 0.05,
    "Date order": 0.05,
    "Digest answered": 0.05,
    "Newest first": 0.05,
}
HARD_FLOORS = {"Citation exact": 1.0}
Scores = dict[str, dict[str, dict[str, float]]]  # dataset -> system -> metric -> value


@dataclass
class Expected:
    tolerance: float = DEFAULT_TOLERANCE
    tolerances: dict[str, float] = field(default_factory=dict)
    scores: Scores = field(default_factory=dict)

    def tolerance_for(self, metric: str) -> float:
        return self.tolerances.get(metric, self.tolerance)


@dataclass(frozen=True)
class Check:
    dataset: str
    system: str
    metric: str
    expected: float
    got: float | None  # None: the run did not measure it
    tolerance: float

    @property
    def failed(self) -> bool:
        # NaN compares false with everything: it must fail, not slip through as "not below".
        if self.got is None or math.isnan(self.got) or math.isnan(self.expected):
            return True
        # A hair of slack so a value written as 0.61 never fails against 0.6099999.
        return self.got < self.expected - self.tolerance - 1e-9

    @property
    def improved(self) -> bool:
        return self.got is not None and self.got > self.expected + self.tolerance + 0.01

    def __str__(self) -> str:
        where = f"{self.dataset} / {self.system} / {self.metric}"
        if self.got is None:
            return f"{where}: expected {self.expected:.3f}, not measured in this run"
        if math.isnan(self.got) or math.isnan(self.expected):
            return f"{where}: expected {self.expected:.3f}, got {self.got:.3f} (not a number)"
        return (
            f"{where}: expected {self.expected:.3f} (tolerance {self.tolerance:.3f}), "
            f"got {self.got:.3f} ({self.got - self.expected:+.3f})"
        )


@dataclass
class GateResult:
    checks: list[Check]

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.failed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self, source: str = "expected.toml") -> str:
        if self.passed:
            lines = [f"gate passed: {len(self.checks)} scores within tolerance of {source}"]
            better = [c for c in self.checks if c.improved]
            if better:
                lines.append(f"{len(better)} scores improved; raise them with --update-expected:")
                lines += [f"  {c}" for c in better]
            return "\n".join(lines)
        lines = [f"GATE FAILED: {len(self.failures)} of {len(self.checks)} scores regressed:"]
        lines += [f"  {c}" for c in self.failures]
        return "\n".join(lines)


def load_expected(path: Path = EXPECTED) -> Expected:
    """Read ``path``; a clear ``ValueError`` when it is missing or malformed."""
    if not path.exists():
        raise ValueError(
            f"no expected scores at {path}; write them from a run with: "
            "python -m eval --update-expected"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from None
    scores: Scores = {}
    for dataset, systems in data.get("scores", {}).items():
        for system, values in systems.items():
            scores.setdefault(dataset, {})[system] = {m: float(v) for m, v in values.items()}
    return Expected(
        tolerance=float(data.get("tolerance", DEFAULT_TOLERANCE)),
        tolerances={m: float(v) for m, v in data.get("tolerances", {}).items()},
        scores=scores,
    )


def compare(
    expected: Expected,
    scores: Scores,
    datasets: Collection[str] | None = None,
    systems: Collection[str] | None = None,
    *,
    systems_of: Mapping[str, Collection[str]] | None = None,
) -> GateResult:
    """Check every expected score of the selected datasets and systems (all when None; per
    dataset ``systems_of`` overrides ``systems``), plus the hard floors on whatever the run
    measured. A hard floor holds whatever ``expected`` says: an expected value below it, or a
    tolerance, cannot lower it."""
    checks: list[Check] = []
    for dataset, by_system in expected.scores.items():
        if datasets is not None and dataset not in datasets:
            continue
        selected = (systems_of or {}).get(dataset, systems)
        for system, values in by_system.items():
            if selected is not None and system not in selected:
                continue
            got = scores.get(dataset, {}).get(system, {})
            for metric, value in values.items():
                tolerance = expected.tolerance_for(metric)
                if metric in HARD_FLOORS:
                    value, tolerance = max(value, HARD_FLOORS[metric]), 0.0
                checks.append(Check(dataset, system, metric, value, got.get(metric), tolerance))
    checked = {(c.dataset, c.system, c.metric) for c in checks}
    for dataset, by_system in scores.items():
        for system, values in by_system.items():
            for metric, floor in HARD_FLOORS.items():
                if metric in values and (dataset, system, metric) not in checked:
                    checks.append(Check(dataset, system, metric, floor, values[metric], 0.0))
    return GateResult(checks)


def write_expected(scores: Scores, path: Path = EXPECTED, previous: Expected | None = None) -> Path:
    """Write ``scores`` (rounded down to 2 decimals, timings left out) as expected.toml,
    keeping the previous file's entries for datasets and systems this run did not cover."""
    previous = previous or Expected(tolerances=dict(DEFAULT_TOLERANCES))
    merged: Scores = {d: dict(s) for d, s in previous.scores.items()}
    for dataset, by_system in scores.items():
        for system, values in by_system.items():
            kept = {m: _floor(v) for m, v in values.items() if m not in LOWER_IS_BETTER}
            merged.setdefault(dataset, {})[system] = kept
    lines = [
        "# Expected scores for `python -m eval --gate`, written by `python -m eval "
        "--update-expected`",
        "# from a real run and rounded down to 2 decimals. The gate fails when a score falls",
        "# more than `tolerance` (absolute) below its value here. Timings are not gated.",
        f"tolerance = {previous.tolerance}",
        "",
        "[tolerances]  # per-metric overrides",
    ]
    # A metric new since the file was written gets its documented default tolerance.
    tolerances = {**DEFAULT_TOLERANCES, **previous.tolerances}
    lines += [f'"{m}" = {v}' for m, v in sorted(tolerances.items())]
    for dataset, by_system in merged.items():
        for system, values in by_system.items():
            lines += ["", f'[scores."{dataset}"."{system}"]']
            lines += [f'"{m}" = {v:.2f}' for m, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _floor(value: float) -> float:
    # 1e-9: 0.29 * 100 is 28.999999999999996 in binary floating point.
    return math.floor(value * 100 + 1e-9) / 100
