"""Cross-validated macro-F1 of the default-taxonomy intent head on the *training* comments, per language.

The development figure for new training comments and intent features: the held-out comments and the demo week
are only ever reported on, never used to choose anything. Run by hand from the repo root:

    python -m bench.intent_cv [--comments FILE] [--folds 5] [--models-dir models]

The encoder is the int8 ONNX graph in `models/` (as `socialops train --heads-only` uses it); the n-gram
featurizer is fitted, without labels, on the TweetEval training texts plus every comment, as in training.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from moderation.classifier import datasets as ds
from moderation.classifier.features import drop_fit_only_state, join, make_sparse_featurizer, sparse_inputs
from moderation.classifier.loading import onnx_encoder
from moderation.classifier.settings import default_data_dir, default_models_dir
from moderation.classifier.training import default_cache_dir, encode_cached, fit_intent_head

logger = logging.getLogger(__name__)


def cross_validate(comments: list[dict], X, folds: int, seed: int = 2020) -> dict[str, float]:  # noqa: ANN001
    strata = [f"{c['lang']}:{c['intent']}" for c in comments]
    gold = np.array([c["intent"] for c in comments])
    pred = np.empty(len(comments), dtype=object)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, strata):
        head = fit_intent_head(X[train], [comments[i] for i in train])
        pred[test] = head.predict(X[test])
    out: dict[str, float] = {"n": len(comments), "folds": folds}
    for lang in ("all", "en", "fr"):
        idx = [i for i, c in enumerate(comments) if lang in ("all", c["lang"])]
        out[f"n_{lang}"] = len(idx)
        out[f"macro_f1_{lang}"] = float(f1_score(gold[idx], pred[idx].astype(str), average="macro"))
    out["fr_gap"] = out["macro_f1_en"] - out["macro_f1_fr"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=Path, default=ds.COMMENTS_TRAIN)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--models-dir", type=Path, default=default_models_dir())
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    comments = ds.comments(args.comments)
    texts = [c["text"] for c in comments]
    tweets = [*ds.tweeteval(args.data_dir, "offensive", "train").texts,
              *ds.tweeteval(args.data_dir, "sentiment", "train").texts]
    encoder = onnx_encoder(args.models_dir)
    embeddings = encode_cached(encoder, texts, default_cache_dir())["embedding"]
    sparse = make_sparse_featurizer()
    drop_fit_only_state(sparse.fit(sparse_inputs([*tweets, *texts])))
    X = join(sparse.transform(sparse_inputs(texts)), embeddings)
    print(json.dumps(cross_validate(comments, X, args.folds), indent=2, default=lambda x: round(float(x), 4)))


if __name__ == "__main__":
    main()
