"""Approval cards through Slack: approve, edit via modal, reject with a reason, escalate, double clicks, refusals."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.slack import blocks
from moderation.act.outbox import Outbox
from moderation.platforms.sandbox.outbound import sandbox_connectors
from moderation.storage.tables import ActionRow, ApprovalRow, EventRow
from tests.bot.slack.conftest import APPROVER, LEAD, NOW, OUTSIDER
from tests.bot.slack.slack_fake import BOT_USER
from tests.bot.slack.slack_sdk_models_check import assert_valid_blocks, assert_valid_view
from tests.bot.slack.slack_seed import seed_approval


async def _posted_card(stack, approval_id: int) -> dict:
    await stack.hub.approval_requested(approval_id)
    post = stack.fake.received("chat.postMessage")[-1].params
    assert post["channel"] == "CAPPROVALS"
    assert_valid_blocks(post["blocks"])
    return post


def _events(db, suffix: str) -> list[EventRow]:
    with db.session() as session:
        return [e for e in session.exec(select(EventRow)).all() if e.name.endswith(suffix)]


async def test_card_shows_comment_scores_draft_sla_and_buttons(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    post = await _posted_card(stack, approval_id)
    text = str(post["blocks"])
    assert "how much is the lamp?" in text and "It is 49 €" in text and "pricing" in text and "93%" in text
    assert "30 min left" in text  # created at NOW, SLA 30 min, clock at NOW
    actions = [b for b in post["blocks"] if b["type"] == "actions"][0]
    assert [e["action_id"] for e in actions["elements"]] == [blocks.APPROVE, blocks.EDIT, blocks.REJECT,
                                                             blocks.ESCALATE]
    with stack.db.session() as session:
        assert session.get(ApprovalRow, approval_id).surface_refs["slack"]["channel"] == "CAPPROVALS"


async def test_approve_updates_card_in_place_and_queues_the_reply(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    post = await _posted_card(stack, approval_id)
    response = await stack.click(blocks.APPROVE, approval_id)
    assert response.status == 200
    update = (await stack.fake.wait_for("chat.update"))[0].params
    assert update["channel"] == "CAPPROVALS" and update["ts"]
    assert_valid_blocks(update["blocks"])
    assert f"Approved by <@{APPROVER}>" in str(update["blocks"])
    assert not [b for b in update["blocks"] if b["type"] == "actions"]  # buttons gone
    with stack.db.session() as session:
        approval = session.get(ApprovalRow, approval_id)
        assert approval.state == "approved" and approval.decided_by == f"slack:{APPROVER}"
        assert session.get(ActionRow, approval.action_id).state == "pending"
    assert post["channel"] == update["channel"]


async def test_edit_opens_prefilled_modal_and_records_final_text_and_diff(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    await _posted_card(stack, approval_id)
    await stack.click(blocks.EDIT, approval_id)
    view = (await stack.fake.wait_for("views.open"))[0].params["view"]
    assert_valid_view(view)
    assert view["blocks"][0]["element"]["initial_value"] == "It is 49 €, here is the link!"
    import json

    metadata = json.loads(view["private_metadata"])
    response = await stack.submit(blocks.EDIT_MODAL, metadata, blocks.FINAL_BLOCK, blocks.FINAL_INPUT,
                                  "It is 45 € this week, here is the link!")
    assert response.status == 200
    update = (await stack.fake.wait_for("chat.update"))[0].params
    assert "Sent instead" in str(update["blocks"]) and "45 €" in str(update["blocks"])
    edited = _events(stack.db, "reply_edited")
    assert len(edited) == 1 and "+It is 45 € this week" in edited[0].data["diff"]
    with stack.db.session() as session:
        approval = session.get(ApprovalRow, approval_id)
        assert approval.final_text == "It is 45 € this week, here is the link!"


async def test_empty_edit_keeps_the_modal_open_with_an_error(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    response = await stack.submit(blocks.EDIT_MODAL, {"approval_id": approval_id, "channel": "CAPPROVALS"},
                                  blocks.FINAL_BLOCK, blocks.FINAL_INPUT, "   ")
    assert response.status == 200
    with stack.db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "pending"


async def test_reject_with_reason_through_modal(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    await _posted_card(stack, approval_id)
    await stack.click(blocks.REJECT, approval_id)
    view = (await stack.fake.wait_for("views.open"))[0].params["view"]
    assert_valid_view(view)
    import json

    await stack.submit(blocks.REJECT_MODAL, json.loads(view["private_metadata"]), blocks.REASON_BLOCK,
                       blocks.REASON_INPUT, "price is wrong for FR")
    update = (await stack.fake.wait_for("chat.update"))[0].params
    assert "Rejected by" in str(update["blocks"]) and "price is wrong for FR" in str(update["blocks"])
    rejected = _events(stack.db, "reply_rejected")
    assert rejected[0].data["reason"] == "price is wrong for FR"
    with stack.db.session() as session:
        action = session.get(ActionRow, session.get(ApprovalRow, approval_id).action_id)
        assert action.state == "cancelled"


async def test_escalate_button_pages_the_oncall_person(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    await _posted_card(stack, approval_id)
    await stack.click(blocks.ESCALATE, approval_id, user=LEAD)  # a member of the approvers' user group
    page = (await stack.fake.wait_for("chat.postMessage", 2))[-1].params
    assert page["channel"] == "CESCALATE"
    assert_valid_blocks(page["blocks"])
    with stack.db.session() as session:
        approval = session.get(ApprovalRow, approval_id)
        assert approval.state == "escalated" and approval.decided_by == f"slack:{LEAD}"
    stack.fake.assert_received_request_count("usergroups.users.list", 1)


async def test_two_approvers_and_a_double_click_send_exactly_one_reply(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    await _posted_card(stack, approval_id)
    clicks = [stack.click(blocks.APPROVE, approval_id, user=APPROVER),
              stack.click(blocks.APPROVE, approval_id, user=APPROVER),
              stack.click(blocks.APPROVE, approval_id, user=LEAD)]
    responses = await asyncio.gather(*clicks)
    assert [r.status for r in responses] == [200, 200, 200]
    await stack.fake.wait_for("chat.update", 1)
    refusals = await stack.fake.wait_for("chat.postEphemeral", 2)  # the two losers hear it was already done
    assert all("already approved" in call.params["text"] for call in refusals)
    assert len(_events(stack.db, "reply_approved")) == 1
    connectors = sandbox_connectors()
    await Outbox(stack.db, connectors).drain()
    replies = [action for connector in connectors.values() for action in connector.performed.values()]
    assert len(replies) == 1 and replies[0].text == "It is 49 €, here is the link!"
    stack.fake.assert_received_request_count("chat.update", 1)


async def test_non_approver_gets_an_ephemeral_refusal_and_nothing_changes(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    await _posted_card(stack, approval_id)
    for action in (blocks.APPROVE, blocks.EDIT):
        await stack.click(action, approval_id, user=OUTSIDER)
    refusals = await stack.fake.wait_for("chat.postEphemeral", 2)
    assert {c.params["user"] for c in refusals} == {OUTSIDER}
    assert "Only the configured approvers" in refusals[0].params["text"]
    stack.fake.assert_received_request_count("chat.update", 0)
    stack.fake.assert_received_request_count("views.open", 0)
    with stack.db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "pending"
    assert BOT_USER  # the fake's bot identity answered auth.test for Bolt


ALTERNATIVES = [{"source": "answer:shipping-ireland", "text": "Shipping to Ireland is €6.90, 3-5 days."},
                {"source": "answer:shipping-eu", "text": "Shipping in the EU is €9.90, 4-8 days."}]


async def test_send_this_instead_sends_the_chosen_alternative_in_one_click(stack):
    approval_id = seed_approval(stack.db, at=NOW, draft="Thanks! We will get back to you.",
                                alternatives=ALTERNATIVES)
    post = await _posted_card(stack, approval_id)
    accessories = [b["accessory"] for b in post["blocks"] if b.get("accessory")]
    assert [a["action_id"] for a in accessories] == list(blocks.USE_ALTERNATIVE)
    assert "Shipping to Ireland is €6.90" in str(post["blocks"]) and "answer:shipping-eu" in str(post["blocks"])

    await stack.click(blocks.USE_ALTERNATIVE[1], approval_id)
    update = (await stack.fake.wait_for("chat.update"))[0].params
    assert_valid_blocks(update["blocks"])
    assert "Sent instead" in str(update["blocks"]) and "€9.90" in str(update["blocks"])
    assert not [b for b in update["blocks"] if b.get("accessory")]  # no alternative buttons on a decided card
    [edited] = _events(stack.db, "reply_edited")
    assert edited.data["alternative"] == "answer:shipping-eu"
    connectors = sandbox_connectors()
    await Outbox(stack.db, connectors).drain()
    replies = [action for connector in connectors.values() for action in connector.performed.values()]
    assert [r.text for r in replies] == ["Shipping in the EU is €9.90, 4-8 days."]


async def test_send_this_instead_on_a_draft_without_alternatives_says_so_and_sends_nothing(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    await _posted_card(stack, approval_id)
    await stack.click(blocks.USE_ALTERNATIVE[0], approval_id)  # a hand-made or stale click
    [refusal] = await stack.fake.wait_for("chat.postEphemeral", 1)
    assert "has no alternative reply 1" in refusal.params["text"]
    with stack.db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "pending"


async def test_an_alternative_too_long_for_the_platform_is_shown_without_a_send_button(stack):
    too_long = {"source": "answer:care", "text": "Hand-wash only. " * 20, "over_limit": 150}
    approval_id = seed_approval(stack.db, at=NOW, alternatives=[ALTERNATIVES[0], too_long])
    post = await _posted_card(stack, approval_id)
    accessories = [b["accessory"]["action_id"] for b in post["blocks"] if b.get("accessory")]
    assert accessories == [blocks.USE_ALTERNATIVE[0]]  # the first only: the second needs shortening
    assert "longer than instagram allows (150 characters): shorten it with Edit" in str(post["blocks"])

