"""Turns a Plan into durable rows (outbox actions, approvals, escalations, events) in one transaction.

Nothing here calls a platform or a chat surface: it returns the follow-up work (who must be told) so the
caller can do it after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from moderation.domain import as_utc, utcnow
from moderation.events import AUTOMATION, EventAction, record_event
from moderation.outbox import enqueue
from moderation.platforms.base import OPERATION_FOR_ACTION, Operation
from moderation.storage.tables import ActionRow, ApprovalRow, DecisionRow, EscalationRow, InteractionRow
from playbooks.plan import Action, ActionType, DecisionContext, Plan


@dataclass
class HumanWork:
    """What must reach people once the transaction is committed."""

    approvals: list[int] = field(default_factory=list)
    escalations: list[int] = field(default_factory=list)
    notices: list[tuple[str, str, str]] = field(default_factory=list)  # channel, text, interaction id
    follow_ups: list[int] = field(default_factory=list)  # action ids of scheduled follow-ups

    def extend(self, other: HumanWork) -> None:
        self.approvals += other.approvals
        self.escalations += other.escalations
        self.notices += other.notices
        self.follow_ups += other.follow_ups


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
        key = action_key(interaction.id, index, action, key_prefix)
        _dispatch(session, interaction, action, key, decision.id, approval_minutes, work, now or utcnow())
    return work


def _dispatch(session: Session, interaction: InteractionRow, action: Action, key: str, decision_id: int | None,
              approval_minutes: int, work: HumanWork, now: datetime) -> None:
    common = {"playbook": action.rule, "rule_version": action.rule_version, "occurred_at": now}
    kind = action.type
    if kind in OPERATION_FOR_ACTION and kind != ActionType.draft_reply:
        enqueue(session, interaction, OPERATION_FOR_ACTION[kind], key=key, action_type=kind.value,
                text=action.params.get("text"), params=_extra_params(action), rule=action.rule,
                rule_version=action.rule_version, decision_id=decision_id, now=now)
        return
    if kind == ActionType.draft_reply:
        # A draft may be a private answer (refund DMs, apologies): once approved it goes as a DM, not in public.
        operation = Operation.dm if action.params.get("channel") == "dm" else OPERATION_FOR_ACTION[kind]
        row = enqueue(session, interaction, operation, key=key, action_type=kind.value,
                      text=action.params.get("text", ""), params=_extra_params(action), rule=action.rule,
                      rule_version=action.rule_version, decision_id=decision_id, state="awaiting_approval", now=now)
        session.flush()
        approval = ApprovalRow(
            interaction_id=interaction.id,
            action_id=row.id,
            draft_text=str(action.params.get("text", "")),
            due_at=as_utc(interaction.created_at) + timedelta(minutes=approval_minutes),
            created_at=now,
        )
        session.add(approval)
        session.flush()
        record_event(session, interaction, EventAction.reply_drafted, **common,
                     data={"approval_id": approval.id, "action_id": row.id, "reason": action.reason,
                           **_variant(action)})
        work.approvals.append(approval.id)
        return
    row = ActionRow(idempotency_key=key, interaction_id=interaction.id, decision_id=decision_id, type=kind.value,
                    platform=interaction.platform, params=dict(action.params), rule=action.rule,
                    rule_version=action.rule_version, state="done", actor=AUTOMATION, created_at=now,
                    updated_at=now)
    session.add(row)  # flushed only where its id is needed (follow-ups): every flush is a round trip
    if kind == ActionType.escalate:
        dedupe_key = action.params.get("key")
        open_one = _open_escalation(session, str(dedupe_key)) if dedupe_key else None
        if open_one is not None:
            # One incident, one page: a crisis escalates once, later comments join the open escalation.
            record_event(session, interaction, EventAction.escalated, **common,
                         data={"escalation_id": open_one.id, "level": open_one.level, "team": open_one.team,
                               "joined": True})
            return
        escalation = EscalationRow(interaction_id=interaction.id, level=str(action.params.get("level", "normal")),
                                   team=str(action.params.get("team", "community")),
                                   reason=action.reason or str(action.params.get("reason", "")),
                                   dedupe_key=str(dedupe_key) if dedupe_key else None, created_at=now)
        session.add(escalation)
        session.flush()
        record_event(session, interaction, EventAction.escalated, **common,
                     data={"escalation_id": escalation.id, "level": escalation.level, "team": escalation.team})
        work.escalations.append(escalation.id)
    elif kind == ActionType.notify:
        channel = str(action.params.get("channel", "alerts"))
        text = str(action.params.get("text") or action.reason or "")
        record_event(session, interaction, EventAction.notified, **common, data={"channel": channel})
        work.notices.append((channel, text, interaction.id))
    elif kind == ActionType.tag:
        tags = action.params.get("tags") or [action.params.get("tag")]
        record_event(session, interaction, EventAction.tagged, **common, data={"tags": [t for t in tags if t]})
    elif kind == ActionType.create_lead:
        record_event(session, interaction, EventAction.lead_created, **common, data=dict(action.params))
    elif kind == ActionType.follow_up:
        row.state = "scheduled"
        delay = float(action.params.get("delay_minutes", 10))
        row.next_attempt_at = as_utc(interaction.created_at) + timedelta(minutes=delay)
        session.flush()
        record_event(session, interaction, EventAction.follow_up_scheduled, **common,
                     data={"action_id": row.id, "delay_minutes": delay})
        work.follow_ups.append(row.id)
    elif kind == ActionType.pause_automation:
        # The team hears of it through the notify action the engine plans beside the pause.
        record_event(session, interaction, EventAction.automation_paused, **common,
                     data={"reason": action.reason, **dict(action.params)})


def _open_escalation(session: Session, dedupe_key: str) -> EscalationRow | None:
    return session.exec(select(EscalationRow).where(EscalationRow.dedupe_key == dedupe_key,
                                                    EscalationRow.state != "resolved")).first()


def _extra_params(action: Action) -> dict[str, object]:
    return {key: value for key, value in action.params.items() if key != "text"} | {"reason": action.reason}


def _variant(action: Action) -> dict[str, object]:
    return {key: action.params[key] for key in ("template", "variant") if key in action.params}
