"""Assemble a classifier from settings: the encoder runtime plus the saved heads."""

from __future__ import annotations

import logging

from moderation.classifier.artifacts import ClassifierArtifacts
from moderation.classifier.encoder import make_encoder
from moderation.classifier.model import LinearClassifier
from moderation.classifier.settings import ClassifierSettings

logger = logging.getLogger(__name__)


def build_classifier(settings: ClassifierSettings) -> LinearClassifier:
    artifacts = ClassifierArtifacts.load(settings.models_dir)
    encoder = make_encoder(settings.encoder)
    return LinearClassifier(encoder, artifacts)
