"""Turns a Plan into durable rows in one transaction: the decision, then each action through its executor
(`moderation.act.executors`). Nothing here calls a platform or a chat surface: it returns the follow-up work
(who must be told) so the caller can do it after the commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from moderation.act.executors import ExecutionContext, HumanWork, executor_for
from moderation.domain import Action, DecisionContext, Plan, utcnow
from moderation.storage.tables import DecisionRow, InteractionRow

__all__ = ["HumanWork", "action_key", "execute_actions", "execute_plan", "record_decision"]


def action_key(interaction_id: str, index: int, action: Action, prefix: str = "plan") -> str:
    """Deterministic, so re-running a decision after a crash finds the same rows instead of new ones."""
    return f"{interaction_id}/{prefix}/{index}/{action.type.value}"


def execute_plan(
    session: Session,
    interaction: InteractionRow,
    plan: Plan,
    *,
    library_version: str,
    approval_minutes: int,
    key_prefix: str = "plan",
    now: datetime | None = None,
    context: DecisionContext | None = None,
) -> HumanWork:
    """Record the decision and its actions; `now` is when the actions become due (the worker's clock)."""
    decision = record_decision(session, interaction, plan, library_version=library_version, context=context)
    session.flush()
    return execute_actions(session, interaction, plan, decision, approval_minutes=approval_minutes,
                           key_prefix=key_prefix, now=now)


def record_decision(session: Session, interaction: InteractionRow, plan: Plan, *, library_version: str,
                    context: DecisionContext | None = None) -> DecisionRow:
    """Add the decision row (flush before `execute_actions`: actions carry its id). The worker adds a whole
    batch's decisions and flushes them in one INSERT."""
    decision = DecisionRow(
        interaction_id=interaction.id,
        library_version=library_version,
        matched_rules=list(plan.matched_rules),
        plan=plan.model_dump(mode="json"),
        context=context.model_dump(mode="json") if context is not None else None,
    )
    session.add(decision)
    return decision


def execute_actions(session: Session, interaction: InteractionRow, plan: Plan, decision: DecisionRow, *,
                    approval_minutes: int, key_prefix: str = "plan", now: datetime | None = None) -> HumanWork:
    """The plan's actions, approvals, escalations and events, for a flushed `decision`."""
    work = HumanWork()
    for index, action in enumerate(plan.actions):
        context = ExecutionContext(session=session, interaction=interaction, action=action,
                                   key=action_key(interaction.id, index, action, key_prefix), decision_id=decision.id,
                                   approval_minutes=approval_minutes, now=now or utcnow(), work=work)
        executor_for(action.type)(context)
    return work
