"""The capability-aware planner: every moderation intent gets an operation the platform really offers."""

from __future__ import annotations

import pytest

from moderation.domain import Action, ActionType, Kind, Plan, Platform
from moderation.pipeline.planner import fit_plan
from moderation.platforms.base import Operation
from moderation.platforms.registry import spec_for


def _plan(*actions: Action) -> Plan:
    return Plan(interaction_id="x:1", actions=actions)


def _caps(platform: str) -> frozenset[Operation]:
    return spec_for(Platform(platform)).capabilities


@pytest.mark.parametrize(("platform", "intent", "operation"), [
    ("instagram", ActionType.hold_for_review, "hide"),
    ("facebook", ActionType.hold_for_review, "hide"),
    ("tiktok", ActionType.hold_for_review, "hide"),
    ("youtube", ActionType.hold_for_review, "hold"),  # heldForReview
    ("youtube", ActionType.hide, "hold"),  # YouTube has no hide
    ("tiktok", ActionType.delete, "hide"),  # others' comments cannot be deleted on TikTok
    ("instagram", ActionType.delete, "delete"),
    ("instagram", ActionType.hide, "hide"),
])
def test_every_moderation_intent_has_an_operation_on_every_platform(platform, intent, operation) -> None:
    fitted = fit_plan(_plan(Action(type=intent, reason="borderline")), Kind.comment, _caps(platform))
    [action] = fitted.actions
    assert action.type is intent  # the intent stays: replays compare like with like
    assert action.params["operation"] == operation
    assert Operation(operation) in _caps(platform)
    assert action.params["review"] is (operation != "delete")


def test_review_options_follow_the_platform() -> None:
    youtube = fit_plan(_plan(Action(type=ActionType.hold_for_review)), Kind.comment, _caps("youtube")).actions[0]
    tiktok = fit_plan(_plan(Action(type=ActionType.hold_for_review)), Kind.comment, _caps("tiktok")).actions[0]
    assert youtube.params["review_options"] == ["keep", "restore", "delete", "ban_author"]
    assert tiktok.params["review_options"] == ["keep", "restore"]


def test_a_dm_is_never_hidden_it_goes_to_a_person() -> None:
    fitted = fit_plan(_plan(Action(type=ActionType.hold_for_review), Action(type=ActionType.tag)),
                      Kind.dm, _caps("facebook"))
    hold, tag = fitted.actions
    assert hold.params == {"operation": "none", "review": True, "review_options": ["keep"]}
    assert tag.type is ActionType.tag and any("routed to a person" in note for note in fitted.notes)


def test_a_channel_the_platform_lacks_is_not_sent_also_inside_follow_ups() -> None:
    dm = Action(type=ActionType.send_dm, params={"text": "link", "channel": "dm"})
    follow_up = Action(type=ActionType.follow_up, params={"delay_minutes": 10, "actions": [dm.model_dump(mode="json")]})
    public = Action(type=ActionType.auto_reply, params={"text": "link in bio", "channel": "public"})
    fitted = fit_plan(_plan(public, dm, follow_up), Kind.comment, _caps("tiktok"))
    assert "operation" not in fitted.actions[0].params
    assert fitted.actions[1].params["operation"] == "none"
    assert fitted.actions[2].params["actions"][0]["params"]["operation"] == "none"


def test_a_permissive_account_changes_nothing_but_the_review_flags() -> None:
    plan = _plan(Action(type=ActionType.hold_for_review))
    [action] = fit_plan(plan, Kind.comment, frozenset(Operation)).actions
    assert action.params["operation"] == "hold" and action.params["review"] is True
