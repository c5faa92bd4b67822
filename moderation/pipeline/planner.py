"""The capability-aware planner: turns each action of a decided Plan into an operation the account's platform
really offers, before the plan is recorded, so a capability mismatch never reaches the outbox.

Action types (the intent: hide, hold for review, delete, reply, DM) stay as the engine decided them, so replays
compare like with like; the planner adds the operation chosen (`params.operation`) and whether a person gets a
review card (`params.review`, with the verdicts the platform allows in `params.review_options`):

- hold for review: `hold` where the platform has one (YouTube heldForReview), else hide + a review card;
- hide: `hide`, else `hold` (YouTube has no hide), with a review card;
- delete: `delete`, else hide (TikTok cannot delete others' comments), else hold;
- DMs, story replies and mentions cannot be hidden anywhere: no platform call, a review card for a person
  (a spam decision on a DM routes to a person instead of hiding it);
- a reply or DM on a channel the platform does not offer (TikTok DMs) is not sent (`operation: none`) and the
  plan notes it.
"""

from __future__ import annotations

from typing import Any

from moderation.domain import Action, ActionType, Kind, Plan
from moderation.platforms.base import Operation

NONE = "none"  # `params.operation` when the platform offers no way to do it: a person takes over

# The operations that carry out each moderation intent, mildest acceptable last.
MODERATION_CHOICES: dict[ActionType, tuple[Operation, ...]] = {
    ActionType.hold_for_review: (Operation.hold, Operation.hide),
    ActionType.hide: (Operation.hide, Operation.hold),
    ActionType.delete: (Operation.delete, Operation.hide, Operation.hold),
}
REPLIES = frozenset({ActionType.auto_reply, ActionType.send_dm, ActionType.draft_reply})
# Only public comments on our own posts can be hidden, held or removed through the platforms' APIs.
MODERATABLE_KINDS = frozenset({Kind.comment})

KEEP, RESTORE, DELETE, BAN = "keep", "restore", "delete", "ban_author"


def review_options(operation: str, kind: Kind, allowed: frozenset[Operation]) -> list[str]:
    """The verdicts a review card offers for an item moderated with `operation`."""
    options = [KEEP]
    if operation in (Operation.hide.value, Operation.hold.value):
        options.append(RESTORE)
    if kind in MODERATABLE_KINDS and Operation.delete in allowed:
        options.append(DELETE)
    if kind in MODERATABLE_KINDS and Operation.ban_author in allowed:
        options.append(BAN)
    return options


def fit_plan(plan: Plan, kind: Kind, allowed: frozenset[Operation]) -> Plan:
    """The plan with every platform action mapped onto `allowed` (the account's real operations)."""
    notes: list[str] = []
    actions = tuple(_fit(action, kind, allowed, notes) for action in plan.actions)
    if actions == plan.actions:
        return plan
    return plan.model_copy(update={"actions": actions, "notes": (*plan.notes, *dict.fromkeys(notes))})


def _fit(action: Action, kind: Kind, allowed: frozenset[Operation], notes: list[str]) -> Action:
    if action.type is ActionType.follow_up:
        nested = [Action.model_validate(item) for item in action.params.get("actions", [])]
        fitted = [_fit(item, kind, allowed, notes) for item in nested]
        if fitted == nested:
            return action
        return _with(action, actions=[item.model_dump(mode="json") for item in fitted])
    if action.type in MODERATION_CHOICES:
        return _moderation(action, kind, allowed, notes)
    if action.type in REPLIES:
        channel = action.params.get("channel") or ("dm" if action.type is ActionType.send_dm else "public")
        needed = Operation.dm if channel == "dm" else Operation.reply
        if needed in allowed:
            return action
        notes.append(f"this account cannot send a {channel} message ({needed.value}): not sent")
        return _with(action, operation=NONE)
    return action


def _moderation(action: Action, kind: Kind, allowed: frozenset[Operation], notes: list[str]) -> Action:
    intent = action.type.value.replace("_", " ")
    if kind not in MODERATABLE_KINDS:
        notes.append(f"a {kind.value} cannot be {'held' if action.type is ActionType.hold_for_review else 'hidden'}"
                     ": routed to a person (review card)")
        return _with(action, operation=NONE, review=True, review_options=review_options(NONE, kind, allowed))
    chosen = next((op for op in MODERATION_CHOICES[action.type] if op in allowed), None)
    if chosen is None:
        notes.append(f"{intent}: the platform offers none of "
                     f"{'/'.join(op.value for op in MODERATION_CHOICES[action.type])}: review card only")
        return _with(action, operation=NONE, review=True, review_options=review_options(NONE, kind, allowed))
    if chosen is not MODERATION_CHOICES[action.type][0]:
        notes.append(f"{intent} done as {chosen.value} (the platform's closest operation)")
    # Whatever automation removed from view, a person can look at and reverse; a delete is final.
    review = chosen is not Operation.delete
    params: dict[str, Any] = {"operation": chosen.value, "review": review}
    if review:
        params["review_options"] = review_options(chosen.value, kind, allowed)
    return _with(action, **params)


def _with(action: Action, **params: Any) -> Action:
    return action.model_copy(update={"params": {**action.params, **params}})
