"""Approval scenarios through discord.py: approve, edit (modal), reject (modal with reason), escalate, refusal."""

from __future__ import annotations

import copy

from sqlmodel import select

from bot.discord.interactions import NOT_AN_APPROVER
from moderation.act.outbox import Outbox
from moderation.domain import Platform
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage.tables import ActionRow, ApprovalRow, EscalationRow, EventRow
from tests.bot.discord.conftest import APPROVALS, ESCALATIONS, LEA, Bot, settle
from tests.support.seed import make_draft

DEFERRED_UPDATE, MODAL, CHANNEL_MESSAGE = 6, 9, 4
EPHEMERAL = 64


async def _posted_card(bot: Bot, db) -> tuple[int, str]:
    approval_id = make_draft(db)
    await bot.hub.approval_requested(approval_id)
    with db.session() as session:
        ref = session.get(ApprovalRow, approval_id).surface_refs["discord"]
    return approval_id, ref["message"]


def _custom_ids(message: dict) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


async def test_a_draft_is_posted_as_an_embed_with_persistent_buttons(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)

    [post] = bot.fake.posted(APPROVALS)
    embed = post.body["embeds"][0]
    assert embed["title"] == f"Draft #{approval_id} · youtube comment from @anna"
    assert embed["description"] == "> how much is the serum?"
    assert {"name": "Draft", "value": "It is 39 €!", "inline": False} in embed["fields"]
    assert _custom_ids(post.body) == [f"socialops:{verb}:{approval_id}" for verb in
                                      ("approve", "edit", "reject", "escalate")]
    assert post.body["allowed_mentions"] == {"parse": []}  # a quoted comment never pings anyone
    assert bot.fake.messages[message_id]["channel_id"] == str(APPROVALS)


async def test_approve_sends_the_draft_once_and_updates_the_card(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)
    as_seen = copy.deepcopy(bot.fake.messages[message_id])

    bot.interact("button_click.json", custom_id=f"socialops:approve:{approval_id}", message=as_seen)
    await settle()

    assert [c.body["type"] for c in bot.fake.callbacks()] == [DEFERRED_UPDATE]
    with sqlite_db.session() as session:
        approval = session.get(ApprovalRow, approval_id)
        assert (approval.state, approval.decided_by) == ("approved", f"discord:{LEA}")
    [edit] = bot.fake.find("PATCH", f"/channels/{APPROVALS}/messages/{message_id}")
    assert edit.body["components"] == []  # a decided card has no buttons left
    assert edit.body["content"] == f"Draft #{approval_id} approved by <@{LEA}>"
    assert any(f["name"] == "Approved" for f in edit.body["embeds"][0]["fields"])

    sandbox = SandboxPlatform(Platform.youtube)
    await Outbox(sqlite_db, {Platform.youtube: sandbox}).drain()
    assert [a.text for a in sandbox.performed.values()] == ["It is 39 €!"]

    # A second click on the same card (double click, or a colleague) sends nothing more; told why, privately.
    bot.interact("button_click.json", custom_id=f"socialops:approve:{approval_id}", message=as_seen)
    await settle()
    [followup] = bot.fake.find("POST", "/webhooks/")
    assert "already approved" in followup.body["content"] and followup.body["flags"] == EPHEMERAL
    await Outbox(sqlite_db, {Platform.youtube: sandbox}).drain()
    assert len(sandbox.performed) == 1


async def test_a_member_without_the_approver_role_gets_an_ephemeral_refusal(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)

    for verb in ("approve", "edit", "reject", "escalate"):
        bot.interact("button_click.json", member="outsider", custom_id=f"socialops:{verb}:{approval_id}",
                     message_id=message_id)
        await settle()

    callbacks = bot.fake.callbacks()
    assert [c.body["type"] for c in callbacks] == [CHANNEL_MESSAGE] * 4
    assert all(c.body["data"]["content"] == NOT_AN_APPROVER and c.body["data"]["flags"] == EPHEMERAL
               for c in callbacks)
    with sqlite_db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "pending"
    assert not bot.fake.find("PATCH", "/channels/")


async def test_edit_opens_a_prefilled_modal_and_sends_the_edited_text(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)

    bot.interact("button_click.json", custom_id=f"socialops:edit:{approval_id}", message_id=message_id)
    await settle()
    [opened] = bot.fake.callbacks()
    assert opened.body["type"] == MODAL
    modal = opened.body["data"]
    assert modal["custom_id"] == f"socialops:edit-modal:{approval_id}"
    text_input = modal["components"][0]["component"]
    assert (text_input["custom_id"], text_input["value"]) == ("text", "It is 39 €!")

    bot.interact("modal_submit_edit.json", message_id=message_id, edit=lambda p: p["data"].update(
        custom_id=f"socialops:edit-modal:{approval_id}"))
    await settle()

    with sqlite_db.session() as session:
        approval = session.get(ApprovalRow, approval_id)
        edited = session.exec(select(EventRow).where(EventRow.name == "youtube.comment_reply_edited")).one()
        action = session.get(ActionRow, approval.action_id)
    assert (approval.state, approval.final_text) == ("edited", "It is 39 € 🙂")
    assert "+It is 39 € 🙂" in edited.data["diff"] and edited.actor == f"discord:{LEA}"
    assert action.params["text"] == "It is 39 € 🙂" and action.state == "pending"
    [card] = bot.fake.find("PATCH", f"/channels/{APPROVALS}/messages/{message_id}")
    assert {"name": "Sent instead", "value": "It is 39 € 🙂", "inline": False} in card.body["embeds"][0]["fields"]


async def test_reject_asks_for_a_reason_and_records_it(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)

    bot.interact("button_click.json", custom_id=f"socialops:reject:{approval_id}", message_id=message_id)
    await settle()
    [opened] = bot.fake.callbacks()
    assert opened.body["type"] == MODAL and opened.body["data"]["custom_id"] == f"socialops:reject-modal:{approval_id}"

    bot.interact("modal_submit_reject.json", message_id=message_id, edit=lambda p: p["data"].update(
        custom_id=f"socialops:reject-modal:{approval_id}"))
    await settle()

    with sqlite_db.session() as session:
        approval = session.get(ApprovalRow, approval_id)
        rejected = session.exec(select(EventRow).where(EventRow.name == "youtube.comment_reply_rejected")).one()
        action = session.get(ActionRow, approval.action_id)
    assert approval.state == "rejected" and approval.reason == "Price changed this week; answer by DM"
    assert rejected.data["reason"] == "Price changed this week; answer by DM"
    assert action.state == "cancelled"
    [card] = bot.fake.find("PATCH", f"/channels/{APPROVALS}/messages/{message_id}")
    assert "reason: Price changed this week" in card.body["embeds"][0]["fields"][-2]["value"]


async def test_edit_on_a_decided_draft_opens_no_modal(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)
    as_seen = copy.deepcopy(bot.fake.messages[message_id])
    bot.interact("button_click.json", custom_id=f"socialops:approve:{approval_id}", message=as_seen)
    await settle()

    bot.interact("button_click.json", custom_id=f"socialops:edit:{approval_id}", message=as_seen)
    await settle()

    last = bot.fake.callbacks()[-1]
    assert last.body["type"] == CHANNEL_MESSAGE and "already approved" in last.body["data"]["content"]


async def test_escalate_opens_an_escalation_page_in_the_escalations_channel(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)

    bot.interact("button_click.json", custom_id=f"socialops:escalate:{approval_id}", message_id=message_id)
    await settle()

    with sqlite_db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "escalated"
        escalation = session.exec(select(EscalationRow)).one()
    assert escalation.reason == "escalated from the approval card"
    with sqlite_db.session() as session:
        escalated = session.exec(select(EventRow).where(EventRow.name == "youtube.comment_escalated")).one()
    assert escalated.actor == f"discord:{LEA}"
    [page] = bot.fake.posted(ESCALATIONS)
    assert _custom_ids(page.body) == [f"socialops:ack:{escalation.id}", f"socialops:resolve:{escalation.id}"]
    assert escalation.surface_refs["discord"][0]["message"] in bot.fake.messages


async def test_send_alternative_sends_that_reply_in_one_click(bot, sqlite_db):
    alternatives = [{"source": "answer:shipping-ireland", "text": "Shipping to Ireland is €6.90."},
                    {"source": "product:SERUM", "text": "The Sérum Éclat is €39, in stock."}]
    approval_id = make_draft(sqlite_db, alternatives=alternatives)
    await bot.hub.approval_requested(approval_id)
    [post] = bot.fake.posted(APPROVALS)
    assert _custom_ids(post.body)[-2:] == [f"socialops:use1:{approval_id}", f"socialops:use2:{approval_id}"]
    fields = post.body["embeds"][0]["fields"]
    assert {"name": "Alternative 2 (product:SERUM)", "value": "The Sérum Éclat is €39, in stock.",
            "inline": False} in fields
    with sqlite_db.session() as session:
        message_id = session.get(ApprovalRow, approval_id).surface_refs["discord"]["message"]

    bot.interact("button_click.json", custom_id=f"socialops:use2:{approval_id}", message_id=message_id)
    await settle()

    assert [c.body["type"] for c in bot.fake.callbacks()] == [DEFERRED_UPDATE]
    with sqlite_db.session() as session:
        approval = session.get(ApprovalRow, approval_id)
        edited = session.exec(select(EventRow).where(EventRow.name == "youtube.comment_reply_edited")).one()
    assert (approval.state, approval.final_text) == ("edited", "The Sérum Éclat is €39, in stock.")
    assert edited.data["alternative"] == "product:SERUM"
    sandbox = SandboxPlatform(Platform.youtube)
    await Outbox(sqlite_db, {Platform.youtube: sandbox}).drain()
    assert [a.text for a in sandbox.performed.values()] == ["The Sérum Éclat is €39, in stock."]


async def test_an_alternative_too_long_for_the_platform_gets_no_send_button(bot, sqlite_db):
    alternatives = [{"source": "answer:care", "text": "Hand-wash only. " * 20, "over_limit": 150},
                    {"source": "answer:shipping-ireland", "text": "Shipping to Ireland is €6.90."}]
    approval_id = make_draft(sqlite_db, alternatives=alternatives)
    await bot.hub.approval_requested(approval_id)
    [post] = bot.fake.posted(APPROVALS)
    assert _custom_ids(post.body)[-1] == f"socialops:use2:{approval_id}"
    assert f"socialops:use1:{approval_id}" not in _custom_ids(post.body)
    names = [f["name"] for f in post.body["embeds"][0]["fields"]]
    assert "Alternative 1 (answer:care), over 150 characters: shorten it with Edit" in names
