"""A running Discord bot for scenario tests: discord.py's real client, logged in against the local fake REST
server, fed recorded gateway payloads (READY, GUILD_CREATE, INTERACTION_CREATE) through discord.py's own
gateway parsers."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl

from bot.approvals import ApprovalService
from bot.discord.client import SocialopsClient
from bot.discord.component import build_surface, connect
from bot.discord.surface import DiscordSurface
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.kpi_questions import KpiResponder
from bot.oncall import OnCall
from bot.views import KpiAnswer, KpiQuestion
from moderation.storage import Database
from socialops.compose.core import authorizer
from socialops.config import Settings
from tests.bot.discord.fake_discord import FakeDiscord

PAYLOADS = Path(__file__).with_name("payloads")
GUILD = 1200000000000000001
APPROVALS, ESCALATIONS, DIGEST, ALERTS = (1200000000000000011, 1200000000000000012, 1200000000000000013,
                                          1200000000000000014)
APPROVER_ROLE_ID, ONCALL_ROLE_ID = 1200000000000000021, 1200000000000000022
LEA, MALLORY = 1400000000000000001, 1400000000000000002
CHANNELS = {"approvals": APPROVALS, "escalations": ESCALATIONS, "digest": DIGEST, "alerts": ALERTS}
SETTINGS = Settings.model_validate({"approvers": {"discord_role": "Community managers"}})


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


MEMBERS = payload("members.json")


def gateway(client: discord.Client, event: str, data: dict[str, Any]) -> None:
    """Hand a DISPATCH payload to discord.py exactly as its websocket reader does."""
    client._connection.parsers[event](copy.deepcopy(data))


async def settle() -> None:
    """Wait for the tasks discord.py spawned for dispatched events, views and commands."""
    prefixes = ("discord-ui", "discord.py", "CommandTree")
    for _ in range(50):
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task() and not task.done()
                   and task.get_name().startswith(prefixes)]
        if not pending:
            return
        await asyncio.wait(pending, timeout=10)


class RecordingKpis:
    """A KpiSource leaf for the adapter tests: answers from a fixed table and records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[KpiQuestion] = []

    def metrics(self) -> dict[str, str]:
        return {"response_rate": "Response rate", "first_response_time": "First response time",
                "escalations": "Escalations"}

    def answer(self, question: KpiQuestion) -> KpiAnswer:
        self.asked.append(question)
        table = {"response_rate": ("Response rate", 0.82, "%", 0.75, 0.9),
                 "first_response_time": ("First response time", 42.0, "min", 55.0, 60.0),
                 "escalations": ("Escalations", 3.0, "count", 5.0, None)}
        label, value, unit, previous, goal = table[question.metric]
        return KpiAnswer(question=question, label=label, value=value, unit=unit, previous=previous, goal=goal)


@dataclass
class Bot:
    client: SocialopsClient
    surface: DiscordSurface
    hub: ChatHub
    approvals: ApprovalService
    fake: FakeDiscord
    kpis: RecordingKpis = field(default_factory=RecordingKpis)

    def interact(self, name: str, *, member: str = "approver", custom_id: str | None = None,
                 message_id: str | None = None, message: dict[str, Any] | None = None,
                 edit: Callable[[dict[str, Any]], None] | None = None) -> None:
        data = payload(name)
        data["id"] = self.fake.next_id()
        data["member"] = MEMBERS[member]
        if custom_id is not None:
            data["data"]["custom_id"] = custom_id
        if message_id is not None:  # the card as Discord has it now
            data["message"] = self.fake.messages[message_id]
        if message is not None:  # the card as the person saw it when clicking (before an edit landed)
            data["message"] = message
        if edit is not None:
            edit(data)
        gateway(self.client, "INTERACTION_CREATE", data)

    async def close(self) -> None:
        await self.client.close()


async def start_bot(db: Database, fake: FakeDiscord, *, oncall: OnCall | None = None,
                    kpis: RecordingKpis | None = None, connect_gateway: bool = True) -> Bot:
    surface = build_surface(guild_id=GUILD, channels=CHANNELS, team_channels=SETTINGS.chat.channels.model_dump(),
                            people={"lea": LEA}, oncall_role="On call",
                            client_options={"guild_ready_timeout": 0.01})
    channels = SETTINGS.chat.channels.model_dump()
    escalations = EscalationService(db, oncall or OnCall(), [surface], alerts_channel=channels["alerts"])
    hub = ChatHub(db, [surface], channels=channels, escalations=escalations)
    approvals = ApprovalService(db, authorizer(SETTINGS))
    kpis = kpis or RecordingKpis()
    client = connect(surface, hub, approvals, authorize=authorizer(SETTINGS), kpis=KpiResponder(kpis))
    await client.login("test-token-not-a-secret")
    bot = Bot(client, surface, hub, approvals, fake, kpis)
    if connect_gateway:
        await ready(bot)
    return bot


async def ready(bot: Bot) -> None:
    gateway(bot.client, "READY", payload("ready.json"))
    gateway(bot.client, "GUILD_CREATE", payload("guild_create.json"))
    await asyncio.wait_for(bot.client.wait_until_ready(), timeout=10)
    await settle()


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(gateway_events=[("READY", payload("ready.json")),
                                       ("GUILD_CREATE", payload("guild_create.json"))])
    base = await fake.start()
    # discord.py builds every REST and webhook URL from Route.BASE and connects to DEFAULT_GATEWAY: both are
    # pointed at the fake, so nothing ever leaves 127.0.0.1.
    monkeypatch.setattr(discord.http.Route, "BASE", base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(sqlite_db: Database, fake_discord: FakeDiscord) -> AsyncIterator[Bot]:
    running = await start_bot(sqlite_db, fake_discord)
    yield running
    await running.close()
