"""`socialops train --heads-only`: heads refitted over the shipped int8 encoder, which is left byte for byte."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.classifier.artifacts import ENCODER_FILE, META_FILE, TOKENIZER_FILE, ClassifierArtifacts
from moderation.classifier.loading import onnx_encoder
from moderation.classifier.model import LinearClassifier
from moderation.classifier.settings import ClassifierSettings, default_models_dir
from moderation.classifier.training import train_heads_only
from tests.classifier.conftest import TOXICITY_FILE, write_tiny_data
from tests.classifier.test_cli import cli

SHIPPED = default_models_dir()
pytestmark = pytest.mark.skipif(not (SHIPPED / ENCODER_FILE).exists(), reason="no shipped encoder in models/")
PROBES = ["how much is it??", "you stupid idiot", "colis pas reçu", "love love love"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def models_copy(tmp_path: Path) -> Path:
    """A models dir holding the shipped encoder, tokenizer and metadata (no heads yet)."""
    models = tmp_path / "models"
    models.mkdir()
    for name in (ENCODER_FILE, TOKENIZER_FILE, META_FILE):
        shutil.copyfile(SHIPPED / name, models / name)
    return models


def test_heads_only_keeps_the_encoder_and_round_trips(models_copy: Path, tmp_path: Path) -> None:
    data_dir, comments = write_tiny_data(tmp_path / "data")
    before = sha(models_copy / ENCODER_FILE)
    previous = json.loads((models_copy / META_FILE).read_text())
    trained = train_heads_only(ClassifierSettings(models_dir=models_copy), data_dir, comments_path=comments,
                               toxicity_path=data_dir / TOXICITY_FILE)

    assert sha(models_copy / ENCODER_FILE) == before
    meta = json.loads((models_copy / META_FILE).read_text())
    assert meta["heads_only"] is True and meta["encoder"] == "onnx"
    assert meta["encoder_sha256_16"] == before[:16]
    assert meta["training_sizes"]["comments"] == 14
    for key in ("base_encoder", "finetuned", "finetune"):
        assert meta.get(key) == previous.get(key)

    encoder = onnx_encoder(models_copy)
    fresh = LinearClassifier(encoder, trained).classify(PROBES)
    reloaded = LinearClassifier(encoder, ClassifierArtifacts.load(models_copy)).classify(PROBES)
    assert [s.intent for s in fresh] == [s.intent for s in reloaded]
    assert [s.toxicity for s in fresh] == pytest.approx([s.toxicity for s in reloaded], abs=1e-3)
    assert fresh[0].intent == "pricing" and fresh[2].intent == "order_support"
    assert fresh[1].toxicity > fresh[3].toxicity


def test_heads_only_cli_refuses_a_models_dir_without_encoder(tmp_path: Path) -> None:
    data_dir, _ = write_tiny_data(tmp_path / "data")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(
        cli(), ["train", "--heads-only", "--models-dir", str(empty), "--data-dir", str(data_dir), "--no-cache"]
    )
    assert result.exit_code != 0 and "no encoder.int8.onnx" in result.output
    assert not (empty / "classifier_heads.skops").exists()


def test_heads_only_cli_refuses_a_checkpoint(tmp_path: Path, models_copy: Path) -> None:
    data_dir, _ = write_tiny_data(tmp_path / "data")
    result = CliRunner().invoke(cli(), ["train", "--heads-only", "--checkpoint", str(tmp_path),
                                        "--models-dir", str(models_copy), "--data-dir", str(data_dir)])
    assert result.exit_code != 0 and "keeps the shipped encoder" in result.output
