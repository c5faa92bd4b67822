"""The review queue and paused guardrails on Slack: cards with the allowed verdicts, approver-only clicks with
ephemeral refusals, one verdict per item; escalations only for the people paged, the rotation and approvers."""

from __future__ import annotations

from bot.slack import blocks
from moderation.act.executor import execute_plan
from moderation.act.pauses import set_paused
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform
from moderation.ingest.store import store_interactions
from moderation.pipeline.planner import fit_plan
from moderation.platforms.registry import spec_for
from moderation.storage.tables import ClassificationRow, EscalationRow, InteractionRow, ReviewRow
from tests.bot.slack.conftest import APPROVER, OUTSIDER
from tests.bot.slack.slack_sdk_models_check import assert_valid_blocks
from tests.bot.slack.slack_seed import seed_escalation


def _held(db, at, platform: Platform = Platform.youtube) -> int:
    interaction = Interaction(platform=platform, kind=Kind.comment, external_id="Ugz7", author_id="UCtroll",
                              author_name="truthbomb", text="you people are brainwashed morons", post_id="v9",
                              created_at=at)
    store_interactions(db, [interaction], source="test")
    plan = fit_plan(Plan(interaction_id=interaction.id, actions=(Action(
        type=ActionType.hold_for_review, rule="cross/toxic-review", reason="Borderline toxic is held"),)),
        Kind.comment, spec_for(platform).capabilities)
    with db.session() as session:
        row = session.get(InteractionRow, interaction.id)
        session.add(ClassificationRow(interaction_id=row.id, intent="complaint", intent_confidence=0.7, toxicity=0.72,
                                      sentiment="negative", lang="en", explanation={
                                          "toxicity_tokens": [{"token": "morons", "weight": 2.1}]}))
        return execute_plan(session, row, plan, library_version="t", approval_minutes=30).reviews[0]


async def test_a_review_card_shows_why_and_only_approvers_decide_once(stack):
    review_id = _held(stack.db, stack.clock.now)
    await stack.hub.review_requested(review_id)
    card = stack.fake.received("chat.postMessage")[0].params
    assert card["channel"] == "CAPPROVALS"
    assert_valid_blocks(card["blocks"])
    text = str(card["blocks"])
    for shown in ("truthbomb", "brainwashed", "toxicity 0.72", "Borderline toxic is held", "cross/toxic-review",
                  "morons", "youtube.com/watch?v=v9"):
        assert shown in text
    buttons = [e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [blocks.REVIEW_ACTIONS[v] for v in ("keep", "restore", "delete", "ban_author")]

    await stack.click(blocks.REVIEW_ACTIONS["restore"], review_id, user=OUTSIDER)
    refused = (await stack.fake.wait_for("chat.postEphemeral"))[0].params
    assert refused["user"] == OUTSIDER and "Only the configured approvers" in refused["text"]

    await stack.click(blocks.REVIEW_ACTIONS["restore"], review_id, user=APPROVER)
    update = (await stack.fake.wait_for("chat.update"))[0].params
    assert_valid_blocks(update["blocks"])
    assert "Restored" in str(update["blocks"]) and f"<@{APPROVER}>" in str(update["blocks"])
    await stack.click(blocks.REVIEW_ACTIONS["keep"], review_id, user=APPROVER)
    late = (await stack.fake.wait_for("chat.postEphemeral", 2))[1].params
    assert "already restored" in late["text"]
    with stack.db.session() as session:
        assert session.get(ReviewRow, review_id).state == "restored"


async def test_tiktok_cards_offer_no_delete(stack):
    review_id = _held(stack.db, stack.clock.now, Platform.tiktok)
    await stack.hub.review_requested(review_id)
    card = stack.fake.received("chat.postMessage")[0].params
    buttons = [e["text"]["text"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Keep hidden", "Restore"]


async def test_a_paused_campaign_shows_a_resume_button_for_approvers(stack):
    set_paused(stack.db, "spring", paused=True, actor="automation", reason="negative sentiment at 14%")
    await stack.hub.automation_paused("spring")
    card = stack.fake.received("chat.postMessage")[0].params
    assert card["channel"] == "CALERTS"
    assert_valid_blocks(card["blocks"])
    [button] = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (blocks.RESUME, "spring")

    await stack.interact({"type": "block_actions", "user": {"id": OUTSIDER}, "api_app_id": "A1", "team": {"id": "T1"},
                          "container": {"type": "message", "message_ts": "1.1", "channel_id": "CALERTS"},
                          "channel": {"id": "CALERTS"}, "trigger_id": "t",
                          "actions": [{"type": "button", "action_id": blocks.RESUME, "value": "spring"}]})
    assert "Only the configured approvers" in (await stack.fake.wait_for("chat.postEphemeral"))[0].params["text"]
    await stack.interact({"type": "block_actions", "user": {"id": APPROVER}, "api_app_id": "A1", "team": {"id": "T1"},
                          "container": {"type": "message", "message_ts": "1.1", "channel_id": "CALERTS"},
                          "channel": {"id": "CALERTS"}, "trigger_id": "t",
                          "actions": [{"type": "button", "action_id": blocks.RESUME, "value": "spring"}]})
    resumed = (await stack.fake.wait_for("chat.postMessage", 2))[1].params
    assert "resumed" in str(resumed["blocks"]) and f"<@{APPROVER}>" in str(resumed["blocks"])


async def test_only_the_paged_the_rotation_and_approvers_act_on_an_escalation(stack):
    escalation_id = seed_escalation(stack.db, at=stack.clock.now)
    await stack.hub.escalation_opened(escalation_id)
    await stack.click(blocks.ACKNOWLEDGE, escalation_id, user=OUTSIDER, channel="CESCALATE")
    refused = (await stack.fake.wait_for("chat.postEphemeral"))[0].params
    assert refused["user"] == OUTSIDER and "only the people paged" in refused["text"]
    with stack.db.session() as session:
        assert session.get(EscalationRow, escalation_id).state == "open"
    # alice is in the community rotation though bob was paged this week: she may acknowledge.
    await stack.click(blocks.ACKNOWLEDGE, escalation_id, user="UALICE", channel="CESCALATE")
    await stack.fake.wait_for("chat.update")
    with stack.db.session() as session:
        assert session.get(EscalationRow, escalation_id).acknowledged_by == "slack:UALICE"
