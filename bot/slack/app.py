"""Builds the slack-bolt AsyncApp (injected client, signature checks in HTTP mode, retry dedupe) and runs it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, commands, events, views

logger = logging.getLogger(__name__)


def build_app(deps: SlackDeps, *, signing_secret: str | None, http_mode: bool) -> AsyncApp:
    """`signing_secret` is required in HTTP mode: Bolt then verifies every request's signature and refuses
    stale timestamps (older than 5 minutes). Socket Mode traffic arrives over an authenticated websocket."""
    if http_mode and not signing_secret:
        raise ValueError("HTTP mode needs the Slack signing secret")
    app = AsyncApp(client=deps.surface.client, signing_secret=signing_secret,
                   request_verification_enabled=http_mode,
                   # The listeners ack first and do their work in lazy listeners (after the ack), so the
                   # 3-second deadline holds in both modes.
                   process_before_response=False)
    app.middleware(_skip_retried_events(deps))
    for listeners in (actions, views, commands, events):
        listeners.register(app, deps)
    return app


def _skip_retried_events(deps: SlackDeps) -> Callable[..., Awaitable[BoltResponse]]:
    async def skip_retried_events(body: dict[str, Any], request: AsyncBoltRequest, response: BoltResponse,
                                  next: Callable[[], Awaitable[None]]) -> BoltResponse:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await deps.dedupe.db.run(deps.dedupe.first_time, "slack", event_id):
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            logger.info("bot.slack.event_retry_ignored", extra={"event_id": event_id, "retry": retry})
            return BoltResponse(status=200, body="")  # acknowledged, so Slack stops retrying
        await next()
        return response

    return skip_retried_events


class SlackComponent:
    """Runs the Bolt app for `socialops run`: Socket Mode (no public URL) or an HTTP endpoint."""

    name = "slack"

    def __init__(self, app: AsyncApp, *, mode: str, app_token: str | None = None, host: str = "0.0.0.0",
                 port: int = 3000, path: str = "/slack/events") -> None:
        self.app = app
        self.mode = mode
        self.app_token = app_token
        self.host, self.port, self.path = host, port, path
        self.bound_port: int | None = None
        self.ready = asyncio.Event()  # set once Socket Mode is connected or the HTTP port is bound

    async def run(self, stopping: asyncio.Event) -> None:
        if self.mode == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(self.app, self.app_token)
            await handler.connect_async()
            logger.warning("bot.slack.connected", extra={"mode": "socket"})
            self.ready.set()
            try:
                await stopping.wait()
            finally:
                await handler.close_async()
            return
        runner = web.AppRunner(self.app.web_app(path=self.path))
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.bound_port = runner.addresses[0][1] if runner.addresses else self.port
        logger.warning("bot.slack.listening", extra={"mode": "http", "port": self.bound_port, "path": self.path})
        self.ready.set()
        try:
            await stopping.wait()
        finally:
            await runner.cleanup()
