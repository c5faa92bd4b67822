"""Modal submissions (edited reply, rejection reason): validated in the ack, applied after it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.approvals import Verdict
from bot.slack import blocks, handoff
from bot.slack.deps import SlackDeps
from bot.slack.inbound import approval_id, submission
from bot.slack.listeners.unknown import guarded

EXPIRED_FORM = "This form is from an older version and can no longer be saved. Close it and click the button again."

_EMPTY = {blocks.EDIT_MODAL: (blocks.FINAL_BLOCK, blocks.FINAL_INPUT, "The reply cannot be empty."),
          blocks.REJECT_MODAL: (blocks.REASON_BLOCK, blocks.REASON_INPUT, "Please give a reason.")}


async def _validate(ack: AsyncAck, body: dict[str, Any]) -> None:
    block_id, action_id, message = _EMPTY[body["view"]["callback_id"]]
    sent = submission(body, block_id, action_id)
    if approval_id(sent.metadata) is None:  # not JSON, or not ours: say so in the form rather than a 500
        await ack(response_action="errors", errors={block_id: EXPIRED_FORM})
        return
    if not sent.text:
        await ack(response_action="errors", errors={block_id: message})  # the modal stays open
        return
    await ack()


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def edited(body: dict[str, Any]) -> None:
        sent = submission(body, blocks.FINAL_BLOCK, blocks.FINAL_INPUT)
        if sent.text and (draft := approval_id(sent.metadata)):
            await handoff.decide(deps, draft, Verdict.edit, user=sent.user,
                                 channel=sent.metadata.get("channel", ""), final_text=sent.text)

    async def rejected(body: dict[str, Any]) -> None:
        sent = submission(body, blocks.REASON_BLOCK, blocks.REASON_INPUT)
        if sent.text and (draft := approval_id(sent.metadata)):
            await handoff.decide(deps, draft, Verdict.reject, user=sent.user,
                                 channel=sent.metadata.get("channel", ""), reason=sent.text)

    app.view(blocks.EDIT_MODAL)(ack=_validate, lazy=[guarded(deps, edited)])
    app.view(blocks.REJECT_MODAL)(ack=_validate, lazy=[guarded(deps, rejected)])
