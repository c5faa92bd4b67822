"""Actions that only record and tell: notify a channel, tag, pause automation (leads: `lead.py`)."""

from __future__ import annotations

from moderation.act.executors.registry import ExecutionContext, executes
from moderation.domain import ACCOUNT_SCOPE, ActionType, EventAction
from moderation.measure.events import record_event


@executes(ActionType.notify)
def notify(ctx: ExecutionContext) -> None:
    ctx.record_done()
    channel = str(ctx.action.params.get("channel", "alerts"))
    text = str(ctx.action.params.get("text") or ctx.action.reason or "")
    record_event(ctx.session, ctx.interaction, EventAction.notified, **ctx.event_fields, data={"channel": channel})
    ctx.work.notices.append((channel, text, ctx.interaction.id))


@executes(ActionType.tag)
def tag(ctx: ExecutionContext) -> None:
    ctx.record_done()
    tags = ctx.action.params.get("tags") or [ctx.action.params.get("tag")]
    record_event(ctx.session, ctx.interaction, EventAction.tagged, **ctx.event_fields,
                 data={"tags": [t for t in tags if t]})


@executes(ActionType.pause_automation)
def pause_automation(ctx: ExecutionContext) -> None:
    # The team hears of it through the notify action the engine plans beside the pause.
    ctx.record_done()
    record_event(ctx.session, ctx.interaction, EventAction.automation_paused, **ctx.event_fields,
                 data={"reason": ctx.action.reason, **_scope(ctx), **dict(ctx.action.params)})
    ctx.work.pauses.append(_scope(ctx)["scope"])


@executes(ActionType.resume_automation)
def resume_automation(ctx: ExecutionContext) -> None:
    ctx.record_done()
    record_event(ctx.session, ctx.interaction, EventAction.automation_resumed, **ctx.event_fields,
                 data={"reason": ctx.action.reason, **_scope(ctx), **dict(ctx.action.params)})
    ctx.work.pauses.append(_scope(ctx)["scope"])


def _scope(ctx: ExecutionContext) -> dict[str, str]:
    """The paused scope: the action's, else the interaction's campaign or account (`guardrail_scope`)."""
    scope = ctx.action.params.get("scope") or ctx.action.params.get("campaign")
    if not scope:
        interaction = ctx.interaction
        scope = interaction.campaign or f"{ACCOUNT_SCOPE}{interaction.platform}:{interaction.account_id or '-'}"
    return {"scope": str(scope)}
