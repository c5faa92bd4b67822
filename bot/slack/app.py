"""Builds the slack-bolt AsyncApp (injected client, signature checks in HTTP mode, retry dedupe) and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, commands, events, unknown, views
from moderation.runtime.lifecycle import CannotStart

logger = logging.getLogger(__name__)


def build_app(deps: SlackDeps, *, signing_secret: str | None, http_mode: bool) -> AsyncApp:
    """`signing_secret` is required in HTTP mode: Bolt then verifies every request's signature and refuses
    stale timestamps (older than 5 minutes). Socket Mode traffic arrives over an authenticated websocket."""
    if http_mode and not signing_secret:
        raise ValueError("HTTP mode needs the Slack signing secret")
    # Bolt also reads SLACK_BOT_TOKEN itself and warns that the injected client wins: expected here, so quiet.
    bolt_logger = logging.getLogger("bot.slack.bolt")
    bolt_logger.addFilter(_QUIET_CLIENT_WARNING)
    app = AsyncApp(client=deps.surface.client, signing_secret=signing_secret, logger=bolt_logger,
                   request_verification_enabled=http_mode,
                   # The listeners ack first and do their work in lazy listeners (after the ack), so the
                   # 3-second deadline holds in both modes.
                   process_before_response=False,
                   # Unknown commands, buttons and forms reach listeners/unknown.py instead of a 404.
                   raise_error_for_unhandled_request=True)
    app.middleware(_skip_retried_events(deps))
    for listeners in (actions, views, commands, events, unknown):
        listeners.register(app, deps)
    return app


class _QuietInjectedClientWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_QUIET_CLIENT_WARNING = _QuietInjectedClientWarning()


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
    """Runs the Bolt app for `socialops run`: Socket Mode (no public URL) or an HTTP endpoint.

    Before serving it checks the bot token (auth.test) and, in Socket Mode, opens the connection URL with the
    app-level token itself: the SDK's own connect retries a refused token forever, so the component would
    neither start nor fail. A refused token or an unreachable Slack raises CannotStart; every wait races
    `stopping`, so the component returns promptly when asked to, connected or not."""

    name = "slack"

    def __init__(self, app: AsyncApp, *, mode: str, app_token: str | None = None, host: str = "0.0.0.0",
                 port: int = 3000, path: str = "/slack/events", bot_token_name: str = "the bot token",
                 app_token_name: str = "the app-level token") -> None:
        self.app = app
        self.mode = mode
        self.app_token = app_token
        self.host, self.port, self.path = host, port, path
        self.bot_token_name, self.app_token_name = bot_token_name, app_token_name
        self.bound_port: int | None = None
        self.ready = asyncio.Event()  # set once Socket Mode is connected or the HTTP port is bound

    async def run(self, stopping: asyncio.Event) -> None:
        if not await until_stopped(self._check_bot_token(), stopping):
            return
        if self.mode == "socket":
            await self._run_socket(stopping)
        else:
            await self._run_http(stopping)

    async def _check_bot_token(self) -> None:
        try:
            await self.app.client.auth_test()
        except SlackApiError as exc:
            raise CannotStart("slack", f"Slack refused {self.bot_token_name} ({_error(exc)})") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise CannotStart("slack", f"cannot reach the Slack API ({exc.__class__.__name__})") from None

    async def _open_socket_url(self, handler: AsyncSocketModeHandler) -> None:
        try:  # not the SDK's issue_new_wss_url, which logs the refusal as an error with a traceback's worth
            opened = await self.app.client.apps_connections_open(app_token=self.app_token or "")
            handler.client.wss_uri = str(opened["url"])
        except SlackApiError as exc:
            raise CannotStart("slack", f"Slack refused {self.app_token_name} for Socket Mode "
                                       f"({_error(exc)})") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise CannotStart("slack", f"cannot reach Slack for Socket Mode ({exc.__class__.__name__})") from None

    async def _run_socket(self, stopping: asyncio.Event) -> None:
        handler = AsyncSocketModeHandler(self.app, self.app_token)
        try:
            if not await until_stopped(self._open_socket_url(handler), stopping):
                return
            # The SDK reconnects by itself after drops and `disconnect` envelopes; its connect retries until the
            # websocket opens, which the race with `stopping` keeps from holding up a stop.
            if not await until_stopped(handler.connect_async(), stopping):
                return
            logger.info("bot.slack.connected", extra={"mode": "socket"})
            self.ready.set()
            await stopping.wait()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(handler.close_async(), timeout=5)
            logger.info("bot.slack.stopped", extra={"mode": "socket"})

    async def _run_http(self, stopping: asyncio.Event) -> None:
        runner = web.AppRunner(self.app.web_app(path=self.path))
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise CannotStart("slack", f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc})") from None
        self.bound_port = runner.addresses[0][1] if runner.addresses else self.port
        logger.info("bot.slack.listening", extra={"mode": "http", "port": self.bound_port, "path": self.path})
        self.ready.set()
        try:
            await stopping.wait()
        finally:
            await runner.cleanup()


async def until_stopped(work: Awaitable[Any], stopping: asyncio.Event) -> bool:
    """Run `work` until it finishes (True; its exception propagates) or `stopping` is set first (False, and
    the work is cancelled)."""
    task = asyncio.ensure_future(work)
    stop = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
            return True
        return False
    finally:
        stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=2)


def _error(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "no error code")
    except AttributeError:
        return "no error code"
