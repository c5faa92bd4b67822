"""Save and load model artifacts with skops, refusing any type outside an explicit allow-list."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from typing import Any

import skops.io as sio

logger = logging.getLogger(__name__)

# Every type a classifier or judge artifact may contain. Anything else in a file is refused at load time.
TRUSTED_PREFIXES = (
    "sklearn.linear_model.",
    "sklearn.feature_extraction.text.",
    "sklearn.pipeline.",
    "sklearn.preprocessing.",
    "sklearn.calibration.",
    "sklearn.isotonic.",
    "sklearn.ensemble._hist_gradient_boosting.",  # the retrieval judge (moderation.knowledge.judge)
    "sklearn._loss.",
    "numpy.",
    "builtins.",
    "collections.",
    "scipy.sparse.",
    "re.",
)


class UntrustedArtifactError(RuntimeError):
    """An artifact holds a type outside the allow-list: it is not loaded."""


def save(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(obj, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    logger.info("moderation.classifier.artifact_saved", extra={"path": str(path)})


def load(path: Path) -> Any:
    """Load a skops file after checking every type it names against TRUSTED_PREFIXES."""
    untrusted = sio.get_untrusted_types(file=path)
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise UntrustedArtifactError(f"{path}: refusing untrusted types {sorted(refused)}")
    return sio.load(path, trusted=untrusted)
