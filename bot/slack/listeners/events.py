"""Events API: mentions of the bot in plain language are KPI questions, answered in the thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack import blocks
from bot.slack.deps import SlackDeps
from bot.slack.inbound import mention_text
from bot.slack.listeners.commands import NO_KPIS


async def _ack(ack: AsyncAck) -> None:
    await ack()


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def mentioned(event: dict[str, Any]) -> None:
        thread = event.get("thread_ts") or event.get("ts")
        if deps.kpis is None:
            await deps.surface.client.chat_postMessage(channel=event["channel"], thread_ts=thread, text=NO_KPIS)
            return
        reply = await deps.hub.db.run(deps.kpis.ask, mention_text(event))
        await deps.surface.client.chat_postMessage(channel=event["channel"], thread_ts=thread, text=reply.text,
                                                   blocks=blocks.kpi_reply_blocks(reply))

    async def ignore(ack: AsyncAck) -> None:
        await ack()  # plain channel messages are not for the bot; listening avoids Bolt's "unhandled" warnings

    app.event("app_mention")(ack=_ack, lazy=[mentioned])
    app.event("message")(ignore)
