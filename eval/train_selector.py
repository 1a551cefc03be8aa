"""``python -m eval.train_selector``: learn how the answer step weighs a sentence's features.

For every question of every dataset, indexed with the shared distractor pool as in
``python -m eval --distractors``, the candidates ``Index.ask`` would choose from are
described by ``qa.answer.features`` and labelled by whether they contain a gold answer.
A logistic regression (scikit-learn) is trained on all datasets but one and tested on the
held-out one, for each dataset in turn, next to the hand-set weights it would replace; the
share of questions whose best-scored sentence holds the answer is the measure. Then it is
trained on everything, and the abstention threshold is chosen on the best score of every
question (answerable and not) as ``eval.calibrate`` chooses it: the best mean, over
datasets, of abstention F1 and the share of answerable questions answered with a gold
answer. (Measured: the learned weights did not beat the hand-set ones held out, so
``qa/answer/selector.json`` is not shipped; ``--write-selector`` writes it.)

Then the question-level abstention model (``qa.answer.features.Abstainer``): a logistic
regression over ``QUESTION_FEATURES`` (from the hand-set sentence scores), labelled by
whether the question is answerable, against the plain threshold on the best score, each
trained and thresholded on all datasets but one and tested on the held-out one — alone and
behind the names rule that ``Index.ask`` applies first (``NAMES_REQUIRED``: refuse when the
retrieved passages mention fewer than half of the names the question asks about). Fitted
on everything (the regression itself ignores the rule; its threshold is chosen with the rule
in front, as it is applied), it goes to ``qa/answer/abstain.json`` with ``--write``.

"What did X say?" questions are left out: they are answered by attribution rules.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.datasets import DATASETS
from eval.datasets.base import EvalSet
from eval.pool import datasets_with_distractors
from qa import Index
from qa.answer import parse_question
from qa.answer.ask import ANSWER_K
from qa.answer.features import (
    ABSTAIN_FILE,
    FEATURES,
    MODEL_FILE,
    NAMES_REQUIRED,
    QUESTION_FEATURES,
    Abstainer,
    Selector,
    candidates,
    hand_selector,
    question_features,
)
from qa.answer.select import read_candidates
from qa.fusion import DEFAULT_MODE
from qa.mentions import names_found, question_names

THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)


@dataclass
class Question:
    dataset: str
    qid: str
    answerable: bool
    features: np.ndarray  # candidates x FEATURES (may be empty)
    labels: np.ndarray  # 1 where the candidate holds a gold answer
    names_found: float = 1.0  # share of the question's names the retrieved passages mention
    # The answer model's probability per candidate (qa.reader; 0 where not read), with --reader.
    reader: np.ndarray | None = None


def collect(evalset: EvalSet, index: Index, log=print, read: bool = False) -> list[Question]:
    """The candidates of every question of ``evalset`` as ``Index.ask`` builds them."""
    out: list[Question] = []
    searcher = index.searcher
    started = time.perf_counter()
    for number, (qid, asked) in enumerate(evalset.queries.items(), start=1):
        text, filters, _ = index.interpret_time(asked)
        parsed = parse_question(text)
        if parsed.speaker:
            continue
        retrieved = searcher.search([text], ANSWER_K, DEFAULT_MODE, filters)[0]
        vector = retrieved.vector
        assert vector is not None
        found = candidates(
            text,
            parsed.kind,
            vector,
            retrieved.passages,
            retrieved.sentences,
            searcher.sentence_vectors,
        )
        golds = [g.casefold() for g in evalset.answers.get(qid, []) if g.strip()]
        answerable = qid not in evalset.unanswerable
        if answerable and not golds:
            continue  # no short answer to judge a sentence by
        labels = np.array(
            [float(any(g in c.sentence.text.casefold() for g in golds)) for c in found]
        )
        matrix = np.stack([c.features for c in found]) if found else np.zeros((0, len(FEATURES)))
        share, _ = names_found(question_names(text), retrieved.passages)
        reader = None
        if read and found:
            prior = hand_selector().score(matrix).ravel()
            reader = read_candidates(text, found, prior, retrieved.sentences)
        out.append(Question(evalset.name, qid, answerable, matrix, labels, share, reader))
        if number % 100 == 0:
            log(f"{evalset.name}: {number} questions ({time.perf_counter() - started:.0f} s)")
    return out


def fit(questions: Sequence[Question]) -> Selector:
    from sklearn.linear_model import LogisticRegression

    rows = [q for q in questions if q.answerable and len(q.labels)]
    x = np.concatenate([q.features for q in rows])
    y = np.concatenate([q.labels for q in rows])
    # Each question weighs the same, however many candidates it has.
    weights = np.concatenate([np.full(len(q.labels), 1.0 / len(q.labels)) for q in rows])
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, y, sample_weight=weights * len(rows))
    return Selector(model.coef_[0], float(model.intercept_[0]), True, "learned", 0.5)


def top1(selector: Selector, questions: Sequence[Question]) -> float:
    """Share of answerable questions (with a candidate holding the answer) whose
    best-scored candidate holds it."""
    judged = [q for q in questions if q.answerable and q.labels.sum() > 0]
    if not judged:
        return float("nan")
    hits = sum(q.labels[int(np.argmax(selector.score(q.features)))] for q in judged)
    return float(hits / len(judged))


def abstention(selector: Selector, questions: Sequence[Question], threshold: float) -> dict:
    """Abstention precision/recall/F1 (unanswerable = positive) and the share of answerable
    questions answered with a gold answer, abstaining below ``threshold`` on the best score
    of ``selector`` (the answer is then its best-scored candidate)."""
    return abstention_by(lambda q: _best(selector, q), questions, threshold, selector)


def _best(selector: Selector, question: Question) -> float:
    return float(selector.score(question.features).max()) if len(question.labels) else 0.0


def fit_abstainer(
    questions: Sequence[Question], by_dataset: dict[str, list[Question]], names_rule: bool = True
) -> Abstainer:
    """The abstention model trained on ``questions`` (answerable or not, classes balanced),
    its threshold chosen on ``by_dataset`` as ``choose_threshold`` does — with the names rule
    in front of it (``NAMES_REQUIRED``) as ``Index.ask`` applies it, unless ``names_rule`` is
    off."""
    from sklearn.linear_model import LogisticRegression

    hand = hand_selector()
    x = np.stack([_described(hand, q) for q in questions])
    y = np.array([q.answerable for q in questions])
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(x, y)
    unthresholded = Abstainer(model.coef_[0], float(model.intercept_[0]), 0.5, "learned")
    threshold = _best_threshold(
        lambda q: _confidence(unthresholded, q, names_rule), by_dataset
    )
    return Abstainer(unthresholded.weights, unthresholded.intercept, threshold, "learned")


def _described(selector: Selector, question: Question) -> np.ndarray:
    scores = selector.score(question.features).ravel() if len(question.labels) else np.zeros(0)
    return question_features(question.features, scores)


def _confidence(abstainer: Abstainer, question: Question, names_rule: bool = True) -> float:
    if not len(question.labels) or (names_rule and question.names_found < NAMES_REQUIRED):
        return 0.0
    return abstainer.confidence(_described(hand_selector(), question))


def abstention_by(
    confidence, questions: Sequence[Question], threshold: float, chooser: Selector | None = None
) -> dict:
    """``abstention`` for any confidence function of a question (abstain below
    ``threshold``); the answer is the best candidate by ``chooser`` (default: hand-set)."""
    hand = chooser or hand_selector()

    def scores(q: Question) -> np.ndarray:  # a Selector, or a function of the question
        return hand.score(q.features) if isinstance(hand, Selector) else hand(q)

    tp = fp = fn = answered_right = answerable = 0
    for q in questions:
        abstains = confidence(q) < threshold
        if q.answerable:
            answerable += 1
            fp += abstains
            if not abstains and len(q.labels) and q.labels[int(np.argmax(scores(q)))]:
                answered_right += 1
        else:
            tp += abstains
            fn += not abstains
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    answered = answered_right / answerable if answerable else 0.0
    return {"P": precision, "R": recall, "F1": f1, "answered": answered}


def _best_threshold(
    confidence, by_dataset: dict[str, list[Question]], chooser: Selector | None = None
) -> float:
    def objective(threshold: float) -> float:
        values = []
        for questions in by_dataset.values():
            scores = abstention_by(confidence, questions, threshold, chooser)
            has_negatives = any(not q.answerable for q in questions)
            values.append(
                (scores["F1"] + scores["answered"]) / 2 if has_negatives else scores["answered"]
            )
        return float(np.mean(values))

    return float(max(THRESHOLDS, key=lambda t: (objective(float(t)), -t)))


def compare_abstention(by_dataset: dict[str, list[Question]]) -> list[str]:
    """Held-out rows: each dataset judged by the threshold on the best score, by the
    abstention model alone and by the model behind the names rule (what ``Index.ask``
    does), each fitted on the other datasets."""
    hand = hand_selector()

    def best_score(q: Question) -> float:
        return _best(hand, q)

    lines = [
        "| held-out dataset | best-score threshold: th / P / R / F1 / answered "
        "| abstention model | model + names rule (shipped) |",
        "|---|---|---|---|",
    ]
    for name, questions in by_dataset.items():
        rest = {other: qs for other, qs in by_dataset.items() if other != name}
        threshold = _best_threshold(best_score, rest)
        plain = abstention_by(best_score, questions, threshold)
        cells = []
        for rule in (False, True):
            model = fit_abstainer([q for qs in rest.values() for q in qs], rest, rule)
            scores = abstention_by(
                lambda q, m=model, r=rule: _confidence(m, q, r), questions, model.threshold
            )
            cells.append(f"{model.threshold:.2f} / {_row(scores)}")
        lines.append(f"| {name} | {threshold:.2f} / {_row(plain)} | {cells[0]} | {cells[1]} |")
    return lines


def _row(scores: dict) -> str:
    return " / ".join(f"{scores[key]:.3f}" for key in ("P", "R", "F1", "answered"))


def choose_threshold(selector: Selector, by_dataset: dict[str, list[Question]]) -> float:
    """The threshold on ``selector``'s best score with the best mean over datasets of
    (abstention F1 + answered) / 2; datasets without unanswerable questions count by their
    answered share only."""
    return _best_threshold(lambda q: _best(selector, q), by_dataset, selector)


# -- the answer model against the hand-set weights (--reader) ----------------------------------
BLENDS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)  # weight of the answer model's probability


def _blend(q: Question, weight: float | None) -> np.ndarray:
    """A question's candidate scores: hand-set weights + ``weight`` x the answer model's
    probability (None: the probability alone)."""
    hand = hand_selector().score(q.features).ravel()
    reader = q.reader if q.reader is not None else np.zeros(len(hand))
    return reader if weight is None else hand + weight * reader


def _top1_by(scores_of, questions: Sequence[Question]) -> float:
    judged = [q for q in questions if q.answerable and q.labels.sum() > 0]
    if not judged:
        return float("nan")
    return float(np.mean([q.labels[int(np.argmax(scores_of(q)))] for q in judged]))


def reader_study(by_dataset: dict[str, list[Question]]) -> list[str]:
    """Held out, dataset by dataset: which scorer puts the answer first (hand-set weights,
    the answer model alone, the blend whose weight the other datasets choose), and how
    abstention fares on the model's best probability, on the abstention model, and on the
    abstention model with the best probability as a seventh input — each thresholded on the
    other datasets, behind the names rule."""
    from sklearn.linear_model import LogisticRegression

    lines = [
        "| held-out dataset | questions | hand-set | answer model | blend (weight) "
        "| abstain: hand model P/R/F1/answered | answer model's best | hand model + best |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for name, questions in by_dataset.items():
        rest = {o: qs for o, qs in by_dataset.items() if o != name}
        rest_all = [q for qs in rest.values() for q in qs]
        weight = max(BLENDS, key=lambda w: (_top1_by(lambda q: _blend(q, w), rest_all), -w))
        judged = sum(1 for q in questions if q.answerable and q.labels.sum() > 0)

        def chosen(q: Question, w: float = weight) -> np.ndarray:
            return _blend(q, w)

        chooser = chosen
        # Abstention: hand model; best probability; hand model features + best probability.
        hand_model = fit_abstainer(rest_all, rest)
        cells = [abstention_by(lambda q, m=hand_model: _confidence(m, q), questions,
                               hand_model.threshold, chooser)]  # fmt: skip

        def best_read(q: Question) -> float:
            if not len(q.labels) or q.names_found < NAMES_REQUIRED or q.reader is None:
                return 0.0
            return float(q.reader.max())

        threshold = _best_threshold(best_read, rest, chooser)
        cells.append(abstention_by(best_read, questions, threshold, chooser))
        x = np.stack([_with_reader(q) for q in rest_all])
        y = np.array([q.answerable for q in rest_all])
        model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(x, y)

        def combined(q: Question, m=model) -> float:
            if not len(q.labels) or q.names_found < NAMES_REQUIRED:
                return 0.0
            return float(m.predict_proba(_with_reader(q)[None, :])[0, 1])

        threshold = _best_threshold(combined, rest, chooser)
        cells.append(abstention_by(combined, questions, threshold, chooser))
        lines.append(
            f"| {name} | {judged} | {_top1_by(lambda q: _blend(q, 0.0), questions):.3f} | "
            f"{_top1_by(lambda q: _blend(q, None), questions):.3f} | "
            f"{_top1_by(chosen, questions):.3f} ({weight:g}) | "
            + " | ".join(_row(c) for c in cells)
            + " |"
        )
    return lines


def _with_reader(q: Question) -> np.ndarray:
    described = _described(hand_selector(), q)
    best = float(q.reader.max()) if q.reader is not None and len(q.reader) else 0.0
    return np.append(described, best)


# Judged story by story, with no short answers or unanswerable questions to learn from.
DIGEST_SETS = ("news-digest",)


def _collect_all(
    names: Sequence[str], data_dir: Path, index_dir: Path | None, log, read: bool = False
) -> dict[str, list[Question]]:
    """Every dataset's candidates, each indexed with the distractor pool."""
    by_dataset: dict[str, list[Question]] = {}
    with datasets_with_distractors(names, data_dir, index_dir) as indexed:
        for evalset, variant, index in indexed:
            log(f"{variant.name}: collecting candidates ...")
            by_dataset[evalset.name] = collect(evalset, index, log, read)
    return by_dataset


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.train_selector", description=__doc__)
    parser.add_argument(
        "--dataset",
        default=",".join(n for n in DATASETS if n not in DIGEST_SETS),
        help="datasets (default: all with short answers)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets"
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="keep the indexes here and reuse them next time (default: temporary)",
    )
    parser.add_argument(
        "--candidates",
        type=Path,
        default=None,
        help="keep the collected candidates in this file and read them from it next time "
        "(collecting asks every question: ~20 min on 2 cores)",
    )
    parser.add_argument(
        "--reader",
        action="store_true",
        help="also read every candidate with the answer model (qa.reader) and compare it, "
        "held out, with the hand-set weights",
    )
    parser.add_argument("--write", action="store_true", help=f"write {ABSTAIN_FILE}")
    parser.add_argument(
        "--write-selector", action="store_true", help=f"write {MODEL_FILE} (learned weights)"
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.dataset.split(",") if n.strip()]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.candidates and args.candidates.exists():
        with args.candidates.open("rb") as cached:
            by_dataset = {n: qs for n, qs in pickle.load(cached).items() if n in names}
        log(f"candidates read from {args.candidates}")
    else:
        by_dataset = _collect_all(names, args.data_dir, args.index_dir, log, args.reader)
        if args.candidates:
            with args.candidates.open("wb") as cache:
                pickle.dump(by_dataset, cache)
    if args.reader:
        print("The answer model against the hand-set weights, held out (the blend's weight "
              "and every threshold chosen on the other datasets; names rule in front):")
        print("\n".join(reader_study(by_dataset)))
    hand = hand_selector()
    lines = ["| held-out dataset | questions | hand-set weights | learned (other datasets) |",
             "|---|---:|---:|---:|"]  # fmt: skip
    held_out = {}
    for name, questions in by_dataset.items():
        rest = [q for other, qs in by_dataset.items() if other != name for q in qs]
        learned = fit(rest)
        held_out[name] = {"hand": top1(hand, questions), "learned": top1(learned, questions)}
        judged = sum(1 for q in questions if q.answerable and q.labels.sum() > 0)
        lines.append(
            f"| {name} | {judged} | {held_out[name]['hand']:.3f} | "
            f"{held_out[name]['learned']:.3f} |"
        )
    print("Best-scored sentence holds the answer (answerable questions whose candidates "
          "hold one):")  # fmt: skip
    print("\n".join(lines))
    everything = [q for qs in by_dataset.values() for q in qs]
    final = fit(everything)
    threshold = choose_threshold(final, by_dataset)
    hand_threshold = choose_threshold(hand, by_dataset)
    print(f"\nthreshold: learned {threshold:.2f}, hand-set weights {hand_threshold:.2f}")
    for name, questions in by_dataset.items():
        a = abstention(final, questions, threshold)
        b = abstention(hand, questions, hand_threshold)
        print(
            f"{name}: learned P/R/F1/answered {a['P']:.2f}/{a['R']:.2f}/{a['F1']:.2f}/"
            f"{a['answered']:.2f}; hand {b['P']:.2f}/{b['R']:.2f}/{b['F1']:.2f}/"
            f"{b['answered']:.2f}"
        )
    print("\ncoefficients: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, final.weights,
                                                                           strict=True)))
    print("\nAbstention, held out (trained and thresholded on the other datasets):")
    print("\n".join(compare_abstention(by_dataset)))
    abstainer = fit_abstainer(everything, by_dataset)
    print(
        f"\nabstention model on everything: threshold {abstainer.threshold:.2f}; coefficients "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(QUESTION_FEATURES, abstainer.weights,
                                                     strict=True))
        + f", intercept {abstainer.intercept:+.2f}"
    )
    if args.write:
        ABSTAIN_FILE.write_text(
            json.dumps(
                {
                    "source": "python -m eval.train_selector --write",
                    "features": list(QUESTION_FEATURES),
                    "sentence_features": list(FEATURES),
                    "coefficients": [round(float(w), 6) for w in abstainer.weights],
                    "intercept": round(abstainer.intercept, 6),
                    "threshold": abstainer.threshold,
                    "held_out": compare_abstention(by_dataset),
                    "datasets": {n: len(qs) for n, qs in by_dataset.items()},
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {ABSTAIN_FILE}")
    if args.write_selector:
        MODEL_FILE.write_text(
            json.dumps(
                {
                    "source": "python -m eval.train_selector --write",
                    "features": list(FEATURES),
                    "coefficients": [round(float(w), 6) for w in final.weights],
                    "intercept": round(final.intercept, 6),
                    "threshold": threshold,
                    "held_out_top1": held_out,
                    "datasets": {n: len(qs) for n, qs in by_dataset.items()},
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
