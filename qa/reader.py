"""The answer model: does this sentence answer this question?

A cross-encoder (the bundled all-MiniLM-L6-v2 fine-tuned with one logit on real QA data by
``python -m eval.train_reader``) reads the question and one candidate sentence with a little
context (the article's title and the sentence before it) together, and gives the probability
that the sentence holds the answer. Each candidate is judged on its own (a sigmoid, not a
softmax over the candidates), so a probability means the same whatever else was retrieved:
the best one is the question's evidence that the articles answer at all. (Nearly: the int8
file quantises activations per batch, so a probability read in another batch can differ by
a few hundredths — 0.028 for one candidate read alone rather than with another, in
tests/test_reader.py.)

It ships as an ONNX file with a manifest (``qa/models/``) and runs on ONNX Runtime with the
embedder's tokenizer: no torch at question time. The manifest's sha256 is checked on load;
a missing or damaged file is a ``ReaderModelError`` naming the file and the command that
rebuilds it, never a silent fallback.

Below both the answer step and search (both score with it); it imports only ``qa.embed``
(the tokenizer's folder) and ``qa.errors``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.errors import ReaderModelError

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "reader.onnx"
MANIFEST_FILE = "reader.json"
MAX_TOKENS = 128  # question + sentence + context, in word pieces ([CLS]/[SEP] included)
CONTEXT_CHARS = 200  # of the sentence before, after the title
REBUILD = "python -m eval.train_reader"
BATCH = 32


def model_path() -> Path:
    """The shipped model file; ``$NEWSQA_READER`` points at another (tests, experiments)."""
    return Path(os.environ["NEWSQA_READER"]) if os.environ.get("NEWSQA_READER") else (
        MODEL_DIR / MODEL_FILE
    )


def manifest_path(model: Path | None = None) -> Path:
    return (model or model_path()).with_suffix(".json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def candidate_text(sentence: str, title: str = "", previous: str = "") -> str:
    """What the model reads of a candidate: the sentence first (truncation cuts the longer of
    question and candidate from its end, so context goes before the sentence does), then the
    title and the end of the sentence before it."""
    parts = [" ".join(sentence.split())]
    if title:
        parts.append(" ".join(title.split()))
    if previous:
        previous = " ".join(previous.split())
        parts.append(previous[-CONTEXT_CHARS:])
    return " | ".join(parts)


def read_manifest(model: Path) -> dict:
    """The manifest beside ``model``, checked against the file (exists, sha256)."""
    manifest_file = manifest_path(model)
    if not model.exists():
        raise ReaderModelError(
            f"the answer model {model} is missing; rebuild it with `{REBUILD}` "
            "(or reinstall newsqa)"
        )
    if not manifest_file.exists():
        raise ReaderModelError(
            f"the answer model's manifest {manifest_file} is missing; rebuild both with "
            f"`{REBUILD}`"
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        expected = manifest["sha256"]
    except (ValueError, KeyError) as error:
        raise ReaderModelError(
            f"the answer model's manifest {manifest_file} is unreadable ({error}); "
            f"rebuild it with `{REBUILD}`"
        ) from None
    actual = sha256_of(model)
    if actual != expected:
        raise ReaderModelError(
            f"the answer model {model} is damaged or not the one its manifest describes "
            f"(sha256 {actual[:12]}…, expected {expected[:12]}…); rebuild it with `{REBUILD}` "
            "(or reinstall newsqa)"
        )
    return manifest


class OnnxReader:
    """The answer model on ONNX Runtime. ``score(questions, texts)`` gives one probability a
    pair; the session is made on first use."""

    def __init__(self, model: Path | None = None, *, check: bool = True) -> None:
        from tokenizers import Tokenizer

        from qa.embed import DEFAULT_MODEL
        from qa.embed import model_path as embedder_folder

        self.path = model or model_path()
        self.manifest = read_manifest(self.path) if check else {}
        self.max_tokens = int(self.manifest.get("max_tokens", MAX_TOKENS))
        # Below this best probability a question is not answered: chosen on held-out
        # training questions (the manifest says how it scored there).
        self.threshold = float(self.manifest.get("threshold", 0.5))
        # The longest questions it was trained on (0: no limit). MultiHop-RAG's compound
        # questions run 33-59 words where 99.9% of its training questions have at most 24,
        # and it refuses most of them (README, "The answer model").
        self.max_question_words = int(self.manifest.get("max_question_words", 0))
        # Fine-tuned from the bundled embedder: the same word pieces.
        folder = Path(embedder_folder(DEFAULT_MODEL))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens, strategy="longest_first")
        self._session = None

    def _run(self):
        if self._session is None:
            from qa.embed import onnx_session

            try:
                self._session = onnx_session(self.path, min(2, os.cpu_count() or 1))
            except Exception as error:  # onnxruntime raises its own untyped errors
                raise ReaderModelError(
                    f"the answer model {self.path} could not be loaded ({error}); rebuild it "
                    f"with `{REBUILD}`"
                ) from None
        return self._session

    def reads(self, question: str) -> bool:
        """Is ``question`` within the lengths the model was trained on?"""
        return not self.max_question_words or len(question.split()) <= self.max_question_words

    def logits(self, questions: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        if len(questions) != len(texts):
            raise ValueError(f"{len(questions)} questions for {len(texts)} texts")
        from qa.embed import padded_batch

        out = np.zeros(len(texts), dtype=np.float32)
        if not len(texts):
            return out
        session = self._run()
        encoded = self._tokenizer.encode_batch(list(zip(questions, texts, strict=True)))
        order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i].ids))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            (logit,) = session.run(None, padded_batch(encoded, rows))
            out[rows] = logit
        return out

    def score(self, questions: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """The probability that each text answers its question."""
        return 1.0 / (1.0 + np.exp(-self.logits(questions, texts)))


@lru_cache(maxsize=2)
def _reader(path: str) -> OnnxReader:
    return OnnxReader(Path(path))


def get_reader() -> OnnxReader:
    """The shipped answer model (or ``$NEWSQA_READER``'s), loaded once per process."""
    return _reader(str(model_path()))
