"""The discord.py client: intents, the slash-command tree, persistent buttons and catching up after reconnects."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.discord.commands import COMMANDS
from bot.discord.modals import parse_submission
from bot.discord.unknown import SocialopsTree, answer_unhandled
from bot.discord.views import PERSISTENT_ITEMS

logger = logging.getLogger(__name__)

CatchUp = Callable[[], Awaitable[int]]


def intents() -> discord.Intents:
    """Only the guilds intent: roles and channels come with it; nothing privileged (members, message content)
    is needed because interactions carry the member and their role ids."""
    return discord.Intents(guilds=True)


class SocialopsClient(discord.Client):
    def __init__(self, *, guild_id: int | None, sync_commands: bool = True, **options: object) -> None:
        super().__init__(intents=intents(), **options)  # type: ignore[arg-type]
        self.tree = SocialopsTree(self)
        self.guild = discord.Object(id=guild_id) if guild_id else None
        self.sync_commands = sync_commands
        self.handler: object | None = None  # DiscordInteractions, set once the hub exists
        self.catch_up: CatchUp | None = None  # posts the cards that never reached Discord
        self._catching_up = asyncio.Lock()

    async def setup_hook(self) -> None:
        # Registered before the gateway connects, so a click on a card posted yesterday finds its handler.
        self.add_dynamic_items(*PERSISTENT_ITEMS)
        for command in COMMANDS:
            self.tree.add_command(command, guild=self.guild, override=True)
        if self.sync_commands:
            synced = await self.tree.sync(guild=self.guild)
            logger.info("bot.discord.commands_synced", extra={"count": len(synced)})

    async def on_ready(self) -> None:
        logger.info("bot.discord.ready", extra={"guilds": len(self.guilds)})
        await self.catch_up_now("ready")

    async def on_resumed(self) -> None:
        await self.catch_up_now("resumed")

    async def catch_up_now(self, why: str) -> None:
        """Requests live in the database: whatever was stored while Discord was unreachable is posted now."""
        if self.catch_up is None:
            return
        async with self._catching_up:
            try:
                posted = await self.catch_up()
            except Exception:  # noqa: BLE001 - the next ready/resume tries again
                logger.exception("bot.discord.catch_up_failed", extra={"after": why})
                return
        if posted:
            logger.warning("bot.discord.caught_up", extra={"after": why, "posted": posted})

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Modal submissions are read from their data (see bot.discord.modals), so they survive a restart.
        if interaction.type is discord.InteractionType.modal_submit and self.handler is not None:
            submission = parse_submission(interaction.data)  # type: ignore[arg-type]
            if submission is not None:
                await self.handler.modal_submitted(interaction, submission)  # type: ignore[attr-defined]
                return
        # Our buttons are answered by their DynamicItem and commands by the tree; anything else (a card of an
        # older version, another bot's component, a form we no longer know) is answered here, within 3 s.
        await answer_unhandled(interaction)
