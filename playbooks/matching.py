"""A rule compiled for speed: sets instead of tuples, one regex per keyword list, thresholds resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from moderation.domain import DecisionContext, Interaction, Scores
from playbooks.actions import ActionSpec
from playbooks.conditions import CONDITIONS, Check
from playbooks.schema import Rule, ThresholdRef
from playbooks.settings import Thresholds
from playbooks.text import compile_regex, keywords_pattern, normalise


class NormalisedText:
    """The interaction text, normalised at most once per decision and only if a rule needs it."""

    __slots__ = ("_raw", "_value")

    def __init__(self, raw: str) -> None:
        self._raw = raw
        self._value: str | None = None

    @property
    def value(self) -> str:
        if self._value is None:
            self._value = normalise(self._raw)
        return self._value


def _threshold(value: ThresholdRef | None, thresholds: Thresholds) -> float | None:
    if value is None or isinstance(value, float):
        return value
    return float(getattr(thresholds, value))


def _set(values: tuple[Any, ...]) -> frozenset[Any] | None:
    # None means "any": an empty list in YAML does not restrict.
    return frozenset(values) if values else None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    key: str  # "<playbook>/<rule id>"
    version: str  # the playbook's content hash
    priority: int
    stop: bool
    description: str
    actions: tuple[ActionSpec, ...]
    platforms: frozenset[Any] | None
    kinds: frozenset[Any] | None
    intents: frozenset[str] | None
    min_confidence: float
    sentiments: frozenset[Any] | None
    languages: frozenset[str] | None
    campaigns: frozenset[str] | None
    posts: frozenset[str] | None
    tox_min: float | None
    tox_below: float | None
    toxic_kinds: frozenset[str] | None
    keywords: re.Pattern[str] | None
    regexes: tuple[re.Pattern[str], ...]
    conditions: tuple[tuple[Check, Any], ...]

    @classmethod
    def compile(cls, rule: Rule, playbook: str, version: str, thresholds: Thresholds) -> CompiledRule:
        when = rule.when
        given = {name: value for name, value in rule.conditions if value is not None}
        return cls(
            key=f"{playbook}/{rule.id}", version=version, priority=rule.priority, stop=rule.stop,
            description=rule.description, actions=tuple(rule.actions),
            platforms=_set(when.platforms), kinds=_set(when.kinds), intents=_set(when.intents),
            min_confidence=when.min_confidence, sentiments=_set(when.sentiment),
            languages=_set(when.languages), campaigns=_set(when.campaigns), posts=_set(when.posts),
            tox_min=_threshold(when.toxicity.min, thresholds) if when.toxicity else None,
            tox_below=_threshold(when.toxicity.below, thresholds) if when.toxicity else None,
            toxic_kinds=_set(when.toxic_kind),
            keywords=keywords_pattern(when.keywords), regexes=tuple(compile_regex(p) for p in when.regex),
            conditions=tuple((CONDITIONS[name].check, value) for name, value in given.items()),
        )

    def matches(
        self, interaction: Interaction, scores: Scores, context: DecisionContext, text: NormalisedText
    ) -> bool:
        # Cheapest checks first: set lookups, then numbers, then regexes, then conditions.
        if self.platforms is not None and interaction.platform not in self.platforms:
            return False
        if self.kinds is not None and interaction.kind not in self.kinds:
            return False
        if self.intents is not None and (
            scores.intent not in self.intents or scores.intent_confidence < self.min_confidence
        ):
            return False
        if self.sentiments is not None and scores.sentiment not in self.sentiments:
            return False
        if self.languages is not None and scores.lang not in self.languages:
            return False
        if self.campaigns is not None and interaction.campaign not in self.campaigns:
            return False
        if self.posts is not None and interaction.post_id not in self.posts:
            return False
        if self.tox_min is not None and scores.toxicity < self.tox_min:
            return False
        if self.tox_below is not None and scores.toxicity >= self.tox_below:
            return False
        if self.toxic_kinds is not None and scores.toxic_kind not in self.toxic_kinds:
            return False
        # Keywords and regexes: either may match ("prix" or a "how much" regex), when the rule has them.
        if self.keywords is not None or self.regexes:
            normalised = text.value
            if not (
                (self.keywords is not None and self.keywords.search(normalised) is not None)
                or any(regex.search(normalised) for regex in self.regexes)
            ):
                return False
        return all(check(value, interaction, context) for check, value in self.conditions)
