"""KPI test databases: a SQLite file, and PostgreSQL in its own schema when SOCIALOPS_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from moderation.storage import Database

POSTGRES_ENV = "SOCIALOPS_TEST_POSTGRES_URL"


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


@pytest.fixture(params=_backends())
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'kpis.db'}")
        yield database
        database.dispose()
        return
    import psycopg

    url = os.environ[POSTGRES_ENV]
    schema = f"kpis_{uuid.uuid4().hex[:12]}"  # parallel runs each get their own schema
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    database = Database(f"{url}{separator}options=-csearch_path%3D{schema}")
    try:
        yield database
    finally:
        database.dispose()
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def week_cli(tmp_path, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """The hand-made week in a SQLite file that the CLI reads (env: database URL and a Paris team config);
    returns the database URL."""
    from tests.measure.scenario import build_week

    url = f"sqlite:///{tmp_path / 'week.db'}"
    db = Database(url)
    build_week(db)
    db.dispose()
    config = tmp_path / "socialops.yaml"
    config.write_text("team: {timezone: Europe/Paris}\n", encoding="utf-8")
    monkeypatch.setenv("SOCIALOPS_DATABASE_URL", url)
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(config))
    return url
