"""The Discord component in `socialops run`: a gateway that cannot be reached cannot start (one line), and a
gateway that hangs does not keep the component from stopping when asked. (A refused token: test_config.py.)"""

from __future__ import annotations

import asyncio
import socket
import time

import discord
import pytest
import yarl

from bot.discord.component import DiscordComponent, build_surface, connect
from moderation.runtime.lifecycle import CannotStart
from tests.bot.discord.conftest import CHANNELS, GUILD, SETTINGS, start_bot


async def _component(db, fake) -> DiscordComponent:
    bot = await start_bot(db, fake, connect_gateway=False)  # the hub, services and handler of a real process
    await bot.client.close()
    surface = build_surface(guild_id=GUILD, channels=CHANNELS, team_channels=SETTINGS.chat.channels.model_dump(),
                            client_options={"guild_ready_timeout": 0.01})
    client = connect(surface, bot.hub, bot.approvals, authorize=lambda *_: True)
    return DiscordComponent(client, "not-a-real-token", token_name="the bot token ($DISCORD_BOT_TOKEN)")


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"ws://127.0.0.1:{probe.getsockname()[1]}/gateway"


async def test_a_gateway_that_cannot_be_reached_at_all_cannot_start(sqlite_db, fake_discord, monkeypatch):
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(_closed_port_url()))
    component = await _component(sqlite_db, fake_discord)
    with pytest.raises(CannotStart, match="^discord cannot start: cannot reach the Discord gateway$"):
        await asyncio.wait_for(component.run(asyncio.Event()), timeout=20)


async def test_stopping_while_the_gateway_hangs_returns_promptly(sqlite_db, fake_discord, monkeypatch):
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # accepts the connection, never answers the websocket handshake

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(f"ws://127.0.0.1:{port}/"))
    try:
        component = await _component(sqlite_db, fake_discord)
        stopping = asyncio.Event()
        task = asyncio.create_task(component.run(stopping))
        for _ in range(200):
            if accepted:
                break
            await asyncio.sleep(0.05)
        assert accepted and not task.done()  # logged in, now waiting on the gateway
        stopping.set()
        started = time.monotonic()
        await asyncio.wait_for(task, timeout=15)
        assert time.monotonic() - started < 3
    finally:
        for writer in accepted:
            writer.close()
        server.close()
