"""Embedding backends: encode rate and how far each backend's vectors are from torch's.

    python -m bench backends                     # 600 windows of 90 words, best of 2
    python -m bench backends --texts 300 --repeat 2

Texts: consecutive 90-word windows of the current-events day pages (link markup rendered
away by ``qa.load``). Each backend embeds all of them in one call (batches of 64, sorted by
length, all cores), ``--repeat`` times; the best run counts. Against torch's vectors: the
largest absolute difference of any coordinate, and the cosine per text (mean and min).
The ONNX files are exported on first use (``qa.embed``); that one-time cost is reported
separately, measured in a fresh cache folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

import numpy as np

from bench._common import machine, table, write_results
from bench._corpus import day_pages
from qa.embed import DEFAULT_MODEL, OnnxEmbedder, SentenceTransformerEmbedder

WORDS = 90


def windows(n: int) -> list[str]:
    words: list[str] = []
    for page in day_pages(120):
        words += page.text.split()
        if len(words) >= n * WORDS:
            break
    return [" ".join(words[i : i + WORDS]) for i in range(0, n * WORDS, WORDS)]


def export_seconds() -> dict:
    """Export fp32 and quantise int8 into an empty cache folder (what a first run pays)."""
    folder = tempfile.mkdtemp(prefix="bench-onnx-")
    saved = os.environ.get("NEWSQA_CACHE")
    os.environ["NEWSQA_CACHE"] = folder
    try:
        out = {}
        for backend in ("onnx", "onnx-int8"):
            model = OnnxEmbedder(DEFAULT_MODEL, backend)
            started = time.perf_counter()
            model.embed(["first use"])
            out[backend] = round(time.perf_counter() - started, 2)
        return out
    finally:
        if saved is None:
            os.environ.pop("NEWSQA_CACHE", None)
        else:
            os.environ["NEWSQA_CACHE"] = saved
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench backends", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    texts = windows(args.texts)
    models = {
        "torch": SentenceTransformerEmbedder(DEFAULT_MODEL),
        "onnx": OnnxEmbedder(DEFAULT_MODEL, "onnx"),
        "onnx-int8": OnnxEmbedder(DEFAULT_MODEL, "onnx-int8"),
    }
    vectors, rates = {}, {}
    for model in models.values():
        model.embed(texts[:128])  # warm-up: model load, export if needed, first batches
    for _ in range(args.repeat):  # interleaved, so a busy spell hits every backend alike
        for name, model in models.items():
            started = time.perf_counter()
            vectors[name] = model.embed(texts)
            rate = len(texts) / (time.perf_counter() - started)
            rates[name] = max(rates.get(name, 0.0), rate)
    reference = vectors["torch"]
    results = {"machine": machine(), "texts": len(texts), "words_per_text": WORDS,
               "repeat": args.repeat, "first_use_export_s": export_seconds(), "backends": {}}
    for name in models:
        cosine = (vectors[name] * reference).sum(axis=1)
        results["backends"][name] = {
            "texts_per_s": round(rates[name], 1),
            "speedup_vs_torch": round(rates[name] / rates["torch"], 2),
            "max_abs_diff_vs_torch": float(np.abs(vectors[name] - reference).max()),
            "cosine_vs_torch_mean": round(float(cosine.mean()), 4),
            "cosine_vs_torch_min": round(float(cosine.min()), 4),
        }
    write_results("backends", results)
    print(report_tables(results))
    return 0


def report_tables(r: dict) -> str:
    rows = [[name, b["texts_per_s"], b["speedup_vs_torch"], f"{b['max_abs_diff_vs_torch']:.1e}",
             b["cosine_vs_torch_mean"], b["cosine_vs_torch_min"]]
            for name, b in r["backends"].items()]
    export = ", ".join(f"{k} {v} s" for k, v in r["first_use_export_s"].items())
    return (f"{r['texts']} news windows of {r['words_per_text']} words, best of {r['repeat']}; "
            f"first use (export, quantise, load): {export}\n\n"
            + table(["backend", "texts/s", "x torch", "max abs diff", "cosine mean",
                     "cosine min"], rows))


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
