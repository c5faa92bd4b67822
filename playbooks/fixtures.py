"""Playbook fixtures: an interaction, its scores and context in, the expected plan out; run by `playbooks test`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from moderation.domain import Action, DecisionContext, Interaction, Plan, Scores
from playbooks.errors import PlaybookError, PlaybookIssue
from playbooks.library import Library
from playbooks.yaml_source import read_yaml

# A Monday, 10:00 UTC: inside default business hours, so fixtures only say "now" when hours matter.
DEFAULT_TIME = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


class Expectation(BaseModel):
    """`actions`: the action types in order, each a name or `{name: {param: value}}` (a subset of the params;
    `text_contains` checks the rendered text). `rules`: the matched rules, in order, when given."""

    model_config = ConfigDict(extra="forbid")

    actions: list[str | dict[str, dict[str, Any]]]
    rules: list[str] | None = None


class Fixture(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    interaction: dict[str, Any]
    scores: dict[str, Any]
    context: dict[str, Any] = Field(default_factory=dict)
    expect: Expectation

    def inputs(self, index: int) -> tuple[Interaction, Scores, DecisionContext]:
        interaction = Interaction.model_validate(
            {"external_id": f"fixture-{index}", "author_id": "author-1", "author_name": "Sam",
             "created_at": DEFAULT_TIME, **self.interaction}
        )
        scores = Scores.model_validate(
            {"intent_confidence": 0.9, "toxicity": 0.0, "sentiment": "neutral", "lang": "en", **self.scores}
        )
        context = DecisionContext.model_validate({"now": interaction.created_at, **self.context})
        return interaction, scores, context


@dataclass(frozen=True)
class FixtureResult:
    file: str
    line: int | None
    name: str
    passed: bool
    problems: tuple[str, ...] = ()
    plan: Plan | None = None


def fixture_files(folder: Path) -> list[Path]:
    fixtures = folder / "fixtures"
    return sorted(fixtures.glob("*.y*ml")) if fixtures.is_dir() else []


def load_fixtures(path: Path) -> list[tuple[int | None, Fixture]]:
    """(line, fixture) for each fixture of a file; an invalid fixture file raises PlaybookError."""
    document = read_yaml(path)
    items = document.data.get("fixtures") if isinstance(document.data, dict) else None
    if not isinstance(items, list):
        raise PlaybookError.at(path, 1, "a fixture file is a mapping with a `fixtures:` list")
    out, issues = [], []
    for index, item in enumerate(items):
        try:
            out.append((document.line_of(("fixtures", index)), Fixture.model_validate(item)))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                location = ("fixtures", index, *error["loc"])
                issues.append(PlaybookIssue(str(path), document.line_of(location),
                                            f"{'.'.join(map(str, location))}: {error['msg']}"))
    if issues:
        raise PlaybookError(issues)
    return out


def run_fixtures(library: Library, folder: Path) -> list[FixtureResult]:
    """Every fixture under `folder/fixtures`, each decided by `library` and compared with its expectation."""
    results = []
    for path in fixture_files(folder):
        for index, (line, fixture) in enumerate(load_fixtures(path)):
            try:
                inputs = fixture.inputs(index)
            except ValidationError as exc:
                results.append(FixtureResult(str(path), line, fixture.name, False, (f"bad inputs: {exc}",)))
                continue
            plan = library.decide(*inputs)
            problems = compare(plan, fixture.expect)
            results.append(FixtureResult(str(path), line, fixture.name, not problems, tuple(problems), plan))
    return results


def compare(plan: Plan, expect: Expectation) -> list[str]:
    """What differs between a plan and an expectation, in words; empty when they agree."""
    problems = []
    actual = [action.type.value for action in plan.actions]
    wanted = [item if isinstance(item, str) else next(iter(item)) for item in expect.actions]
    if actual != wanted:
        problems.append(f"actions: expected {wanted}, got {actual}")
    elif any(isinstance(item, dict) for item in expect.actions):
        for action, item in zip(plan.actions, expect.actions, strict=True):
            if isinstance(item, dict):
                problems.extend(_params_problems(action, next(iter(item.values())) or {}))
    if expect.rules is not None and list(plan.matched_rules) != expect.rules:
        problems.append(f"rules: expected {expect.rules}, got {list(plan.matched_rules)}")
    return problems


def _params_problems(action: Action, wanted: dict[str, Any]) -> list[str]:
    problems = []
    for key, value in wanted.items():
        if key == "text_contains":
            for piece in [value] if isinstance(value, str) else value:
                if piece not in action.params.get("text", ""):
                    problems.append(f"{action.type.value}: text {action.params.get('text')!r} lacks {piece!r}")
            continue
        actual = action.params.get(key)
        if isinstance(actual, tuple):
            actual = list(actual)
        if actual != value:
            problems.append(f"{action.type.value}.{key}: expected {value!r}, got {actual!r}")
    return problems
