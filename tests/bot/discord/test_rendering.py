"""Digest with its chart, embeds within Discord's limits, notices, and the modal submission parser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.discord import embeds
from bot.discord.modals import parse_submission
from bot.views import ApprovalCard, DigestView, EscalationPage, KpiLine
from tests.bot.discord.conftest import ALERTS, DIGEST, payload

LINE = KpiLine(platform="instagram", volume=120, comments=100, dms=20, responded=90, response_rate=0.75,
               first_response_minutes=34.0, escalations=3, escalation_rate=0.025, positive=0.5, neutral=0.3,
               negative=0.2, hidden=4)


def _digest(chart: bytes | None) -> DigestView:
    return DigestView(title="Maison Lumière — daily digest", window="2026-11-20 → 2026-11-21 (1 days)",
                      lines=(LINE, KpiLine(**{**LINE.__dict__, "platform": "all"})), pending_approvals=2,
                      open_escalations=1, chart_png=chart)


async def test_the_digest_goes_to_the_digest_channel_with_its_chart_attached(bot):
    await bot.surface.post_digest(_digest(b"\x89PNG\r\n\x1a\nchart-bytes"))

    [post] = bot.fake.posted(DIGEST)
    assert post.files == {"digest.png": b"\x89PNG\r\n\x1a\nchart-bytes"}
    embed = post.body["embeds"][0]
    assert embed["image"]["url"] == "attachment://digest.png"
    assert [f["name"] for f in embed["fields"]] == ["all", "instagram", "Waiting on people"]
    assert post.body["attachments"][0]["filename"] == "digest.png"


async def test_a_digest_without_a_chart_gets_one_drawn(bot):
    await bot.surface.post_digest(_digest(None))
    [post] = bot.fake.posted(DIGEST)
    [(name, data)] = post.files.items()
    assert name == "digest.png" and data.startswith(b"\x89PNG")


async def test_notices_go_to_the_team_wide_channel_name_without_pinging(bot):
    await bot.hub.notify("alerts", "dead letter: @everyone reply failed")
    [post] = bot.fake.posted(ALERTS)
    assert post.body["content"] == "dead letter: @everyone reply failed"
    assert post.body["allowed_mentions"] == {"parse": []}
    await bot.hub.notify("partnerships", "collab request from @brand")  # no Discord channel configured for it
    assert len([c for c in bot.fake.calls if c.method == "POST" and "/messages" in c.path]) == 1


def _card(**changes: object) -> ApprovalCard:
    base = dict(approval_id=7, platform="instagram", kind="comment", author="anna", text="où est ma commande ?",
                post_id="p1", intent="order_support", intent_confidence=0.91, toxicity=0.02, sentiment="negative",
                lang="fr", draft="Bonjour Anna, …", rule="ig/order", reason="order question", due_at=None)
    return ApprovalCard(**{**base, **changes})


@pytest.mark.parametrize("card", [
    _card(),
    _card(text="x" * 10_000, draft="y" * 5_000, author="a" * 300, reason="r" * 2_000),
    _card(state="edited", decided_by="discord:1400000000000000001", final_text="z" * 3_000,
          decided_at=datetime(2026, 11, 21, 9, tzinfo=UTC)),
    _card(state="rejected", decided_by="slack:U123", verdict_reason="off-brand " * 300),
    _card(explanation={"top_terms": ["commande", "où", "colis"]}),
], ids=["plain", "huge", "edited", "rejected-long-reason", "explained"])
def test_approval_embeds_stay_within_discords_limits(card):
    embed = embeds.approval_embed(card)
    data = embed.to_dict()
    assert len(embed) <= 6000 and len(data["title"]) <= 256 and len(data["description"]) <= 4096
    assert all(len(f["value"]) <= 1024 and len(f["name"]) <= 256 for f in data["fields"])
    assert len(embeds.approval_content(card)) <= 2000


def test_who_decided_is_a_mention_for_discord_users_and_plain_for_others():
    assert embeds.actor("discord:1400000000000000001") == "<@1400000000000000001>"
    assert embeds.actor("slack:U123") == "slack:U123"


def test_an_escalation_page_names_its_state_and_people():
    page = EscalationPage(escalation_id=3, level="priority", team="community", platform="tiktok", author="bob",
                          text="je vais porter plainte", reason="legal threat", oncall=("lea",),
                          state="acknowledged", acknowledged_by="discord:1400000000000000001")
    embed = embeds.escalation_embed(page).to_dict()
    assert ("Acknowledged", "by <@1400000000000000001>") in [(f["name"], f["value"]) for f in embed["fields"]]
    assert embeds.escalation_content(page, []) == "⚠️ escalation #3 acknowledged"


def test_modal_submissions_are_parsed_from_label_and_action_row_layouts():
    edit = parse_submission(payload("modal_submit_edit.json")["data"])
    assert (edit.verb, edit.approval_id, edit.values) == ("edit", 1, {"text": "It is 39 € 🙂"})
    legacy = {"custom_id": "socialops:reject-modal:9", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "reason", "value": "spam"}]}]}
    assert parse_submission(legacy).values == {"reason": "spam"}
    assert parse_submission({"custom_id": "someone-elses-modal", "components": []}) is None


def test_buttons_rebuild_from_their_custom_ids():
    from bot.discord.views import ApprovalButton, EscalationButton

    assert ApprovalButton.__discord_ui_compiled_template__.fullmatch("socialops:escalate:12")["id"] == "12"
    assert EscalationButton.__discord_ui_compiled_template__.fullmatch("socialops:ack:5")["verb"] == "ack"
    assert ApprovalButton.__discord_ui_compiled_template__.fullmatch("socialops:ack:5") is None


def test_a_review_renders_its_sections_within_discords_limits():
    from bot.views import ReviewSection

    review = DigestView(title="Weekly operations check", window="7 days", lines=(), sections=(
        ReviewSection("SLA breaches (40)", tuple(f"Mon 16 Nov 10:{i:02d} instagram dm: no answer" for i in range(40))),
        ReviewSection("Dead letters (0)", (), "none")))
    embed = embeds.digest_embed(review)
    fields = {f.name: f.value for f in embed.fields}
    assert "No activity" not in fields and fields["Dead letters (0)"] == "none"
    assert fields["SLA breaches (40)"].startswith("• Mon 16 Nov 10:00") and len(fields["SLA breaches (40)"]) <= 1024
    assert len(embed) <= 6000
