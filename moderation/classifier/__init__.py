"""Text classification for moderation: `load_classifier()` returns the trained TextClassifier."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from moderation.classifier.base import TextClassifier
from moderation.classifier.settings import ClassifierSettings

logger = logging.getLogger(__name__)

__all__ = ["TextClassifier", "clear_cache", "load_classifier", "thresholds"]

_lock = threading.Lock()
_loaded: dict[tuple[str, str], TextClassifier] = {}


def load_classifier(encoder: str | None = None, models_dir: Path | None = None) -> TextClassifier:
    """The trained classifier for `encoder` and `models_dir` (env vars and defaults otherwise), loaded once."""
    import os

    from moderation.classifier.settings import ENV_ENCODER

    settings = ClassifierSettings.resolve(encoder, models_dir)
    requested = encoder or os.environ.get(ENV_ENCODER) or None
    key = (requested or "", str(settings.models_dir))
    with _lock:
        if key not in _loaded:
            from moderation.classifier.loading import build_classifier

            started = time.perf_counter()
            _loaded[key] = build_classifier(settings, requested)
            logger.info(
                "moderation.classifier.loaded",
                extra={"seconds": round(time.perf_counter() - started, 2), "models_dir": key[1]},
            )
        return _loaded[key]


def thresholds(models_dir: Path | None = None) -> dict[str, float]:
    """The toxicity thresholds saved with the model: {"auto_hide": ..., "review": ..., "macro_f1_cut": ...}."""
    from moderation.classifier.artifacts import read_meta

    settings = ClassifierSettings.resolve(None, models_dir)
    return dict(read_meta(settings.models_dir)["thresholds"])


def clear_cache() -> None:
    with _lock:
        _loaded.clear()
