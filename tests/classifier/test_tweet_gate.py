"""The tweet gate (issue 17, fourth round): the toxicity combiner weighs the same evidence one way on tweets and
another on brand comments, because the two label swearing at no one and political hostility differently."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moderation.classifier.artifacts import ClassifierArtifacts
from moderation.classifier.stacking import fit_tweet_gate, toxicity_inputs, tweet_gate_of
from moderation.classifier.training import gate_out_of_fold


def _two_clusters(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    tweets = rng.normal(0.0, 1.0, (60, 8)) + np.eye(8)[0] * 3
    comments = rng.normal(0.0, 1.0, (30, 8)) - np.eye(8)[0] * 3
    return tweets, comments


def test_gate_tells_tweets_from_comments_by_embedding() -> None:
    tweets, comments = _two_clusters()
    gate = fit_tweet_gate(tweets, comments)
    new_tweets, new_comments = _two_clusters(seed=1)
    assert tweet_gate_of(gate, new_tweets).mean() > 0.9
    assert tweet_gate_of(gate, new_comments).mean() < 0.1


def test_older_artifacts_without_a_gate_get_none() -> None:
    assert tweet_gate_of(None, np.zeros((3, 8))) is None


def test_out_of_fold_gate_scores_every_comment_from_a_gate_that_did_not_see_it() -> None:
    tweets, comments = _two_clusters()
    oof = gate_out_of_fold(tweets, comments)
    assert oof.shape == (len(comments),)
    assert ((oof > 0) & (oof < 0.5)).all()


def test_gate_adds_itself_and_its_product_with_every_column() -> None:
    linear = np.array([0.2, 0.9])
    outputs = {"toxicity": np.array([[1.0, -1.0], [-1.0, 1.0]])}
    project, french = np.array([0.3, 0.8]), np.array([0.0, 1.0])
    plain = toxicity_inputs(linear, outputs, project, french)
    gated = toxicity_inputs(linear, outputs, project, french, np.array([0.0, 1.0]))
    width = plain.shape[1]
    assert gated.shape[1] == 2 * width + 1
    np.testing.assert_allclose(gated[:, :width], plain)
    np.testing.assert_allclose(gated[0, width:], 0.0)  # not a tweet: the gated block is silent
    np.testing.assert_allclose(gated[1, width + 1:], plain[1])  # a tweet: it repeats the evidence


def test_trained_artifacts_carry_the_gate_through_save_and_load(tiny_models: Path) -> None:
    artifacts = ClassifierArtifacts.load(tiny_models)
    assert artifacts.tweet_gate is not None
    n_inputs = artifacts.toxicity_combiner.coef_.shape[1]
    assert n_inputs % 2 == 1 and n_inputs > 3  # the plain columns, the gate, the gated copies
