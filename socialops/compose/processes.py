"""The processes' components (scheduler, worker loop, chat surfaces, webhook server, pollers), built from the
settings. New surfaces plug in here."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.approvals import ApprovalService
from bot.cadence import monthly_review, weekly_ops
from bot.console import ConsoleSurface
from bot.console_input import ConsoleInput
from bot.digest import build_daily_digest
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.kpi_answers import KpiAnswers
from bot.kpi_questions import KpiResponder
from bot.kpi_source import KpiSource
from bot.reminders import ApprovalReminders
from bot.reviews import ReviewService
from bot.surface import ChatSurface
from bot.views import DigestView
from moderation.act.outbox import Outbox
from moderation.classifier.base import TextClassifier
from moderation.domain import Platform, utcnow
from moderation.ingest.author_names import AuthorNames, AuthorNamesComponent
from moderation.measure.kpis import KpiSettings
from moderation.pipeline.loop import WorkerLoop
from moderation.pipeline.worker import ModerationWorker
from moderation.platforms.base import PlatformConnector
from moderation.runtime.leader import LeaderLock, SoleLeader, leader_lock_for
from moderation.runtime.timers import Timers, register_handler
from moderation.storage import Database
from socialops.app import Component
from socialops.compose.core import (
    account_capabilities,
    authorizer,
    build_classifier,
    build_knowledge,
    build_library,
    build_oncall,
    build_platform_connectors,
    build_pollers,
    build_webhook_app,
    rate_limiter,
    slack_channels,
    worker_settings,
)
from socialops.compose.crm import CrmComponent, build_crm_outbox
from socialops.config import Settings
from socialops.webserver import PollerComponent, WebhookComponent

logger = logging.getLogger(__name__)


class SchedulerComponent:
    """Runs the APScheduler timers (follow-ups, digests, pages, reminders) in exactly one process across all
    that share the database: the holder of the leader lock. The others run it paused (they store jobs, never
    run them), retry every `retry_seconds` and take over when the holder dies. While leading, it looks at the
    job store and runs `reconcile` every `reconcile_seconds`, so every `scheduled` follow-up has a timer;
    handlers compare-and-set, so none fires twice."""

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
        db = self.timers.db  # the lock, the reconcile and the job store all live there: off the event loop
        try:
            while not stopping.is_set():
                if not (self.timers.running or self._start_paused()):
                    pass  # the job store could not be written (the database restarting): next round
                elif not self.leading and await db.run(self.lock.try_acquire):
                    self._lead()
                elif self.leading and not await db.run(self.lock.still_held):
                    self._step_down()
                if self.leading:
                    self.timers.wakeup()  # jobs other processes stored since the last look
                    if self.reconcile is not None:
                        try:
                            await db.run(self.reconcile)
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
            self.timers.shutdown()
            await db.run(self.lock.release)

    def _start_paused(self) -> bool:
        """Start the scheduler paused: it stores jobs (follow-ups, pages, reminders) for whoever leads. Starting
        writes the digest's and reminders' jobs to the store, so a dropped connection fails it; APScheduler
        keeps those jobs pending until a start completes, so the next round simply starts again."""
        try:
            self.timers.start(paused=True)
        except sa.exc.SQLAlchemyError:
            logger.exception("socialops.scheduler.start_failed")
            return False
        return True

    def _lead(self) -> None:
        self.leading = True
        self.timers.resume()
        logger.info("socialops.scheduler.leading", extra={"pid": os.getpid()})

    def _step_down(self) -> None:
        self.leading = False
        self.timers.pause()
        logger.info("socialops.scheduler.stepped_down", extra={"pid": os.getpid()})


def build_worker_components(settings: Settings, db: Database, hub: ChatHub, timers: Timers, *,
                            classifier: TextClassifier | None = None,
                            connectors: Mapping[Platform, PlatformConnector] | None = None) -> list[Component]:
    """The scheduler (gated by the leader lock) and the worker loop: what every worker process runs."""
    if not settings.worker.enabled:
        return [SchedulerComponent(timers, leader_lock_for(db), retry_seconds=settings.worker.leader_retry_seconds)]
    w = settings.worker
    directory = connectors if connectors is not None else build_platform_connectors(settings, db)
    loop = build_worker_loop(settings, db, hub, timers, classifier=classifier, connectors=directory)
    scheduler = SchedulerComponent(timers, leader_lock_for(db), reconcile=loop.reconcile,
                                   retry_seconds=w.leader_retry_seconds)
    # DM authors arrive as ids only (Meta): their names are fetched lazily, cards show the id meanwhile.
    components: list[Component] = [scheduler, loop, AuthorNamesComponent(AuthorNames(db, directory))]
    crm = build_crm_outbox(settings, db)
    if crm is not None:
        components.append(CrmComponent(crm, poll_seconds=w.poll_seconds))
    return components


def build_worker_loop(settings: Settings, db: Database, hub: ChatHub, timers: Timers | None, *,
                      classifier: TextClassifier | None = None,
                      connectors: Mapping[Platform, PlatformConnector] | None = None) -> WorkerLoop:
    """The worker and its outbox; `timers=None` fires due follow-ups inline (batch mode)."""
    classifier = classifier or build_classifier(settings)
    connectors = connectors if connectors is not None else build_platform_connectors(settings, db)
    library = build_library(settings)
    worker = ModerationWorker(db, classifier, library, hub, worker_settings(settings),
                              knowledge=build_knowledge(settings, classifier, db, connectors, library),
                              capabilities=account_capabilities(settings))
    w = settings.worker
    outbox = Outbox(db, connectors,
                    alert=lambda text, _row: hub.notify("alerts", f"dead letter: {text}"),
                    rate_limiter=rate_limiter(settings), max_attempts=settings.connectors.max_attempts,
                    base_delay=w.action_base_delay_seconds, max_delay=w.action_max_delay_seconds,
                    lease_seconds=w.action_lease_seconds)
    return WorkerLoop(worker, outbox, hub, timers=timers, poll_seconds=w.poll_seconds)


def build_components(settings: Settings, db: Database, *, console_input: bool | None = None,
                     kpi_source: KpiSource | None = None) -> list[Component]:
    """`kpi_source` answers /kpi questions; by default the KPI layer over this database."""
    kpi_source = kpi_source or KpiAnswers(db, KpiSettings.from_settings(settings))
    timers = Timers(db, timezone=settings.team.timezone)
    chat = build_chat(settings, db, timers)
    surfaces, slack, discord_surface, hub, escalations = (chat.surfaces, chat.slack, chat.discord_surface, chat.hub,
                                                          chat.escalations)
    approvals = ApprovalService(db, authorizer(settings))
    post_digest = schedule_digest(settings, db, surfaces, timers)
    components: list[Component] = build_worker_components(settings, db, hub, timers)
    if slack is not None:
        components.append(_slack_component(settings, db, slack, hub, approvals, escalations, kpi_source))
    if discord_surface is not None:
        components.append(_discord_component(settings, discord_surface, hub, approvals, kpi_source))

    if settings.webhooks.enabled:
        app = build_webhook_app(settings, db, alert=lambda text: hub.notify("alerts", text))
        components.append(WebhookComponent(app, host=settings.webhooks.host, port=settings.webhooks.port))
    pollers = build_pollers(settings, db)
    if pollers:
        components.append(PollerComponent(pollers, every_seconds=settings.connectors.youtube_poll_seconds))

    if settings.chat.console.enabled and (console_input if console_input is not None else sys.stdin.isatty()):
        console = surfaces[0]
        assert isinstance(console, ConsoleSurface)
        components.append(ConsoleInput(hub, approvals, user=(settings.approvers.console or ("console",))[0],
                                       say=console.console.print, digest=post_digest,
                                       reviews=ReviewService(db, authorizer(settings)), kpis=KpiResponder(kpi_source)))
    return components


@dataclass
class Chat:
    surfaces: list[ChatSurface]
    hub: ChatHub
    escalations: EscalationService
    slack: Any = None
    discord_surface: Any = None


def build_chat(settings: Settings, db: Database, timers: Timers, *, discord: bool = True) -> Chat:
    """The enabled chat surfaces and the hub over them. `socialops worker` passes discord=False: posting to
    Discord needs the gateway connection that `socialops run` holds (it delivers Discord's backlog)."""
    surfaces: list[ChatSurface] = []
    if settings.chat.console.enabled:
        surfaces.append(ConsoleSurface())
    slack = _slack_bundle(settings) if settings.chat.slack.enabled else None
    if slack is not None:
        surfaces.append(slack.surface)
    discord_surface = _discord_surface(settings) if settings.chat.discord.enabled and discord else None
    if discord_surface is not None:
        surfaces.append(discord_surface)
    channels = settings.chat.channels.model_dump()
    escalations = EscalationService(db, build_oncall(settings), surfaces, timers=timers,
                                    alerts_channel=channels["alerts"])
    escalations.register()
    hub = ChatHub(db, surfaces, channels=channels, escalations=escalations)
    if settings.sla.max_reminders:
        hub.reminders = ApprovalReminders(
            db, timers, refresh=hub.approval_changed, notify=lambda text: hub.notify("approvals", text),
            every_minutes=settings.sla.reminder_minutes, limit=settings.sla.max_reminders)
        hub.reminders.register()
    schedule_review_reminders(settings, hub, timers)
    return Chat(surfaces, hub, escalations, slack, discord_surface)


def schedule_review_reminders(settings: Settings, hub: ChatHub, timers: Timers) -> None:
    """Every few minutes (on the scheduler leader), remind the team of review items waiting too long."""
    review = settings.review
    if not review.max_reminders:
        return

    async def remind() -> None:
        await hub.remind_reviews(now=utcnow(), after_minutes=review.reminder_minutes,
                                 max_reminders=review.max_reminders)

    register_handler("review.remind", remind)
    timers.cron("review:remind", "review.remind", minute="*/5")


def schedule_digest(settings: Settings, db: Database, surfaces: list[ChatSurface],
                    timers: Timers) -> Callable[[], Awaitable[None]]:
    """The review cadence on the timers (team timezone): daily digest, weekly operations check, monthly KPI
    review. Returns the daily digest's poster (the console's `digest` command)."""
    kpi_settings = KpiSettings.from_settings(settings)
    team = settings.team.name

    async def post(view: DigestView) -> None:
        for surface in surfaces:
            try:
                await surface.post_digest(view)
            except Exception:  # noqa: BLE001 - Slack down must not keep the digest from the other surfaces
                logger.exception("socialops.compose.digest_failed", extra={"surface": surface.name})

    async def post_digest() -> None:
        await post(await db.run(build_daily_digest, db, now=utcnow(), title=f"{team} — daily digest",
                                settings=kpi_settings))

    async def post_weekly() -> None:
        await post(await db.run(weekly_ops, db, now=utcnow(), settings=kpi_settings,
                                title=f"{team} — weekly operations check"))

    async def post_monthly() -> None:
        await post(await db.run(monthly_review, db, now=utcnow(), settings=kpi_settings,
                                title=f"{team} — monthly KPI review"))

    cadence = settings.digest

    def at(text: str) -> dict[str, int]:
        hour, minute = (int(part) for part in text.split(":"))
        return {"hour": hour, "minute": minute}

    for enabled, name, handler, fields in (
            (cadence.enabled, "digest", post_digest, at(cadence.time)),
            (cadence.weekly, "review:weekly", post_weekly, {"day_of_week": cadence.weekly_day,
                                                            **at(cadence.weekly_time)}),
            (cadence.monthly, "review:monthly", post_monthly, {"day": cadence.monthly_day,
                                                               **at(cadence.monthly_time)})):
        job = "digest:daily" if name == "digest" else name
        if enabled:
            register_handler(name, handler)
            timers.cron(job, name, **fields)
    return post_digest


def _slack_bundle(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.slack.setup import SlackBundle  # slack_bolt is only imported when Slack is enabled

    slack, approvers = settings.chat.slack, settings.approvers
    people = {name: person.slack for name, person in settings.oncall.people.items() if person.slack}
    return SlackBundle(bot_token=settings.secret(slack.bot_token_env), channels=slack_channels(settings),
                       people=people, approver_users=approvers.slack_users, approver_group=approvers.slack_usergroup,
                       approvers_cache_seconds=slack.approvers_cache_seconds, base_url=slack.api_base_url)


def _slack_component(settings: Settings, db: Database, bundle, hub: ChatHub,  # type: ignore[no-untyped-def]
                     approvals: ApprovalService, escalations: EscalationService,
                     kpi_source: KpiSource | None) -> Component:
    slack = settings.chat.slack
    http = slack.mode == "http"
    return bundle.component(
        db, hub=hub, approvals=approvals, escalations=escalations,
        kpis=KpiResponder(kpi_source) if kpi_source is not None else None, mode=slack.mode,
        signing_secret=settings.secret(slack.signing_secret_env) if http else None,
        app_token=None if http else settings.secret(slack.app_token_env), kpi_command=slack.kpi_command,
        host=slack.http_host, port=slack.http_port, path=slack.http_path,
        bot_token_name=f"the bot token (${slack.bot_token_env})",
        app_token_name=f"the app-level token (${slack.app_token_env})")


def _discord_surface(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.discord.component import build_surface  # discord.py is only imported when Discord is enabled

    config = settings.chat.discord
    people = {name: int(person.discord) for name, person in settings.oncall.people.items()
              if person.discord and person.discord.isdigit()}
    return build_surface(guild_id=config.guild_id, channels=config.channels,
                         team_channels=settings.chat.channels.model_dump(), people=people,
                         oncall_role=config.oncall_role, burst=config.burst, per_second=config.per_second)


def _discord_component(settings: Settings, surface, hub: ChatHub,  # type: ignore[no-untyped-def]
                       approvals: ApprovalService, kpi_source: KpiSource | None) -> Component:
    from bot.discord.component import DiscordComponent, connect

    client = connect(surface, hub, approvals, authorize=authorizer(settings),
                     kpis=KpiResponder(kpi_source) if kpi_source is not None else None)
    token_env = settings.chat.discord.token_env
    return DiscordComponent(client, settings.secret(token_env), token_name=f"the bot token (${token_env})")
