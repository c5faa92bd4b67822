"""Toxicity policy thresholds: auto-hide (precision-first) and review (recall-first), picked on tune data."""

from __future__ import annotations

import logging

import numpy as np

logger = logging.getLogger(__name__)

HIDE_PRECISION = 0.90
# Margin over the target on tune data, so that held-out precision stays above HIDE_PRECISION.
HIDE_PRECISION_MARGIN = 0.03
REVIEW_RECALL = 0.85
MIN_HIDDEN = 20


def choose_thresholds(toxicity: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Smallest auto-hide threshold whose precision holds from there up; review at REVIEW_RECALL recall."""
    toxicity = np.asarray(toxicity, dtype=np.float64)
    y = np.asarray(y).astype(int)
    grid = np.round(np.arange(0.30, 0.991, 0.01), 2)
    target = HIDE_PRECISION + HIDE_PRECISION_MARGIN
    auto_hide = 0.99
    for t in grid[::-1]:
        hidden = toxicity >= t
        if hidden.sum() < MIN_HIDDEN:
            continue
        if y[hidden].mean() < target:
            break
        auto_hide = float(t)
    positives = max(int(y.sum()), 1)
    review = float(grid[0])
    for t in grid:
        if ((toxicity >= t) & (y == 1)).sum() / positives >= REVIEW_RECALL:
            review = float(t)
    review = min(review, auto_hide - 0.05)
    return {"auto_hide": round(auto_hide, 2), "review": round(max(review, 0.05), 2),
            "macro_f1_cut": macro_f1_cut(toxicity, y)}


def macro_f1_cut(toxicity: np.ndarray, y: np.ndarray) -> float:
    """The cut with the best macro-F1 on this (tune) data: the classifier's balanced operating point.

    `toxic` stays `toxicity >= 0.5` (a calibrated probability); this cut is saved so that benchmarks and
    callers who want balanced errors use one fixed, train-time choice instead of fitting it on test data.
    """
    from sklearn.metrics import f1_score

    grid = np.round(np.arange(0.10, 0.90, 0.01), 2)
    return float(max(grid, key=lambda c: f1_score(y, toxicity >= c, average="macro")))
