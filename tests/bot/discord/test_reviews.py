"""The review queue on Discord: a card with the verdicts the platform allows, persistent buttons, approver-only
clicks (an ephemeral refusal for others), the card edited once decided; Resume on a paused campaign."""

from __future__ import annotations

from moderation.act.pauses import pause_states, set_paused
from moderation.domain import utcnow
from moderation.storage.tables import ReviewRow
from tests.bot.discord.conftest import ALERTS, APPROVALS, settle, start_bot
from tests.bot.slack.test_slack_reviews import _held

EPHEMERAL = 64


async def test_review_card_buttons_and_an_approver_verdict(sqlite_db, fake_discord):
    bot = await start_bot(sqlite_db, fake_discord)
    try:
        review_id = _held(sqlite_db, utcnow())
        await bot.hub.review_requested(review_id)
        [card] = fake_discord.posted(APPROVALS)
        embed = card.body["embeds"][0]
        assert "Review #" in embed["title"] and "brainwashed" in embed["description"]
        assert any(field["name"] == "Words" and "morons" in field["value"] for field in embed["fields"])
        buttons = [c["custom_id"] for r in card.body["components"] for c in r["components"]]
        assert buttons == [f"socialops:review-{verb}:{review_id}" for verb in ("keep", "restore", "delete",
                                                                                "ban_author")]
        message_id = next(iter(fake_discord.messages))

        bot.interact("button_click.json", member="outsider", custom_id=f"socialops:review-delete:{review_id}",
                     message_id=message_id)
        await settle()
        [refusal] = fake_discord.callbacks()
        assert refusal.body["data"]["flags"] == EPHEMERAL and "approvers" in refusal.body["data"]["content"]

        bot.interact("button_click.json", custom_id=f"socialops:review-keep:{review_id}", message_id=message_id)
        await settle()
        with sqlite_db.session() as session:
            assert session.get(ReviewRow, review_id).state == "kept"
        [edit] = fake_discord.find("PATCH", f"/channels/{APPROVALS}/messages/")
        assert edit.body["components"] == []
    finally:
        await bot.close()


async def test_resume_button_on_a_paused_campaign(sqlite_db, fake_discord):
    bot = await start_bot(sqlite_db, fake_discord)
    try:
        set_paused(sqlite_db, "spring", paused=True, actor="automation", reason="negative sentiment at 14%")
        await bot.hub.automation_paused("spring")
        [card] = fake_discord.posted(ALERTS)
        [button] = [c for r in card.body["components"] for c in r["components"]]
        assert button["custom_id"] == "socialops:resume:spring" and "paused" in card.body["content"]
        message_id = next(k for k, m in fake_discord.messages.items() if str(m["channel_id"]) == str(ALERTS))
        bot.interact("button_click.json", custom_id="socialops:resume:spring", message_id=message_id)
        await settle()
        assert not [s for s in pause_states(sqlite_db) if s.paused]
    finally:
        await bot.close()
