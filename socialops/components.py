"""Builds the components `socialops run` starts, from the settings. New surfaces plug in here."""

from __future__ import annotations

import asyncio
import sys

from bot.approvals import ApprovalService
from bot.console import ConsoleSurface
from bot.console_input import ConsoleInput
from bot.digest import build_digest
from bot.hub import ChatHub
from bot.surface import ChatSurface
from moderation.domain import utcnow
from moderation.kpis import KpiSettings
from moderation.outbox import Outbox
from moderation.platforms.registry import build_youtube_pollers
from moderation.storage import Database
from moderation.timers import Timers, register_handler
from moderation.worker import ModerationWorker
from moderation.worker_loop import WorkerLoop
from socialops.app import Component
from socialops.config import Settings
from socialops.runtime import (
    authorizer,
    build_classifier,
    build_library,
    build_platform_connectors,
    build_webhook_app,
    connector_options,
    rate_limiter,
    worker_settings,
)
from socialops.webserver import PollerComponent, WebhookComponent


class SchedulerComponent:
    """Runs the APScheduler timers (follow-ups, digests) for this process."""

    name = "scheduler"

    def __init__(self, timers: Timers) -> None:
        self.timers = timers

    async def run(self, stopping: asyncio.Event) -> None:
        self.timers.start()
        try:
            await stopping.wait()
        finally:
            self.timers.shutdown()


def build_components(settings: Settings, db: Database, *, console_input: bool | None = None) -> list[Component]:
    surfaces: list[ChatSurface] = []
    if settings.chat.console.enabled:
        surfaces.append(ConsoleSurface())
    hub = ChatHub(db, surfaces, channels=settings.chat.channels.model_dump())
    approvals = ApprovalService(db, authorizer(settings))
    timers = Timers(db, timezone=settings.team.timezone)
    components: list[Component] = [SchedulerComponent(timers)]

    async def post_digest() -> None:
        digest = build_digest(db, end=utcnow(), days=1, title=f"{settings.team.name} — daily digest",
                              settings=KpiSettings.from_settings(settings))
        for surface in surfaces:
            await surface.post_digest(digest)

    if settings.digest.enabled:
        hour, minute = (int(part) for part in settings.digest.time.split(":"))
        register_handler("digest", post_digest)
        timers.cron("digest:daily", "digest", hour=hour, minute=minute)

    if settings.worker.enabled:
        worker = ModerationWorker(db, build_classifier(settings), build_library(settings), hub,
                                  worker_settings(settings))
        outbox = Outbox(db, build_platform_connectors(settings, db), rate_limiter=rate_limiter(settings),
                        max_attempts=settings.connectors.max_attempts,
                        alert=lambda text, _row: hub.notify("alerts", f"dead letter: {text}"))
        components.append(WorkerLoop(worker, outbox, hub, timers=timers, poll_seconds=settings.worker.poll_seconds))

    if settings.webhooks.enabled:
        components.append(WebhookComponent(build_webhook_app(settings, db), host=settings.webhooks.host,
                                           port=settings.webhooks.port))
    pollers = build_youtube_pollers(settings.accounts, db, secret=settings.secret,
                                    options=connector_options(settings))
    if pollers:
        components.append(PollerComponent(pollers, every_seconds=settings.connectors.youtube_poll_seconds))

    if settings.chat.console.enabled and (console_input if console_input is not None else sys.stdin.isatty()):
        console = surfaces[0]
        assert isinstance(console, ConsoleSurface)
        components.append(ConsoleInput(hub, approvals, user=(settings.approvers.console or ("console",))[0],
                                       say=console.console.print, digest=post_digest))
    return components


