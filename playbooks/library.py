"""Library: the validated, compiled set of playbooks the worker decides with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from moderation.domain import DecisionContext, Interaction, Plan, Platform, Scores
from playbooks.engine import Engine
from playbooks.matching import CompiledRule
from playbooks.schema import PlaybookFile
from playbooks.settings import Settings, Thresholds
from playbooks.templates import CompiledTemplate


@dataclass(frozen=True)
class LoadedPlaybook:
    """One validated file, with its content hash (the `rule_version` of its actions)."""

    path: Path
    version: str
    playbook: PlaybookFile


class Library:
    """Every playbook of a folder, ready to decide. Build it with `playbooks.load_library`."""

    def __init__(self, playbooks: list[LoadedPlaybook], settings: Settings, version: str) -> None:
        self.playbooks = playbooks
        self.settings = settings
        # A content hash of every file: the same YAML gives the same version, on any machine.
        self.version = version
        self.templates = {
            name: CompiledTemplate(name, spec, settings)
            for loaded in playbooks
            for name, spec in loaded.playbook.templates.items()
        }
        rules = [
            CompiledRule.compile(rule, loaded.playbook.name, loaded.version, settings.thresholds)
            for loaded in playbooks
            for rule in loaded.playbook.rules
        ]
        self._engine = Engine(rules, self.templates, settings, version)

    @property
    def rules(self) -> list[CompiledRule]:
        """In the order they are tried (priority, then file and position)."""
        return self._engine.rules

    def decide(self, interaction: Interaction, scores: Scores, context: DecisionContext) -> Plan:
        """The plan for one interaction. Pure: same inputs, same plan; never touches I/O."""
        return self._engine.decide(interaction, scores, context)

    def with_thresholds(self, auto_hide: float, review: float) -> Library:
        """The same library with calibrated thresholds (from the classifier) in place of the YAML defaults."""
        thresholds = Thresholds(auto_hide=auto_hide, review=review)
        settings = self.settings.model_copy(update={"thresholds": thresholds})
        return Library(self.playbooks, settings, f"{self.version}+t{auto_hide:g}/{review:g}")

    def with_text_limits(self, platform_limits: dict[Platform, dict[str, int]]) -> Library:
        """The same library with each platform's own text limits under the playbooks' `length_limits`."""
        merged = {platform: dict(channels) for platform, channels in platform_limits.items()}
        for platform, channels in self.settings.length_limits.items():
            merged.setdefault(platform, {}).update(channels)
        settings = self.settings.model_copy(update={"length_limits": merged})
        return Library(self.playbooks, settings, self.version)

    def __repr__(self) -> str:
        return f"Library(version={self.version!r}, playbooks={len(self.playbooks)}, rules={len(self.rules)})"
