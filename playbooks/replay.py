"""Replays: what a library would have done over stored history, against what happened and what humans said."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from moderation.domain import DecisionContext, Interaction, Scores
from playbooks.library import Library

# Human verdicts on an automated or drafted action. "edited" means the action was right but its text needed
# work: it counts for precision, and separately so the team sees how often templates need fixing.
POSITIVE_VERDICTS = frozenset({"approved", "edited", "kept", "confirmed", "sent"})
NEGATIVE_VERDICTS = frozenset({"rejected", "unhidden", "restored", "reversed", "deleted_by_human"})


class HistoryRecord(BaseModel):
    """One past interaction as stored: inputs as they were, what was done, what humans said about it.

    `actual_actions`: action types that were planned or executed ("draft_reply", "hide", ...).
    `outcomes`: action type -> human verdict ("approved", "edited", "rejected", "unhidden", ...)."""

    model_config = ConfigDict(frozen=True)

    interaction: Interaction
    scores: Scores
    context: DecisionContext
    actual_actions: list[str] = Field(default_factory=list)
    outcomes: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class ReplayChange:
    interaction_id: str
    text: str
    would: tuple[str, ...]
    actual: tuple[str, ...]
    rules: tuple[str, ...]


@dataclass
class ActionPrecision:
    correct: int = 0
    wrong: int = 0
    edited: int = 0

    @property
    def judged(self) -> int:
        return self.correct + self.wrong

    @property
    def precision(self) -> float | None:
        return self.correct / self.judged if self.judged else None


@dataclass
class ReplayReport:
    """Counts per action (would vs did), the differences, and precision against human verdicts."""

    library_version: str
    total: int = 0
    changed: int = 0
    would_counts: Counter[str] = field(default_factory=Counter)
    actual_counts: Counter[str] = field(default_factory=Counter)
    added: Counter[str] = field(default_factory=Counter)  # would do, was not done
    removed: Counter[str] = field(default_factory=Counter)  # was done, would not do
    precision: dict[str, ActionPrecision] = field(default_factory=dict)
    examples: list[ReplayChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "library_version": self.library_version, "total": self.total, "changed": self.changed,
            "would": dict(self.would_counts), "actual": dict(self.actual_counts),
            "added": dict(self.added), "removed": dict(self.removed),
            "precision": {name: {"correct": p.correct, "wrong": p.wrong, "edited": p.edited,
                                 "precision": p.precision} for name, p in self.precision.items()},
        }

    def lines(self) -> list[str]:
        """The report as plain text, for the CLI."""
        out = [
            f"library {self.library_version}: {self.total} interactions replayed, "
            f"{self.changed} ({self.changed / self.total:.0%}) would be handled differently"
            if self.total else f"library {self.library_version}: no interactions in this window",
        ]
        if not self.total:
            return out
        out.append(f"{'action':<18}{'would':>8}{'did':>8}{'added':>8}{'removed':>8}{'precision':>11}{'judged':>8}")
        for name in sorted(set(self.would_counts) | set(self.actual_counts)):
            judged = self.precision.get(name)
            value = judged.precision if judged else None
            shown = f"{value:.0%}" if value is not None else "-"
            out.append(f"{name:<18}{self.would_counts[name]:>8}{self.actual_counts[name]:>8}"
                       f"{self.added[name]:>8}{self.removed[name]:>8}{shown:>11}{judged.judged if judged else 0:>8}")
        for change in self.examples:
            out.append(f"  {change.interaction_id}: did {list(change.actual)} -> would {list(change.would)}"
                       f"  {change.text[:60]!r}")
        return out


def replay(
    library: Library,
    history: Iterable[HistoryRecord],
    *,
    max_examples: int = 20,
    progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Decide every record again with `library` (pure: nothing is executed) and compare."""
    report = ReplayReport(library_version=library.version)
    for record in history:
        plan = library.decide(record.interaction, record.scores, record.context)
        would = tuple(dict.fromkeys(action.type.value for action in plan.actions))
        actual = tuple(dict.fromkeys(record.actual_actions))
        report.total += 1
        report.would_counts.update(would)
        report.actual_counts.update(actual)
        added, removed = set(would) - set(actual), set(actual) - set(would)
        report.added.update(added)
        report.removed.update(removed)
        if added or removed:
            report.changed += 1
            if len(report.examples) < max_examples:
                report.examples.append(ReplayChange(
                    record.interaction.id, record.interaction.text, would, actual, plan.matched_rules
                ))
        # Precision: of the actions this library would take, how many did humans confirm when they were
        # taken before? Verdicts on actions it would not take say nothing about it.
        for name in would:
            verdict = record.outcomes.get(name)
            if verdict is None:
                continue
            score = report.precision.setdefault(name, ActionPrecision())
            if verdict in POSITIVE_VERDICTS:
                score.correct += 1
                score.edited += verdict == "edited"
            elif verdict in NEGATIVE_VERDICTS:
                score.wrong += 1
        if progress is not None:
            progress(1)
    return report
