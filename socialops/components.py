"""Builds the components `socialops run` starts, from the settings. New surfaces plug in here."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.approvals import ApprovalService
from bot.console import ConsoleSurface
from bot.console_input import ConsoleInput
from bot.digest import build_digest
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.kpi_answers import KpiAnswers
from bot.kpi_questions import KpiResponder
from bot.kpi_source import KpiSource
from bot.reminders import ApprovalReminders
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
    build_oncall,
    build_platform_connectors,
    build_webhook_app,
    connector_options,
    rate_limiter,
    slack_channels,
    worker_settings,
)
from socialops.webserver import PollerComponent, WebhookComponent

logger = logging.getLogger(__name__)


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


def build_components(settings: Settings, db: Database, *, console_input: bool | None = None,
                     kpi_source: KpiSource | None = None) -> list[Component]:
    """`kpi_source` answers /kpi questions; by default the KPI layer over this database."""
    kpi_source = kpi_source or KpiAnswers(db, KpiSettings.from_settings(settings))
    surfaces: list[ChatSurface] = []
    if settings.chat.console.enabled:
        surfaces.append(ConsoleSurface())
    slack = _slack_bundle(settings) if settings.chat.slack.enabled else None
    if slack is not None:
        surfaces.append(slack.surface)
    discord_surface = _discord_surface(settings) if settings.chat.discord.enabled else None
    if discord_surface is not None:
        surfaces.append(discord_surface)
    channels = settings.chat.channels.model_dump()
    timers = Timers(db, timezone=settings.team.timezone)
    escalations = EscalationService(db, build_oncall(settings), surfaces, timers=timers,
                                    alerts_channel=channels["alerts"])
    escalations.register()
    hub = ChatHub(db, surfaces, channels=channels, escalations=escalations)
    if settings.sla.max_reminders:
        hub.reminders = ApprovalReminders(
            db, timers, refresh=hub.approval_changed, notify=lambda text: hub.notify("approvals", text),
            every_minutes=settings.sla.reminder_minutes, limit=settings.sla.max_reminders)
        hub.reminders.register()
    approvals = ApprovalService(db, authorizer(settings))
    components: list[Component] = [SchedulerComponent(timers)]
    if slack is not None:
        components.append(_slack_component(settings, db, slack, hub, approvals, escalations, kpi_source))
    if discord_surface is not None:
        components.append(_discord_component(settings, discord_surface, hub, approvals, kpi_source))

    async def post_digest() -> None:
        digest = build_digest(db, end=utcnow(), days=1, title=f"{settings.team.name} — daily digest",
                              settings=KpiSettings.from_settings(settings))
        for surface in surfaces:
            try:
                await surface.post_digest(digest)
            except Exception:  # noqa: BLE001 - Slack down must not keep the digest from the other surfaces
                logger.exception("socialops.components.digest_failed", extra={"surface": surface.name})

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
        host=slack.http_host, port=slack.http_port, path=slack.http_path)


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
    return DiscordComponent(client, settings.secret(settings.chat.discord.token_env))
