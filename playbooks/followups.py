"""Follow-ups: what a planned follow_up runs when its timer fires, given what the author did meanwhile."""

from __future__ import annotations

from moderation.domain import Action, ActionType


def follow_up_actions(action: Action, *, author_replied: bool, author_sent_dm: bool) -> list[Action]:
    """The nested actions of a follow_up, or none if the author already answered (the `unless` list).

    The worker schedules the follow_up (APScheduler, persistent job store) for `params["delay_minutes"]`
    and calls this when it fires; texts were rendered when the plan was made, so this stays pure."""
    if action.type is not ActionType.follow_up:
        raise ValueError(f"not a follow_up action: {action.type.value}")
    unless = set(action.params.get("unless", ()))
    if ("author_replied" in unless and author_replied) or ("author_sent_dm" in unless and author_sent_dm):
        return []
    return [Action.model_validate(item) for item in action.params.get("actions", [])]
