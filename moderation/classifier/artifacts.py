"""The trained parts of the classifier as one bundle, persisted to `models/` with skops plus a JSON sidecar."""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from moderation.classifier import persist
from moderation.classifier.settings import META_FILE

logger = logging.getLogger(__name__)

HEADS_FILE = "classifier_heads.skops"
ENCODER_FILE = "encoder.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"


@dataclass
class ClassifierArtifacts:
    """Featurizer, heads, calibration, the labelled examples used by `explain`, and metadata."""

    sparse: FeatureUnion
    intent: LogisticRegression
    toxicity: LogisticRegression
    toxicity_combiner: LogisticRegression
    sentiment: LogisticRegression
    sentiment_combiner: LogisticRegression | None
    example_texts: list[str]
    example_intents: list[str]
    example_embeddings: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    # P(kind | toxic) over the harmful kinds (no `none`); None in artifacts saved before it existed.
    toxic_kind: LogisticRegression | None = None
    # Toxicity from project comments only, a third input of the combiner; None in older artifacts.
    toxicity_project: LogisticRegression | None = None
    # P(the text reads like a tweet) from its embedding, an input of the combiner; None in older artifacts.
    tweet_gate: LogisticRegression | None = None

    def save(self, models_dir: Path) -> None:
        models_dir.mkdir(parents=True, exist_ok=True)
        bundle = {
            "sparse": _without_vocabularies(self.sparse),
            "vocabularies": _vocabularies(self.sparse),
            "intent": self.intent,
            "toxicity": self.toxicity,
            "toxicity_combiner": self.toxicity_combiner,
            "sentiment": self.sentiment,
            "sentiment_combiner": self.sentiment_combiner,
            "example_texts": list(self.example_texts),
            "example_intents": list(self.example_intents),
            "example_embeddings": self.example_embeddings.astype(np.float16),
            "toxic_kind": self.toxic_kind,
            "toxicity_project": self.toxicity_project,
            "tweet_gate": self.tweet_gate,
        }
        persist.save(bundle, models_dir / HEADS_FILE)
        (models_dir / META_FILE).write_text(json.dumps(self.meta, indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, models_dir: Path) -> ClassifierArtifacts:
        path = models_dir / HEADS_FILE
        if not path.exists():
            raise FileNotFoundError(f"no classifier artifacts in {models_dir}; run `socialops train`")
        bundle = persist.load(path)
        meta = json.loads((models_dir / META_FILE).read_text())
        return cls(
            sparse=_with_vocabularies(bundle["sparse"], bundle["vocabularies"]),
            intent=bundle["intent"],
            toxicity=bundle["toxicity"],
            toxicity_combiner=bundle["toxicity_combiner"],
            sentiment=bundle["sentiment"],
            sentiment_combiner=bundle["sentiment_combiner"],
            example_texts=list(bundle["example_texts"]),
            example_intents=list(bundle["example_intents"]),
            example_embeddings=np.asarray(bundle["example_embeddings"], dtype=np.float32),
            meta=meta,
            toxic_kind=bundle.get("toxic_kind"),
            toxicity_project=bundle.get("toxicity_project"),
            tweet_gate=bundle.get("tweet_gate"),
        )


def read_meta(models_dir: Path) -> dict[str, Any]:
    return json.loads((models_dir / META_FILE).read_text())


# A fitted TfidfVectorizer keeps `vocabulary_` as a dict of numpy ints, which skops writes as one file per
# entry (90k files, 60 MB of schema, slow to load). The terms go in one string array instead.
def _vocabularies(union: FeatureUnion) -> list[np.ndarray]:
    out = []
    for _, vectorizer in union.transformer_list:
        vocab = vectorizer.vocabulary_
        terms = sorted(vocab, key=vocab.__getitem__)
        out.append(np.array(terms, dtype=str))
    return out


def _without_vocabularies(union: FeatureUnion) -> FeatureUnion:
    stripped = copy.deepcopy(union)
    for _, vectorizer in stripped.transformer_list:
        del vectorizer.vocabulary_
    return stripped


def _with_vocabularies(union: FeatureUnion, vocabularies: list[np.ndarray]) -> FeatureUnion:
    for (_, vectorizer), terms in zip(union.transformer_list, vocabularies, strict=True):
        vectorizer.vocabulary_ = {str(term): i for i, term in enumerate(terms.tolist())}
    return union

