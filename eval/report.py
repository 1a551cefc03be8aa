"""Reports of a run: a table for the terminal, and report.md, results.json, per_query.jsonl and
PNG plots in an output folder."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path

from eval import metrics
from eval.pool import distractor_name
from eval.run import DatasetResult, QueryResult, RunResult

WORST_SHOWN = 5  # worst questions per dataset listed in report.md
PLOT_DPI = 110
PLOT_COLUMNS = 4  # panels per row in the plots
# The scores set side by side, clean and with distractors, in the comparison table.
COMPARED = (
    "Hits@1",
    "Recall@10",
    metrics.ANSWER_RECALL,
    "MRR@10",
    "Answer hit",
    "First hit",
    "Answered",
    "Abstain F1",
)
KIND_COLUMNS = ("Recall@10", "MRR@10", metrics.ANSWER_RECALL, "Answer hit", "Abstained")


def columns(result: RunResult) -> list[str]:
    """Metric columns to show: retrieval and latency always (AnswerRecall@10 when some
    dataset has gold answers), answers when any were measured."""
    measured = {m for d in result.datasets.values() for s in d.systems.values() for m in s.scores}
    shown = [m for m in metrics.RETRIEVAL_COLUMNS if m != metrics.ANSWER_RECALL or m in measured]
    return (
        shown + list(metrics.LATENCY_METRICS) + [m for m in metrics.ANSWER_METRICS if m in measured]
    )


def format_value(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if metric in metrics.LOWER_IS_BETTER else f"{value:.3f}"


def dataset_line(d: DatasetResult) -> str:
    reach = ""
    if d.gold_reachable is not None:
        reach = f"; gold items inside a chunk {d.gold_reachable:.1%}"
    asked = f"; answers measured on {d.n_asked} questions" if d.n_asked else ""
    corpus = f"{_count(d.n_articles, 'article')}, {_count(d.n_chunks, 'chunk')}"
    if d.n_distractor_articles:
        corpus = (
            f"{_count(d.n_articles, 'article')} + {d.n_distractor_articles} distractor "
            f"articles, {_count(d.n_chunks, 'chunk')} in all"
        )
    return (
        f"{d.name}: {d.n_answerable} answerable + {d.n_unanswerable} unanswerable questions, "
        f"{corpus} (indexed in {d.index_seconds:.1f} s{reach}{asked})"
    )


def pool_credit(result: RunResult) -> str:
    """The distractor pool's credit line, when some run indexed it ("" otherwise)."""
    return next((d.pool_credit for d in result.datasets.values() if d.pool_credit), "")


def comparison(result: RunResult) -> list[tuple[str, str, list[str]]]:
    """(dataset, system, cells) rows setting each ``COMPARED`` score clean and with
    distractors side by side, "clean → distractors (change)"; a dataset whose corpus is the
    pool shows its one run. Empty when no run had distractors."""
    if not any(d.distractors for d in result.datasets.values()):
        return []
    rows = []
    for d in result.datasets.values():
        if d.name != d.dataset:
            continue  # a +distractors run: shown beside its clean run
        with_pool = result.datasets.get(distractor_name(d.dataset))
        for system in d.systems.values():
            cells = []
            for metric in COMPARED:
                clean = system.scores.get(metric)
                other = with_pool.systems.get(system.name) if with_pool else None
                noisy = other.scores.get(metric) if other else None
                if clean is None:
                    cells.append("-")
                elif with_pool is None and d.distractors:
                    cells.append(f"{clean:.3f} (one run)")
                elif noisy is None:
                    cells.append(f"{clean:.3f} → -")
                else:
                    cells.append(f"{clean:.3f} → {noisy:.3f} ({noisy - clean:+.3f})")
            rows.append((d.dataset, system.name, cells))
    return rows


def text_table(result: RunResult) -> str:
    """The table printed on stdout: one block per dataset, one row per system."""
    cols = columns(result)
    width = max(len(c) for c in cols) + 1
    lines = []
    for d in result.datasets.values():
        name_width = max([len("system"), *(len(s) for s in d.systems)])
        lines.append(dataset_line(d))
        lines.append(f"  {'system':<{name_width}}" + "".join(f"{c:>{width}}" for c in cols))
        for s in d.systems.values():
            cells = "".join(f"{format_value(c, s.scores.get(c)):>{width}}" for c in cols)
            lines.append(f"  {s.name:<{name_width}}{cells}")
        lines.append("")
    rows = comparison(result)
    if rows:
        lines.append("clean → with distractors (change):")
        name_width = max(len(f"{d} / {s}") for d, s, _ in rows)
        cell_width = max(len(c) for *_, cells in rows for c in cells) + 2
        head = "".join(f"{c:>{cell_width}}" for c in COMPARED)
        lines.append(f"  {'dataset / system':<{name_width}}{head}")
        for dataset, system, cells in rows:
            body = "".join(f"{c:>{cell_width}}" for c in cells)
            lines.append(f"  {f'{dataset} / {system}':<{name_width}}{body}")
        lines.append("")
    lines.append(
        f"k={result.settings['k']}, model {result.settings.get('model', '?')}, "
        f"{result.seconds:.0f} s in all"
    )
    if pool_credit(result):
        lines.append(pool_credit(result))
    return "\n".join(lines)


def markdown_table(d: DatasetResult, cols: list[str]) -> list[str]:
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for s in d.systems.values():
        cells = " | ".join(format_value(c, s.scores.get(c)) for c in cols)
        lines.append(f"| {s.name} | {cells} |")
    return lines


def worst_first(queries: list[QueryResult]) -> list[QueryResult]:
    """Answerable questions by (MRR, recall, nDCG) rising, then unanswerable ones that were
    answered rather than abstained on, then the rest."""

    def key(q: QueryResult) -> tuple:
        if q.answerable:
            return (0, q.scores.get("MRR@10", 0.0), q.scores.get("Recall@10", 0.0),
                    q.scores.get("nDCG@10", 0.0), q.qid)  # fmt: skip
        abstained = bool(q.answer and q.answer["abstained"])
        return (1, abstained, 0.0, 0.0, q.qid)

    return sorted(queries, key=key)


def write_reports(result: RunResult, out: Path) -> list[Path]:
    """Write every report file into ``out`` (created if needed); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = [
        _write(out / "results.json", json.dumps(results_json(result), indent=2) + "\n"),
        _write(out / "per_query.jsonl", "".join(_per_query_lines(result))),
    ]
    written += plot(result, out)
    written.append(_write(out / "report.md", markdown_report(result, [p.name for p in written])))
    return written


def results_json(result: RunResult) -> dict:
    return {
        "settings": result.settings,
        "seconds": round(result.seconds, 1),
        "datasets": {
            d.name: {
                **{k: v for k, v in asdict(d).items() if k != "systems"},
                "systems": {
                    s.name: {"scores": s.scores, "hits_curve": s.hits_curve, "by_kind": s.by_kind}
                    for s in d.systems.values()
                },
            }
            for d in result.datasets.values()
        },
    }


def scores_from_json(data: dict) -> dict[str, dict[str, dict[str, float]]]:
    """dataset -> system -> metric -> value, from a saved results.json."""
    return {
        name: {system: dict(s["scores"]) for system, s in d["systems"].items()}
        for name, d in data["datasets"].items()
    }


def markdown_report(result: RunResult, files: list[str]) -> str:
    cols = columns(result)
    s = result.settings
    lines = [
        "# Evaluation report",
        "",
        f"Run {s.get('date', '')} on commit `{s.get('commit', '') or 'unknown'}`: model "
        f"`{s.get('model', '?')}`, chunks of {s.get('chunk_tokens', '?')} tokens, k={s['k']}, "
        f"Python {s.get('python', '?')} on {s.get('cpus', '?')} CPUs; {result.seconds:.0f} s "
        f"in all. Rerun with `{s.get('command') or 'python -m eval --out eval/reports/'}`.",
        "",
    ]
    rows = comparison(result)
    if rows:
        lines += [
            "## Clean and with distractors",
            "",
            "Each cell: clean → with the distractor pool indexed beside the dataset (change).",
            "",
            "| dataset | system | " + " | ".join(COMPARED) + " |",
            "|---" * (len(COMPARED) + 2) + "|",
        ]
        lines += [
            f"| {name} | {system} | " + " | ".join(cells) + " |" for name, system, cells in rows
        ]
        lines.append("")
    for d in result.datasets.values():
        lines += [f"## {d.name}", "", dataset_line(d) + ".", ""]
        lines += markdown_table(d, cols)
        lines += ["", f"Hit rule: {d.hit_rule}. MAP@10: {d.map_rule} formula.", ""]
        if d.distractors and d.n_distractor_articles:
            lines += [
                "Distractors: the pool's passages compete for every rank but never count as "
                "a hit, whatever the hit rule; AnswerRecall@10 counts an answer string in any "
                f"passage ({_answers_in_distractors(d)}).",
                "",
            ]
        if d.pool_note:
            lines += [d.pool_note, ""]
        if d.note and d.name == d.dataset:
            lines += [d.note, ""]
        elif d.note:
            lines += [f"About the data: see {d.dataset}.", ""]
        lines += _kind_section(d)
    lines += ["## Plots", ""]
    lines += [f"![{f}]({f})" for f in files if f.endswith(".png")]
    lines += ["", "## Worst questions", ""]
    lines += _worst_section(result)
    lines += ["", "## How the numbers are computed", ""]
    lines += [
        "- Every system runs over the same index of each dataset (same chunks, questions, k).",
        "- Retrieval metrics cover answerable questions only; a question's relevant items are "
        "its gold sentences, facts or paragraphs, and a passage retrieves one under the "
        "dataset's hit rule. The ranked passages are turned into a ranked list of gold items "
        "and scored by `ir_measures` (trec_eval); see `eval/metrics.py` for the exact "
        "conversion. Hits@k and MRR@10 are per passage, as in the official MultiHop-RAG scorer.",
        "- Scores come from batched retrieval; latency (p50/p95) from "
        f"{s.get('timed_per_system', '?')} questions per dataset and system, evenly spread, "
        "each retrieved alone after the batch has warmed the caches.",
        "- Answer hit: share of answerable questions with an extractive gold answer whose cited "
        "sentences contain it (case and whitespace ignored; an abstention is a miss); First "
        "hit: the same for the first cited sentence alone. Citation "
        "exact: share of citations where `article.text[start:end]` is the cited sentence and "
        "the stored sentence it names. Abstain P/R/F1: abstaining is the positive class, the "
        "unanswerable questions are the truth. `Index.ask` is slow, so answers are measured on "
        f"{s.get('asked', '?')} (with a limit: up to half unanswerable, the "
        "rest answerable with an extractive gold answer; the same ones every run). Answered: "
        "share of the answerable questions asked that got an answer rather than an abstention.",
        "- AnswerRecall@10: share of answerable questions with a gold short answer where one of "
        "the first 10 passages contains it (case-insensitive, whitespace runs as one space).",
        "- With distractors: the Wikipedia current-events pages are indexed with the dataset's "
        "articles (one pool index per run, copied per dataset); the same questions, hit rules "
        "and k. A passage of the pool never counts as a hit.",
        "- By question type: per type of `EvalSet.kinds`, Recall@10, MRR@10 and "
        "AnswerRecall@10 over its answerable questions; answer hit and the share abstained on "
        "over its questions asked (for an unanswerable type, abstaining is right).",
        f"- Per-question results, worst first: `per_query.jsonl`. Files: {', '.join(files)}.",
        "",
        "## Data credits",
        "",
    ]
    lines += [f"- {credit}" for credit in dict.fromkeys(d.credit for d in result.datasets.values())]
    if pool_credit(result):
        lines.append(f"- {pool_credit(result)}")
    return "\n".join(lines) + "\n"


def kind_table(d: DatasetResult, system_name: str) -> list[str]:
    """Markdown rows of one system's per-question-type breakdown."""
    by_kind = d.systems[system_name].by_kind
    counted = ("n", "answerable", "with answer", "asked")
    head = ["kind", *counted, *KIND_COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for kind, row in by_kind.items():
        counts = [str(int(row.get(c, 0))) for c in counted]
        values = [format_value(c, row.get(c)) for c in KIND_COLUMNS]
        lines.append(f"| {kind} | " + " | ".join(counts + values) + " |")
    return lines


def _kind_section(d: DatasetResult) -> list[str]:
    if not d.systems:
        return []
    answering = [s.name for s in d.systems.values() if "Answer hit" in s.scores]
    name = (
        answering[0]
        if answering
        else ("hybrid" if "hybrid" in d.systems else next(iter(d.systems)))
    )
    return [f"By question type ({name}):", "", *kind_table(d, name), ""]


def _answers_in_distractors(d: DatasetResult) -> str:
    """How many AnswerRecall@10 finds, and answers, came from distractors (hybrid's)."""
    system = d.systems.get("hybrid") or next(iter(d.systems.values()), None)
    if system is None:
        return "no system run"
    found = [q for q in system.queries if q.answer_rank is not None]
    stray = sum(q.answer_in_distractor for q in found)
    text = (
        f"{system.name}: {stray} of its {len(found)} answer-string finds were in a distractor "
        "passage first"
    )
    answered = [q for q in system.queries if q.answer and not q.answer["abstained"]]
    if answered:
        citing = [q for q in answered if q.answer.get("cites_distractor")]
        unanswerable = sum(not q.answerable for q in citing)
        text += (
            f"; {len(citing)} of its {len(answered)} answers cite a distractor, "
            f"{unanswerable} of them to an unanswerable question, which the pool may really "
            "answer"
        )
    return text


def _worst_section(result: RunResult) -> list[str]:
    lines: list[str] = []
    for d in result.datasets.values():
        if not d.systems:
            continue
        system = d.systems.get("hybrid") or next(iter(d.systems.values()))
        worst = [q for q in worst_first(system.queries) if q.answerable][:WORST_SHOWN]
        lines += [f"{d.name}, {system.name}:", ""]
        for q in worst:
            found = f"first hit at rank {q.first_hit}" if q.first_hit else "no hit in top k"
            top = q.top[0]["text"][:120].replace("\n", " ") if q.top else ""
            whose = "distractor" if q.top and q.top[0].get("distractor") else "top"
            lines.append(
                f"- `{q.qid}` {q.question} — {found}, {q.gold_found}/{q.n_gold} gold found; "
                f"{whose} passage: “{top}…”"
            )
        lines.append("")
    return lines


def _per_query_lines(result: RunResult) -> list[str]:
    lines = []
    for d in result.datasets.values():
        for s in d.systems.values():
            for q in worst_first(s.queries):
                if not q.answerable and q.answer is None:
                    continue  # nothing was measured for it
                record = {"dataset": d.name, "system": s.name, **asdict(q)}
                if q.seconds is not None:
                    record["seconds"] = round(q.seconds, 5)
                lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return lines


def plot(result: RunResult, out: Path) -> list[Path]:
    """hits_at_k.png (Hits@k curves, one panel per dataset) and latency.png (p50/p95 bars)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window (CI has no display)
    import matplotlib.pyplot as plt

    datasets = list(result.datasets.values())
    if not datasets:
        return []
    n = len(datasets)
    cols = min(n, PLOT_COLUMNS)
    rows = math.ceil(n / cols)
    fig, grid = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    axes = grid.flatten()
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax, d in zip(axes, datasets, strict=False):
        for s in d.systems.values():
            ks = range(1, len(s.hits_curve) + 1)
            ax.plot(ks, s.hits_curve, marker="o", markersize=3, label=s.name)
        ax.set_title(d.name)
        ax.set_xlabel("k (passages)")
        # Start the axis near the lowest point: the curves differ in the top few percent.
        low = min((min(s.hits_curve) for s in d.systems.values() if s.hits_curve), default=0.0)
        ax.set_ylim(max(0.0, math.floor((low - 0.05) * 10) / 10), 1.01)
        ax.grid(alpha=0.3)
    for ax in grid[:, 0]:
        ax.set_ylabel("Hits@k")
    axes[0].legend(loc="lower right")
    fig.tight_layout()
    hits_path = out / "hits_at_k.png"
    fig.savefig(hits_path, dpi=PLOT_DPI)
    plt.close(fig)

    fig, grid = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    axes = grid.flatten()
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax, d in zip(axes, datasets, strict=False):
        names = list(d.systems)
        p50 = [d.systems[s].scores.get("p50 ms", 0.0) for s in names]
        p95 = [d.systems[s].scores.get("p95 ms", 0.0) for s in names]
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], p50, width=0.4, label="p50")
        ax.bar([x + 0.2 for x in xs], p95, width=0.4, label="p95")
        ax.set_xticks(list(xs), names)
        ax.set_title(d.name)
        ax.grid(axis="y", alpha=0.3)
    for ax in grid[:, 0]:
        ax.set_ylabel("ms per question")
    axes[0].legend()
    fig.tight_layout()
    latency_path = out / "latency.png"
    fig.savefig(latency_path, dpi=PLOT_DPI)
    plt.close(fig)
    return [hits_path, latency_path]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def scores_table(scores: dict[str, dict[str, dict[str, float]]]) -> str:
    """A table from bare scores (dataset -> system -> metric), as saved in results.json."""
    measured = {m for by_system in scores.values() for s in by_system.values() for m in s}
    all_metrics = (*metrics.RETRIEVAL_COLUMNS, *metrics.LATENCY_METRICS, *metrics.ANSWER_METRICS)
    cols = [m for m in all_metrics if m in measured]
    width = max((len(c) for c in cols), default=6) + 1
    lines = []
    for dataset, by_system in scores.items():
        name_width = max([len("system"), *(len(s) for s in by_system)])
        lines.append(dataset)
        lines.append(f"  {'system':<{name_width}}" + "".join(f"{c:>{width}}" for c in cols))
        for system, values in by_system.items():
            cells = "".join(f"{format_value(c, values.get(c)):>{width}}" for c in cols)
            lines.append(f"  {system:<{name_width}}{cells}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")
