"""Alembic environment: runs on the connection the Database hands over, or on a URL for the alembic CLI."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from moderation.storage import tables  # noqa: F401 - registers the tables on SQLModel.metadata

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        import sqlalchemy as sa

        from moderation.storage.database import _normalise_url, database_url

        engine = sa.create_engine(_normalise_url(database_url()))
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _include(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # APScheduler owns its job table; migrations must never try to drop it.
    return not (type_ == "table" and name == "apscheduler_jobs")


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      include_object=_include)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
