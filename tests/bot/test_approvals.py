"""Approvals: only approvers act, exactly one verdict wins, edits keep their diff."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.approvals import AlreadyDecided, ApprovalService, NotAnApprover, Verdict
from moderation.act.executor import execute_plan
from moderation.act.outbox import Outbox
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage.tables import ApprovalRow, EventRow, InteractionRow
from tests.support.seed import make_draft


def _draft(db) -> int:
    return make_draft(db)


def _service(db) -> ApprovalService:
    return ApprovalService(db, lambda surface, user: surface == "console" and user == "lea")


async def test_edit_sends_the_edited_text_once_and_records_the_diff(db):
    approval_id = _draft(db)
    service = _service(db)
    sandbox = SandboxPlatform(Platform.youtube)

    decided = service.decide(approval_id, Verdict.edit, surface="console", user="lea", final_text="It is 39 € 🙂")
    await Outbox(db, {Platform.youtube: sandbox}).drain()

    assert decided.approval.state == "edited" and decided.approval.decided_by == "console:lea"
    assert [a.text for a in sandbox.performed.values()] == ["It is 39 € 🙂"]
    with db.session() as session:
        edited = session.exec(select(EventRow).where(EventRow.name == "youtube.comment_reply_edited")).one()
        sent = session.exec(select(EventRow).where(EventRow.name == "youtube.comment_response_sent")).one()
    assert "-It is 39 €!" in edited.data["diff"] and "+It is 39 € 🙂" in edited.data["diff"]
    assert sent.actor == "console:lea"


async def test_a_link_typed_into_an_edit_gets_the_utm_tags_and_reference(db):
    from moderation.domain.attribution import interaction_ref

    approval_id = _draft(db)
    with db.session() as session:
        interaction_id = session.get(ApprovalRow, approval_id).interaction_id
    decided = _service(db).decide(approval_id, Verdict.edit, surface="console", user="lea",
                                  final_text="Here: https://shop.example/p?x=1.")
    ref = interaction_ref(interaction_id)
    assert decided.approval.final_text == ("Here: https://shop.example/p?x=1&utm_source=youtube&utm_medium=social"
                                           f"&utm_campaign=organic&utm_content={ref}.")


def test_non_approver_is_refused_and_nothing_changes(db):
    approval_id = _draft(db)
    with pytest.raises(NotAnApprover):
        _service(db).decide(approval_id, Verdict.approve, surface="console", user="mallory")
    with db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "pending"


async def test_two_approvers_at_once_send_exactly_one_reply(db):
    approval_id = _draft(db)
    service = _service(db)

    async def click(verdict):
        try:
            return await asyncio.to_thread(service.decide, approval_id, verdict, surface="console", user="lea")
        except AlreadyDecided as exc:
            return exc

    results = await asyncio.gather(click(Verdict.approve), click(Verdict.approve), click(Verdict.reject))
    winners = [r for r in results if not isinstance(r, AlreadyDecided)]
    assert len(winners) == 1
    sandbox = SandboxPlatform(Platform.youtube)
    await Outbox(db, {Platform.youtube: sandbox}).drain()
    assert len(sandbox.performed) == (1 if winners[0].approval.state == "approved" else 0)


def test_escalating_a_draft_opens_an_escalation(db):
    approval_id = _draft(db)
    decided = _service(db).decide(approval_id, Verdict.escalate, surface="console", user="lea", reason="legal")
    assert decided.approval.state == "escalated" and decided.escalation_id is not None


def _interaction(db, external_id: str, text: str = "refund please") -> InteractionRow:
    interaction = Interaction(platform=Platform.tiktok, kind=Kind.comment, external_id=external_id, author_id="a",
                              author_name="anna", text=text, post_id="v7", created_at=utcnow())
    store_interactions(db, [interaction], source="test")
    return interaction


async def test_an_approved_dm_draft_goes_as_a_dm_not_in_public(db):
    interaction = _interaction(db, "c-dm")
    plan = Plan(interaction_id=interaction.id, actions=(
        Action(type=ActionType.draft_reply, params={"text": "Sorry! DM us your order number", "channel": "dm"}),))
    with db.session() as session:
        approval_id = execute_plan(session, session.get(InteractionRow, interaction.id), plan, library_version="v",
                                   approval_minutes=30).approvals[0]
    _service(db).decide(approval_id, Verdict.approve, surface="console", user="lea")
    # The draft's channel is under test, not TikTok's capabilities (the planner keeps DMs off TikTok).
    sandbox = SandboxPlatform.permissive(Platform.tiktok)
    await Outbox(db, {Platform.tiktok: sandbox}).drain()
    assert [a.operation.value for a in sandbox.performed.values()] == ["dm"]


def test_an_incident_key_pages_once_while_the_escalation_is_open(db):
    from moderation.storage.tables import EscalationRow

    works = []
    for n in range(3):
        interaction = _interaction(db, f"crisis-{n}", text="you are all clowns")
        plan = Plan(interaction_id=interaction.id, actions=(Action(
            type=ActionType.escalate, params={"level": "urgent", "key": "crisis:tiktok:v7"}),))
        with db.session() as session:
            works.append(execute_plan(session, session.get(InteractionRow, interaction.id), plan,
                                      library_version="v", approval_minutes=30))
    assert [len(w.escalations) for w in works] == [1, 0, 0]
    with db.session() as session:
        assert len(session.exec(select(EscalationRow)).all()) == 1
        joined = session.exec(select(EventRow).where(EventRow.name == "tiktok.comment_escalated")).all()
    assert len(joined) == 3 and sum(1 for e in joined if e.data.get("joined")) == 2


async def test_the_console_sends_an_alternative_with_use_n_k(db):
    from bot.console import ConsoleSurface
    from bot.console_input import ConsoleInput
    from bot.hub import ChatHub

    alternatives = [{"source": "answer:shipping-ireland", "text": "Shipping to Ireland is €6.90."}]
    approval_id = make_draft(db, alternatives=alternatives)
    said: list[str] = []
    console = ConsoleInput(ChatHub(db, [ConsoleSurface(quiet=True)]), _service(db), user="lea", say=said.append)
    await console.handle(f"use {approval_id} 2")
    assert said == [f"not done: draft #{approval_id} has no alternative reply 2"]
    await console.handle(f"use {approval_id} 1")
    sandbox = SandboxPlatform(Platform.youtube)
    await Outbox(db, {Platform.youtube: sandbox}).drain()
    assert [a.text for a in sandbox.performed.values()] == ["Shipping to Ireland is €6.90."]
