"""What int8 quantisation costs the fine-tuned encoder's own heads, on the TweetEval *tune* halves.

Run by hand from the repo root:
    python -m bench.encoder_quantisation CHECKPOINT_DIR [--work-dir DIR] [--keep-fp32 PATTERN ...]
CHECKPOINT_DIR holds a `multitask.pt` from `moderation.classifier.finetune`. The float32 ONNX graph is compared
with the int8 graph `socialops train` ships and with variants that keep the MatMuls whose node names contain a
PATTERN in float32. Only tune halves are read: this chooses a build setting, so the test halves stay unseen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, recall_score

from moderation.classifier import datasets as ds
from moderation.classifier.model import encode_outputs
from moderation.classifier.onnx_runtime import OnnxEncoder
from moderation.classifier.settings import default_data_dir, default_encoder, offline_hub
from moderation.classifier.stacking import _softmax


def tune_figures(encoder: OnnxEncoder, data_dir: Path) -> dict[str, float]:
    off_tune, _ = ds.halves(ds.tweeteval(data_dir, "offensive", "val"))
    sent_tune, _ = ds.halves(ds.tweeteval(data_dir, "sentiment", "val"))
    tox = _softmax(encode_outputs(encoder, off_tune.texts)["toxicity"])[:, 1]
    sent = encode_outputs(encoder, sent_tune.texts)["sentiment"].argmax(1)
    y = off_tune.y()
    return {
        "tox_macro_f1_at_0.5": f1_score(y, tox >= 0.5, average="macro"),
        "tox_macro_f1_best_cut": max(f1_score(y, tox >= c, average="macro") for c in np.arange(0.1, 0.9, 0.02)),
        "tox_average_precision": average_precision_score(y, tox),
        "sent_macro_recall": recall_score(sent_tune.y(), sent, average="macro"),
    }


def rounded(figures: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in figures.items()}


def main() -> None:
    import torch

    from moderation.classifier import finetune as ft
    from moderation.classifier.onnx_export import export_onnx, quantize

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/encoder-quantisation"))
    parser.add_argument("--keep-fp32", nargs="*", default=[], help="node-name patterns kept float32, one variant each")
    args = parser.parse_args()
    offline_hub()
    tokenizer = Path(default_encoder()) / "tokenizer.json"
    model = ft.build_model(default_encoder())
    model.load_state_dict(torch.load(args.checkpoint / "multitask.pt", weights_only=True))
    fp32 = export_onnx(model.eval(), args.work_dir / "encoder.fp32.onnx", with_heads=True)
    variants = {"fp32": fp32, "int8": quantize(fp32, args.work_dir / "encoder.int8.onnx")}
    for k, pattern in enumerate(args.keep_fp32):
        variants[f"int8 except {pattern}"] = quantize(fp32, args.work_dir / f"encoder.int8.{k}.onnx", keep_fp32=pattern)
    report = {}
    for name, path in variants.items():
        figures = tune_figures(OnnxEncoder(path, tokenizer), args.data_dir)
        report[name] = {"mb": round(path.stat().st_size / 1e6, 2), **rounded(figures)}
        print(name, json.dumps(report[name]), flush=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
