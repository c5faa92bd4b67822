"""`/kpi <question>`: acked at once; the answer (figure, previous period, goal) follows via response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.slack import blocks
from bot.slack.deps import SlackDeps

NO_KPIS = "KPI answers are not set up in this installation yet."


async def _ack(ack: AsyncAck) -> None:
    await ack()


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def answer(body: dict[str, Any], respond: AsyncRespond) -> None:
        if deps.kpis is None:
            await respond(text=NO_KPIS, response_type="ephemeral")
            return
        reply = await deps.hub.db.run(deps.kpis.ask, body.get("text", ""))  # KPI queries hit the database
        await respond(text=reply.text, blocks=blocks.kpi_reply_blocks(reply),
                      response_type="ephemeral" if reply.help else "in_channel")

    app.command(deps.kpi_command)(ack=_ack, lazy=[answer])
