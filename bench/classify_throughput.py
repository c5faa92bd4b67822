"""Throughput of `socialops classify` on a realistic 5,000-comment stream vs plain encode + LR, same run.

Run by hand from the repo root:  python -m bench.classify_throughput [--runs 3] [--data-dir ../shared/data]
Reports medians. Load time is measured apart (fresh process, `load_classifier()`), not inside throughput.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.stream import as_jsonl, build_stream
from moderation.classifier import datasets as ds
from moderation.classifier.jsonl import classify_lines
from moderation.classifier.loading import build_classifier
from moderation.classifier.settings import ClassifierSettings, default_data_dir, default_encoder

logger = logging.getLogger(__name__)


def time_socialops(stream: bytes, settings: ClassifierSettings) -> tuple[float, int]:
    """Seconds for the classify command's stream path, with a freshly loaded (empty-cache) classifier."""
    clf = build_classifier(settings)
    clf.classify(["warm up"])  # first ONNX call allocates; not part of steady-state throughput
    clf._cache.clear()
    start = time.perf_counter()
    n = sum(1 for _ in classify_lines(io.BytesIO(stream), clf))
    return time.perf_counter() - start, n


def time_plain(texts: list[str], encoder_path: str) -> float:
    """Plain SentenceTransformer.encode + LogisticRegression.predict_proba on the same texts."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    torch.set_num_threads(2)
    model = SentenceTransformer(encoder_path, device="cpu", local_files_only=True)
    rows = ds.comments()
    lr = LogisticRegression(max_iter=2000).fit(model.encode([r["text"] for r in rows]), [r["intent"] for r in rows])
    model.encode(["warm up"])
    start = time.perf_counter()
    lr.predict_proba(model.encode(texts, batch_size=32))
    return time.perf_counter() - start


def time_load(models_dir: Path) -> float:
    code = (
        "import time; t=time.perf_counter(); from moderation.classifier import load_classifier; "
        f"load_classifier(models_dir=__import__('pathlib').Path({str(models_dir)!r})); "
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--skip-plain", action="store_true")
    args = parser.parse_args()
    settings = ClassifierSettings.resolve(None, args.models_dir)
    texts = build_stream(args.data_dir)
    stream = as_jsonl(texts)
    from moderation.classifier.text import dedupe_key

    unique = len({dedupe_key(t) for t in texts})
    ours = [time_socialops(stream, settings) for _ in range(args.runs)]
    assert all(n == len(texts) for _, n in ours)
    ours_s = statistics.median(s for s, _ in ours)
    result = {
        "stream": {"texts": len(texts), "unique_after_normalisation": unique,
                   "mean_chars": round(float(np.mean([len(t) for t in texts])), 1)},
        "socialops_classify_per_s": round(len(texts) / ours_s, 1),
        "socialops_runs_s": [round(s, 2) for s, _ in ours],
        "load_s_median": round(statistics.median(time_load(settings.models_dir) for _ in range(args.runs)), 2),
    }
    if not args.skip_plain:
        plain = [time_plain(texts, default_encoder()) for _ in range(args.runs)]
        plain_s = statistics.median(plain)
        result["plain_encode_lr_per_s"] = round(len(texts) / plain_s, 1)
        result["plain_runs_s"] = [round(s, 2) for s in plain]
        result["speedup"] = round(plain_s / ours_s, 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
