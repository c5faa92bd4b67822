"""Combine the linear heads with the fine-tuned encoder's own heads; fitted on tune data, never on test."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.linear_model import LogisticRegression

from moderation.classifier.heads import SEED

logger = logging.getLogger(__name__)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def toxicity_inputs(
    linear_p: np.ndarray, outputs: dict[str, np.ndarray], project_p: np.ndarray | None = None,
    french: np.ndarray | None = None, tweet_gate: np.ndarray | None = None,
) -> np.ndarray:
    """Columns: logit of the linear (tweet) head, of the encoder's toxicity head when the encoder has one, and
    of the project-comment head when the artifacts have one; then, with `french` (1 for French texts), that
    flag and its products with the encoder and project logits, and two hinges on the project logit. The
    encoder was fine-tuned on English tweets only: for French its logit says little, and the combiner can
    only learn that with the flag.

    With `tweet_gate` (P(the text reads like a tweet) from `fit_tweet_gate`), the gate and its product with
    every column above follow: the combiner then weighs the same evidence one way on tweets and another on
    brand comments. The two kinds of data label by different conventions (OLID counts swearing at no one as
    offensive and political hostility without insult as not; realistic brand comments the other way round for
    swearing, and threats or hate without swear words as toxic), and one set of weights had to trade them."""
    cols = [_logit(linear_p)]
    if "toxicity" in outputs:
        cols.append(_logit(_softmax(outputs["toxicity"])[:, 1]))
    if project_p is not None:
        project = _logit(project_p)
        cols.append(project)
        if french is not None:
            flag = np.asarray(french, dtype=np.float64)
            cols.append(flag)
            cols.extend(flag * col for col in cols[1:-1])
        # Hinges: the project head may raise toxicity where it is confident, and where it is more confident
        # than the encoder head (threats and hate without swear words, which tweets rarely show).
        cols.append(np.maximum(project, 0.0))
        if "toxicity" in outputs:
            cols.append(np.maximum(project - cols[1], 0.0))
    if tweet_gate is not None:
        gate = np.asarray(tweet_gate, dtype=np.float64)
        cols.extend([gate, *(gate * col for col in cols)])
    return np.column_stack(cols)


def sentiment_inputs(linear_p: np.ndarray, outputs: dict[str, np.ndarray]) -> np.ndarray:
    """Columns: log-probabilities of the linear head, then of the encoder's sentiment head if any."""
    cols = [np.log(np.clip(linear_p, 1e-6, 1.0))]
    if "sentiment" in outputs:
        cols.append(np.log(np.clip(_softmax(outputs["sentiment"]), 1e-6, 1.0)))
    return np.hstack(cols)


def fit_toxicity_combiner(
    inputs: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> LogisticRegression:
    """Platt-style stacking: its output is the calibrated toxicity probability."""
    return LogisticRegression(C=100.0, max_iter=2000, random_state=SEED).fit(inputs, y, sample_weight=sample_weight)


def fit_tweet_gate(tweets: np.ndarray, comments: np.ndarray) -> LogisticRegression:
    """P(a text reads like a tweet) from its sentence embedding alone: tweets (label 1) against project comments
    (label 0), each side weighing the same in all. The embedding and not the n-grams, so that one `@user`
    or hashtag does not make a brand comment a tweet: the gate reads topic and register as a whole."""
    design = np.vstack([tweets, comments]).astype(np.float64)
    y = np.concatenate([np.ones(len(tweets)), np.zeros(len(comments))])
    weights = np.concatenate([np.full(len(tweets), len(comments) / max(len(tweets), 1)), np.ones(len(comments))])
    return LogisticRegression(C=1.0, max_iter=2000, random_state=SEED).fit(design, y, sample_weight=weights)


def tweet_gate_of(gate: LogisticRegression | None, embeddings: np.ndarray) -> np.ndarray | None:
    """The gate's P(tweet) for each embedding; None for artifacts saved before the gate existed."""
    if gate is None:
        return None
    return gate.predict_proba(np.asarray(embeddings, dtype=np.float64))[:, 1]


def fit_sentiment_combiner(inputs: np.ndarray, y: np.ndarray) -> LogisticRegression:
    # Balanced: the target metric is macro-recall, and negatives are the rare class on Twitter.
    return LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced", random_state=SEED).fit(inputs, y)
