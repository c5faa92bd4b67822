"""How much the TweetEval figures move when the same texts reach `classify` in batches of other sizes.

Run by hand from the repo root:  python -m bench.batch_noise [--models-dir DIR ...] [--sizes 1 16 64 256 0]
The int8 encoder quantises its activations per batch (onnxruntime dynamic quantisation: one scale per tensor),
so a text's scores depend a little on which texts share its batch. `bench.classifier_accuracy` classifies each
test half in one call (size 0 here); a worker classifies whatever its batch holds. This prints the offensive
macro-F1 of `toxic` and the sentiment macro-recall at each size, for one or more model folders, so that a
difference between two models can be read against the spread of one.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, recall_score

from moderation.classifier import clear_cache, load_classifier
from moderation.classifier import datasets as ds
from moderation.classifier.settings import default_data_dir

SENTIMENTS = ["negative", "neutral", "positive"]


def in_batches(models_dir: Path | None, texts: Sequence[str], size: int) -> list:
    """Scores of `texts` from a fresh classifier (no score cache), `size` texts per call (0: one call)."""
    clear_cache()
    clf = load_classifier(None, models_dir)
    step = size or len(texts)
    return [score for start in range(0, len(texts), step) for score in clf.classify(texts[start : start + step])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models-dir", type=Path, action="append", default=None)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 16, 64, 256, 0])
    args = parser.parse_args()
    _, offensive = ds.halves(ds.tweeteval(args.data_dir, "offensive", "val"))
    _, sentiment = ds.halves(ds.tweeteval(args.data_dir, "sentiment", "val"))
    gold_sentiment = [SENTIMENTS[y] for y in sentiment.labels]
    for models_dir in args.models_dir or [None]:
        cells = []
        for size in args.sizes:
            toxic = np.array([s.toxicity >= 0.5 for s in in_batches(models_dir, offensive.texts, size)])
            polarity = [s.sentiment.value for s in in_batches(models_dir, sentiment.texts, size)]
            cells.append(f"{size or 'all'}: {100 * f1_score(offensive.y(), toxic, average='macro'):.1f} / "
                         f"{100 * recall_score(gold_sentiment, polarity, average='macro'):.1f}")
        print(f"{models_dir or 'models'}  (batch size: offensive macro-F1 / sentiment macro-recall)")
        print("  " + "   ".join(cells))


if __name__ == "__main__":
    main()
