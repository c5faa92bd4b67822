"""`socialops run` with chat.slack enabled: the Slack surface, the Bolt app and the timers come from the config."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from bot.slack import blocks
from bot.slack.app import SlackComponent
from moderation.storage.tables import ApprovalRow
from socialops.compose.processes import build_components
from socialops.config import ConfigError, parse_settings
from tests.bot.slack.conftest import NOW, SECRET
from tests.bot.slack.slack_fake import form, sign
from tests.bot.slack.slack_seed import seed_approval


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(fake, port: int, **slack):
    return parse_settings({
        "team": {"name": "Test team", "timezone": "Europe/Paris"},
        "approvers": {"slack_users": ["UAPPROVER"]},
        "chat": {"console": {"enabled": False}, "slack": {
            "enabled": True, "mode": "http", "http_host": "127.0.0.1", "http_port": port,
            "api_base_url": fake.api_url, "channels": {"approvals": "CAPPROVALS"}, **slack}},
        "digest": {"enabled": True, "time": "08:30"},
        "worker": {"enabled": False},
    })


def _approve_click(approval_id: int) -> dict:
    return {"type": "block_actions", "user": {"id": "UAPPROVER"}, "api_app_id": "A1", "team": {"id": "T1"},
            "trigger_id": "t", "channel": {"id": "CAPPROVALS"},
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "CAPPROVALS"},
            "actions": [{"type": "button", "action_id": blocks.APPROVE, "value": str(approval_id)}]}


async def _assert_approved_by_the_approver(db, approval_id: int) -> None:
    for _ in range(200):  # the approval is stored by a lazy listener, after the ack
        with db.session() as session:
            if session.get(ApprovalRow, approval_id).state == "approved":
                break
        await asyncio.sleep(0.02)
    with db.session() as session:
        assert session.get(ApprovalRow, approval_id).decided_by == "slack:UAPPROVER"


async def test_slack_runs_from_the_configuration(db, fake, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    port = _free_port()
    components = build_components(_settings(fake, port), db, console_input=False)
    slack = next(c for c in components if isinstance(c, SlackComponent))
    scheduler = next(c for c in components if c.name == "scheduler")
    stopping = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stopping)) for c in (slack, scheduler)]
    try:
        await asyncio.wait_for(slack.ready.wait(), 10)
        digest_job = scheduler.timers.scheduler.get_job("digest:daily")
        assert str(digest_job.trigger) == "cron[hour='8', minute='30']"
        assert str(digest_job.trigger.timezone) == "Europe/Paris"

        approval_id = seed_approval(db, at=NOW)
        payload = form(_approve_click(approval_id))
        async with aiohttp.ClientSession() as http, http.post(
                f"http://127.0.0.1:{port}/slack/events", data=payload,
                headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, payload)}) as response:
            assert response.status == 200
        await _assert_approved_by_the_approver(db, approval_id)
        assert fake.received("auth.test")[0].headers["Authorization"] == "Bearer xoxb-from-env"
    finally:
        stopping.set()
        await asyncio.gather(*tasks)


def test_missing_slack_secrets_are_a_config_error(db, fake, monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        build_components(_settings(fake, 3000), db, console_input=False)


async def test_socket_mode_receives_a_click_over_the_websocket_and_acknowledges_it(db, fake, monkeypatch):
    """Socket Mode end to end: apps.connections.open with the app token, Slack's websocket (the fake's),
    an interactive envelope in, the envelope acknowledged, and the approval stored."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-from-env")
    settings = _settings(fake, 3000, mode="socket")  # the port is not used in Socket Mode
    slack = next(c for c in build_components(settings, db, console_input=False) if isinstance(c, SlackComponent))
    stopping = asyncio.Event()
    task = asyncio.create_task(slack.run(stopping))
    try:
        await asyncio.wait_for(slack.ready.wait(), 10)
        assert fake.received("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-1-from-env"
        approval_id = seed_approval(db, at=NOW)
        ack = await fake.send_envelope("interactive", _approve_click(approval_id), "env-1")
        assert ack["envelope_id"] == "env-1"
        await _assert_approved_by_the_approver(db, approval_id)
    finally:
        stopping.set()
        await asyncio.wait_for(task, 10)
