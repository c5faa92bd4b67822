"""The executor registry and what every executor receives."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypedDict

from sqlmodel import Session

from moderation.domain import AUTOMATION, Action, ActionType
from moderation.storage.tables import ActionRow, InteractionRow


@dataclass
class HumanWork:
    """What must reach people once the transaction is committed."""

    approvals: list[int] = field(default_factory=list)
    escalations: list[int] = field(default_factory=list)
    notices: list[tuple[str, str, str]] = field(default_factory=list)  # channel, text, interaction id
    follow_ups: list[int] = field(default_factory=list)  # action ids of scheduled follow-ups
    reviews: list[int] = field(default_factory=list)  # review queue items to post
    pauses: list[str] = field(default_factory=list)  # guardrail scopes paused or resumed (shown in chat)

    def extend(self, other: HumanWork) -> None:
        self.reviews += other.reviews
        self.pauses += other.pauses
        self.approvals += other.approvals
        self.escalations += other.escalations
        self.notices += other.notices
        self.follow_ups += other.follow_ups


class EventFields(TypedDict):
    """What every event an executor records carries about the rule behind it (`record_event` keywords)."""

    playbook: str
    rule_version: str
    occurred_at: datetime


class _Stored(Protocol):
    id: int | None


def flushed_id(row: _Stored) -> int:
    """The id the database gave `row` (typed optional on the table until it is flushed)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id: flush the session first")
    return row.id


@dataclass
class ExecutionContext:
    """One action of one plan being executed: where to write and what to hand back to people."""

    session: Session
    interaction: InteractionRow
    action: Action
    key: str  # the idempotency key of this action's row
    decision_id: int | None
    approval_minutes: int
    now: datetime
    work: HumanWork

    @property
    def event_fields(self) -> EventFields:
        return {"playbook": self.action.rule, "rule_version": self.action.rule_version, "occurred_at": self.now}

    def record_done(self, state: str = "done") -> ActionRow:
        """The action's own row, for actions that do not go through the outbox (tag, escalate, notify, ...)."""
        action = self.action
        row = ActionRow(idempotency_key=self.key, interaction_id=self.interaction.id, decision_id=self.decision_id,
                        type=action.type.value, platform=self.interaction.platform, params=dict(action.params),
                        rule=action.rule, rule_version=action.rule_version, state=state, actor=AUTOMATION,
                        created_at=self.now, updated_at=self.now)
        self.session.add(row)  # flushed only where its id is needed (follow-ups): every flush is a round trip
        return row


Executor = Callable[[ExecutionContext], None]

_EXECUTORS: dict[ActionType, Executor] = {}


def executes(*action_types: ActionType) -> Callable[[Executor], Executor]:
    def register(executor: Executor) -> Executor:
        for action_type in action_types:
            if action_type in _EXECUTORS:
                raise RuntimeError(f"two executors for action type {action_type.value!r}")
            _EXECUTORS[action_type] = executor
        return executor

    return register


def _load_executor_modules() -> None:
    import moderation.act.executors as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "registry":
            importlib.import_module(f"{package.__name__}.{module.name}")


def check_registry() -> None:
    """Every action type a plan may hold has an executor; called at start-up, so a gap stops the process."""
    _load_executor_modules()
    missing = [action_type.value for action_type in ActionType if action_type not in _EXECUTORS]
    if missing:
        raise RuntimeError(f"no executor for action type(s) {missing}; executors exist for "
                           f"{sorted(action_type.value for action_type in _EXECUTORS)}")


def executor_for(action_type: ActionType | str) -> Executor:
    if not _EXECUTORS:
        check_registry()
    try:
        return _EXECUTORS[ActionType(action_type)]
    except (KeyError, ValueError):
        raise KeyError(f"unknown action type {action_type!r}; valid: "
                       f"{sorted(action_type.value for action_type in _EXECUTORS)}") from None
