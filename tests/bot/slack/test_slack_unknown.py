"""Everything signed is acknowledged (never a 404 or a 500) and the person hears plainly when an item is
unknown or expired: slash commands, buttons and forms of older versions or of another app sharing the URL."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bot.slack import blocks
from bot.slack.listeners.unknown import FAILED, UNKNOWN_FORM, UNKNOWN_ITEM
from bot.slack.listeners.views import EXPIRED_FORM
from tests.bot.slack.conftest import APPROVER, LEAD, NOW
from tests.bot.slack.slack_seed import seed_approval


async def _json(response) -> dict:
    assert response.status == 200, await response.text()
    return json.loads(await response.text())


async def test_an_unknown_slash_command_is_answered_privately(stack):
    body = urlencode({"command": "/weather", "text": "paris", "user_id": LEAD, "channel_id": "CKPI",
                      "team_id": "T1", "trigger_id": "t3", "response_url": f"{stack.fake.url}/respond/w",
                      "api_app_id": "A1"})
    answer = await _json(await stack.post(body, "application/x-www-form-urlencoded"))
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("`/weather` is not a socialops command") and "/kpi" in answer["text"]


async def test_an_unknown_button_is_acknowledged_and_the_person_told(stack):
    response = await stack.click("another_app.do_something", 7)
    assert response.status == 200
    [notice] = await stack.fake.wait_for("response_url")
    assert notice.params["text"] == UNKNOWN_ITEM and notice.params["response_type"] == "ephemeral"
    assert notice.params["replace_original"] is False  # the card itself stays as it is


async def test_a_button_whose_value_is_not_a_number_answers_the_person(stack):
    response = await stack.interact({
        "type": "block_actions", "user": {"id": APPROVER}, "api_app_id": "A1", "team": {"id": "T1"},
        "trigger_id": "t", "channel": {"id": "CAPPROVALS"}, "container": {"channel_id": "CAPPROVALS"},
        "actions": [{"type": "button", "action_id": blocks.APPROVE, "value": "draft-12"}]})
    assert response.status == 200
    [notice] = await stack.fake.wait_for("chat.postEphemeral")
    assert notice.params["user"] == APPROVER and notice.params["channel"] == "CAPPROVALS"
    assert "does not name a draft" in notice.params["text"] and "'draft-12'" in notice.params["text"]


async def test_a_failure_after_the_ack_is_told_not_silent(stack):
    response = await stack.click(blocks.EDIT, 424242)  # a draft that does not exist (deleted, other database)
    assert response.status == 200
    [notice] = await stack.fake.wait_for("response_url")
    assert notice.params["text"] == FAILED


async def test_a_form_of_an_unknown_callback_id_is_acknowledged_with_a_notice(stack):
    answer = await _json(await stack.submit("another_app.form", {"x": 1}, "b", "a", "hello"))
    assert answer["response_action"] == "update"
    assert UNKNOWN_FORM in json.dumps(answer["view"])


async def test_a_form_whose_private_metadata_is_not_json_gets_an_answer_not_a_500(stack, db):
    approval_id = seed_approval(db, at=NOW)
    payload = {"type": "view_submission", "user": {"id": APPROVER}, "api_app_id": "A1", "team": {"id": "T1"},
               "view": {"id": "V1", "type": "modal", "callback_id": blocks.EDIT_MODAL,
                        "private_metadata": f"approval={approval_id}",  # not JSON
                        "state": {"values": {blocks.FINAL_BLOCK: {blocks.FINAL_INPUT: {"value": "Hi!"}}}}}}
    answer = await _json(await stack.interact(payload))
    assert answer == {"response_action": "errors", "errors": {blocks.FINAL_BLOCK: EXPIRED_FORM}}


async def test_unknown_events_and_option_requests_are_acknowledged(stack):
    response = await stack.event({"type": "reaction_added", "user": LEAD, "reaction": "eyes",
                                  "item": {"type": "message", "channel": "C1", "ts": "1.1"}}, event_id="EvU1")
    assert response.status == 200
    options = await _json(await stack.interact({"type": "block_suggestion", "user": {"id": LEAD},
                                                "api_app_id": "A1", "team": {"id": "T1"}, "action_id": "pick",
                                                "block_id": "b", "value": "ab"}))
    assert options == {"options": []}


async def test_over_socket_mode_an_unknown_command_is_answered_in_the_ack(socket_stack):
    command = {"command": "/weather", "text": "", "user_id": LEAD, "channel_id": "CKPI", "team_id": "T1",
               "trigger_id": "t3", "response_url": f"{socket_stack.fake.url}/respond/w", "api_app_id": "A1"}
    ack = await socket_stack.fake.send_envelope("slash_commands", command, "env-unknown")
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["text"].startswith("`/weather` is not a socialops command")
