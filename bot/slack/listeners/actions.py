"""Button clicks on approval cards and escalation pages: ack at once, the work runs after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.approvals import Verdict
from bot.slack import blocks, handoff
from bot.slack.deps import SlackDeps
from bot.slack.inbound import click


async def _ack(ack: AsyncAck) -> None:
    await ack()


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def approve(body: dict[str, Any]) -> None:
        c = click(body)
        await handoff.decide(deps, c.item_id, Verdict.approve, user=c.user, channel=c.channel)

    async def escalate(body: dict[str, Any]) -> None:
        c = click(body)
        await handoff.decide(deps, c.item_id, Verdict.escalate, user=c.user, channel=c.channel,
                             reason="escalated from the approval card")

    async def edit(body: dict[str, Any]) -> None:
        await handoff.open_modal(deps, click(body), "edit")

    async def reject(body: dict[str, Any]) -> None:
        await handoff.open_modal(deps, click(body), "reject")

    async def escalation(body: dict[str, Any]) -> None:
        await handoff.escalation(deps, click(body))

    async def review(body: dict[str, Any]) -> None:
        await handoff.review(deps, click(body))

    async def resume(body: dict[str, Any]) -> None:
        await handoff.resume(deps, click(body))

    for action_id in blocks.REVIEW_ACTIONS.values():
        app.action(action_id)(ack=_ack, lazy=[review])
    app.action(blocks.RESUME)(ack=_ack, lazy=[resume])
    app.action(blocks.APPROVE)(ack=_ack, lazy=[approve])
    app.action(blocks.ESCALATE)(ack=_ack, lazy=[escalate])
    app.action(blocks.EDIT)(ack=_ack, lazy=[edit])
    app.action(blocks.REJECT)(ack=_ack, lazy=[reject])
    app.action(blocks.ACKNOWLEDGE)(ack=_ack, lazy=[escalation])
    app.action(blocks.RESOLVE)(ack=_ack, lazy=[escalation])
