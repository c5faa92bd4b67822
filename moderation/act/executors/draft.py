"""A reply drafted for approval: queued in the outbox as awaiting approval, with an approval request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from moderation.act.executors.platform import NO_OPERATION, outbox_params
from moderation.act.executors.registry import ExecutionContext, executes, flushed_id
from moderation.act.outbox import enqueue
from moderation.domain import ActionType, EventAction, as_utc
from moderation.measure.events import record_event
from moderation.platforms.base import OPERATION_FOR_ACTION, Operation
from moderation.storage.tables import ApprovalRow


@executes(ActionType.draft_reply)
def draft_reply(ctx: ExecutionContext) -> None:
    action, interaction = ctx.action, ctx.interaction
    if action.params.get("operation") == NO_OPERATION:
        # The planner found no channel for it on this platform (TikTok DMs): approving it could not send it.
        row = ctx.record_done(state="skipped")
        row.last_error = "the platform offers no channel for this reply; a person takes over"
        record_event(ctx.session, interaction, EventAction.routed_to_person, **ctx.event_fields,
                     data={"action_type": action.type.value, "reason": action.reason})
        return
    # A draft may be a private answer (refund DMs, apologies): once approved it goes as a DM, not in public.
    operation = Operation.dm if action.params.get("channel") == "dm" else OPERATION_FOR_ACTION[action.type]
    row = enqueue(ctx.session, interaction, operation, key=ctx.key, action_type=action.type.value,
                  text=action.params.get("text", ""), params=outbox_params(action), rule=action.rule,
                  rule_version=action.rule_version, decision_id=ctx.decision_id, state="awaiting_approval",
                  now=ctx.now)
    ctx.session.flush()
    approval = ApprovalRow(
        interaction_id=interaction.id,
        action_id=flushed_id(row),
        draft_text=str(action.params.get("text", "")),
        due_at=as_utc(interaction.created_at) + timedelta(minutes=ctx.approval_minutes),
        created_at=ctx.now,
    )
    ctx.session.add(approval)
    ctx.session.flush()
    variant: dict[str, Any] = {key: action.params[key] for key in ("template", "variant") if key in action.params}
    record_event(ctx.session, interaction, EventAction.reply_drafted, **ctx.event_fields,
                 data={"approval_id": approval.id, "action_id": row.id, "reason": action.reason, **variant})
    ctx.work.approvals.append(flushed_id(approval))
