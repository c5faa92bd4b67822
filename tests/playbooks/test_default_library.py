"""The bundled library loads, and every fixture it ships passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbooks import DEFAULT_LIBRARY, Library, load_library
from playbooks.fixtures import fixture_files, load_fixtures, run_fixtures

FIXTURES = [(path, line, fixture.name) for path in fixture_files(DEFAULT_LIBRARY) for line, fixture in
            load_fixtures(path)]


def test_every_playbook_file_has_fixtures() -> None:
    playbooks = {path.stem for path in DEFAULT_LIBRARY.glob("*.yaml")}
    assert playbooks == {path.stem for path in fixture_files(DEFAULT_LIBRARY)}
    assert {"cross_platform", "instagram", "tiktok", "facebook", "youtube"} <= playbooks


@pytest.fixture(scope="module")
def results(default_library: Library) -> dict[tuple[str, str], object]:
    return {(Path(r.file).name, r.name): r for r in run_fixtures(default_library, DEFAULT_LIBRARY)}


@pytest.mark.parametrize(("path", "line", "name"), FIXTURES, ids=[f"{p.stem}:{n}" for p, _, n in FIXTURES])
def test_fixture(results: dict[tuple[str, str], object], path: Path, line: int, name: str) -> None:
    result = results[(path.name, name)]
    assert result.passed, "\n".join(result.problems)  # type: ignore[attr-defined]


def test_version_is_a_content_hash(tmp_path: Path) -> None:
    copy = tmp_path / "library"
    copy.mkdir()
    for path in DEFAULT_LIBRARY.glob("*.yaml"):
        (copy / path.name).write_bytes(path.read_bytes())
    assert load_library(copy).version == load_library().version
    first = next(copy.glob("*.yaml"))
    first.write_text(first.read_text() + "\n# a comment changes the content\n")
    assert load_library(copy).version != load_library().version


def test_cross_platform_file_has_the_required_rules(default_library: Library) -> None:
    keys = {rule.key for rule in default_library.rules}
    assert {"cross/toxic-hide", "cross/toxic-review", "cross/pricing-answer", "cross/collab-partnerships"} <= keys
    assert default_library.settings.thresholds.auto_hide == 0.8
    assert default_library.settings.thresholds.review == 0.5
