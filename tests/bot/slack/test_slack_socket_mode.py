"""Socket Mode end to end, as most teams run it (no public URL): the fake Slack answers apps.connections.open,
opens the websocket with `hello`, pushes interactive, slash_commands and events_api envelopes, checks each is
acknowledged, asks the app to reconnect with `disconnect`; refused tokens and an unreachable websocket."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from bot.slack import blocks
from bot.slack.app import SlackComponent
from moderation.runtime.lifecycle import CannotStart
from moderation.storage.tables import ApprovalRow
from tests.bot.slack.conftest import APPROVER, LEAD, NOW, SlackStack
from tests.bot.slack.slack_seed import seed_approval


def _click(action_id: str, value: str, *, user: str = APPROVER) -> dict:
    return {"type": "block_actions", "user": {"id": user}, "api_app_id": "A1", "team": {"id": "T1"},
            "trigger_id": "t", "channel": {"id": "CAPPROVALS"},
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "CAPPROVALS"},
            "actions": [{"type": "button", "action_id": action_id, "value": value}]}


async def _state(db, approval_id: int, want: str) -> str:
    for _ in range(250):  # stored by a lazy listener, after the ack
        with db.session() as session:
            state = session.get(ApprovalRow, approval_id).state
        if state == want:
            return state
        await asyncio.sleep(0.02)
    return state


async def test_hello_then_a_click_is_acknowledged_and_applied(socket_stack: SlackStack):
    fake, db = socket_stack.fake, socket_stack.db
    assert fake.received("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-1-test"
    approval_id = seed_approval(db, at=NOW)
    ack = await fake.send_envelope("interactive", _click(blocks.APPROVE, str(approval_id)), "env-click")
    assert ack == {"envelope_id": "env-click"}
    assert await _state(db, approval_id, "approved") == "approved"


async def test_a_slash_command_is_acknowledged_and_answered_through_its_response_url(socket_stack: SlackStack):
    fake = socket_stack.fake
    command = {"command": "/kpi", "text": "what's the weather", "user_id": LEAD, "channel_id": "CKPI",
               "team_id": "T1", "trigger_id": "t3", "response_url": f"{fake.url}/respond/kpi", "api_app_id": "A1"}
    ack = await fake.send_envelope("slash_commands", command, "env-command")
    assert ack["envelope_id"] == "env-command"
    answer = (await fake.wait_for("response_url"))[0].params
    assert answer["response_type"] == "ephemeral" and "response rate instagram 7d" in answer["text"]


async def test_a_mention_over_the_events_api_is_acknowledged_and_answered_in_its_thread(socket_stack: SlackStack):
    fake = socket_stack.fake
    event = {"type": "app_mention", "user": LEAD, "text": "<@UBOT> first response time this week",
             "ts": "1700000100.000100", "channel": "CKPI", "event_ts": "1700000100.000100"}
    body = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event": event, "event_id": "EvS1",
            "event_time": 1700000000, "token": "legacy"}
    ack = await fake.send_envelope("events_api", body, "env-event")
    assert ack["envelope_id"] == "env-event"
    answer = (await fake.wait_for("chat.postMessage"))[0].params
    assert answer["thread_ts"] == "1700000100.000100" and "First response time" in answer["text"]


async def test_an_empty_edit_is_refused_in_the_ack_and_the_modal_stays_open(socket_stack: SlackStack):
    fake, db = socket_stack.fake, socket_stack.db
    approval_id = seed_approval(db, at=NOW)
    submission = {"type": "view_submission", "user": {"id": APPROVER}, "api_app_id": "A1", "team": {"id": "T1"},
                  "view": {"id": "V1", "type": "modal", "callback_id": blocks.EDIT_MODAL,
                           "private_metadata": f'{{"approval_id": {approval_id}, "channel": "CAPPROVALS"}}',
                           "state": {"values": {blocks.FINAL_BLOCK: {blocks.FINAL_INPUT: {"value": "  "}}}}}}
    ack = await fake.send_envelope("interactive", submission, "env-view")
    assert ack["payload"]["response_action"] == "errors" and blocks.FINAL_BLOCK in ack["payload"]["errors"]


async def test_after_a_disconnect_the_app_reconnects_and_keeps_working(socket_stack: SlackStack):
    fake, db = socket_stack.fake, socket_stack.db
    await fake.disconnect_socket()
    await fake.wait_for_socket_connections(2)
    assert len(fake.received("apps.connections.open")) == 2  # a fresh URL for the new connection
    approval_id = seed_approval(db, at=NOW)
    ack = await fake.send_envelope("interactive", _click(blocks.APPROVE, str(approval_id)), "env-after")
    assert ack["envelope_id"] == "env-after"
    assert await _state(db, approval_id, "approved") == "approved"


def _component(db, fake, clock) -> SlackComponent:
    return SlackStack(db, fake, clock, timers=None, mode="socket").component


@pytest.mark.parametrize("refused", ["app", "bot"])
async def test_a_refused_token_cannot_start_at_once_with_a_clear_reason(db, fake, clock, refused):
    """Slack answers invalid_auth: the SDK's connect would retry forever, so the process would neither run
    nor exit. The component raises CannotStart naming the token and Slack's error, without the token."""
    if refused == "app":
        fake.app_token_error = "invalid_auth"
    else:
        fake.bot_token_error = "invalid_auth"
    component = _component(db, fake, clock)
    started = time.monotonic()
    with pytest.raises(CannotStart) as failure:
        await asyncio.wait_for(component.run(asyncio.Event()), timeout=10)
    assert time.monotonic() - started < 5
    message = str(failure.value)
    assert message.startswith("slack cannot start: Slack refused the ") and "(invalid_auth)" in message
    assert ("app-level token" if refused == "app" else "bot token") in message
    assert "xapp-1-test" not in message and "xoxb-test" not in message and "\n" not in message


async def test_stopping_while_the_websocket_cannot_be_opened_returns_promptly(db, fake, clock):
    with socket.socket() as probe:  # a port nobody listens on: the SDK keeps retrying the connection
        probe.bind(("127.0.0.1", 0))
        fake.socket_url = f"ws://127.0.0.1:{probe.getsockname()[1]}/link"
    component = _component(db, fake, clock)
    stopping = asyncio.Event()
    task = asyncio.create_task(component.run(stopping))
    await fake.wait_for("apps.connections.open")
    await asyncio.sleep(0.5)  # inside the SDK's connect-and-retry loop
    assert not task.done() and not component.ready.is_set()
    stopping.set()
    started = time.monotonic()
    await asyncio.wait_for(task, timeout=10)
    assert time.monotonic() - started < 3
