"""`socialops db`: schema migrations for operators (the database is also migrated whenever it is opened)."""

from __future__ import annotations

from pathlib import Path

import click

from socialops.cli_options import config_option

_CONFIG = config_option


def register(group: click.Group) -> None:
    @group.group("db")
    def db_group() -> None:
        """Database schema: upgrade and inspect migrations."""

    @db_group.command("upgrade")
    @_CONFIG
    def upgrade(config_path: Path | None) -> None:
        """Apply every pending migration, keeping existing data."""
        from moderation.storage import Database
        from socialops.config import load_settings

        click.echo(schema_status(Database(load_settings(config_path).database_url)))

    @db_group.command("current")
    @_CONFIG
    def current(config_path: Path | None) -> None:
        """Say, in one line, which revision the database is at and what is pending, without changing it."""
        from moderation.storage import Database
        from socialops.config import load_settings

        click.echo(schema_status(Database(load_settings(config_path).database_url, migrate=False)))


def schema_status(db) -> str:  # type: ignore[no-untyped-def]
    """One line: the database, the revision it is at, and what is pending. The migrations are branches from
    one root (features added in parallel), so "at" is the newest applied one plus a count of the others."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from moderation.storage import redact_url
    from moderation.storage.database import MIGRATIONS_DIR

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    known = {revision.revision for revision in script.walk_revisions()}
    with db.engine.connect() as connection:
        heads = set(MigrationContext.configure(connection).get_current_heads())
    where = redact_url(db.url)
    unknown = sorted(heads - known)
    if unknown:
        return (f"{where}: at revision {', '.join(unknown)}, which this version of socialops does not know "
                "(written by a newer one?)")
    applied = {revision.revision for revision in script.iterate_revisions(sorted(heads), "base")} if heads else set()
    pending = sorted(known - applied)
    if not applied:
        return f"{where}: empty database, no migration applied ({len(pending)} pending; `socialops db upgrade`)"
    newest = max(applied)
    if not pending:
        return f"{where}: at revision {newest}, up to date ({len(applied)} of {len(known)} migrations applied)"
    return (f"{where}: at revision {newest}, {len(pending)} of {len(known)} migrations pending "
            f"({', '.join(pending)}; `socialops db upgrade` applies them)")
