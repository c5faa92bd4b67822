"""`socialops worker`: only the worker loop (moderation, outbox, follow-ups), to run as many processes as the
load needs on one PostgreSQL database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from socialops.cli_options import config_option

if TYPE_CHECKING:
    from collections.abc import Mapping

    from moderation.classifier.base import TextClassifier
    from moderation.domain import Platform
    from moderation.platforms.base import PlatformConnector
    from moderation.storage import Database
    from socialops.config import Settings


async def run_worker(settings: Settings, db: Database, *, metrics_port: int | None = None,
                     metrics_host: str = "127.0.0.1", classifier: TextClassifier | None = None,
                     connectors: Mapping[Platform, PlatformConnector] | None = None) -> int:
    """Run the worker components until SIGTERM; returns the exit code. `classifier` and `connectors` replace
    the configured ones (benchmarks and fault tests inject cheap, countable ones; the CLI never does)."""
    from moderation.runtime.health import MetricsServer
    from moderation.runtime.timers import Timers
    from socialops.app import App, Component
    from socialops.compose.processes import build_chat, build_worker_components, schedule_digest

    timers = Timers(db, timezone=settings.team.timezone)
    # Outbound chat only (cards, pages, notices); Slack and Discord listeners run in `socialops run`.
    chat = build_chat(settings, db, timers, discord=False)
    # Every process registers the timer handlers; only the scheduler leader ever fires them.
    schedule_digest(settings, db, chat.surfaces, timers)
    components: list[Component] = build_worker_components(settings, db, chat.hub, timers, classifier=classifier,
                                                          connectors=connectors)
    if metrics_port is not None:
        components.append(MetricsServer(db, metrics_port, metrics_host))
    app = App(components, on_stop=db.dispose, stop_seconds=settings.worker.stop_seconds, hard_exit=True)
    code = await app.run()
    if app.failure:  # e.g. the metrics port in use: one line and exit code 1, for the supervisor
        from socialops.errors import UserError

        raise UserError(app.failure)
    return code


def register(group: click.Group) -> None:
    @group.command("worker")
    @config_option
    @click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
                  help="Serve /healthz and Prometheus /metrics on this port.")
    @click.option("--metrics-host", default="127.0.0.1", show_default=True, help="Address for --metrics-port.")
    @click.option("--until-idle", is_flag=True,
                  help="Batch mode: process the queue and every timer already due, then exit 0 (backfills, cron).")
    @click.pass_context
    def worker(ctx: click.Context, config_path: Path | None, metrics_port: int | None, metrics_host: str,
               until_idle: bool) -> None:
        """Run the moderation worker only: claim, classify, decide, act, follow up.

        Start as many as you need against one PostgreSQL database (SOCIALOPS_DATABASE_URL): each interaction
        is claimed by one process; one process at a time runs the timers and the others take over if it dies.
        SIGTERM lets the batch in flight finish. With --until-idle it stops when nothing is left to do."""
        import asyncio
        import os

        from moderation.storage import Database
        from socialops.config import load_settings

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        settings = load_settings(config_path)
        db = Database(settings.database_url)
        if until_idle:
            from socialops.compose.batch import run_until_idle

            try:
                report = asyncio.run(run_until_idle(settings, db))
            finally:
                db.dispose()
            click.echo(report.summary())
            ctx.exit(0)
        ctx.exit(asyncio.run(run_worker(settings, db, metrics_port=metrics_port, metrics_host=metrics_host)))
