"""Guardrails hold whatever the YAML says: no replies to toxic or spam (a sure knowledge answer to spam only as
a draft), hide beats reply, humans for refunds, automation pauses itself, crisis mode holds a post."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from moderation.domain import ActionType, Plan
from playbooks import Library, load_library
from tests.playbooks.conftest import context, interaction, scores, write_playbook

# A reckless playbook: replies to everything, publicly and by DM, and hides too when asked.
RECKLESS = {
    "name": "reckless",
    "templates": {"hi": {"text": {"en": "Hi {{ author }}"}}},
    "rules": [
        {"id": "reply-all", "priority": 10, "actions": [
            {"auto_reply": {"template": "hi"}},
            {"send_dm": {"template": "hi"}},
            {"draft_reply": {"template": "hi"}},
            {"follow_up": {"delay_minutes": 5, "actions": [{"send_dm": {"template": "hi"}},
                                                           {"auto_reply": {"template": "hi"}}]}},
        ]},
        {"id": "hide-when-asked", "when": {"keywords": ["hideme"]}, "actions": ["hide"]},
    ],
}


@pytest.fixture
def reckless(tmp_path: Path) -> Library:
    write_playbook(tmp_path, RECKLESS)
    return load_library(tmp_path)


def _types(plan: Plan) -> list[str]:
    return [action.type.value for action in plan.actions]


def _replies(plan: Plan) -> list[tuple[str, str]]:
    found = []
    for action in plan.actions:
        nested: list[dict[str, Any]] = action.params.get("actions", []) if action.type is ActionType.follow_up else []
        for item in [action.model_dump(mode="json"), *nested]:
            if item["type"] in ("auto_reply", "send_dm", "draft_reply"):
                found.append((item["type"], item["params"].get("channel")))
    return found


@pytest.mark.parametrize("toxicity", [0.5, 0.7, 0.99])
def test_no_automated_or_public_reply_to_toxic_content(reckless: Library, toxicity: float) -> None:
    plan = reckless.decide(interaction(), scores(toxicity=toxicity), context())
    # Only a private word, approved by a human (now and in the follow-up).
    assert set(_replies(plan)) == {("draft_reply", "dm")}
    assert plan.notes


def test_just_under_toxic_is_answered(reckless: Library) -> None:
    plan = reckless.decide(interaction(), scores(toxicity=0.49), context())
    assert ("auto_reply", "public") in _replies(plan)


def test_no_reply_at_all_to_spam(reckless: Library) -> None:
    plan = reckless.decide(interaction(), scores(intent="spam"), context())
    assert _replies(plan) == []


def test_a_sure_knowledge_answer_to_possible_spam_is_only_ever_a_draft(reckless: Library) -> None:
    sure = {"level": "high", "confidence": 0.9, "source": "answer:gift-cards", "answer": "Gift cards from €20."}
    plan = reckless.decide(interaction(), scores(intent="spam"), context(knowledge=sure))
    assert {kind for kind, _ in _replies(plan)} == {"draft_reply"}
    unsure = sure | {"level": "low"}
    assert _replies(reckless.decide(interaction(), scores(intent="spam"), context(knowledge=unsure))) == []
    toxic = scores(intent="spam", toxicity=0.9)
    assert _replies(reckless.decide(interaction(), toxic, context(knowledge=sure))) == []


def test_hide_wins_over_any_public_reply(reckless: Library) -> None:
    plan = reckless.decide(interaction(text="please hideme"), scores(), context())
    assert "hide" in _types(plan)
    assert all(channel != "public" for _, channel in _replies(plan))
    assert ("send_dm", "dm") in _replies(plan)


def test_one_reply_per_channel(reckless: Library) -> None:
    plan = reckless.decide(interaction(), scores(), context())
    top = [(a.type.value, a.params.get("channel")) for a in plan.actions if a.type is not ActionType.follow_up]
    assert top == [("auto_reply", "public"), ("send_dm", "dm")]  # the draft_reply (public) was a second answer


@pytest.mark.parametrize(("intent", "text"), [("refund", "hello"), ("other", "my lawyer will call you"),
                                              ("complaint", "j'ai porté plainte")])
def test_refunds_and_sensitive_topics_reach_a_human(reckless: Library, intent: str, text: str) -> None:
    plan = reckless.decide(interaction(text=text), scores(intent=intent), context())
    assert not {"auto_reply", "send_dm"} & {t for t, _ in _replies(plan)}
    assert "draft_reply" in _types(plan) or "escalate" in _types(plan)


def test_refund_with_nothing_but_a_tag_is_escalated(tmp_path: Path) -> None:
    write_playbook(tmp_path, {"name": "x", "rules": [{"id": "t", "actions": [{"tag": ["refund"]}]}]})
    plan = load_library(tmp_path).decide(interaction(), scores(intent="refund"), context())
    assert _types(plan) == ["tag", "escalate"]
    assert plan.actions[1].params == {"level": "priority", "team": "support"}


def test_paused_automation_turns_replies_into_drafts(reckless: Library) -> None:
    plan = reckless.decide(interaction(campaign="spring"), scores(), context(paused_campaigns={"spring"}))
    assert {t for t, _ in _replies(plan)} == {"draft_reply"}


CAMPAIGN_CASES = [
    # (context overrides, pauses?)
    ({"campaign_recent_interactions": 50, "campaign_recent_negative": 6}, True),  # 12% > 10%
    ({"campaign_recent_interactions": 50, "campaign_recent_negative": 5}, False),  # exactly 10%
    ({"campaign_recent_interactions": 10, "campaign_recent_negative": 5}, False),  # too few to judge
    ({"campaign_conversion_rate": 0.01, "campaign_conversion_baseline": 0.03}, True),  # 33% of baseline
    ({"campaign_conversion_rate": 0.02, "campaign_conversion_baseline": 0.03}, False),  # 67%
    ({"campaign_conversion_rate": 0.0, "campaign_conversion_baseline": 0.0}, False),  # no baseline
    ({"campaign_recent_interactions": 50, "campaign_recent_negative": 20, "paused_campaigns": {"spring"}}, False),
]


@pytest.mark.parametrize(("overrides", "pauses"), CAMPAIGN_CASES)
def test_campaign_pauses_itself(reckless: Library, overrides: dict[str, Any], pauses: bool) -> None:
    plan = reckless.decide(interaction(campaign="spring"), scores(), context(**overrides))
    assert ("pause_automation" in _types(plan)) is pauses
    if pauses:
        pause = plan.of_type(ActionType.pause_automation)[0]
        assert pause.params == {"campaign": "spring", "scope": "spring"}
        assert plan.of_type(ActionType.notify)[0].params["channel"] == "community-alerts"
        assert {t for t, _ in _replies(plan)} == {"draft_reply"}


def test_no_campaign_pauses_the_account(reckless: Library) -> None:
    """Interactions without a campaign are guarded per receiving account (issue 16)."""
    plan = reckless.decide(interaction(), scores(), context(campaign_recent_interactions=50,
                                                            campaign_recent_negative=40))
    pause = plan.of_type(ActionType.pause_automation)[0]
    assert pause.params["campaign"] is None and pause.params["scope"].startswith("account:")
    assert "without a campaign" in pause.reason


CRISIS_CASES = [
    # (toxic in 10 min, baseline, kind, crisis?)
    (11, 2.0, "comment", True),
    (10, 2.0, "comment", False),  # exactly 5x is not "more than"
    (4, 0.0, "comment", False),  # under the minimum volume
    (5, 0.0, "comment", True),
    (30, 2.0, "dm", False),  # DMs are not on a post
]


@pytest.mark.parametrize(("toxic", "baseline", "kind", "crisis"), CRISIS_CASES)
def test_crisis_mode(reckless: Library, toxic: int, baseline: float, kind: str, crisis: bool) -> None:
    plan = reckless.decide(interaction(kind=kind), scores(),
                           context(post_toxic_10m=toxic, post_toxic_baseline_10m=baseline))
    assert ("hold_for_review" in _types(plan)) is crisis
    if crisis:
        escalation = plan.of_type(ActionType.escalate)[0]
        assert escalation.params["level"] == "urgent"
        assert escalation.rule == "guardrails/crisis_mode"
        assert not {"auto_reply", "send_dm"} & {t for t, _ in _replies(plan)}


def test_guardrail_defaults_are_settings(tmp_path: Path) -> None:
    write_playbook(tmp_path, {**RECKLESS, "settings": {"guardrails": {"crisis_multiplier": 2.0,
                                                                      "crisis_min_toxic": 3}}})
    plan = load_library(tmp_path).decide(interaction(), scores(),
                                         context(post_toxic_10m=3, post_toxic_baseline_10m=1.0))
    assert "hold_for_review" in _types(plan)


def test_stop_ends_matching_and_priority_orders(tmp_path: Path) -> None:
    write_playbook(tmp_path, {"name": "x", "rules": [
        {"id": "low", "priority": 1, "actions": [{"tag": ["low"]}]},
        {"id": "high", "priority": 9, "stop": True, "when": {"intents": ["pricing"]}, "actions": [{"tag": ["high"]}]},
        {"id": "mid", "priority": 5, "actions": [{"tag": ["mid"]}]},
    ]})
    library = load_library(tmp_path)
    assert library.decide(interaction(), scores(intent="pricing"), context()).matched_rules == ("x/high",)
    assert library.decide(interaction(), scores(), context()).matched_rules == ("x/mid", "x/low")
