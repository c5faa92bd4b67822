"""Database access: one URL (SQLite by default, PostgreSQL for scale), migrations applied at open."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

logger = logging.getLogger(__name__)

DATABASE_URL_ENV = "SOCIALOPS_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///socialops.db"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x50C1A10B5_0002  # a fixed advisory-lock key for schema migrations
# Threads that run the database work of async code (`Database.run`). Fewer than the PostgreSQL pool (10), so
# every thread finds a connection without waiting on the pool, with room left for synchronous callers.
DATABASE_THREADS = 8

P = ParamSpec("P")
T = TypeVar("T")


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated."""


class DatabaseUrlError(DatabaseError, ValueError):
    """A database URL that cannot be used; the message says what to write and never shows the URL (it may
    hold a password)."""


SUPPORTED_BACKENDS = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}
URL_EXAMPLES = "sqlite:///path/to/socialops.db or postgresql://user@host:5432/dbname"


def database_url(explicit: str | None = None) -> str:
    """`explicit` (a caller's own URL, e.g. the demo's file), else $SOCIALOPS_DATABASE_URL, else the default.
    The team file's `database_url` loses to the environment: `socialops.config` applies that rule."""
    return explicit or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def check_database_url(url: str) -> str:
    """`url` if it names a supported database with a readable host and port; else DatabaseUrlError."""
    try:
        parsed = sa.engine.make_url(url)
        port = parsed.port
    except ValueError as exc:
        if "int()" in str(exc):
            raise DatabaseUrlError(f"the database URL's port is not a number; write it as {URL_EXAMPLES}") from None
        raise DatabaseUrlError(f"the database URL cannot be read (not shown: it may hold a password); "
                               f"write it as {URL_EXAMPLES}") from None
    except (sa.exc.ArgumentError, TypeError):
        raise DatabaseUrlError(f"the database URL cannot be read (not shown: it may hold a password); "
                               f"write it as {URL_EXAMPLES}") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUrlError(f"unsupported database {backend[:20]!r} in the database URL; use {URL_EXAMPLES}")
    if port is not None and not 0 < port < 65536:
        raise DatabaseUrlError(f"the database URL's port {port} is not between 1 and 65535")
    return url


def _normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// URLs would ask SQLAlchemy for psycopg2.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _in_memory(url: str) -> bool:
    parsed = sa.engine.make_url(url)
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def redact_url(url: str) -> str:
    """The URL without its password, for logs and errors; an unreadable one is not shown at all (where its
    password starts is anyone's guess: `postgres:PASS@host/db`)."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - any failure: show nothing of it
        return "(unreadable database URL)"


class Database:
    """Owns the engine; hands out short sessions. Sync on purpose: SQLite and PostgreSQL share one code path,
    and the same services serve the CLI and the long-running process. Async code never opens a session on
    the event loop: it hands the blocking work to `run`, so a long transaction (a worker batch, a lock wait
    on SQLite) never delays a chat acknowledgement or a webhook answer. See `bench/db_offloop.py` for why
    threads rather than an async engine."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        chosen = database_url(url)
        try:
            check_database_url(chosen)
        except DatabaseUrlError as exc:
            origin = f"${DATABASE_URL_ENV}: " if chosen == os.environ.get(DATABASE_URL_ENV) else ""
            raise DatabaseUrlError(f"{origin}{exc}") from None
        self.url = _normalise_url(chosen)
        self.is_sqlite = self.url.startswith("sqlite")
        self.in_memory = self.is_sqlite and _in_memory(self.url)
        self._threads: ThreadPoolExecutor | None = None
        self._threads_lock = threading.Lock()
        try:
            self.engine = self._create_engine()
            if migrate:
                self.migrate()
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"cannot open database {redact_url(self.url)}: {exc.__class__.__name__}: "
                                f"{str(exc).splitlines()[0]}") from exc

    def _create_engine(self) -> Engine:
        if self.is_sqlite:
            # An in-memory database lives in one connection: every thread must get that one (StaticPool), and
            # `run` then uses a single thread so it is never used by two of them at once.
            pool = {"poolclass": sa.pool.StaticPool} if self.in_memory else {}
            engine = sa.create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

            @sa.event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                cursor = dbapi_connection.cursor()
                # WAL lets readers (KPIs, the bot) run beside the worker; foreign keys keep rows honest.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()

            return engine
        return sa.create_engine(self.url, pool_pre_ping=True, pool_size=10, max_overflow=10)

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic), keeping existing data."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                # Many workers starting at once on one database: one migrates, the others wait and find it done.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")  # parallel feature branches may each add a head
        logger.debug("moderation.storage.migrated", extra={"url": redact_url(self.url)})

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    async def run(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` in one of this database's threads, awaited from the event loop.

        `work` opens its own sessions (a session and its rows never cross threads while open; rows come back
        detached, loaded). Its own threads, not the loop's default executor, so database work can neither be
        starved by nor starve the classifier and DNS look-ups that use that one; the context (log fields) is
        carried over as `asyncio.to_thread` does."""
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, work, *args, **kwargs)
        return await loop.run_in_executor(self._executor(), call)

    def _executor(self) -> ThreadPoolExecutor:
        with self._threads_lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(1 if self.in_memory else DATABASE_THREADS,
                                                   thread_name_prefix="socialops-db")
            return self._threads

    def dispose(self) -> None:
        with self._threads_lock:
            threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=True)
        self.engine.dispose()
