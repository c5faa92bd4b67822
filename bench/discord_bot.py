"""Discord adapter timings against the local fake Discord (run by hand; figures are medians).

    python bench/discord_bot.py [--cards 200]

Measures (1) an Approve click from INTERACTION_CREATE to the decision stored and the card edited, through
discord.py's gateway parser, DynamicItem dispatch, ApprovalService and the REST edit; (2) catching up N cards
after a reconnect with pacing lifted, i.e. the adapter's own cost per card (Discord's rate limit, about one
message per second per channel, is what bounds it in production).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import discord
import yarl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.discord.pacing import ChannelPacer  # noqa: E402
from moderation.storage import Database  # noqa: E402
from moderation.storage.tables import ApprovalRow  # noqa: E402
from tests.bot.discord.conftest import APPROVALS, make_draft, payload, ready, settle, start_bot  # noqa: E402
from tests.bot.discord.fake_discord import FakeDiscord  # noqa: E402


async def main(cards: int) -> None:
    fake = FakeDiscord(gateway_events=[("READY", payload("ready.json")),
                                       ("GUILD_CREATE", payload("guild_create.json"))])
    discord.http.Route.BASE = await fake.start()
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        bot = await start_bot(db, fake, connect_gateway=False)
        bot.surface.pacer = ChannelPacer(burst=5, per_second=1e9)
        ids = [make_draft(db, external_id=f"bench{n}") for n in range(cards)]

        started = time.perf_counter()
        await ready(bot)  # catch-up posts every card
        catch_up = time.perf_counter() - started
        assert len(fake.posted(APPROVALS)) == cards

        latencies = []
        for approval_id in ids:
            with db.session() as session:
                message_id = session.get(ApprovalRow, approval_id).surface_refs["discord"]["message"]
            started = time.perf_counter()
            bot.interact("button_click.json", custom_id=f"socialops:approve:{approval_id}", message_id=message_id)
            await settle()
            latencies.append((time.perf_counter() - started) * 1000)
        with db.session() as session:
            assert all(session.get(ApprovalRow, i).state == "approved" for i in ids)
        await bot.close()
        db.dispose()
    await fake.stop()
    latencies.sort()
    print(f"cards: {cards}")
    print(f"catch-up after reconnect (pacing lifted): {catch_up:.2f} s, {cards / catch_up:.0f} cards/s")
    print(f"approve click -> stored + card edited: median {statistics.median(latencies):.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=200)
    asyncio.run(main(parser.parse_args().cards))
