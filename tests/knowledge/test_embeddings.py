"""Retrieval shares the classifier's encoder: the same outputs, and texts just classified are not encoded again."""

from __future__ import annotations

import numpy as np

from moderation.classifier.encoder import HashingEncoder
from moderation.classifier.model import encode_outputs
from moderation.knowledge.embeddings import RememberingEncoder
from moderation.knowledge.retrieval import classifier_embedder


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__(64)
        self.encoded: list[str] = []

    def run(self, texts):  # type: ignore[no-untyped-def]
        self.encoded.extend(texts)
        embedding = self.encode(texts)
        return {"embedding": embedding, "intent_logits": embedding[:, :3] * 2}


class HoldsAnEncoder:
    def __init__(self, encoder) -> None:  # type: ignore[no-untyped-def]
        self.encoder = encoder


def test_same_outputs_and_no_second_pass() -> None:
    inner = CountingEncoder()
    classifier = HoldsAnEncoder(inner)
    embed = classifier_embedder(classifier)
    assert isinstance(classifier.encoder, RememberingEncoder)
    texts = ["how much is this?", "prix ?", "how much is this?"]
    first = encode_outputs(classifier.encoder, texts)  # what the classifier does
    again = embed(["prix ?", "how much is this?"])  # what retrieval does next
    assert np.allclose(first["embedding"], encode_outputs(inner, texts)["embedding"])
    assert np.allclose(first["intent_logits"][0], first["intent_logits"][2])
    assert np.allclose(again[0], first["embedding"][1]) and np.allclose(again[1], first["embedding"][0])
    assert len(inner.encoded) == 2 + 3  # two unique texts once, plus the direct reference call
    assert classifier_embedder(classifier) is not None and isinstance(classifier.encoder, RememberingEncoder)
    assert not isinstance(classifier.encoder.inner, RememberingEncoder)  # wrapped once


def test_the_cache_is_bounded() -> None:
    encoder = RememberingEncoder(CountingEncoder(), size=3)
    encoder.encode(["a", "b", "c", "d"])
    assert len(encoder._rows) == 3 and "a" not in encoder._rows
    assert encoder.encode([]).shape == (0, 64)
