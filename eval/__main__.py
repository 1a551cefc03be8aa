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

from eval import gate, pool, report
from eval.datasets import DATASETS, EvalSet
from eval.run import DEFAULT_TIMED, GATE_ASK, GATE_DISTRACTOR_SYSTEMS, AnswerPlan, run
from eval.systems import DEFAULT_SYSTEMS, SYSTEMS, get_systems
from qa.chunk import DEFAULT_CHUNK_TOKENS
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
            "  python -m eval --distractors --out eval/reports/   the full report, clean and "
            "with distractors\n"
            "  python -m eval --dataset squad2 --systems bm25,dense,hybrid --k 10 "
            "--out eval/reports/\n"
            "  python -m eval --gate                run (with distractors), then compare with "
            "eval/expected.toml\n"
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
            "folder holding squad2-sample/, multihop-rag-sample/ and "
            "wikipedia-current-events/ (default: ../shared/datasets next to the repository, "
            "when it exists; required otherwise, except for --dataset sample without "
            "distractors)"
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
        "--distractors",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run every dataset with the Wikipedia current-events pages (~4,900 chunks of "
        "unrelated news) indexed beside its articles, reported as <dataset>+distractors; the "
        "pool is embedded once per run (~2 min on 2 cores). Default: on with --gate and "
        "--update-expected, off otherwise",
    )
    parser.add_argument(
        "--distractor-systems",
        metavar="NAMES",
        help="comma-separated systems run with distractors, or 'all' (default: every system "
        f"of --systems; with --gate and --update-expected: {','.join(GATE_DISTRACTOR_SYSTEMS)}"
        ", since hybrid+rescore embeds thousands of pool sentences per dataset)",
    )
    parser.add_argument(
        "--gate",
        action="store_true",
        help="compare the scores with --expected and exit 1 if any fell by more than its "
        "tolerance, naming each dataset / system / metric with expected and got values; "
        "runs the distractor variants too unless --no-distractors",
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
    gate_subset = ", ".join(f"{n} of {d}" for d, n in GATE_ASK.items())
    parser.add_argument(
        "--ask",
        metavar="all|gate|N",
        help="questions per dataset put to Index.ask: 'all'; 'gate', the gate's fixed plan "
        f"(every question, except {gate_subset}); or N, up to N/2 unanswerable ones and the "
        "rest answerable ones with a gold answer, always the same ones. Default: 'gate' with "
        "--gate or --update-expected, 'all' otherwise",
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
        "--chunk-tokens",
        type=int,
        default=DEFAULT_CHUNK_TOKENS,
        metavar="N",
        help=f"chunk size of every index of the run, in cl100k tokens (default: "
        f"{DEFAULT_CHUNK_TOKENS}, the library's); to compare sizes, run once per size "
        "(the gate expects the default)",
    )
    parser.add_argument(
        "--index-dir",
        metavar="DIR",
        type=Path,
        help="keep each dataset's index in DIR/<dataset> (DIR/<dataset>+distractors, and the "
        "pool's in DIR/_distractor-pool) and reuse it on the next run (unchanged articles are "
        "not re-embedded, but articles a loader no longer makes stay: delete DIR after "
        "changing a loader); default: a fresh temporary folder per run",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(arguments)
    try:
        return _main(args, arguments)
    except (UsageError, NewsQAError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace, argv: list[str]) -> int:
    names = _split(args.dataset) if args.dataset else None
    system_names = _split(args.systems)
    if args.gate and args.update_expected:
        raise UsageError(
            "--gate and --update-expected together would gate the run against the scores it "
            "has just written; gate first (python -m eval --gate), then write the new "
            "expectations in a second command (python -m eval --update-expected)"
        )
    if args.results is not None:
        return _from_results(args, names, system_names)
    if args.timed < 0:
        raise UsageError(f"--timed of {args.timed} is negative; give 0 (all) or more")
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit of {args.limit} is too small; give at least 1 question")
    systems = get_systems(system_names)
    gating = args.gate or args.update_expected
    ask = args.ask or ("gate" if gating else "all")
    plan = None if args.no_answers else _answer_plan(args.answer_systems, ask)
    distractors = gating if args.distractors is None else args.distractors
    distractor_systems = _distractor_systems(args.distractor_systems, gating, system_names)
    evalsets = load_datasets(names, args.data_dir)
    distractor_pool = pool.load_pool(pool_data_dir(args.data_dir)) if distractors else None
    if args.limit is not None:
        evalsets = [e.limited(args.limit) for e in evalsets]
    result = run(
        evalsets,
        systems,
        k=args.k,
        model=args.model,
        chunk_tokens=args.chunk_tokens,
        index_root=args.index_dir,
        answers=plan,
        timed=args.timed or None,
        pool=distractor_pool,
        distractor_systems=distractor_systems,
    )
    result.settings["command"] = " ".join(["python -m eval", *argv])
    print(report.text_table(result))
    if args.out is not None:
        written = report.write_reports(result, args.out)
        print(f"reports written to {args.out}/: {', '.join(p.name for p in written)}")
    scores = result.scores()
    checked = run_names(names or list(DATASETS), distractors)
    # Runs with distractors (+distractors ones, and a dataset over the pool) ran only the
    # distractor systems: the others' expectations are not checked there.
    systems_of = {
        name: [
            s.name for s in systems if distractor_systems is None or s.name in distractor_systems
        ]
        for name in checked
        if distractors and (name.endswith(pool.SUFFIX) or _over_pool(name))
    }
    # A full run (every dataset, with distractors) is gated on everything expected.
    gated = None if names is None and distractors else checked
    return _finish(args, scores, gated, [s.name for s in systems], systems_of)


def run_names(datasets: list[str], distractors: bool) -> list[str]:
    """The result names a run of these datasets makes: each dataset, then its +distractors
    run, except for a dataset whose corpus is the pool (its clean run has the distractors)."""
    names = []
    for name in datasets:
        names.append(name)
        if distractors and not _over_pool(name):
            names.append(pool.distractor_name(name))
    return names


def _over_pool(name: str) -> bool:
    """The dataset's corpus is the distractor pool's pages (news-quiz)."""
    spec = DATASETS.get(name)
    return spec is not None and spec.folder == pool.POOL_FOLDER


def pool_data_dir(data_dir: Path | None) -> Path:
    folder = resolve_data_dir(data_dir)
    if folder is None:
        raise UsageError(
            f"distractors need the shared datasets, and there is no {DEFAULT_DATA_DIR}; pass "
            "--data-dir DIR (the folder holding wikipedia-current-events/), or run without "
            "them: --no-distractors"
        )
    if not pool.pool_folder(folder).is_dir():
        raise UsageError(
            f"distractors need {pool.pool_folder(folder)}/ (the Wikipedia current-events "
            "pages); check --data-dir, or run without them: --no-distractors"
        )
    return folder


def _from_results(
    args: argparse.Namespace, names: list[str] | None, system_names: list[str]
) -> int:
    try:
        data = json.loads(args.results.read_text(encoding="utf-8"))
        scores = report.scores_from_json(data)
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise UsageError(f"{args.results} is not a results.json from --out ({error})") from None
    print(report.scores_table(scores))
    # Every expected dataset is gated, whatever the file holds: one it lacks is a failure
    # that names it (a results file of the sample alone must not pass for the whole suite).
    return _finish(args, scores, names, system_names)


def _distractor_systems(value: str | None, gating: bool, systems: list[str]) -> list[str] | None:
    """The systems run with distractors (None: all of them)."""
    if value is None:
        return [s for s in systems if s in GATE_DISTRACTOR_SYSTEMS] if gating else None
    if value.strip() == "all":
        return None
    return [s.name for s in get_systems(_split(value))]


def _finish(
    args: argparse.Namespace,
    scores: gate.Scores,
    datasets: list[str] | None,
    systems: list[str],
    systems_of: dict[str, list[str]] | None = None,
) -> int:
    """Write the expectations (--update-expected) or gate ``scores`` against them (--gate):
    the expected scores of ``datasets`` (None: every dataset ``expected.toml`` names)."""
    if args.update_expected:
        previous = gate.load_expected(args.expected) if args.expected.exists() else None
        gate.write_expected(scores, args.expected, previous)
        print(f"expected scores written to {args.expected}")
    if not args.gate:
        return 0
    expected = gate.load_expected(args.expected)
    outcome = gate.compare(expected, scores, datasets, systems, systems_of=systems_of)
    print(outcome.summary(str(args.expected)))
    unchecked = sorted(set(expected.scores) - set(datasets or expected.scores))
    if unchecked:
        print(f"partial gate: not checked here: {', '.join(unchecked)}")
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
            f"{', '.join(dict.fromkeys(DATASETS[n].folder or '' for n in needs_data))}/), or "
            "run only the "
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
        evalset = spec.load(where or Path("."))
        # A dataset over the distractor pages gets no second run over them (eval.pool).
        evalset.corpus_is_pool = spec.folder == pool.POOL_FOLDER
        evalsets.append(evalset)
    return evalsets


def resolve_data_dir(data_dir: Path | None) -> Path | None:
    if data_dir is not None:
        if not data_dir.is_dir():
            raise UsageError(f"--data-dir {data_dir} is not a folder")
        return data_dir
    return DEFAULT_DATA_DIR if DEFAULT_DATA_DIR.is_dir() else None


def _answer_plan(names: str, ask: str) -> AnswerPlan:
    """The plan for --answer-systems NAMES and --ask all|gate|N."""
    chosen = None if names.strip() == "all" else get_systems(_split(names))
    systems = None if chosen is None else frozenset(s.name for s in chosen)
    value = ask.strip().lower()
    if value == "all":
        return AnswerPlan(systems=systems, limit=None)
    if value == "gate":
        return AnswerPlan(systems=systems, limit=None, limits=GATE_ASK)
    try:
        limit = int(value)
    except ValueError:
        raise UsageError(f"--ask {ask!r} is not 'all', 'gate' or a number of questions") from None
    if limit < 1:
        raise UsageError(f"--ask of {limit} is too small; give 1 or more, or 'all'")
    return AnswerPlan(systems=systems, limit=limit)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


if __name__ == "__main__":
    sys.exit(main())
