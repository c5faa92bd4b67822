"""Interactions no handler takes, answered within Discord's 3 s: privately, saying the item is unknown or
expired, so nobody sees "This interaction failed" and nothing is logged as an error."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.discord.answers import FAILED, answer_privately
from bot.discord.views import PERSISTENT_ITEMS

logger = logging.getLogger(__name__)

UNKNOWN_COMMAND = ("`/{name}` is not a socialops command (it may have been removed), so nothing was done. "
                   "Try /kpi, /goals or /oncall.")
UNKNOWN_ITEM = ("This button or menu is unknown to socialops or has expired, so nothing was done. "
                "The current cards in the channel work.")
UNKNOWN_FORM = "This form is unknown to socialops or has expired, so nothing was saved. Please start again."


def is_ours(custom_id: str) -> bool:
    """A button of ours: every one is a DynamicItem whose template parses the custom id (bot.discord.views)."""
    return any(item.__discord_ui_compiled_template__.match(custom_id) for item in PERSISTENT_ITEMS)


class SocialopsTree(app_commands.CommandTree):
    """The slash-command tree, answering what discord.py would only log: a command Discord still shows but we
    no longer have (CommandNotFound, at INFO), and a command that failed (logged with its traceback)."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        if isinstance(error, app_commands.CommandNotFound):
            logger.info("bot.discord.unknown_command", extra={"command": error.name})
            await answer_privately(interaction, UNKNOWN_COMMAND.format(name=error.name))
            return
        logger.error("bot.discord.command_failed", exc_info=(type(error), error, error.__traceback__),
                     extra={"command": getattr(interaction.command, "name", None)})
        await answer_privately(interaction, FAILED)


async def answer_unhandled(interaction: discord.Interaction) -> bool:
    """For a component or modal interaction no handler of ours takes: answer it (True); False otherwise."""
    data = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    if interaction.type is discord.InteractionType.component and not is_ours(custom_id):
        logger.info("bot.discord.unknown_component", extra={"custom_id": custom_id[:100]})
        await answer_privately(interaction, UNKNOWN_ITEM)
        return True
    if interaction.type is discord.InteractionType.modal_submit:
        logger.info("bot.discord.unknown_modal", extra={"custom_id": custom_id[:100]})
        await answer_privately(interaction, UNKNOWN_FORM)
        return True
    return False
