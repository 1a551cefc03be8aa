"""``python -m eval.rerank_study``: should the answer model re-rank retrieval's candidates?

For every answerable question of every dataset, indexed with the shared distractor pool as in
``python -m eval --distractors``, the first ``DEPTH`` passages of plain ``hybrid`` are read by
the answer model (``qa.reader``) two ways (each question read as the eval reads it: time
words become a date filter first):

* **passage**: the question with the passage's text and its title (truncated to the model's
  128 word pieces);
* **best sentence**: each of the passage's sentences with its title and the sentence before
  it, as the answer step reads them; the passage scores its best sentence.

Then each passage is re-scored ``(1 - w) * fused + w * minmax(model)`` over the first ``d``
candidates, for every weight ``w`` and depth ``d``, and MRR@10 and Recall@10 are measured
(the dataset's own hit rule; distractor passages never hit). The weight and depth reported
as "chosen" for a dataset are those with the best mean MRR@10 over the *other* datasets, so
no dataset picks its own setting. Scores are cached (``--cache``) so the sweep can be re-run.

    python -m eval.rerank_study --index-dir build/evalidx --cache build/rerank.pkl
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.datasets import DATASETS
from eval.pool import datasets_with_distractors
from eval.run import _hits
from qa.fusion import minmax
from qa.reader import candidate_text, get_reader

DEPTH = 30
WEIGHTS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
DEPTHS = (10, 20, 30)
CUTOFF = 10


@dataclass
class Ranked:
    """One question: its fused candidates' scores, which gold items each hits, and the
    model's two readings of each candidate."""

    fused: np.ndarray
    hits: list[frozenset[int]]
    n_gold: int
    passage: np.ndarray
    sentence: np.ndarray


def read_question(reader, question: str, passages, sentences_of) -> tuple[np.ndarray, np.ndarray]:
    texts = [candidate_text(p.text, p.article.title) for p in passages]
    passage_scores = reader.score([question] * len(texts), texts)
    owners, pieces = [], []
    for i, p in enumerate(passages):
        stored = sentences_of[p.article.id]
        for s in p.sentences:
            if s.heading:
                continue
            before = stored[s.index - 1] if s.index else None
            previous = before.text if before is not None and not before.heading else ""
            owners.append(i)
            pieces.append(candidate_text(s.text, p.article.title, previous))
    best = np.zeros(len(passages))
    if pieces:
        scores = reader.score([question] * len(pieces), pieces)
        np.maximum.at(best, np.asarray(owners), scores)
    return passage_scores, best


def collect(names: Sequence[str], data_dir: Path, index_dir: Path | None, log) -> dict:
    reader = get_reader()
    out: dict[str, list[Ranked]] = {}
    with datasets_with_distractors(names, data_dir, index_dir) as indexed:
        for evalset, variant, index in indexed:
            own = frozenset(a.id for a in evalset.articles)
            rows: list[Ranked] = []
            started = time.perf_counter()
            for n, qid in enumerate(evalset.answerable, start=1):
                # Read as the eval's systems read it: time words become a date filter.
                question, filters, _ = index.interpret_time(evalset.queries[qid])
                golds = evalset.relevant[qid]
                found = index.searcher.search([question], DEPTH, "hybrid", filters)[0]
                passages = found.passages
                passage, sentence = read_question(reader, question, passages, found.sentences)
                rows.append(
                    Ranked(
                        np.array([p.score for p in passages]),
                        [_hits(evalset, golds, p, own) for p in passages],
                        len(golds),
                        passage,
                        sentence,
                    )
                )
                if n % 100 == 0:
                    log(f"{variant.name}: {n} questions ({time.perf_counter() - started:.0f} s)")
            out[variant.name] = rows
    return out


def metrics_of(
    rows: Sequence[Ranked], variant: str, weight: float, depth: int
) -> tuple[float, float]:
    """Mean MRR@10 and Recall@10 after re-scoring the first ``depth`` candidates."""
    mrr = recall = 0.0
    for row in rows:
        head = min(depth, len(row.fused))
        model = getattr(row, variant)[:head]
        scores = (1 - weight) * row.fused[:head] + weight * minmax(model)
        order = list(np.argsort(-scores, kind="stable")) + list(range(head, len(row.fused)))
        top = order[:CUTOFF]
        first = next((r for r, i in enumerate(top, start=1) if row.hits[i]), None)
        mrr += 1.0 / first if first else 0.0
        found = set().union(*(row.hits[i] for i in top)) if top else set()
        recall += len(found) / row.n_gold if row.n_gold else 0.0
    return mrr / len(rows), recall / len(rows)


def report(data: dict[str, list[Ranked]]) -> list[str]:
    settings = [(v, w, d) for v in ("passage", "sentence") for w in WEIGHTS[1:] for d in DEPTHS]
    table = {(name, s): metrics_of(rows, *s) for name, rows in data.items() for s in settings}
    base = {name: metrics_of(rows, "passage", 0.0, DEPTH) for name, rows in data.items()}
    lines = [
        "| dataset | questions | hybrid MRR@10 / R@10 | chosen on the others (reading, w, depth) "
        "| re-ranked MRR@10 / R@10 | best for itself |",
        "|---|---:|---|---|---|---|",
    ]
    for name, rows in data.items():
        others = [n for n in data if n != name] or [name]  # one dataset: its own choice
        chosen = max(settings, key=lambda s: np.mean([table[(n, s)][0] for n in others]))
        own_best = max(settings, key=lambda s: table[(name, s)][0])
        m, r = table[(name, chosen)]
        lines.append(
            f"| {name} | {len(rows)} | {base[name][0]:.3f} / {base[name][1]:.3f} | "
            f"{chosen[0]}, {chosen[1]}, {chosen[2]} | {m:.3f} / {r:.3f} | "
            f"{own_best[0]}, {own_best[1]}, {own_best[2]}: {table[(name, own_best)][0]:.3f} |"
        )
    overall = max(settings, key=lambda s: np.mean([table[(n, s)][0] for n in data]))
    lines.append("")
    lines.append(f"best on all datasets together: {overall}")
    lines.append("")
    lines.append("| reading, w, depth | " + " | ".join(data) + " |")
    lines.append("|---|" + "---|" * len(data))
    for s in settings:
        cells = " | ".join(f"{table[(n, s)][0]:.3f}" for n in data)
        lines.append(f"| {s[0]}, {s[1]}, {s[2]} | {cells} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.rerank_study", description=__doc__)
    parser.add_argument("--dataset", default=",".join(DATASETS), help="datasets (default: all)")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets"
    )
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None, help="keep the scores here")
    args = parser.parse_args(list(argv) if argv is not None else None)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    names = [n.strip() for n in args.dataset.split(",") if n.strip()]
    if args.cache and args.cache.exists():
        data = pickle.loads(args.cache.read_bytes())
    else:
        data = collect(names, args.data_dir, args.index_dir, log)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(data))
    print("\n".join(report(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
