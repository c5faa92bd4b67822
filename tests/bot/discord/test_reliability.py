"""Restarts, reconnects and rate limits: old cards keep working, nothing raised while Discord was unreachable is
lost, bulk posts are paced, a 429 is waited out."""

from __future__ import annotations

import copy

from bot.approvals import Verdict
from bot.discord.pacing import ChannelPacer
from moderation.storage.tables import ApprovalRow, EscalationRow
from tests.bot.discord.conftest import APPROVALS, ESCALATIONS, LEA, ready, settle, start_bot
from tests.support.seed import make_draft


async def test_a_card_posted_before_a_restart_still_works_after_it(sqlite_db, fake_discord):
    first = await start_bot(sqlite_db, fake_discord)
    approval_id = make_draft(sqlite_db)
    other_id = make_draft(sqlite_db, external_id="Ugx10", text="prix svp ?")
    await first.hub.approval_requested(approval_id)
    await first.hub.approval_requested(other_id)
    cards = {row_id: copy.deepcopy(message) for row_id, message in
             zip((approval_id, other_id), fake_discord.messages.values(), strict=True)}
    await first.close()

    # A new process: a new client, hub and view store; it has never seen these cards.
    second = await start_bot(sqlite_db, fake_discord)
    try:
        second.interact("button_click.json", custom_id=f"socialops:approve:{approval_id}",
                        message=cards[approval_id])
        # A modal opened before the restart and submitted after it is read from its own data.
        second.interact("modal_submit_reject.json", message=cards[other_id], edit=lambda p: p["data"].update(
            custom_id=f"socialops:reject-modal:{other_id}"))
        await settle()
        with sqlite_db.session() as session:
            assert session.get(ApprovalRow, approval_id).decided_by == f"discord:{LEA}"
            assert session.get(ApprovalRow, other_id).state == "rejected"
    finally:
        await second.close()


async def test_requests_raised_while_discord_was_unreachable_are_posted_on_ready(sqlite_db, fake_discord):
    bot = await start_bot(sqlite_db, fake_discord, connect_gateway=False)
    try:
        fake_discord.fail_next[f"/channels/{APPROVALS}/messages"] = 503
        lost = make_draft(sqlite_db)
        await bot.hub.approval_requested(lost)  # Discord answers 5xx: the hub logs it, the draft stays stored
        decided = make_draft(sqlite_db, external_id="Ugx11")
        bot.approvals.decide(decided, Verdict.approve, surface="console", user="demo-manager")  # not re-posted
        with sqlite_db.session() as session:
            assert session.get(ApprovalRow, lost).surface_refs == {}
            escalation = EscalationRow(interaction_id=session.get(ApprovalRow, lost).interaction_id,
                                       level="normal", reason="sensitive topic")
            session.add(escalation)
            session.flush()
            escalation_id = escalation.id
        posted_before = len(fake_discord.posted(APPROVALS))

        await ready(bot)  # the gateway (re)connects: READY

        assert len(fake_discord.posted(APPROVALS)) == posted_before + 1  # the draft still pending
        assert len(fake_discord.posted(ESCALATIONS)) == 1
        with sqlite_db.session() as session:
            assert "discord" in session.get(ApprovalRow, lost).surface_refs
            assert session.get(EscalationRow, escalation_id).surface_refs["discord"][0]["channel"] == str(ESCALATIONS)

        await ready(bot)  # a second READY (another reconnect) posts nothing twice
        assert len(fake_discord.posted(APPROVALS)) == posted_before + 1
        assert len(fake_discord.posted(ESCALATIONS)) == 1
    finally:
        await bot.close()


async def test_a_rate_limited_post_is_retried_after_retry_after(bot, sqlite_db):
    bot.fake.rate_limit_next[f"/channels/{APPROVALS}/messages"] = 0.05
    approval_id = make_draft(sqlite_db)
    await bot.hub.approval_requested(approval_id)
    assert len(bot.fake.posted(APPROVALS)) == 2  # the 429, then the retry
    with sqlite_db.session() as session:
        assert session.get(ApprovalRow, approval_id).surface_refs["discord"]["channel"] == str(APPROVALS)


async def test_the_pacer_lets_a_burst_through_then_spaces_posts_per_channel():
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = ChannelPacer(burst=5, per_second=1.0, clock=lambda: now[0], sleep=sleep)
    waits = [await pacer.wait("approvals") for _ in range(8)]
    assert waits == [0, 0, 0, 0, 0, 1.0, 1.0, 1.0]
    assert await pacer.wait("digest") == 0  # another channel has its own bucket
    now[0] += 10
    assert [await pacer.wait("approvals") for _ in range(5)] == [0] * 5  # refilled, capped at the burst


async def test_catching_up_many_cards_is_paced(sqlite_db, fake_discord):
    bot = await start_bot(sqlite_db, fake_discord, connect_gateway=False)
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bot.surface.pacer = ChannelPacer(burst=5, per_second=1.0, clock=lambda: now[0], sleep=sleep)
    try:
        for n in range(12):
            make_draft(sqlite_db, external_id=f"bulk{n}")
        await ready(bot)
        await settle()
        assert len(fake_discord.posted(APPROVALS)) == 12
        assert sum(slept) == 7.0  # 5 at once, then one a second: no 429 from Discord
        assert not [c for c in fake_discord.calls if c.method == "POST" and c.path.endswith("/messages")
                    and c.body is None]
    finally:
        await bot.close()
