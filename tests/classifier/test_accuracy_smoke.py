"""Smoke accuracy of the shipped models/ on project-written held-out comments (not a benchmark)."""

from __future__ import annotations

import pytest

from moderation.classifier import datasets as ds
from moderation.classifier import load_classifier, thresholds
from moderation.classifier.artifacts import HEADS_FILE
from moderation.classifier.settings import default_models_dir

pytestmark = pytest.mark.skipif(
    not (default_models_dir() / HEADS_FILE).exists(), reason="no trained artifacts in models/"
)


def test_shipped_model_gets_most_heldout_intents_right() -> None:
    rows = ds.comments(ds.COMMENTS_HELDOUT)[::3]  # every third: ~80 comments, both languages
    clf = load_classifier()
    scores = clf.classify([r["text"] for r in rows])
    accuracy = sum(s.intent == r["intent"] for s, r in zip(scores, rows, strict=True)) / len(rows)
    assert accuracy >= 0.75
    assert sum(s.lang == r["lang"] for s, r in zip(scores, rows, strict=True)) / len(rows) >= 0.9


def test_shipped_model_separates_insults_from_praise_in_both_languages() -> None:
    clf = load_classifier()
    review = thresholds()["review"]
    insults = clf.classify(["you are a pathetic idiot", "ta gueule espèce de connard"])
    kind = clf.classify(["love this colour, thank you!", "merci, trop belle la robe 😍"])
    assert all(s.toxicity >= review for s in insults)
    assert all(s.toxicity < review and s.sentiment.value == "positive" for s in kind)


def test_classify_is_registered_on_the_socialops_cli() -> None:
    from socialops.cli import cli

    assert {"classify", "train", "eval"} <= set(cli.commands)
