"""Escalation pages on Discord: the on-call member (or role) is mentioned; Acknowledge and Resolve go through the
EscalationService shared with Slack, whose persistent re-page timers they cancel."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from bot.oncall import Level, OnCall, Policy, QuietHours
from moderation.domain import utcnow
from moderation.runtime.timers import Timers
from moderation.storage.tables import EscalationRow, EventRow, InteractionRow
from tests.bot.discord.conftest import ESCALATIONS, LEA, ONCALL_ROLE_ID, settle, start_bot
from tests.support.seed import make_draft

EPHEMERAL = 64


def _open_escalation(db, level: str = "urgent") -> int:
    make_draft(db)
    with db.session() as session:
        interaction = session.exec(select(InteractionRow)).first()
        row = EscalationRow(interaction_id=interaction.id, level=level, team="community",
                            reason="threatens legal action")
        session.add(row)
        session.flush()
        return row.id


async def test_a_page_mentions_the_on_call_member_and_acknowledge_stops_the_re_page(sqlite_db, fake_discord):
    oncall = OnCall(policies={"default": Policy("default", (Level(("lea",), 10), Level(("sam",), 10)))})
    bot = await start_bot(sqlite_db, fake_discord, oncall=oncall)
    timers = Timers(sqlite_db)
    bot.hub.escalations.timers = timers  # the persistent job store shared with Slack
    timers.scheduler.start(paused=True)
    try:
        escalation_id = _open_escalation(sqlite_db)
        await bot.hub.escalation_opened(escalation_id)

        [page] = fake_discord.posted(ESCALATIONS)
        assert page.body["content"].startswith(f"🚨 <@{LEA}> escalation #{escalation_id} (urgent)")
        assert sorted(page.body["allowed_mentions"]["parse"]) == ["roles", "users"]
        assert f"escalation:{escalation_id}:timeout" in timers.job_ids()
        with sqlite_db.session() as session:
            message_id = session.get(EscalationRow, escalation_id).surface_refs["discord"][0]["message"]

        # Someone who was not paged, is not in the rotation and is no approver: a polite, ephemeral no (#16).
        bot.interact("button_click.json", member="outsider", custom_id=f"socialops:ack:{escalation_id}",
                     message_id=message_id)
        await settle()
        [refusal] = fake_discord.callbacks()
        assert refusal.body["data"]["flags"] == EPHEMERAL and "only the people paged" in refusal.body["data"]["content"]
        with sqlite_db.session() as session:
            assert session.get(EscalationRow, escalation_id).state == "open"

        bot.interact("button_click.json", custom_id=f"socialops:ack:{escalation_id}",
                     message_id=message_id)
        await settle()

        with sqlite_db.session() as session:
            row = session.get(EscalationRow, escalation_id)
            acked = session.exec(select(EventRow).where(EventRow.name.like("%escalation_acknowledged"))).one()
        assert (row.state, row.acknowledged_by) == ("acknowledged", f"discord:{LEA}")
        assert acked.actor == f"discord:{LEA}"
        assert f"escalation:{escalation_id}:timeout" not in timers.job_ids()
        [edit] = fake_discord.find("PATCH", f"/channels/{ESCALATIONS}/messages/{message_id}")
        buttons = [c["custom_id"] for r in edit.body["components"] for c in r["components"]]
        assert buttons == [f"socialops:resolve:{escalation_id}"]
        assert edit.body["allowed_mentions"] == {"parse": []}  # an update pings nobody again

        bot.interact("button_click.json", custom_id=f"socialops:resolve:{escalation_id}", message_id=message_id)
        await settle()
        with sqlite_db.session() as session:
            assert session.get(EscalationRow, escalation_id).resolved_by == f"discord:{LEA}"
        assert fake_discord.find("PATCH", f"/channels/{ESCALATIONS}/messages/{message_id}")[-1].body["components"] == []
    finally:
        timers.shutdown()
        await bot.close()


async def test_nobody_mapped_pages_the_on_call_role(sqlite_db, fake_discord):
    bot = await start_bot(sqlite_db, fake_discord,
                          oncall=OnCall(policies={"default": Policy("default", (Level(("sam",), 10),))}))
    try:
        escalation_id = _open_escalation(sqlite_db)
        await bot.hub.escalation_opened(escalation_id)
        [page] = fake_discord.posted(ESCALATIONS)
        # "On call" is resolved to its id from the guild the gateway sent (GUILD_CREATE).
        assert page.body["content"].startswith(f"🚨 <@&{ONCALL_ROLE_ID}> sam escalation #{escalation_id}")
    finally:
        await bot.close()


async def test_a_second_acknowledge_is_told_privately(sqlite_db, fake_discord):
    bot = await start_bot(sqlite_db, fake_discord)
    try:
        escalation_id = _open_escalation(sqlite_db, level="normal")
        await bot.hub.escalation_opened(escalation_id)
        # The helper's draft was never shown either, so the hub's ordered backlog posts it first: pick the page.
        message = next(m for m in fake_discord.messages.values() if str(m["channel_id"]) == str(ESCALATIONS))
        for member in ("approver", "approver"):  # an outsider would be refused before that (#16)
            bot.interact("button_click.json", member=member, custom_id=f"socialops:ack:{escalation_id}",
                         message=message)
            await settle()
        [told] = fake_discord.find("POST", "/webhooks/")
        assert told.body["flags"] == EPHEMERAL and f"already acknowledged by discord:{LEA}" in told.body["content"]
    finally:
        await bot.close()


async def test_the_next_level_is_paged_as_a_new_message_after_the_wait(sqlite_db, fake_discord):
    start = utcnow()
    oncall = OnCall(policies={"default": Policy("default", (Level(("sam",), 10), Level(("lea",), 10)))})
    bot = await start_bot(sqlite_db, fake_discord, oncall=oncall)
    try:
        bot.hub.escalations.clock = lambda: start
        escalation_id = _open_escalation(sqlite_db)
        await bot.hub.escalation_opened(escalation_id)
        bot.hub.escalations.clock = lambda: start + timedelta(minutes=11)
        await bot.hub.escalations.timed_out(escalation_id, 0)  # what the persistent timer calls

        first, second = fake_discord.posted(ESCALATIONS)
        assert f"<@{LEA}>" not in first.body["content"] and f"<@{LEA}>" in second.body["content"]
        assert len(fake_discord.find("PATCH", f"/channels/{ESCALATIONS}/")) == 1  # the first page, updated
    finally:
        await bot.close()


async def test_a_page_held_for_quiet_hours_is_shown_without_pinging(sqlite_db, fake_discord):
    night = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    oncall = OnCall(policies={"default": Policy("default", (Level(("lea",), 10),))},
                    quiet_hours=QuietHours(time(22), time(8), "UTC"))
    bot = await start_bot(sqlite_db, fake_discord, oncall=oncall)
    try:
        bot.hub.escalations.clock = lambda: night
        escalation_id = _open_escalation(sqlite_db, level="normal")
        await bot.hub.escalation_opened(escalation_id)
        [page] = fake_discord.posted(ESCALATIONS)
        assert "<@" not in page.body["content"]  # neither Léa nor the on-call role is woken up
        assert any(f["name"] == "Quiet hours: paged" for f in page.body["embeds"][0]["fields"])
    finally:
        await bot.close()
