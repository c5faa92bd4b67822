"""`socialops ingest FILE`: import JSON Lines or CSV exports of comments and DMs."""

from __future__ import annotations

from pathlib import Path

import click

from socialops.cli_options import config_option


def register(group: click.Group) -> None:
    @group.command("ingest")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @config_option
    @click.option("--max-errors", default=20, show_default=True, help="How many rejected lines to list.")
    def ingest(file: Path, config_path: Path | None, max_errors: int) -> None:
        """Store the comments and DMs in FILE (.jsonl or .csv) for the worker.

        Columns: platform, kind, id, author, text, post_id, time (ISO 8601), follower, vip; optional
        author_id, campaign, parent_id. Bad lines are reported with their line number and the rest goes in;
        ingesting the same file twice stores nothing twice.
        """
        from moderation.ingest.importer import ingest_file
        from moderation.storage import Database
        from socialops.config import load_settings

        settings = load_settings(config_path)
        db = Database(settings.database_url)
        report = ingest_file(db, file)
        for line, error in report.rejected[:max_errors]:
            click.echo(f"{file}:{line}: rejected: {error}", err=True)
        if len(report.rejected) > max_errors:
            click.echo(f"... and {len(report.rejected) - max_errors} more rejected lines", err=True)
        click.echo(report.summary())
