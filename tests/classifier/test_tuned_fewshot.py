"""`--intents FILE --tune-encoder`: the stock encoder fine-tuned on the examples, then the few-shot head."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from moderation.classifier import clear_cache
from moderation.classifier.fewshot import fit_intents
from moderation.classifier.intent_tuning import TuneConfig, tune_encoder
from moderation.classifier.model import LinearClassifier
from moderation.classifier.settings import bundled_encoder_path
from tests.classifier.conftest import HASHING
from tests.classifier.test_cli import INTENTS_YAML, cli

INTENTS = {
    "card_arrival": ["my card has not arrived", "still waiting for my card", "card not delivered yet"],
    "lost_card": ["I lost my card", "my card was stolen", "can't find my card anywhere"],
    "exchange_rate": ["what is the exchange rate", "bad exchange rate on euros", "rate for dollars"],
}
PROBES = ["my card still has not arrived", "I think I lost my card", "what's the exchange rate for dollars"]
TINY = TuneConfig(target_steps=6, min_epochs=1, max_epochs=3, batch_size=6, per_class=2)


def test_tuning_moves_the_encoder_towards_the_intents() -> None:
    texts = [t for examples in INTENTS.values() for t in examples]
    labels = [name for name, examples in INTENTS.items() for _ in examples]
    stock = tune_encoder(bundled_encoder_path(), texts, labels, TuneConfig(target_steps=0, min_epochs=0))
    tuned = tune_encoder(bundled_encoder_path(), texts, labels, TINY)
    assert TINY.epochs(len(texts)) == 3  # 2 batches an epoch, 6 steps wanted, at most 3
    e0, e1 = stock.encode(texts), tuned.encode(texts)
    assert e1.shape == (9, tuned.dim) and np.allclose(np.linalg.norm(e1, axis=1), 1, atol=1e-4)
    same = np.array(labels)[:, None] == np.array(labels)[None, :]

    def margin(e: np.ndarray) -> float:  # mean similarity within an intent minus across intents
        sims = e @ e.T
        return float(sims[same & ~np.eye(9, dtype=bool)].mean() - sims[~same].mean())

    assert margin(e1) > margin(e0)


def test_tuned_head_classifies_with_its_own_encoder(tiny_classifier: LinearClassifier) -> None:
    head = fit_intents(tiny_classifier, INTENTS, tune_encoder=True, tune_config=TINY)
    assert head.encoder is not None and head.example_embeddings.shape == (9, head.encoder.dim)
    clf = tiny_classifier.with_intents(head)
    scores = clf.classify(PROBES, explain=True)
    assert [s.intent for s in scores] == list(INTENTS)
    assert all(0 <= s.intent_confidence <= 1 and s.explanation for s in scores)
    assert scores[0].explanation["nearest_examples"][0]["intent"] == "card_arrival"
    # toxicity and sentiment still come from the shipped heads, unchanged by the custom intents
    assert [s.toxicity for s in scores] == [s.toxicity for s in tiny_classifier.classify(PROBES)]


def test_classify_cli_tune_encoder(tiny_models: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOCIALOPS_ENCODER", HASHING)
    clear_cache()
    intents = tmp_path / "intents.yaml"
    intents.write_text(INTENTS_YAML)
    stdin = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(PROBES))
    args = ["classify", "--models-dir", str(tiny_models), "--intents", str(intents), "--tune-encoder"]
    result = CliRunner().invoke(cli(), args, input=stdin)
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["intent"] for x in result.stdout.splitlines()] == list(INTENTS)


def test_tune_encoder_needs_intents(tiny_models: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOCIALOPS_ENCODER", HASHING)
    result = CliRunner().invoke(cli(), ["classify", "--models-dir", str(tiny_models), "--tune-encoder"], input="")
    assert result.exit_code != 0 and "--intents" in result.output
