"""Button clicks on approval cards and escalation pages: ack at once, the work runs after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.approvals import Verdict
from bot.slack import blocks, handoff
from bot.slack.deps import SlackDeps
from bot.slack.inbound import Click, click
from bot.slack.listeners.unknown import guarded, tell

NOT_A_CARD_BUTTON = ("This button does not name a draft or an escalation (value {value!r}), so nothing was done. "
                     "The current cards in the channel work.")


async def _ack(ack: AsyncAck) -> None:
    await ack()


async def _numbered(deps: SlackDeps, body: dict[str, Any]) -> Click | None:
    c = click(body)
    if not c.numbered:
        await tell(deps, body, NOT_A_CARD_BUTTON.format(value=c.value[:40]))
        return None
    return c


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def approve(body: dict[str, Any]) -> None:
        if c := await _numbered(deps, body):
            await handoff.decide(deps, c.item_id, Verdict.approve, user=c.user, channel=c.channel)

    async def use_alternative(body: dict[str, Any]) -> None:
        if c := await _numbered(deps, body):
            await handoff.decide(deps, c.item_id, Verdict.edit, user=c.user, channel=c.channel,
                                 alternative=blocks.USE_ALTERNATIVE.index(c.action_id))

    async def escalate(body: dict[str, Any]) -> None:
        if c := await _numbered(deps, body):
            await handoff.decide(deps, c.item_id, Verdict.escalate, user=c.user, channel=c.channel,
                                 reason="escalated from the approval card")

    async def edit(body: dict[str, Any]) -> None:
        if c := await _numbered(deps, body):
            await handoff.open_modal(deps, c, "edit")

    async def reject(body: dict[str, Any]) -> None:
        if c := await _numbered(deps, body):
            await handoff.open_modal(deps, c, "reject")

    async def escalation(body: dict[str, Any]) -> None:
        if c := await _numbered(deps, body):
            await handoff.escalation(deps, c)

    async def review(body: dict[str, Any]) -> None:
        await handoff.review(deps, click(body))

    async def resume(body: dict[str, Any]) -> None:
        await handoff.resume(deps, click(body))

    for action_id in blocks.REVIEW_ACTIONS.values():
        app.action(action_id)(ack=_ack, lazy=[guarded(deps, review)])
    app.action(blocks.RESUME)(ack=_ack, lazy=[guarded(deps, resume)])
    app.action(blocks.APPROVE)(ack=_ack, lazy=[guarded(deps, approve)])
    app.action(blocks.ESCALATE)(ack=_ack, lazy=[guarded(deps, escalate)])
    for action_id in blocks.USE_ALTERNATIVE:
        app.action(action_id)(ack=_ack, lazy=[guarded(deps, use_alternative)])
    app.action(blocks.EDIT)(ack=_ack, lazy=[guarded(deps, edit)])
    app.action(blocks.REJECT)(ack=_ack, lazy=[guarded(deps, reject)])
    app.action(blocks.ACKNOWLEDGE)(ack=_ack, lazy=[guarded(deps, escalation)])
    app.action(blocks.RESOLVE)(ack=_ack, lazy=[guarded(deps, escalation)])
