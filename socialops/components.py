"""Builds the components `socialops run` starts, from the settings. New surfaces plug in here."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping

from bot.approvals import ApprovalService
from bot.console import ConsoleSurface
from bot.console_input import ConsoleInput
from bot.digest import build_digest
from bot.hub import ChatHub
from bot.surface import ChatSurface
from moderation.classifier.base import TextClassifier
from moderation.domain import Platform, utcnow
from moderation.leader import LeaderLock, SoleLeader, leader_lock_for
from moderation.outbox import Outbox
from moderation.platforms.base import PlatformConnector
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

logger = logging.getLogger(__name__)


class SchedulerComponent:
    """Runs the APScheduler timers (follow-ups, digests) in exactly one process across all that share the
    database: the holder of the leader lock. The others retry every `retry_seconds` and take over when the
    holder dies. While leading, `reconcile` runs every `reconcile_seconds` so timers for follow-ups planned
    by other processes (or lost with a dead leader) exist; handlers compare-and-set, so none fires twice."""

    name = "scheduler"

    def __init__(self, timers: Timers, lock: LeaderLock | None = None, *,
                 reconcile: Callable[[], None] | None = None, retry_seconds: float = 3.0,
                 reconcile_seconds: float = 5.0) -> None:
        self.timers = timers
        self.lock = lock or SoleLeader()
        self.reconcile = reconcile
        self.retry_seconds = retry_seconds
        self.reconcile_seconds = reconcile_seconds
        self.leading = False

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            while not stopping.is_set():
                if not self.leading and await asyncio.to_thread(self.lock.try_acquire):
                    self._lead()
                elif self.leading and not await asyncio.to_thread(self.lock.still_held):
                    self._step_down()
                if self.leading and self.reconcile is not None:
                    try:
                        await asyncio.to_thread(self.reconcile)
                    except Exception:  # noqa: BLE001 - e.g. the database restarting: next round
                        logger.exception("socialops.scheduler.reconcile_failed")
                wait = self.reconcile_seconds if self.leading else self.retry_seconds
                try:
                    await asyncio.wait_for(stopping.wait(), timeout=wait)
                except TimeoutError:
                    pass
        finally:
            if self.leading:
                self._step_down()
            await asyncio.to_thread(self.lock.release)

    def _lead(self) -> None:
        self.leading = True
        self.timers.start()
        logger.warning("socialops.scheduler.leading", extra={"pid": os.getpid()})

    def _step_down(self) -> None:
        self.leading = False
        self.timers.shutdown()
        # APScheduler cannot be started twice; a fresh one is ready for the next time we lead.
        self.timers.reset()
        logger.warning("socialops.scheduler.stepped_down", extra={"pid": os.getpid()})


def build_surfaces(settings: Settings) -> list[ChatSurface]:
    """The chat surfaces the configuration enables (used by `run` and, for outbound posts, by `worker`)."""
    surfaces: list[ChatSurface] = []
    if settings.chat.console.enabled:
        surfaces.append(ConsoleSurface())
    return surfaces


def build_worker_components(settings: Settings, db: Database, hub: ChatHub, timers: Timers, *,
                            classifier: TextClassifier | None = None,
                            connectors: Mapping[Platform, PlatformConnector] | None = None) -> list[Component]:
    """The scheduler (gated by the leader lock) and the worker loop: what every worker process runs."""
    if not settings.worker.enabled:
        return [SchedulerComponent(timers, leader_lock_for(db), retry_seconds=settings.worker.leader_retry_seconds)]
    worker = ModerationWorker(db, classifier or build_classifier(settings), build_library(settings), hub,
                              worker_settings(settings))
    w = settings.worker
    outbox = Outbox(db, connectors if connectors is not None else build_platform_connectors(settings, db),
                    alert=lambda text, _row: hub.notify("alerts", f"dead letter: {text}"),
                    rate_limiter=rate_limiter(settings), max_attempts=settings.connectors.max_attempts,
                    base_delay=w.action_base_delay_seconds, max_delay=w.action_max_delay_seconds,
                    lease_seconds=w.action_lease_seconds)
    loop = WorkerLoop(worker, outbox, hub, timers=timers, poll_seconds=w.poll_seconds)
    scheduler = SchedulerComponent(timers, leader_lock_for(db), reconcile=loop.reconcile,
                                   retry_seconds=w.leader_retry_seconds)
    return [scheduler, loop]


def build_components(settings: Settings, db: Database, *, console_input: bool | None = None) -> list[Component]:
    surfaces = build_surfaces(settings)
    hub = ChatHub(db, surfaces, channels=settings.chat.channels.model_dump())
    approvals = ApprovalService(db, authorizer(settings))
    timers = Timers(db, timezone=settings.team.timezone)
    post_digest = schedule_digest(settings, db, surfaces, timers)
    components: list[Component] = build_worker_components(settings, db, hub, timers)

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


def schedule_digest(settings: Settings, db: Database, surfaces: list[ChatSurface],
                    timers: Timers) -> Callable[[], Awaitable[None]]:
    async def post_digest() -> None:
        digest = build_digest(db, end=utcnow(), days=1, title=f"{settings.team.name} — daily digest")
        for surface in surfaces:
            await surface.post_digest(digest)

    if settings.digest.enabled:
        hour, minute = (int(part) for part in settings.digest.time.split(":"))
        register_handler("digest", post_digest)
        timers.cron("digest:daily", "digest", hour=hour, minute=minute)
    return post_digest
