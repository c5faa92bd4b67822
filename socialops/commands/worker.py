"""`socialops worker`: only the worker loop (moderation, outbox, follow-ups), to run as many processes as the
load needs on one PostgreSQL database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

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
    return await App(components, on_stop=db.dispose).run()


def register(group: click.Group) -> None:
    @group.command("worker")
    @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Team configuration file (default: $SOCIALOPS_CONFIG, then socialops.yaml).")
    @click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
                  help="Serve /healthz and Prometheus /metrics on this port.")
    @click.option("--metrics-host", default="127.0.0.1", show_default=True, help="Address for --metrics-port.")
    @click.pass_context
    def worker(ctx: click.Context, config_path: Path | None, metrics_port: int | None, metrics_host: str) -> None:
        """Run the moderation worker only: claim, classify, decide, act, follow up.

        Start as many as you need against one PostgreSQL database (SOCIALOPS_DATABASE_URL): each interaction
        is claimed by one process; one process at a time runs the timers and the others take over if it dies.
        SIGTERM lets the batch in flight finish."""
        import asyncio
        import os

        from moderation.storage import Database
        from socialops.config import load_settings

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        settings = load_settings(config_path)
        db = Database(settings.database_url)
        ctx.exit(asyncio.run(run_worker(settings, db, metrics_port=metrics_port, metrics_host=metrics_host)))
