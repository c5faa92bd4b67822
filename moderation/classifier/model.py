"""The default TextClassifier: sentence embeddings + n-grams -> linear heads, with a dedupe cache."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from moderation.classifier import explain as explaining
from moderation.classifier.artifacts import ClassifierArtifacts
from moderation.classifier.encoder import Encoder
from moderation.classifier.features import join, scale_embedding, sparse_inputs
from moderation.classifier.lang import detect_language
from moderation.classifier.stacking import sentiment_inputs, toxicity_inputs, tweet_gate_of
from moderation.classifier.text import dedupe_key, encoder_text
from moderation.domain import TOXIC_KINDS, Scores, Sentiment

logger = logging.getLogger(__name__)

SENTIMENTS = (Sentiment.negative, Sentiment.neutral, Sentiment.positive)
CACHE_SIZE = 50_000


@dataclass(frozen=True)
class IntentHead:
    """Which model names the intent: the trained default taxonomy or a few-shot head from `--intents`."""

    model: LogisticRegression
    example_texts: list[str]
    example_intents: list[str]
    example_embeddings: np.ndarray
    # Few-shot heads lean harder on the embedding than on n-grams (measured on Banking77 train, not test).
    embedding_scale: float = 1.0
    # `--tune-encoder`: the intent head reads its own fine-tuned encoder's embedding instead of the shipped one.
    encoder: Encoder | None = None

    def design(self, X: Any, embeddings: np.ndarray, texts: Sequence[str]) -> tuple[Any, np.ndarray]:
        """The head's design matrix for `texts` and the embedding it used (for nearest examples)."""
        return intent_design(X, embeddings, texts, self.encoder, self.embedding_scale)


def intent_design(
    X: Any, embeddings: np.ndarray, texts: Sequence[str], encoder: Encoder | None, scale: float
) -> tuple[Any, np.ndarray]:
    """Joined features with the embedding block from `encoder` when given (else as built) times `scale`."""
    if encoder is not None:
        sparse = X[:, : X.shape[1] - embeddings.shape[1]]
        embeddings = encode_outputs(encoder, texts)["embedding"]
        X = join(sparse, embeddings)
    return scale_embedding(X, embeddings.shape[1], scale), embeddings


class LinearClassifier:
    """Scores texts for intent, toxicity, sentiment and language; identical texts are scored once."""

    name = "minilm-linear"

    def __init__(
        self, encoder: Encoder, artifacts: ClassifierArtifacts, intent_head: IntentHead | None = None
    ) -> None:
        self.encoder = encoder
        self.artifacts = artifacts
        self.version = str(artifacts.meta.get("version", "unversioned"))
        self.intent_head = intent_head or IntentHead(
            artifacts.intent, artifacts.example_texts, artifacts.example_intents, artifacts.example_embeddings
        )
        self._cache: OrderedDict[str, Scores] = OrderedDict()
        self.stats = {"encoded": 0}

    @property
    def intents(self) -> list[str]:
        return [str(c) for c in self.intent_head.model.classes_]

    def with_intents(self, head: IntentHead) -> LinearClassifier:
        """A classifier sharing encoder and heads but naming intents with `head` (its own cache)."""
        return LinearClassifier(self.encoder, self.artifacts, head)

    def classify(self, texts: Sequence[str], *, explain: bool = False) -> list[Scores]:
        keys = [dedupe_key(t) for t in texts]
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if explain or (key not in self._cache and key not in todo):
                todo.setdefault(key, text)
        fresh = dict(zip(todo, self._score(list(todo.values()), explain=explain), strict=True))
        if not explain:
            for key, scores in fresh.items():
                self._remember(key, scores)
        out = []
        for key in keys:
            hit = fresh.get(key) or self._cache[key]
            out.append(hit)
        if not explain:
            for key in set(keys) - set(fresh):
                self._cache.move_to_end(key)
        return out

    def encode(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Encoder outputs: `embedding`, plus head logits when the encoder is the fine-tuned graph."""
        return encode_outputs(self.encoder, texts)

    def features(self, texts: Sequence[str]) -> tuple[Any, dict[str, np.ndarray]]:
        """Joined design matrix and the encoder outputs it was built from."""
        outputs = self.encode(texts)
        sparse = self.artifacts.sparse.transform(sparse_inputs(texts))
        return join(sparse, outputs["embedding"]), outputs

    def _score(self, texts: list[str], *, explain: bool) -> list[Scores]:
        if not texts:
            return []
        a = self.artifacts
        X, outputs = self.features(texts)
        intent_X, intent_embeddings = self.intent_head.design(X, outputs["embedding"], texts)
        intent_p = self.intent_head.model.predict_proba(intent_X)
        intents = self.intent_head.model.classes_
        langs = [detect_language(text) for text in texts]
        project_p = a.toxicity_project.predict_proba(X)[:, 1] if a.toxicity_project is not None else None
        french = np.array([lang == "fr" for lang in langs], dtype=np.float64)
        gate = tweet_gate_of(a.tweet_gate, outputs["embedding"])
        tox_in = toxicity_inputs(a.toxicity.predict_proba(X)[:, 1], outputs, project_p, french, gate)
        toxicity = a.toxicity_combiner.predict_proba(tox_in)[:, 1]
        kind_p = a.toxic_kind.predict_proba(X) if a.toxic_kind is not None else None
        sent_p = a.sentiment.predict_proba(X)
        sent_classes = a.sentiment.classes_
        if a.sentiment_combiner is not None:
            sent_p = a.sentiment_combiner.predict_proba(sentiment_inputs(sent_p, outputs))
            sent_classes = a.sentiment_combiner.classes_
        self.stats["encoded"] += len(texts)
        out = []
        for i, text in enumerate(texts):
            k = int(np.argmax(intent_p[i]))
            tox = _unit(toxicity[i])
            kind, kind_scores = toxic_kind(tox, a.toxic_kind.classes_ if kind_p is not None else None,
                                           kind_p[i] if kind_p is not None else None)
            explanation = None
            if explain:
                explanation = explaining.explain_one(self, text, X[i], intent_embeddings[i], intent_index=k,
                                                     toxic_kind=kind)
            out.append(
                Scores(
                    intent=str(intents[k]),
                    intent_confidence=_unit(intent_p[i, k]),
                    toxicity=tox,
                    sentiment=SENTIMENTS[int(sent_classes[int(np.argmax(sent_p[i]))])],
                    lang=langs[i],
                    explanation=explanation,
                    toxic_kind=kind,
                    toxic_kind_scores=kind_scores,
                )
            )
        return out


    def _remember(self, key: str, scores: Scores) -> None:
        self._cache[key] = scores
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)


def toxic_kind(
    toxicity: float, kinds: Sequence[str] | None, p_kind: np.ndarray | None
) -> tuple[str, dict[str, float] | None]:
    """The kind of harm (`none` unless toxic, so `toxic` and `toxic_kind != "none"` always agree) and the
    probability of each kind: P(kind) = toxicity x P(kind | toxic), P(none) = 1 - toxicity."""
    if kinds is None or p_kind is None:
        return "none", None
    # Every kind is listed, in contract order, even one the head never saw in training (it scores 0).
    scores = dict.fromkeys(TOXIC_KINDS, 0.0)
    scores.update({str(name): _unit(toxicity * float(p)) for name, p in zip(kinds, p_kind, strict=True)})
    scores["none"] = _unit(1.0 - toxicity)
    kind = str(kinds[int(np.argmax(p_kind))]) if toxicity >= 0.5 else "none"
    return kind, scores


def _unit(x: float) -> float:
    return float(min(1.0, max(0.0, round(float(x), 4))))


def encode_outputs(encoder: Encoder, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Run `encoder` on the prepared texts; encoders with extra heads expose `run`, the rest `encode`."""
    prepared = [encoder_text(t) for t in texts]
    run = getattr(encoder, "run", None)
    if run is not None:
        return run(prepared)
    return {"embedding": encoder.encode(prepared)}
