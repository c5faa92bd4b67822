"""`socialops train`: rebuild every classifier artifact in `models/` from the shared and project data."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from moderation.classifier import datasets as ds
from moderation.classifier.artifacts import ClassifierArtifacts
from moderation.classifier.encoder import Encoder
from moderation.classifier.features import drop_fit_only_state, join, make_sparse_featurizer, sparse_inputs
from moderation.classifier.heads import calibrate, fit_calibrator, fit_head
from moderation.classifier.policy import choose_thresholds
from moderation.classifier.settings import ClassifierSettings
from moderation.classifier.text import encoder_text

logger = logging.getLogger(__name__)

SENTIMENT_OF = {"negative": 0, "neutral": 1, "positive": 2}
# Project-written comments are few but in-domain (and the only French): count each several times.
PROJECT_WEIGHT = 3.0

Progress = Callable[[str, int, int], None]


def _noop(step: str, done: int, total: int) -> None:
    return None


def default_cache_dir() -> Path:
    return Path(os.environ.get("SOCIALOPS_CACHE_DIR") or Path.home() / ".cache" / "socialops")


def encode_cached(
    encoder: Encoder, texts: Sequence[str], cache_dir: Path | None, progress: Progress = _noop, step: str = ""
) -> np.ndarray:
    """Encode in chunks (reporting progress); identical requests are read back from an .npy cache."""
    prepared = [encoder_text(t) for t in texts]
    path = None
    if cache_dir is not None:
        digest = hashlib.sha256(("\x00".join([encoder.name, *prepared])).encode("utf-8")).hexdigest()[:24]
        path = cache_dir / "embeddings" / f"{digest}.npy"
        if path.exists():
            progress(step, len(texts), len(texts))
            return np.load(path)
    chunks = []
    for start in range(0, len(prepared), 512):
        chunks.append(encoder.encode(prepared[start : start + 512]))
        progress(step, min(start + 512, len(prepared)), len(prepared))
    out = np.vstack(chunks) if chunks else np.zeros((0, encoder.dim), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
    return out


def train_classifier(
    encoder: Encoder,
    data_dir: Path,
    models_dir: Path,
    *,
    cache_dir: Path | None = None,
    progress: Progress = _noop,
    comments_path: Path = ds.COMMENTS_TRAIN,
) -> ClassifierArtifacts:
    """Fit featurizer, intent/toxicity/sentiment heads, calibration and thresholds; save to `models_dir`."""
    comments = ds.comments(comments_path)
    offensive = ds.tweeteval(data_dir, "offensive", "train")
    off_tune, _ = ds.halves(ds.tweeteval(data_dir, "offensive", "val"))
    sentiment = ds.tweeteval(data_dir, "sentiment", "train")

    c_texts = [c["text"] for c in comments]
    E_c = encode_cached(encoder, c_texts, cache_dir, progress, "encode project comments")
    E_off = encode_cached(encoder, offensive.texts, cache_dir, progress, "encode offensive")
    E_tune = encode_cached(encoder, off_tune.texts, cache_dir, progress, "encode offensive tune")
    E_sent = encode_cached(encoder, sentiment.texts, cache_dir, progress, "encode sentiment")

    progress("fit n-gram features", 0, 1)
    sparse = make_sparse_featurizer()
    drop_fit_only_state(sparse.fit(sparse_inputs([*offensive.texts, *sentiment.texts, *c_texts])))
    S = {name: sparse.transform(sparse_inputs(t)) for name, t in
         [("c", c_texts), ("off", offensive.texts), ("tune", off_tune.texts), ("sent", sentiment.texts)]}
    X_c, X_off, X_tune, X_sent = (join(S["c"], E_c), join(S["off"], E_off),
                                  join(S["tune"], E_tune), join(S["sent"], E_sent))
    progress("fit n-gram features", 1, 1)

    progress("fit heads", 0, 3)
    intent = fit_head("intent", X_c, np.array([c["intent"] for c in comments]))
    progress("fit heads", 1, 3)
    import scipy.sparse as sp

    y_tox = np.concatenate([offensive.y(), [int(c["toxic"]) for c in comments]])
    w_tox = np.concatenate([np.ones(len(offensive)), np.full(len(comments), PROJECT_WEIGHT)])
    toxicity = fit_head("toxicity", sp.vstack([X_off, X_c]), y_tox, w_tox)
    progress("fit heads", 2, 3)
    y_sent = np.concatenate([sentiment.y(), [SENTIMENT_OF[c["sentiment"]] for c in comments]])
    w_sent = np.concatenate([np.ones(len(sentiment)), np.full(len(comments), PROJECT_WEIGHT)])
    sentiment_head = fit_head("sentiment", sp.vstack([X_sent, X_c]), y_sent, w_sent)
    progress("fit heads", 3, 3)

    progress("calibrate toxicity", 0, 1)
    raw_tune = toxicity.predict_proba(X_tune)[:, 1]
    calibrator = fit_calibrator(raw_tune, off_tune.y())
    thresholds = choose_thresholds(calibrate(calibrator, raw_tune), off_tune.y())
    progress("calibrate toxicity", 1, 1)

    meta: dict[str, Any] = {
        "version": datetime.now(UTC).strftime("%Y%m%d%H%M"),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "encoder": encoder.name,
        "intents": [str(c) for c in intent.classes_],
        "thresholds": thresholds,
        "training_sizes": {
            "comments": len(comments), "offensive": len(offensive), "sentiment": len(sentiment),
            "offensive_tune": len(off_tune),
        },
    }
    artifacts = ClassifierArtifacts(
        sparse=sparse,
        intent=intent,
        toxicity=toxicity,
        toxicity_calibrator=calibrator,
        sentiment=sentiment_head,
        example_texts=c_texts,
        example_intents=[c["intent"] for c in comments],
        example_embeddings=E_c,
        meta=meta,
    )
    artifacts.save(models_dir)
    logger.info("moderation.classifier.trained", extra={"models_dir": str(models_dir)})
    return artifacts


def train_all(
    settings: ClassifierSettings, data_dir: Path, *, cache_dir: Path | None = None, progress: Progress = _noop
) -> ClassifierArtifacts:
    """Everything `socialops train` rebuilds, with the encoder named in `settings`."""
    from moderation.classifier.encoder import make_encoder

    progress("load encoder", 0, 1)
    encoder = make_encoder(settings.encoder)
    progress("load encoder", 1, 1)
    return train_classifier(encoder, data_dir, settings.models_dir, cache_dir=cache_dir, progress=progress)
