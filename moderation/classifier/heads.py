"""Linear heads over the joined features, with pinned hyperparameters and seeds."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

SEED = 13


@dataclass(frozen=True)
class HeadConfig:
    """Logistic-regression settings for one head; defaults merged under per-head overrides."""

    C: float = 2.0
    max_iter: int = 3000
    class_weight: str | None = None


HEAD_CONFIGS: dict[str, HeadConfig] = {
    "intent": HeadConfig(C=8.0, class_weight="balanced"),
    "toxicity": HeadConfig(C=2.0),
    "sentiment": HeadConfig(C=1.0, class_weight="balanced"),
    "toxic_kind": HeadConfig(C=4.0, class_weight="balanced"),
    "toxicity_project": HeadConfig(C=4.0, class_weight="balanced"),
    "fewshot": HeadConfig(C=30.0, class_weight="balanced"),
}


def fit_head(
    name: str, X: sp.spmatrix | np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> LogisticRegression:
    """Fit the named head; coefficients are stored as float32 to halve artifact size."""
    cfg = HEAD_CONFIGS[name]
    model = LogisticRegression(
        C=cfg.C, max_iter=cfg.max_iter, class_weight=cfg.class_weight, random_state=SEED, solver="lbfgs"
    )
    model.fit(X, y, sample_weight=sample_weight)
    model.coef_ = model.coef_.astype(np.float32)
    model.intercept_ = model.intercept_.astype(np.float32)
    logger.info("moderation.classifier.head_fitted", extra={"head": name, "n": int(X.shape[0])})
    return model
