"""Escalations through Slack: the on-call person is paged, acknowledges, resolves; the next level is paged after
the wait (persistent timers that survive a restart); quiet hours hold back non-urgent pages."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.escalations import EscalationService
from bot.slack import blocks
from moderation.runtime.timers import Timers
from moderation.storage.tables import EscalationRow, EventRow
from tests.bot.slack.conftest import PEOPLE, oncall_config
from tests.bot.slack.slack_sdk_models_check import assert_valid_blocks
from tests.bot.slack.slack_seed import seed_escalation


def _row(db, escalation_id: int) -> EscalationRow:
    with db.session() as session:
        return session.get(EscalationRow, escalation_id)


async def test_page_mentions_the_oncall_person_who_acknowledges_then_resolves(stack):
    escalation_id = seed_escalation(stack.db, at=stack.clock.now)
    await stack.hub.escalation_opened(escalation_id)
    page = stack.fake.received("chat.postMessage")[0].params
    assert page["channel"] == "CESCALATE"
    assert_valid_blocks(page["blocks"])
    # Monday 11:00 Paris: the weekly handoff (Monday 09:00) gave the rotation to bob.
    assert f"<@{PEOPLE['bob']}>" in str(page["blocks"]) and "UALICE" not in str(page["blocks"])
    buttons = [e["action_id"] for b in page["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [blocks.ACKNOWLEDGE, blocks.RESOLVE]

    await stack.click(blocks.ACKNOWLEDGE, escalation_id, user="UBOB", channel="CESCALATE")
    update = (await stack.fake.wait_for("chat.update"))[0].params
    assert_valid_blocks(update["blocks"])
    assert "Acknowledged by <@UBOB>" in str(update["blocks"])
    assert _row(stack.db, escalation_id).state == "acknowledged"

    await stack.click(blocks.ACKNOWLEDGE, escalation_id, user="UALICE", channel="CESCALATE")
    late = (await stack.fake.wait_for("chat.postEphemeral"))[0].params
    assert late["user"] == "UALICE" and "already acknowledged" in late["text"]

    await stack.click(blocks.RESOLVE, escalation_id, user="UBOB", channel="CESCALATE")
    resolved = (await stack.fake.wait_for("chat.update", 2))[1].params
    assert "Resolved by <@UBOB>" in str(resolved["blocks"])
    assert not [b for b in resolved["blocks"] if b["type"] == "actions"]
    with stack.db.session() as session:
        names = [e.name for e in session.exec(select(EventRow).order_by(EventRow.id)).all()]
    assert names[-2:] == ["instagram.comment_escalation_acknowledged", "instagram.comment_resolved"]


async def test_unacknowledged_page_goes_to_the_next_level_once_even_after_a_restart(timed_stack):
    stack = timed_stack
    escalation_id = seed_escalation(stack.db, at=stack.clock.now)
    await stack.hub.escalation_opened(escalation_id)
    job = stack.timers.scheduler.get_job(f"escalation:{escalation_id}:timeout")
    assert job.next_run_time == datetime(2026, 11, 23, 10, 15, tzinfo=UTC)  # level 1 waits 15 minutes
    stack.timers.shutdown()

    # A new process: new scheduler on the same database, handlers registered again.
    timers = Timers(stack.db)
    timers.scheduler.start(paused=True)
    try:
        service = EscalationService(stack.db, oncall_config(), [stack.surface], timers=timers, clock=stack.clock)
        service.register()
        job = timers.scheduler.get_job(f"escalation:{escalation_id}:timeout")
        assert job is not None and job.args[1:] == (escalation_id, 0)
        stack.clock.advance(minutes=15)
        await job.func(*job.args)
        await job.func(*job.args)  # the same timer firing twice pages once
        pages = stack.fake.received("chat.postMessage")
        assert len(pages) == 2
        assert "<@UCAROL>" in str(pages[1].params["blocks"])  # level 2
        stack.fake.assert_received_request_count("chat.update", 1)  # the first page shows the move
        row = _row(stack.db, escalation_id)
        assert (row.step, row.paged_step, row.paged) == (1, 1, ["bob", "carol"])
        assert len(row.surface_refs["slack"]) == 2

        last = timers.scheduler.get_job(f"escalation:{escalation_id}:timeout")
        assert last.args[1:] == (escalation_id, 1)
        stack.clock.advance(minutes=30)
        await last.func(*last.args)  # every level tried: the alerts channel hears it
        alert = stack.fake.received("chat.postMessage")[-1].params
        assert alert["channel"] == "CALERTS" and "still not acknowledged" in alert["text"]
    finally:
        timers.shutdown()


async def test_acknowledging_cancels_the_repage(timed_stack):
    stack = timed_stack
    escalation_id = seed_escalation(stack.db, at=stack.clock.now)
    await stack.hub.escalation_opened(escalation_id)
    job = stack.timers.scheduler.get_job(f"escalation:{escalation_id}:timeout")
    await stack.escalations.acknowledge(escalation_id, "slack:UBOB")
    assert f"escalation:{escalation_id}:timeout" not in stack.timers.job_ids()
    await job.func(*job.args)  # a timer already in flight when the ack landed changes nothing
    stack.fake.assert_received_request_count("chat.postMessage", 1)


async def test_quiet_hours_hold_back_normal_pages_but_not_urgent_ones(timed_stack):
    stack = timed_stack
    stack.clock.now = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    stack.escalations.oncall = oncall_config(quiet=True)
    normal = seed_escalation(stack.db, at=stack.clock.now, level="priority")
    await stack.hub.escalation_opened(normal)
    card = stack.fake.received("chat.postMessage")[0].params
    assert "Quiet hours" in str(card["blocks"]) and "<@U" not in str(card["blocks"])
    held = stack.timers.scheduler.get_job(f"escalation:{normal}:page")
    assert held.next_run_time == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 Paris
    assert _row(stack.db, normal).paged_step == -1

    urgent = seed_escalation(stack.db, at=stack.clock.now, level="urgent")
    await stack.hub.escalation_opened(urgent)
    assert "<@UBOB>" in str(stack.fake.received("chat.postMessage")[1].params["blocks"])

    stack.clock.now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    await held.func(*held.args)
    page = stack.fake.received("chat.postMessage")[2].params
    assert "<@UBOB>" in str(page["blocks"]) and _row(stack.db, normal).paged_step == 0
