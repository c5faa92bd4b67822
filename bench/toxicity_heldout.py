"""Toxicity and kind of harm on realistic EN/FR comments that nothing was trained or tuned on (issue 17).

Run by hand from the repo root:  python -m bench.toxicity_heldout [--models-dir models] [--errors]
Reads `moderation/classifier/data/toxicity_heldout.jsonl` (written before the training examples, by other
phrasings) and reports toxic-class F1 overall and per language, recall per kind and language, false
positives on hard negatives (enthusiastic swearing, harsh civil complaints), auto-hide precision and the
accuracy of `toxic_kind` on the toxic comments.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score

from moderation.classifier import datasets as ds
from moderation.classifier import load_classifier, thresholds


def report(rows: list[dict], scores: list, auto_hide: float) -> dict[str, object]:  # noqa: ANN001
    """Every figure of the issue-17 targets for `rows` scored as `scores`."""
    y = np.array([int(r["toxic"]) for r in rows])
    p = np.array([s.toxicity for s in scores])
    pred = p >= 0.5
    langs = np.array([r["lang"] for r in rows])
    out: dict[str, object] = {"n": len(rows), "toxic": int(y.sum())}
    for lang in ("all", "en", "fr"):
        m = np.ones(len(rows), bool) if lang == "all" else langs == lang
        out[f"toxic_f1_{lang}"] = f1_score(y[m], pred[m], zero_division=0)
        out[f"toxic_precision_{lang}"] = precision_score(y[m], pred[m], zero_division=0)
        out[f"toxic_recall_{lang}"] = recall_score(y[m], pred[m], zero_division=0)
    kinds = np.array([r["toxic_kind"] for r in rows])
    recall: dict[str, float] = {}
    for kind in sorted(set(kinds) - {"none"}):
        for lang in ("all", "en", "fr"):
            m = (kinds == kind) & ((langs == lang) | (lang == "all"))
            if m.any():
                recall[f"{kind}_{lang}"] = float(pred[m].mean())
    out["recall_by_kind"] = recall
    groups = np.array([r.get("group", "") for r in rows])
    fp: dict[str, float] = {}
    for group in ("enthusiastic", "complaint", "ordinary"):
        for lang in ("all", "en", "fr"):
            m = (groups == group) & ((langs == lang) | (lang == "all"))
            if m.any():
                fp[f"{group}_{lang}"] = float(pred[m].mean())
    hard = np.isin(groups, ["enthusiastic", "complaint"])
    fp["hard_negatives_all"] = float(pred[hard].mean())
    out["false_positive_rate"] = fp
    hidden = p >= auto_hide
    out["auto_hide_threshold"] = auto_hide
    out["auto_hide_precision"] = float(y[hidden].mean()) if hidden.any() else float("nan")
    out["auto_hide_recall"] = float(hidden[y == 1].mean())
    got = np.array([getattr(s, "toxic_kind", "none") for s in scores])
    toxic = y == 1
    out["kind_accuracy_on_toxic"] = float((got[toxic] == kinds[toxic]).mean())
    out["kind_accuracy_on_toxic_caught"] = float((got[toxic & pred] == kinds[toxic & pred]).mean()) \
        if (toxic & pred).any() else float("nan")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--file", type=Path, default=ds.TOXICITY_HELDOUT)
    parser.add_argument("--errors", action="store_true", help="also list the misclassified comments")
    args = parser.parse_args()
    rows = ds.comments(args.file)
    clf = load_classifier(None, args.models_dir)
    scores = clf.classify([r["text"] for r in rows])
    result = report(rows, scores, thresholds(args.models_dir)["auto_hide"])
    print(json.dumps(result, indent=2, default=lambda x: round(float(x), 4)))
    if args.errors:
        for r, s in zip(rows, scores, strict=True):
            wrong_toxic = (s.toxicity >= 0.5) != bool(r["toxic"])
            wrong_kind = getattr(s, "toxic_kind", "none") != r["toxic_kind"]
            if wrong_toxic or wrong_kind:
                print(f"{r['lang']} {r['toxic_kind']:>10} -> {getattr(s, 'toxic_kind', '?'):>10} "
                      f"{s.toxicity:.2f}  {r['text']}")


if __name__ == "__main__":
    main()
