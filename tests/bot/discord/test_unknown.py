"""Every interaction gets an answer within Discord's 3 s, privately where it is an error: a command we no
longer have (no ERROR-level CommandNotFound in the log), another bot's or an old card's button, a select
menu, a form we do not know, and a command that fails."""

from __future__ import annotations

import logging

from bot.discord.answers import FAILED
from bot.discord.unknown import UNKNOWN_COMMAND, UNKNOWN_FORM, UNKNOWN_ITEM
from tests.bot.discord.conftest import settle
from tests.bot.discord.test_approvals import _posted_card

CHANNEL_MESSAGE, AUTOCOMPLETE_RESULT, EPHEMERAL = 4, 8, 64


def _only_private_answer(bot) -> str:
    [callback] = bot.fake.callbacks()
    assert callback.body["type"] == CHANNEL_MESSAGE and callback.body["data"]["flags"] == EPHEMERAL
    return callback.body["data"]["content"]


def _renamed(name: str):
    return lambda p: p["data"].update(name=name)


async def test_an_unknown_command_is_answered_privately_and_not_logged_as_an_error(bot, caplog):
    caplog.set_level(logging.INFO)
    bot.interact("command_oncall.json", edit=_renamed("weather"))
    await settle()
    assert _only_private_answer(bot) == UNKNOWN_COMMAND.format(name="weather")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    assert any(r.getMessage() == "bot.discord.unknown_command" for r in caplog.records)


async def test_autocomplete_for_an_unknown_command_gets_no_choices(bot):
    bot.interact("autocomplete_kpi.json", edit=_renamed("weather"))
    await settle()
    [callback] = bot.fake.callbacks()
    assert callback.body["type"] == AUTOCOMPLETE_RESULT and callback.body["data"]["choices"] == []


async def test_a_button_that_is_not_ours_is_answered_privately(bot):
    bot.interact("button_click.json", custom_id="another_bot:vote:3")
    await settle()
    assert _only_private_answer(bot) == UNKNOWN_ITEM


async def test_a_select_menu_is_answered_privately(bot):
    def select(payload):
        payload["data"] = {"component_type": 3, "custom_id": "socialops:pick-language", "values": ["fr"]}

    bot.interact("button_click.json", edit=select)
    await settle()
    assert _only_private_answer(bot) == UNKNOWN_ITEM


async def test_a_form_we_do_not_know_is_answered_privately(bot):
    bot.interact("modal_submit_edit.json", custom_id="socialops:survey-modal:1")
    await settle()
    assert _only_private_answer(bot) == UNKNOWN_FORM


async def test_our_own_button_is_answered_once(bot, sqlite_db):
    approval_id, message_id = await _posted_card(bot, sqlite_db)
    bot.interact("button_click.json", custom_id=f"socialops:approve:{approval_id}", message_id=message_id)
    await settle()
    assert len(bot.fake.callbacks()) == 1  # by its handler; the catch-all stays out of the way


async def test_a_command_that_fails_is_answered_privately(bot, caplog):
    class BrokenOnCall:
        def who(self, _now):
            raise RuntimeError("on-call schedule unreadable")

    bot.hub.escalations.oncall = BrokenOnCall()
    bot.interact("command_oncall.json")
    await settle()
    assert _only_private_answer(bot) == FAILED
    assert any(r.getMessage() == "bot.discord.command_failed" for r in caplog.records)


async def test_a_click_whose_handler_fails_is_answered_privately(bot, sqlite_db, caplog):
    approval_id, message_id = await _posted_card(bot, sqlite_db)

    async def broken(*_args):
        raise RuntimeError("database restarting")

    bot.client.handler.approval_clicked = broken
    bot.interact("button_click.json", custom_id=f"socialops:approve:{approval_id}", message_id=message_id)
    await settle()
    assert _only_private_answer(bot) == FAILED
    assert any(r.getMessage() == "bot.discord.click_failed" for r in caplog.records)
