"""Scores the classifier on the bundled demo week, whose gold labels (`expected_intent`, `expected_toxic`) were
written by a different author than the training examples: an outside check of the default taxonomy.

Run: python bench/demo_sample_accuracy.py
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from sklearn.metrics import classification_report, f1_score

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SAMPLE = Path(__file__).resolve().parents[1] / "socialops" / "demo" / "sample.jsonl"


def main() -> None:
    from moderation.classifier import load_classifier

    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    classifier = load_classifier()
    started = time.perf_counter()
    scores = classifier.classify([row["text"] for row in rows])
    seconds = time.perf_counter() - started
    gold = [row["expected_intent"] for row in rows]
    predicted = [score.intent for score in scores]
    print(f"{classifier.name}@{classifier.version}: {len(rows)} messages in {seconds:.2f} s")
    print(f"intent macro-F1, all: {f1_score(gold, predicted, average='macro'):.3f}")
    for lang in ("en", "fr"):
        idx = [i for i, score in enumerate(scores) if score.lang == lang]
        f1 = f1_score([gold[i] for i in idx], [predicted[i] for i in idx], average="macro")
        print(f"intent macro-F1, {lang} (n={len(idx)}): {f1:.3f}")
    toxic_gold = [bool(row["expected_toxic"]) for row in rows]
    toxic_predicted = [score.toxicity >= 0.5 for score in scores]
    print(f"toxic macro-F1: {f1_score(toxic_gold, toxic_predicted, average='macro'):.3f}")
    print(classification_report(gold, predicted, digits=3, zero_division=0))


if __name__ == "__main__":
    main()
