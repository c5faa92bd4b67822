"""Builders for interactions, scores, contexts and one-rule libraries, shared by the playbook tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from moderation.domain import DecisionContext, Interaction, Scores
from moderation.platforms.registry import text_limits
from playbooks import Library, load_library

MONDAY_10_UTC = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


def interaction(**overrides: Any) -> Interaction:
    values: dict[str, Any] = {
        "platform": "instagram", "kind": "comment", "external_id": "c1", "author_id": "a1",
        "author_name": "Sam", "text": "hello", "post_id": "p1", "created_at": MONDAY_10_UTC,
    }
    return Interaction.model_validate(values | overrides)


def scores(**overrides: Any) -> Scores:
    values: dict[str, Any] = {
        "intent": "other", "intent_confidence": 0.9, "toxicity": 0.01, "sentiment": "neutral", "lang": "en",
    }
    return Scores.model_validate(values | overrides)


def context(**overrides: Any) -> DecisionContext:
    return DecisionContext.model_validate({"now": MONDAY_10_UTC} | overrides)


def write_playbook(folder: Path, document: dict[str, Any] | str, name: str = "book.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
    return path


def one_rule_library(folder: Path, *, when: dict[str, Any] | None = None,
                     conditions: dict[str, Any] | None = None, settings: dict[str, Any] | None = None) -> Library:
    """A library with a single rule that tags `hit`, to test one trigger or condition at a time."""
    rule: dict[str, Any] = {"id": "probe", "actions": [{"tag": ["hit"]}]}
    if when:
        rule["when"] = when
    if conditions:
        rule["conditions"] = conditions
    document: dict[str, Any] = {"name": "probe", "rules": [rule]}
    if settings:
        document["settings"] = settings
    write_playbook(folder, document)
    return load_library(folder)


def fires(library: Library, *, i: Interaction | None = None, s: Scores | None = None,
          c: DecisionContext | None = None) -> bool:
    plan = library.decide(i or interaction(), s or scores(), c or context())
    return "probe/probe" in plan.matched_rules


@pytest.fixture(scope="session")
def default_library() -> Library:
    """The bundled library as a process loads it: with each platform's own text limits from the registry."""
    return load_library().with_text_limits(text_limits())
