"""The digest with its chart uploaded (files_upload_v2), 429 Retry-After and 5xx retries, stale-draft reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.approvals import Verdict
from bot.digest import build_digest
from bot.reminders import ApprovalReminders
from moderation.storage.tables import ApprovalRow
from tests.bot.slack.conftest import NOW
from tests.bot.slack.slack_sdk_models_check import assert_valid_blocks
from tests.bot.slack.slack_seed import seed_approval


async def test_digest_posts_blocks_and_uploads_the_chart(stack):
    for hours in (2, 5, 30):
        seed_approval(stack.db, at=NOW - timedelta(hours=hours), platform="instagram" if hours < 10 else "youtube")
    digest = build_digest(stack.db, end=NOW, days=7, title="Maison Lumière — daily digest")
    assert digest.chart_png is not None and digest.chart_png.startswith(b"\x89PNG")  # the KPI layer's trend chart
    await stack.surface.post_digest(digest)
    post = stack.fake.received("chat.postMessage")[0].params
    assert post["channel"] == "CDIGEST"
    assert_valid_blocks(post["blocks"])
    assert "pending approvals: *3*" in str(post["blocks"])
    stack.fake.assert_received_request_count("files.getUploadURLExternal", 1)
    upload = stack.fake.received("upload")[0]
    assert upload.raw.startswith(b"\x89PNG\r\n\x1a\n")  # matplotlib's PNG, sent as is
    complete = stack.fake.received("files.completeUploadExternal")[0].params
    assert complete["channel_id"] == "CDIGEST" and complete["thread_ts"] == "1700000000.000001"


async def test_digest_uses_the_chart_the_kpi_layer_drew(stack):
    from dataclasses import replace

    digest = replace(build_digest(stack.db, end=NOW, days=1), chart_png=b"\x89PNG\r\n\x1a\nprovided")
    await stack.surface.post_digest(digest)
    assert b"provided" in stack.fake.received("upload")[0].raw


async def test_rate_limit_waits_retry_after_then_succeeds(stack):
    stack.fake.fail("chat.postMessage", 429, headers={"Retry-After": "7"})
    await stack.surface.notify("alerts", "dead letter: reply failed")
    stack.fake.assert_received_request_count("chat.postMessage", 2)
    assert stack.slept == [7.0]  # exactly what Slack asked for


async def test_server_errors_are_retried_then_give_up(stack):
    stack.fake.fail("chat.postMessage", 502, times=2)
    await stack.surface.notify("alerts", "hello")
    stack.fake.assert_received_request_count("chat.postMessage", 3)
    stack.fake.fail("chat.postMessage", 503, times=3)
    with pytest.raises(SlackApiError):
        await stack.surface.notify("alerts", "hello again")


async def test_stale_draft_reminders_refresh_the_card_and_stop_once_decided(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    await stack.hub.approval_requested(approval_id)
    reminders = ApprovalReminders(stack.db, None, refresh=stack.hub.approval_changed,
                                  notify=lambda text: stack.surface.notify("approvals", text), every_minutes=15,
                                  limit=2, clock=stack.clock)
    stack.clock.advance(minutes=20)
    assert await reminders.remind(approval_id, 1) is True
    assert await reminders.remind(approval_id, 1) is False  # the same timer firing twice
    update = stack.fake.received("chat.update")[0].params
    assert "10 min left" in str(update["blocks"])
    nudge = stack.fake.received("chat.postMessage")[-1].params
    assert nudge["channel"] == "CAPPROVALS" and "waited 20 min" in nudge["text"]
    stack.approvals.decide(approval_id, Verdict.approve, surface="slack", user="UAPPROVER")
    assert await reminders.remind(approval_id, 2) is False
    with stack.db.session() as session:
        assert session.get(ApprovalRow, approval_id).reminders_sent == 1
