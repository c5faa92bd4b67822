"""Where the classifier looks for its artifacts: the environment, a checkout's models/, the installed package."""

from __future__ import annotations

import sys

from moderation.classifier import settings


def test_outside_a_checkout_the_installed_models_package_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(settings.ENV_MODELS_DIR, raising=False)
    monkeypatch.setattr(settings, "REPO_ROOT", tmp_path / "site-packages-without-a-checkout")
    installed = tmp_path / "elsewhere" / "models"
    installed.mkdir(parents=True)
    (installed / "__init__.py").write_text("", encoding="utf-8")
    (installed / settings.META_FILE).write_text("{}", encoding="utf-8")
    monkeypatch.syspath_prepend(str(installed.parent))
    monkeypatch.delitem(sys.modules, "models", raising=False)
    assert settings.default_models_dir() == installed


def test_a_models_package_that_is_not_ours_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv(settings.ENV_MODELS_DIR, raising=False)
    monkeypatch.setattr(settings, "REPO_ROOT", tmp_path)
    other = tmp_path / "elsewhere" / "models"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("", encoding="utf-8")  # someone else's `models`: no classifier meta
    monkeypatch.syspath_prepend(str(other.parent))
    monkeypatch.delitem(sys.modules, "models", raising=False)
    assert settings.default_models_dir() == tmp_path / "models"


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_MODELS_DIR, str(tmp_path))
    assert settings.default_models_dir() == tmp_path
