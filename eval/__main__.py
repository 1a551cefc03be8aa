"""``python -m eval``: run the evaluation suite, print a table, write reports, gate CI.

Exit status: 0 done (and the gate passed, if asked), 1 the gate found a regression, 2 a usage
or data problem (the message says what to do).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from eval import gate, report
from eval.datasets import DATASETS, EvalSet
from eval.run import DEFAULT_ASK_LIMIT, DEFAULT_TIMED, AnswerPlan, run
from eval.systems import DEFAULT_SYSTEMS, SYSTEMS, get_systems
from qa.errors import NewsQAError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "datasets"


class UsageError(Exception):
    """A problem the user can fix from the command line; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description=(
            "Evaluate newsqa retrieval (and answers, when the library has Index.ask) on the "
            "bundled sample and the shared datasets. Each dataset is indexed once, in a "
            "temporary folder, and every system is run over that same index."
        ),
        epilog=(
            "examples:\n"
            "  python -m eval                       all datasets found, all systems\n"
            "  python -m eval --dataset squad2 --systems bm25,dense,hybrid --k 10 "
            "--out eval/reports/\n"
            "  python -m eval --gate                run, then compare with eval/expected.toml\n"
            "exit status: 0 ok, 1 the gate found a regression, 2 usage or data error"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--dataset",
        metavar="NAMES",
        help=(
            f"comma-separated datasets to run, from: {', '.join(DATASETS)} "
            "(default: every dataset whose files are found)"
        ),
    )
    parser.add_argument(
        "--systems",
        metavar="NAMES",
        default=",".join(DEFAULT_SYSTEMS),
        help=f"comma-separated systems to compare, from: {', '.join(SYSTEMS)} "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--k",
        type=int,
        default=10,
        help="passages retrieved per question; at least 10, the deepest cutoff reported "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help=(
            "folder holding squad2-sample/ and multihop-rag-sample/ (default: ../shared/datasets "
            "next to the repository, when it exists; required otherwise, except for "
            "--dataset sample)"
        ),
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help="also write report.md, results.json, per_query.jsonl (worst first) and PNG plots "
        "into DIR",
    )
    parser.add_argument(
        "--gate",
        action="store_true",
        help="compare the scores with --expected and exit 1 if any fell by more than its "
        "tolerance, naming each dataset / system / metric with expected and got values",
    )
    parser.add_argument(
        "--expected",
        metavar="FILE",
        type=Path,
        default=gate.EXPECTED,
        help="expected scores for --gate and --update-expected (default: eval/expected.toml)",
    )
    parser.add_argument(
        "--update-expected",
        action="store_true",
        help="write this run's scores, rounded down to 2 decimals, into --expected (entries for "
        "datasets and systems not run are kept)",
    )
    parser.add_argument(
        "--results",
        metavar="FILE",
        type=Path,
        help="do not run anything: print (and --gate) the scores saved in FILE, a results.json "
        "written by an earlier --out",
    )
    parser.add_argument(
        "--timed",
        type=int,
        metavar="N",
        default=DEFAULT_TIMED,
        help="questions per dataset and system retrieved one at a time for the latency "
        "percentiles, evenly spread over the dataset (default: %(default)s; 0 = every "
        "question); scores always cover every question",
    )
    parser.add_argument(
        "--no-answers",
        action="store_true",
        help="measure retrieval only, even if the library can answer (Index.ask); faster",
    )
    parser.add_argument(
        "--answer-systems",
        metavar="NAMES",
        default="hybrid",
        help="comma-separated systems whose answers (Index.ask in that mode) are measured, or "
        "'all' (default: %(default)s; asking is slow, and answer quality depends mostly on "
        "sentence selection, not on the retrieval mode)",
    )
    parser.add_argument(
        "--ask-limit",
        type=int,
        metavar="N",
        default=DEFAULT_ASK_LIMIT,
        help="questions per dataset put to Index.ask: up to N/2 unanswerable ones, the rest "
        "answerable ones with a gold answer, always the same ones (default: %(default)s; 0 = "
        "every question)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="only the first N questions of each dataset (all articles are still indexed); for "
        "quick checks, not for the gate",
    )
    parser.add_argument(
        "--model",
        metavar="NAME",
        help="embedding model: a local sentence-transformers folder (default: the bundled "
        "all-MiniLM-L6-v2)",
    )
    parser.add_argument(
        "--index-dir",
        metavar="DIR",
        type=Path,
        help="keep each dataset's index in DIR/<dataset> and reuse it on the next run (unchanged "
        "articles are not re-embedded, but articles a loader no longer makes stay: delete DIR "
        "after changing a loader); default: a fresh temporary folder per run",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except (UsageError, NewsQAError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace) -> int:
    names = _split(args.dataset) if args.dataset else None
    system_names = _split(args.systems)
    if args.results is not None:
        return _from_results(args, names, system_names)
    if args.timed < 0:
        raise UsageError(f"--timed of {args.timed} is negative; give 0 (all) or more")
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit of {args.limit} is too small; give at least 1 question")
    systems = get_systems(system_names)
    plan = None if args.no_answers else _answer_plan(args.answer_systems, args.ask_limit)
    evalsets = load_datasets(names, args.data_dir)
    if args.limit is not None:
        evalsets = [e.limited(args.limit) for e in evalsets]
    result = run(
        evalsets,
        systems,
        k=args.k,
        model=args.model,
        index_root=args.index_dir,
        answers=plan,
        timed=args.timed or None,
    )
    print(report.text_table(result))
    if args.out is not None:
        written = report.write_reports(result, args.out)
        print(f"reports written to {args.out}/: {', '.join(p.name for p in written)}")
    scores = result.scores()
    return _finish(args, scores, names or list(DATASETS), [s.name for s in systems])


def _from_results(
    args: argparse.Namespace, names: list[str] | None, system_names: list[str]
) -> int:
    try:
        data = json.loads(args.results.read_text(encoding="utf-8"))
        scores = report.scores_from_json(data)
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise UsageError(f"{args.results} is not a results.json from --out ({error})") from None
    print(report.scores_table(scores))
    return _finish(args, scores, names or list(scores), system_names)


def _finish(
    args: argparse.Namespace, scores: gate.Scores, datasets: list[str], systems: list[str]
) -> int:
    if args.update_expected:
        previous = gate.load_expected(args.expected) if args.expected.exists() else None
        gate.write_expected(scores, args.expected, previous)
        print(f"expected scores written to {args.expected}")
    if not args.gate:
        return 0
    outcome = gate.compare(gate.load_expected(args.expected), scores, datasets, systems)
    print(outcome.summary(str(args.expected)))
    return 0 if outcome.passed else 1


def load_datasets(names: list[str] | None, data_dir: Path | None) -> list[EvalSet]:
    """Load the named datasets (all found, when None); ``UsageError`` says what is missing."""
    if names is not None:
        unknown = [n for n in names if n not in DATASETS]
        if unknown:
            raise UsageError(
                f"unknown dataset {', '.join(map(repr, unknown))}; choose from: "
                f"{', '.join(DATASETS)}"
            )
    selected = names or list(DATASETS)
    needs_data = [n for n in selected if DATASETS[n].folder is not None]
    folder = resolve_data_dir(data_dir) if needs_data else None
    if needs_data and folder is None:
        raise UsageError(
            f"{', '.join(needs_data)} need the shared datasets, and there is no "
            f"{DEFAULT_DATA_DIR}; pass --data-dir DIR (the folder holding "
            f"{', '.join(DATASETS[n].folder or '' for n in needs_data)}/), or run only the "
            "bundled sample with --dataset sample"
        )
    evalsets = []
    for name in selected:
        spec = DATASETS[name]
        where = folder / spec.folder if folder is not None and spec.folder else None
        if spec.folder is not None and (where is None or not where.is_dir()):
            if names is not None:
                raise UsageError(f"{name}: no {spec.folder}/ in {folder}; check --data-dir")
            print(f"{name}: skipped, no {spec.folder}/ in {folder}", file=sys.stderr)
            continue
        evalsets.append(spec.load(where or Path(".")))
    return evalsets


def resolve_data_dir(data_dir: Path | None) -> Path | None:
    if data_dir is not None:
        if not data_dir.is_dir():
            raise UsageError(f"--data-dir {data_dir} is not a folder")
        return data_dir
    return DEFAULT_DATA_DIR if DEFAULT_DATA_DIR.is_dir() else None


def _answer_plan(names: str, limit: int) -> AnswerPlan:
    if limit < 0:
        raise UsageError(f"--ask-limit of {limit} is negative; give 0 (all) or more")
    chosen = None if names.strip() == "all" else get_systems(_split(names))
    return AnswerPlan(
        systems=None if chosen is None else frozenset(s.name for s in chosen),
        limit=limit or None,
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


if __name__ == "__main__":
    sys.exit(main())
