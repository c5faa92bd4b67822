"""`socialops run`: the long-running process a team deploys."""

from __future__ import annotations

from pathlib import Path

import click

from socialops.cli_options import config_option


def register(group: click.Group) -> None:
    @group.command("run")
    @config_option
    @click.option("--console-input/--no-console-input", default=None,
                  help="Read approve/edit/reject commands from stdin (default: when stdin is a terminal).")
    @click.pass_context
    def run(ctx: click.Context, config_path: Path | None, console_input: bool | None) -> None:
        """Start every component the configuration enables (worker, timers, chat surfaces) until SIGTERM.

        On SIGTERM or Ctrl-C the batch in flight finishes and commits before the process exits; every component
        gets worker.stop_seconds (default 10) to stop, then the process exits regardless. A component that cannot
        start (a refused token, an unreachable service) ends the process with one line and exit code 1."""
        import asyncio
        import os

        from moderation.storage import Database
        from socialops.app import App
        from socialops.compose.processes import build_components
        from socialops.config import load_settings
        from socialops.errors import UserError

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        settings = load_settings(config_path)
        db = Database(settings.database_url)

        async def main() -> App:
            app = App(build_components(settings, db, console_input=console_input), on_stop=db.dispose,
                      stop_seconds=settings.worker.stop_seconds, hard_exit=True)
            await app.run()
            return app

        app = asyncio.run(main())
        if app.failure:
            raise UserError(app.failure)
        ctx.exit(1 if app.failed else 0)
