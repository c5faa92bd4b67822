"""Assembles the Discord surface and runs the client as a `socialops run` component."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

import aiohttp
import discord

from bot.approvals import ApprovalService, Authorizer
from bot.catch_up import post_missing
from bot.discord.client import SocialopsClient
from bot.discord.interactions import DiscordInteractions
from bot.discord.pacing import ChannelPacer
from bot.discord.surface import DiscordSurface, People
from bot.hub import ChatHub
from bot.kpi_questions import KpiResponder
from moderation.domain import utcnow
from moderation.runtime.lifecycle import CannotStart

logger = logging.getLogger(__name__)


def channel_map(discord_channels: Mapping[str, int], team_channels: Mapping[str, str]) -> dict[str, int]:
    """Logical names (approvals, alerts, ...) and the team-wide names the hub passes (social-alerts) -> ids."""
    mapping = {name: int(channel_id) for name, channel_id in discord_channels.items()}
    for logical, team_name in team_channels.items():
        if logical in mapping:
            mapping.setdefault(team_name, mapping[logical])
    return mapping


def build_surface(*, guild_id: int | None, channels: Mapping[str, int], team_channels: Mapping[str, str] = {},
                  people: Mapping[str, int] = {}, oncall_role: str | None = None, burst: int = 5,
                  per_second: float = 1.0, sync_commands: bool = True,
                  client_options: Mapping[str, object] | None = None) -> DiscordSurface:
    client = SocialopsClient(guild_id=guild_id, sync_commands=sync_commands, **(client_options or {}))
    directory = People(client, members=people, guild_id=guild_id, oncall_role=oncall_role)
    return DiscordSurface(client, channels=channel_map(channels, team_channels), people=directory,
                          pacer=ChannelPacer(burst=burst, per_second=per_second))


def connect(surface: DiscordSurface, hub: ChatHub, approvals: ApprovalService, *, authorize: Authorizer,
            kpis: KpiResponder | None = None, clock: Callable[[], datetime] = utcnow) -> SocialopsClient:
    """Give the client its inbound handler and its catch-up, once the hub that owns the surface exists."""
    client = surface.client
    assert isinstance(client, SocialopsClient)
    client.handler = DiscordInteractions(hub, approvals, authorize=authorize, people=surface.people, kpis=kpis,
                                         clock=clock)

    async def catch_up() -> int:
        return await post_missing(hub, surface)

    client.catch_up = catch_up
    return client


class DiscordComponent:
    """Logs in, keeps the gateway connected (discord.py reconnects with back-off after drops), closes on stop."""

    name = "discord"

    def __init__(self, client: SocialopsClient, token: str, *, catch_up_seconds: float = 300.0,
                 token_name: str = "the bot token") -> None:
        self.client = client
        self._token = token
        self.token_name = token_name
        # A post can also fail while the gateway stays up (a REST 5xx): a periodic catch-up covers that case.
        self.catch_up_seconds = catch_up_seconds

    async def _periodic_catch_up(self) -> None:
        while True:
            await asyncio.sleep(self.catch_up_seconds)
            if self.client.is_ready():
                await self.client.catch_up_now("periodic")

    async def run(self, stopping: asyncio.Event) -> None:
        async with self.client:
            session = asyncio.create_task(self._session(), name="discord-gateway")
            periodic = asyncio.create_task(self._periodic_catch_up(), name="discord-catch-up")
            stop = asyncio.create_task(stopping.wait())
            try:
                done, _ = await asyncio.wait({session, stop}, return_when=asyncio.FIRST_COMPLETED)
                if session in done:
                    session.result()  # a refused token stops the process with its reason (CannotStart)
                    return
                # discord.py may be in its reconnect back-off (gateway unreachable): closing ends it, and the
                # bound keeps a close that hangs on a dead connection from holding up the stop.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.client.close(), timeout=5)
                if not session.done():
                    session.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(session, timeout=5)
            finally:
                stop.cancel()
                periodic.cancel()
        logger.info("bot.discord.stopped")

    async def _session(self) -> None:
        try:
            await self.client.start(self._token, reconnect=True)
        except discord.LoginFailure:
            raise CannotStart("discord", f"Discord refused {self.token_name}") from None
        except discord.PrivilegedIntentsRequired:
            raise CannotStart("discord", "the bot asks for an intent not enabled in the developer portal") from None
        except discord.HTTPException as exc:
            raise CannotStart("discord", f"Discord answered {exc.status} while logging in") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise CannotStart("discord", f"cannot reach Discord ({exc.__class__.__name__})") from None
        except AttributeError:
            # discord.py 2.7 retries a first gateway connection that failed by resuming a session it never had
            # (`self.ws` is None): the gateway could not be reached at all.
            if self.client.ws is not None:
                raise
            raise CannotStart("discord", "cannot reach the Discord gateway") from None
