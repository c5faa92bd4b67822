"""Issue 16 guardrails, on the default library: leads never held as spam, negative-post escalation once per
band, one escalation per interaction, pauses that resume by themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from moderation.domain import ActionType
from playbooks import Library, load_library
from tests.playbooks.conftest import MONDAY_10_UTC, context, interaction, scores


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(None)


def _types(plan) -> set[str]:  # type: ignore[no-untyped-def]
    return {action.type.value for action in plan.actions}


def test_a_spam_scored_dm_with_lead_signals_is_never_held_and_reaches_sales(library: Library) -> None:
    dm = interaction(platform="facebook", kind="dm", post_id=None, text="We are 80 people, budget 20k euros")
    plan = library.decide(dm, scores(intent="spam", intent_confidence=0.4),
                          context(lead_signals=frozenset({"headcount", "budget"})))
    assert not _types(plan) & {"hold_for_review", "hide", "delete"}
    [escalation] = plan.of_type(ActionType.escalate)
    assert escalation.params["team"] == "sales"
    assert any("spam verdict" in note and "lead signals" in note for note in plan.notes)


def test_a_spam_scored_dm_answering_our_messages_reaches_the_lead_rules(library: Library) -> None:
    dm = interaction(platform="facebook", kind="dm", post_id=None, text="ok 120 users, enterprise plan")
    plan = library.decide(dm, scores(intent="spam", intent_confidence=0.5),
                          context(author_recent_templates=frozenset({"fb_qualify"})))
    assert "facebook/messenger-high-value-lead" in plan.matched_rules
    assert "create_lead" in _types(plan) and not _types(plan) & {"hold_for_review", "hide"}


def test_spam_in_a_comment_or_a_cold_dm_is_still_moderated(library: Library) -> None:
    comment = library.decide(interaction(text="budget 20k, dm me"), scores(intent="spam", intent_confidence=0.95),
                             context(lead_signals=frozenset({"budget"})))
    cold = library.decide(interaction(kind="dm", post_id=None, text="win a prize"), scores(intent="spam"), context())
    assert "hide" in _types(comment)  # lead protection is for DMs only
    assert _types(cold) & {"hide", "hold_for_review"}  # the planner routes it to a person (a DM is never hidden)


@pytest.mark.parametrize(("total", "negative", "pages"), [
    (20, 2, False),  # exactly 10%: not more than the limit
    (20, 3, True),
    (9, 5, False),  # under the minimum sample
    (0, 0, False),
])
def test_negative_post_escalation(library: Library, total: int, negative: int, pages: bool) -> None:
    plan = library.decide(interaction(), scores(), context(post_recent_comments=total, post_recent_negative=negative))
    escalations = [a for a in plan.of_type(ActionType.escalate) if a.rule.endswith("negative_post")]
    assert bool(escalations) is pages
    if pages:
        params = escalations[0].params
        assert params["key"] == "negative-post:instagram:p1#1" and params["level"] == "urgent"
        assert "3 of the last 20 comments" in escalations[0].reason


def test_a_worse_share_is_a_worse_band(library: Library) -> None:
    plan = library.decide(interaction(), scores(), context(post_recent_comments=20, post_recent_negative=9))
    assert plan.of_type(ActionType.escalate)[0].params["key"].endswith("#4")  # 45%


def test_one_interaction_pages_one_team(library: Library) -> None:
    # A refund (support) on a post in crisis (community, urgent): one escalation, the urgent one, naming both.
    plan = library.decide(interaction(text="I want a refund, you are scammers"), scores(intent="refund"),
                          context(post_toxic_10m=9, post_toxic_baseline_10m=0.5))
    [escalation] = plan.of_type(ActionType.escalate)
    assert escalation.params["level"] == "urgent" and escalation.params["team"] == "community"
    assert escalation.params["also_teams"] == ["support"]


def test_a_paused_scope_resumes_once_back_under_the_limit_long_enough(library: Library) -> None:
    spring = interaction(campaign="spring")
    paused = {"paused_campaigns": frozenset({"spring"}), "campaign_recent_interactions": 40,
              "campaign_recent_negative": 2}
    too_soon = library.decide(spring, scores(), context(scope_paused_at=MONDAY_10_UTC - timedelta(minutes=30),
                                                        **paused))
    assert "resume_automation" not in _types(too_soon)
    later = library.decide(spring, scores(), context(scope_paused_at=MONDAY_10_UTC - timedelta(hours=3), **paused))
    [resume] = later.of_type(ActionType.resume_automation)
    assert resume.params == {"campaign": "spring", "scope": "spring"} and "resumed" in resume.reason
    still_bad = library.decide(spring, scores(), context(scope_paused_at=MONDAY_10_UTC - timedelta(hours=3),
                                                         **(paused | {"campaign_recent_negative": 10})))
    assert "resume_automation" not in _types(still_bad)
