"""Few-shot custom intents (`--intents FILE.yaml`): a head trained on the fly from a handful of examples."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from moderation.classifier.heads import fit_head
from moderation.classifier.intent_tuning import Progress, TuneConfig
from moderation.classifier.model import IntentHead, LinearClassifier, intent_design

logger = logging.getLogger(__name__)

# Chosen on 10-shot draws from Banking77 train scored on other train rows (never the test split).
FEWSHOT_EMBEDDING_SCALE = 3.0


class IntentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    examples: list[str] = Field(min_length=1)

    @field_validator("examples")
    @classmethod
    def _non_blank(cls, value: list[str]) -> list[str]:
        cleaned = [v for v in value if isinstance(v, str) and v.strip()]
        if not cleaned:
            raise ValueError("needs at least one non-empty example")
        return cleaned


class IntentsFile(BaseModel):
    """`intents: {name: {examples: [...]}}`, at least two intents."""

    model_config = ConfigDict(extra="forbid")

    intents: dict[str, IntentSpec] = Field(min_length=2)


def read_intents(path: Path) -> dict[str, list[str]]:
    """Parse and validate an intents YAML file (raises ValueError with the reason)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    try:
        parsed = IntentsFile.model_validate(raw)
    except Exception as exc:
        raise ValueError(f"{path}: invalid intents file: {exc}") from exc
    return {name: spec.examples for name, spec in parsed.intents.items()}


def fit_intents(
    clf: LinearClassifier, intents: dict[str, list[str]], *, tune_encoder: bool = False,
    tune_config: TuneConfig | None = None, progress: Progress | None = None,
) -> IntentHead:
    """Train a head over the classifier's features on the examples (seconds for hundreds of examples).

    With `tune_encoder`, the stock encoder is first fine-tuned on the examples (minutes) and the head reads
    its embedding instead of the shipped encoder's.
    """
    texts = [t for examples in intents.values() for t in examples]
    labels = np.array([name for name, examples in intents.items() for _ in examples])
    X, outputs = clf.features(texts)
    embeddings = outputs["embedding"]
    encoder = None
    if tune_encoder:
        from moderation.classifier.intent_tuning import tune_encoder as tune
        from moderation.classifier.settings import bundled_encoder_path

        kwargs = {"progress": progress} if progress is not None else {}
        encoder = tune(bundled_encoder_path(), texts, labels.tolist(), tune_config, **kwargs)
    X, embeddings = intent_design(X, embeddings, texts, encoder, FEWSHOT_EMBEDDING_SCALE)
    model = fit_head("fewshot", X, labels)
    logger.info("moderation.classifier.fewshot_fitted",
                extra={"intents": len(intents), "examples": len(texts), "tuned_encoder": tune_encoder})
    return IntentHead(model, texts, labels.tolist(), embeddings, FEWSHOT_EMBEDDING_SCALE, encoder)


def with_custom_intents(clf: LinearClassifier, path: Path, *, tune_encoder: bool = False) -> LinearClassifier:
    return clf.with_intents(fit_intents(clf, read_intents(path), tune_encoder=tune_encoder))
