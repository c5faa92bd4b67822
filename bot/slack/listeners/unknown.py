"""Everything signed that no listener takes: acknowledged, never a 404, and the person told plainly.

An old card's button, a slash command or modal of another app sharing the request URL, a listener that
failed before its ack: Slack shows "this app did not respond" or a red error for a 404 or 500, so each
kind of request gets the answer Slack expects for it and a sentence saying what happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse

from bot.slack.deps import SlackDeps

logger = logging.getLogger(__name__)

UNKNOWN_ITEM = ("This button or menu is unknown to socialops or has expired (an old card, or another app's), "
                "so nothing was done. The current cards in the channel work.")
UNKNOWN_COMMAND = "`{command}` is not a socialops command, so nothing was done. Try `{kpi}` with a question."
UNKNOWN_FORM = "This form is unknown to socialops or has expired, so nothing was saved. Close it and start again."
FAILED = "Sorry, socialops could not handle that just now, so nothing was done. Please try again."

_background: set[asyncio.Task[None]] = set()  # keeps the after-ack messages alive until they are sent


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=payload, headers={"content-type": ["application/json;charset=utf-8"]})


def _notice_modal(text: str) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "socialops"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


async def tell(deps: SlackDeps, body: dict[str, Any], text: str, respond: AsyncRespond | None = None) -> None:
    """An ephemeral sentence to whoever acted: through the response_url when there is one, else in the channel
    of the card, else as a direct message. Runs after the ack, so a failure is only logged."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = ((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
               or body.get("channel_id"))
    try:
        if respond is not None and body.get("response_url"):
            await respond(text=text, response_type="ephemeral", replace_original=False)
        elif channel and user:
            await deps.surface.ephemeral(channel, user, text)
        elif user:
            await deps.surface.client.chat_postMessage(channel=user, text=text)
    except Exception:  # noqa: BLE001 - see the docstring
        logger.warning("bot.slack.notice_failed", exc_info=True)


def guarded(deps: SlackDeps, work: Callable[[dict[str, Any]], Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A lazy listener (it runs after the ack) that tells the person when it fails, instead of failing
    silently: the ack already said "received", so silence would read as "done"."""

    async def run(body: dict[str, Any], respond: AsyncRespond) -> None:
        try:
            await work(body)
        except Exception:  # noqa: BLE001 - logged with its traceback, and the person hears of it
            logger.exception("bot.slack.after_ack_failed", extra={"item": _item(body)})
            await tell(deps, body, FAILED, respond)

    run.__name__ = getattr(work, "__name__", "guarded")
    return run


def later(deps: SlackDeps, body: dict[str, Any], text: str, respond: AsyncRespond | None = None) -> None:
    """`tell`, without holding up the ack."""
    task = asyncio.get_running_loop().create_task(tell(deps, body, text, respond))
    _background.add(task)
    task.add_done_callback(_background.discard)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def answer(error: Exception, body: dict[str, Any], respond: AsyncRespond | None = None) -> BoltResponse:
        kind = body.get("type") or ("slash_command" if body.get("command") else "")
        known = isinstance(error, BoltUnhandledRequestError)
        if known:
            logger.info("bot.slack.unknown_request", extra={"kind": kind, "item": _item(body)})
        else:
            logger.error("bot.slack.listener_failed", extra={"kind": kind, "item": _item(body)},
                         exc_info=(type(error), error, error.__traceback__))
        if kind == "slash_command":
            text = UNKNOWN_COMMAND.format(command=body.get("command", ""), kpi=deps.kpi_command) if known else FAILED
            return _json({"response_type": "ephemeral", "text": text})
        if kind == "view_submission":
            return _json({"response_action": "update", "view": _notice_modal(UNKNOWN_FORM if known else FAILED)})
        if kind == "block_suggestion":
            return _json({"options": []})
        if kind in ("block_actions", "interactive_message", "shortcut", "message_action"):
            later(deps, body, UNKNOWN_ITEM if known else FAILED, respond)
        # Events, view_closed and the rest: acknowledged; there is nobody waiting on an answer.
        return BoltResponse(status=200, body="")

    app.error(answer)


def _item(body: dict[str, Any]) -> str:
    """What was asked for, for the log: the command, the action_id or the callback_id."""
    if body.get("command"):
        return str(body["command"])
    actions = body.get("actions") or []
    if actions and isinstance(actions[0], dict):
        return str(actions[0].get("action_id", ""))
    view = body.get("view") or {}
    return str(body.get("callback_id") or view.get("callback_id") or (body.get("event") or {}).get("type") or "")
