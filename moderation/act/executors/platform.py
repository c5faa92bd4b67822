"""Actions that reach the social platform: queued in the outbox, performed with retries after the commit.

The planner (`moderation.pipeline.planner`) has chosen the operation the account really offers
(`params.operation`) and whether a person reviews the item (`params.review`); `none` means no platform call."""

from __future__ import annotations

from moderation.act.executors.registry import ExecutionContext, executes
from moderation.act.outbox import enqueue
from moderation.act.reviews import open_review
from moderation.domain import Action, ActionType, EventAction
from moderation.measure.events import record_event
from moderation.platforms.base import OPERATION_FOR_ACTION, Operation

NO_OPERATION = "none"
# Keys the planner adds for the executors; they are not parameters of the platform call.
PLANNER_KEYS = ("operation", "review", "review_options")


def outbox_params(action: Action) -> dict[str, object]:
    return {key: value for key, value in action.params.items()
            if key != "text" and key not in PLANNER_KEYS} | {"reason": action.reason}


def chosen_operation(action: Action) -> Operation | None:
    """The planner's operation; plans decided without the planner (older rows, tests) use the type's default."""
    chosen = action.params.get("operation")
    if chosen == NO_OPERATION:
        return None
    return Operation(chosen) if chosen else OPERATION_FOR_ACTION[action.type]


@executes(ActionType.auto_reply, ActionType.send_dm, ActionType.hide, ActionType.delete, ActionType.hold_for_review)
def platform_action(ctx: ExecutionContext) -> None:
    action = ctx.action
    operation = chosen_operation(action)
    if operation is None:
        # Nothing the platform can do: recorded (for audits and replays), never sent, so never dead-lettered.
        row = ctx.record_done(state="skipped")
        row.last_error = "the platform offers no operation for this; a person takes over"
        record_event(ctx.session, ctx.interaction, EventAction.routed_to_person, **ctx.event_fields,
                     data={"action_type": action.type.value, "reason": action.reason})
    else:
        row = enqueue(ctx.session, ctx.interaction, operation, key=ctx.key, action_type=action.type.value,
                      text=action.params.get("text"), params=outbox_params(action), rule=action.rule,
                      rule_version=action.rule_version, decision_id=ctx.decision_id, now=ctx.now)
    if action.params.get("review"):
        ctx.session.flush()  # the review card points at the action row
        review_id = open_review(ctx.session, ctx.interaction, row, action,
                                operation=operation.value if operation else NO_OPERATION, now=ctx.now)
        if review_id is not None:
            ctx.work.reviews.append(review_id)
