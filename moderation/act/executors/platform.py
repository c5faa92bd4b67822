"""Actions that reach the social platform: queued in the outbox, performed with retries after the commit."""

from __future__ import annotations

from moderation.act.executors.registry import ExecutionContext, executes
from moderation.act.outbox import enqueue
from moderation.domain import Action, ActionType
from moderation.platforms.base import OPERATION_FOR_ACTION


def outbox_params(action: Action) -> dict[str, object]:
    return {key: value for key, value in action.params.items() if key != "text"} | {"reason": action.reason}


@executes(ActionType.auto_reply, ActionType.send_dm, ActionType.hide, ActionType.delete, ActionType.hold_for_review)
def platform_action(ctx: ExecutionContext) -> None:
    action = ctx.action
    enqueue(ctx.session, ctx.interaction, OPERATION_FOR_ACTION[action.type], key=ctx.key,
            action_type=action.type.value, text=action.params.get("text"), params=outbox_params(action),
            rule=action.rule, rule_version=action.rule_version, decision_id=ctx.decision_id, now=ctx.now)
