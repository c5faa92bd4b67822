"""Executors in a registry keyed by action type: each turns one planned action into durable rows (outbox
actions, approvals, escalations, events) in the caller's transaction. A new kind of action is one module here
that registers itself with `@executes(ActionType.<name>)`; `check_registry()` runs at start-up and refuses to
start when an action type has no executor."""

from __future__ import annotations

from moderation.act.executors.registry import (
    ExecutionContext,
    Executor,
    HumanWork,
    check_registry,
    executes,
    executor_for,
)

__all__ = ["ExecutionContext", "Executor", "HumanWork", "check_registry", "executes", "executor_for"]
