"""`socialops run`: the long-running process a team deploys."""

from __future__ import annotations

from pathlib import Path

import click


def register(group: click.Group) -> None:
    @group.command("run")
    @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Team configuration file (default: $SOCIALOPS_CONFIG, then socialops.yaml).")
    @click.option("--console-input/--no-console-input", default=None,
                  help="Read approve/edit/reject commands from stdin (default: when stdin is a terminal).")
    @click.pass_context
    def run(ctx: click.Context, config_path: Path | None, console_input: bool | None) -> None:
        """Start every component the configuration enables (worker, timers, chat surfaces) until SIGTERM.

        On SIGTERM or Ctrl-C the batch in flight finishes and commits before the process exits."""
        import asyncio
        import os

        from moderation.storage import Database
        from socialops.app import App
        from socialops.compose.processes import build_components
        from socialops.config import load_settings

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        settings = load_settings(config_path)
        db = Database(settings.database_url)

        async def main() -> int:
            app = App(build_components(settings, db, console_input=console_input), on_stop=db.dispose)
            return await app.run()

        ctx.exit(asyncio.run(main()))
