"""Private answers to an interaction, safe to call whether or not it was already answered."""

from __future__ import annotations

import logging

import discord

logger = logging.getLogger(__name__)

FAILED = "Sorry, socialops could not handle that just now, so nothing was done. Please try again."


async def answer_privately(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral answer, whether or not the interaction was already answered; never raises."""
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
        elif interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as exc:  # expired (over 15 min) or answered elsewhere: nothing more to do
        logger.info("bot.discord.answer_failed", extra={"status": exc.status})
