"""Assemble a classifier from settings: the encoder runtime the heads were trained on, plus the heads."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from moderation.classifier.artifacts import ENCODER_FILE, TOKENIZER_FILE, ClassifierArtifacts
from moderation.classifier.encoder import Encoder, make_encoder
from moderation.classifier.model import LinearClassifier
from moderation.classifier.onnx_runtime import OnnxEncoder
from moderation.classifier.settings import ClassifierSettings

logger = logging.getLogger(__name__)


def onnx_encoder(models_dir: Path) -> OnnxEncoder:
    """The int8 ONNX encoder saved in `models_dir`, named by its content hash (keys the training cache)."""
    path = models_dir / ENCODER_FILE
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return OnnxEncoder(path, models_dir / TOKENIZER_FILE, name=f"onnx:{digest}")


def build_classifier(settings: ClassifierSettings, requested: str | None = None) -> LinearClassifier:
    """Heads only make sense over the encoder they were trained on: a different request is an error."""
    artifacts = ClassifierArtifacts.load(settings.models_dir)
    trained_on = str(artifacts.meta.get("encoder", ""))
    base = str(artifacts.meta.get("base_encoder", trained_on))
    if requested and requested not in (trained_on, base):
        raise ValueError(
            f"models in {settings.models_dir} were trained on {base!r}, not {requested!r}; "
            f"run `socialops train --encoder {requested}` first"
        )
    encoder: Encoder = onnx_encoder(settings.models_dir) if trained_on == "onnx" else make_encoder(trained_on)
    return LinearClassifier(encoder, artifacts)
