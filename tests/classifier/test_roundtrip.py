"""Train, persist, load: the reloaded classifier scores exactly like the one that was trained."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.classifier import clear_cache, load_classifier, persist, thresholds
from moderation.classifier.artifacts import HEADS_FILE, ClassifierArtifacts
from moderation.classifier.encoder import HashingEncoder
from moderation.classifier.model import LinearClassifier
from moderation.classifier.training import train_classifier
from tests.classifier.conftest import HASHING, TOXICITY_FILE, write_tiny_data

PROBES = ["how much is it??", "you stupid idiot", "trop beau 😍", "where is my order", "😂😂", "x" * 10_000]


def test_train_persist_load_gives_identical_scores(tmp_path: Path) -> None:
    data_dir, comments = write_tiny_data(tmp_path / "data")
    trained = train_classifier(HashingEncoder(128), data_dir, tmp_path / "models", comments_path=comments,
                               toxicity_path=data_dir / TOXICITY_FILE)
    before = LinearClassifier(HashingEncoder(128), trained).classify(PROBES)
    after = LinearClassifier(HashingEncoder(128), ClassifierArtifacts.load(tmp_path / "models")).classify(PROBES)
    assert before == after
    assert all(s.toxic_kind_scores is not None for s in after)
    assert [s.intent for s in after[:2]] == ["pricing", "other"]
    assert after[1].toxicity > after[0].toxicity


def test_load_classifier_caches_the_instance(tiny_models: Path) -> None:
    clear_cache()
    first = load_classifier(HASHING, tiny_models)
    assert load_classifier(HASHING, tiny_models) is first
    assert first.classify(["love it"])[0].sentiment.value == "positive"


def test_thresholds_are_saved_with_the_model(tiny_models: Path) -> None:
    saved = thresholds(tiny_models)
    assert set(saved) == {"auto_hide", "review", "macro_f1_cut"}
    assert 0 < saved["review"] < saved["auto_hide"] <= 1
    assert 0 < saved["macro_f1_cut"] < 1


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    from collections import Counter  # noqa: F401 - a trusted type for contrast
    from datetime import timedelta

    path = tmp_path / HEADS_FILE
    persist.save({"evil": timedelta(days=1)}, path)
    with pytest.raises(persist.UntrustedArtifactError):
        persist.load(path)
