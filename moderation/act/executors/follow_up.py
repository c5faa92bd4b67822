"""A follow-up: scheduled now, fired later by the timers (see `moderation.act.follow_ups`)."""

from __future__ import annotations

from datetime import timedelta

from moderation.act.executors.registry import ExecutionContext, executes, flushed_id
from moderation.domain import ActionType, EventAction, as_utc
from moderation.measure.events import record_event


@executes(ActionType.follow_up)
def follow_up(ctx: ExecutionContext) -> None:
    row = ctx.record_done(state="scheduled")
    delay = float(ctx.action.params.get("delay_minutes", 10))
    row.next_attempt_at = as_utc(ctx.interaction.created_at) + timedelta(minutes=delay)
    ctx.session.flush()
    record_event(ctx.session, ctx.interaction, EventAction.follow_up_scheduled, **ctx.event_fields,
                 data={"action_id": row.id, "delay_minutes": delay})
    ctx.work.follow_ups.append(flushed_id(row))
