"""The slash commands: `/kpi` (metric with autocomplete, platform, window), `/goals` and `/oncall`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from moderation.domain import Platform

if TYPE_CHECKING:
    from bot.discord.interactions import DiscordInteractions

PLATFORMS = [app_commands.Choice(name=platform.value, value=platform.value) for platform in Platform]
# The period kinds of the question parser (bot.questions), so a picked period means what a typed one means.
WINDOWS = [app_commands.Choice(name=name, value=value) for name, value in (
    ("today", "today"), ("yesterday", "yesterday"), ("this week", "this_week"), ("last week", "last_week"),
    ("last 24 hours", "last_24_hours"), ("last 7 days", "last_7_days"), ("last 30 days", "last_30_days"),
    ("this month", "this_month"), ("last month", "last_month"))]


def handler_of(interaction: discord.Interaction) -> DiscordInteractions:
    return interaction.client.handler  # type: ignore[attr-defined]  # set by SocialopsClient


@app_commands.command(name="kpi", description="A KPI with the previous period and the goal")
@app_commands.describe(metric="What to measure (pick one, or type it in words: 'response rate instagram 7d')",
                       platform="One platform (default: all)", window="The period (default: last 7 days)")
@app_commands.choices(platform=PLATFORMS, window=WINDOWS)
async def kpi_command(interaction: discord.Interaction, metric: str,
                      platform: app_commands.Choice[str] | None = None,
                      window: app_commands.Choice[str] | None = None) -> None:
    await handler_of(interaction).kpi(interaction, metric, platform.value if platform else None,
                                      window.value if window else None)


@kpi_command.autocomplete("metric")
async def metric_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=label[:100], value=name)
            for label, name in handler_of(interaction).metric_choices(current)]


@app_commands.command(name="goals", description="How our KPIs stand against their goals")
@app_commands.describe(platform="One platform (default: all)", window="The period (default: last 7 days)")
@app_commands.choices(platform=PLATFORMS, window=WINDOWS)
async def goals_command(interaction: discord.Interaction, platform: app_commands.Choice[str] | None = None,
                        window: app_commands.Choice[str] | None = None) -> None:
    await handler_of(interaction).goals(interaction, platform.value if platform else None,
                                        window.value if window else None)


@app_commands.command(name="oncall", description="Who is on call now, and who is next")
async def oncall_command(interaction: discord.Interaction) -> None:
    await handler_of(interaction).oncall(interaction)


COMMANDS = (kpi_command, goals_command, oncall_command)
