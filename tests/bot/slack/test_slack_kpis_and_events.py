"""/kpi and mentions answered from the KPI source; Events API retries handled once; signatures enforced."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

from bot.kpi_questions import KpiResponder
from tests.bot.slack.conftest import NOW
from tests.bot.slack.slack_sdk_models_check import assert_valid_blocks
from tests.bot.slack.slack_seed import EventKpiSource, record_reply, seed_approval


def _seed_instagram(db) -> None:
    """This week: 2 comments, 1 answered after 12 min. The week before: 1 comment, answered after 40 min."""
    for days_ago, replied_after in ((1, 12), (2, None), (9, 40)):
        at = NOW - timedelta(days=days_ago)
        seed_approval(db, at=at)
        if replied_after is not None:
            from moderation.storage.tables import InteractionRow

            with db.session() as session:
                row = session.query(InteractionRow).order_by(InteractionRow.received_at.desc()).first()
                interaction_id = row.id
            record_reply(db, interaction_id, at + timedelta(minutes=replied_after))


async def test_kpi_command_answers_with_figure_previous_period_and_goal(stack):
    _seed_instagram(stack.db)
    response = await stack.command("response rate instagram 7d")
    assert response.status == 200
    answer = (await stack.fake.wait_for("response_url"))[0].params
    assert answer["response_type"] == "in_channel"
    assert_valid_blocks(answer["blocks"])
    text = str(answer["blocks"])
    assert "Response rate" in text and "*50%*" in text  # 1 of 2 this week
    assert "previous period 100%" in text and "goal 90%" in text and "⚠️" in text


async def test_kpi_command_not_understood_gets_help_with_examples(stack):
    await stack.command("what's the plan")
    answer = (await stack.fake.wait_for("response_url"))[0].params
    assert answer["response_type"] == "ephemeral"
    assert "response rate instagram yesterday" in answer["text"] and "First response time" in answer["text"]


async def test_mention_is_answered_in_thread_and_a_retried_event_is_handled_once(stack):
    _seed_instagram(stack.db)
    event = {"type": "app_mention", "user": "ULEAD", "text": "<@UBOT> first response time this week",
             "ts": "1700000100.000100", "channel": "CKPI", "event_ts": "1700000100.000100"}
    first = await stack.event(event, event_id="Ev01")
    retried = await stack.event(event, event_id="Ev01", retry=1)
    assert (first.status, retried.status) == (200, 200)
    answer = (await stack.fake.wait_for("chat.postMessage"))[0].params
    assert answer["thread_ts"] == "1700000100.000100" and answer["channel"] == "CKPI"
    assert "First response time" in answer["text"] and "12 min" in answer["text"]
    await stack.event(event, event_id="Ev02")  # a new event id is new work
    await stack.fake.wait_for("chat.postMessage", 2)
    stack.fake.assert_received_request_count("chat.postMessage", 2)


async def test_stale_or_forged_requests_are_refused(stack):
    from urllib.parse import urlencode

    body = urlencode({"command": "/kpi", "text": "response rate", "user_id": "ULEAD", "channel_id": "C",
                      "response_url": f"{stack.fake.url}/respond/x"})
    old = await stack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 10 * 60)
    assert old.status == 401
    forged = await stack.post(body, "application/x-www-form-urlencoded",
                              headers={"X-Slack-Signature": "v0=" + "0" * 64})
    assert forged.status == 401
    fresh = await stack.post(body, "application/x-www-form-urlencoded")
    assert fresh.status == 200
    await stack.fake.wait_for("response_url", 1)
    stack.fake.assert_received_request_count("response_url", 1)


async def test_the_ack_returns_before_the_slow_work_is_done(stack):
    release = threading.Event()
    source = EventKpiSource(stack.db, NOW)
    slow_answer = source.answer

    def answer(question):
        release.wait(10)  # the KPI query is still running...
        return slow_answer(question)

    source.answer = answer
    stack.deps.kpis = KpiResponder(source)
    response = await stack.command("escalations yesterday")
    assert response.status == 200  # ...yet Slack already has its ack
    stack.fake.assert_received_request_count("response_url", 0)
    release.set()
    answer_call = (await stack.fake.wait_for("response_url"))[0].params
    assert "Escalations" in answer_call["text"] and "yesterday" in answer_call["text"]
    await asyncio.sleep(0)
