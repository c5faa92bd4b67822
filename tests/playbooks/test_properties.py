"""Property tests: the engine never crashes and never plans a reply to toxic or spam content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.domain import (
    DEFAULT_INTENTS,
    ActionType,
    DecisionContext,
    Interaction,
    Kind,
    Plan,
    Platform,
    Scores,
    Sentiment,
)
from moderation.platforms.registry import text_limits
from playbooks import Library, load_library

LIBRARY: Library = load_library().with_text_limits(text_limits())
WORDS = ["prix", "price", "Où", "acheter", "link", "lien", "size", "taille", "collab", "sponsor", "demo",
         "refund", "remboursez", "lawyer", "offer", "OFFRE", "12 people", "250 salariés", "budget 40k€",
         "https://x.example/a?b=1", "{{ config }}", "é", "💛", "\u0301", "   "]

texts = st.one_of(
    st.text(min_size=1, max_size=200).filter(lambda t: t.strip() != ""),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join).filter(lambda t: t.strip() != ""),
)
times = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                     timezones=st.just(UTC))
interactions = st.builds(
    Interaction,
    platform=st.sampled_from(list(Platform)), kind=st.sampled_from(list(Kind)),
    external_id=st.text(min_size=1, max_size=20), author_id=st.text(min_size=1, max_size=20),
    author_name=st.text(max_size=30), text=texts, post_id=st.none() | st.sampled_from(["p1", "p2"]),
    created_at=times, is_follower=st.booleans(), is_vip=st.booleans(),
    campaign=st.none() | st.sampled_from(["spring", "launch"]), parent_id=st.none() | st.just("x"),
)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
score_values = st.builds(
    Scores, intent=st.sampled_from([*DEFAULT_INTENTS, "unknown_custom"]), intent_confidence=unit,
    toxicity=unit, sentiment=st.sampled_from(list(Sentiment)), lang=st.sampled_from(["en", "fr", "de", "xx"]),
)


@st.composite
def contexts(draw: Any) -> DecisionContext:
    start = draw(st.integers(0, 24))
    return DecisionContext(
        now=draw(times) + timedelta(minutes=draw(st.integers(0, 60))),
        timezone=draw(st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"])),
        business_hours=(start, draw(st.integers(start, 24))),
        business_days=tuple(draw(st.sets(st.integers(0, 6)))),
        author_hidden_30d=draw(st.integers(0, 10)),
        author_previous_interactions=draw(st.integers(0, 5)),
        author_is_lead=draw(st.booleans()), author_is_customer=draw(st.booleans()),
        paused_campaigns=frozenset(draw(st.sets(st.sampled_from(["spring", "launch"])))),
        automation_paused=draw(st.booleans()),
        post_volume_10m=draw(st.integers(0, 500)), post_toxic_10m=draw(st.integers(0, 100)),
        post_toxic_baseline_10m=draw(st.floats(0, 50, allow_nan=False)),
        author_recent_templates=frozenset(draw(st.sets(st.sampled_from(["ig_story_price", "fb_qualify"])))),
        campaign_recent_interactions=draw(st.integers(0, 100)),
        campaign_recent_negative=draw(st.integers(0, 100)),
        campaign_conversion_rate=draw(st.none() | unit), campaign_conversion_baseline=draw(st.none() | unit),
    )


def _all_actions(plan: Plan) -> list[dict[str, Any]]:
    out = []
    for action in plan.actions:
        out.append(action.model_dump(mode="json"))
        if action.type is ActionType.follow_up:
            out.extend(action.params["actions"])
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interactions, score_values, contexts())
def test_engine_never_crashes_and_never_replies_to_toxic_or_spam(
    interaction: Interaction, scores: Scores, context: DecisionContext
) -> None:
    plan = LIBRARY.decide(interaction, scores, context)
    assert plan.interaction_id == interaction.id
    actions = _all_actions(plan)
    public = [a for a in actions if a["type"] in ("auto_reply", "send_dm", "draft_reply")
              and a["params"].get("channel") == "public"]
    if scores.toxicity >= 0.5 or scores.intent == "spam":
        assert not [a for a in actions if a["type"] in ("auto_reply", "send_dm")]
        assert not public
    if scores.intent == "spam":
        assert not [a for a in actions if a["type"] == "draft_reply"]
    if any(a.type in (ActionType.hide, ActionType.delete) for a in plan.actions):
        assert not public
    if scores.intent == "refund":
        assert not [a for a in actions if a["type"] in ("auto_reply", "send_dm")]
        assert any(a.type in (ActionType.escalate, ActionType.draft_reply) for a in plan.actions)
    for action in actions:
        if "text" in action["params"] and action["type"] != "notify":
            limit = LIBRARY.settings.text_limit(interaction.platform, action["params"]["channel"])
            assert len(action["params"]["text"]) <= limit


@settings(max_examples=100, deadline=None)
@given(interactions, score_values, contexts())
def test_engine_is_deterministic(interaction: Interaction, scores: Scores, context: DecisionContext) -> None:
    assert LIBRARY.decide(interaction, scores, context) == LIBRARY.decide(interaction, scores, context)
