"""A normal install works: build the wheel, install it (not editable) into a fresh virtualenv, and run the
commands from a folder that is not the checkout. The trained artifacts, the demo data and the playbook library
must come from inside the installed package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ("models/encoder.int8.onnx", "models/tokenizer.json", "models/classifier_heads.skops",
             "models/classifier_meta.json")
_SKIP = shutil.ignore_patterns(".git", "__pycache__", "build", "dist", "*.egg-info", ".venv", "venv",
                               ".pytest_cache", ".ruff_cache", "eval-reports", "*.db", "*.db-*")


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)
    assert result.returncode == 0, f"{args}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtualenv holding only the wheel; the dependencies (torch, onnxruntime...) are seen from this
    interpreter's site-packages through a .pth file, so nothing is downloaded."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"  # a copy: building in place would leave build/ and egg-info in the checkout
    shutil.copytree(ROOT, source, ignore=_SKIP)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
          str(work / "dist"), str(source)])
    [wheel] = (work / "dist").glob("socialops-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(ARTIFACTS) <= names, sorted(n for n in names if n.startswith("models"))
    assert "socialops/demo/sample.jsonl" in names and "playbooks/library/instagram.yaml" in names

    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                        ).stdout.strip())
    # Plain path lines: the dependencies are visible, but not this checkout's editable install (its finder
    # is loaded by an `import` line in a .pth of that folder, which a path entry does not process).
    parents = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (purelib / "_socialops_test_deps.pth").write_text("\n".join(parents) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)])
    return venv


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "SOCIALOPS_MODELS_DIR", "SOCIALOPS_CONFIG", "SOCIALOPS_DATABASE_URL")}
    return {**env, "HF_HUB_OFFLINE": "1"}


def test_classify_runs_from_another_folder_with_the_shipped_artifacts(installed, tmp_path):
    where = _run([str(installed / "bin" / "python"), "-c", "import socialops, models; print(socialops.__file__); "
                  "print(models.__file__)"], cwd=tmp_path, env=_env()).stdout.split()
    assert all(str(installed) in path for path in where), where  # the installed copy, not the checkout

    line = json.dumps({"id": 1, "text": "how much is the lamp? le prix svp"})
    result = _run([str(installed / "bin" / "socialops"), "classify"], input=line + "\n", cwd=tmp_path, env=_env())
    [answer] = [json.loads(out) for out in result.stdout.splitlines()]
    assert answer["id"] == 1 and answer["intent"] == "pricing" and 0 <= answer["toxicity"] <= 1
    assert "error" not in answer


def test_the_bundled_playbook_library_and_demo_data_are_found(installed, tmp_path):
    result = _run([str(installed / "bin" / "socialops"), "playbooks", "validate"], cwd=tmp_path, env=_env())
    assert result.stdout.startswith("ok: 5 playbooks"), result.stdout
    sample = _run([str(installed / "bin" / "python"), "-c",
                   "from socialops.demo.runner import SAMPLE; print(SAMPLE, SAMPLE.is_file())"],
                  cwd=tmp_path, env=_env()).stdout.split()
    assert sample[1] == "True" and str(installed) in sample[0]


def test_train_without_its_data_says_where_it_must_be(installed, tmp_path):
    env = {**_env(), "SOCIALOPS_DATA_DIR": str(tmp_path / "nowhere"),
           "SOCIALOPS_MODELS_DIR": str(tmp_path / "rebuilt")}
    result = subprocess.run([str(installed / "bin" / "socialops"), "train", "--heads-only"], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path, env=env)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "training data not found" in message and str(tmp_path / "nowhere") in message
    assert "--data-dir" in message and "SOCIALOPS_DATA_DIR" in message
