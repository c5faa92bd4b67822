"""Shared fixtures: databases on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from moderation.storage import Database
from tests.support.databases import fresh_postgres_url, postgres_base_url, sqlite_url

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(pytest.param("postgres", id="postgres", marks=pytest.mark.skipif(
        postgres_base_url() is None, reason="SOCIALOPS_TEST_POSTGRES_URL not set")))
    return params


@pytest.fixture(params=backends())
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with fresh_postgres_url(postgres_base_url()) as url:  # type: ignore[arg-type]
        yield url


@pytest.fixture
def db(db_url) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path) -> Iterator[Database]:
    database = Database(sqlite_url(tmp_path))
    yield database
    database.dispose()
