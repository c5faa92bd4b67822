"""`socialops db`: schema migrations for operators (the database is also migrated whenever it is opened)."""

from __future__ import annotations

from pathlib import Path

import click

_CONFIG = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                       help="Team configuration file (default: socialops.yaml if present).")


def register(group: click.Group) -> None:
    @group.group("db")
    def db_group() -> None:
        """Database schema: upgrade and inspect migrations."""

    @db_group.command("upgrade")
    @_CONFIG
    def upgrade(config_path: Path | None) -> None:
        """Apply every pending migration, keeping existing data."""
        from moderation.storage import Database, redact_url
        from socialops.config import load_settings

        db = Database(load_settings(config_path).database_url)
        click.echo(f"{redact_url(db.url)} is at {', '.join(_current(db))}")

    @db_group.command("current")
    @_CONFIG
    def current(config_path: Path | None) -> None:
        """Show the revisions the database is at, without changing it."""
        from moderation.storage import Database, redact_url
        from socialops.config import load_settings

        db = Database(load_settings(config_path).database_url, migrate=False)
        heads = _current(db)
        click.echo(f"{redact_url(db.url)} is at {', '.join(heads) or 'no revision (empty database)'}")


def _current(db) -> list[str]:  # type: ignore[no-untyped-def]
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())
