"""Leader election across worker processes: exactly one holds the lock and runs the scheduler.

PostgreSQL: a session-level advisory lock on a dedicated connection, held for the life of the leader; when the
leader dies its session ends and the lock is free for the next process that retries. SQLite: an exclusive
file lock beside the database file, which the operating system drops with the process.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from moderation.storage import Database

logger = logging.getLogger(__name__)

# A fixed 64-bit key, so every socialops process on one database competes for the same lock.
SCHEDULER_LOCK_KEY = 0x50C1A10B5_0001


class LeaderLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it (also when it already did)."""

    def still_held(self) -> bool:
        """False once the lock was lost (e.g. the database ended our session)."""

    def release(self) -> None: ...


class PostgresLeaderLock:
    def __init__(self, db: Database, key: int = SCHEDULER_LOCK_KEY) -> None:
        # Its own engine without a pool: the lock lives and dies with exactly this one connection.
        self.engine = sa.create_engine(db.url, poolclass=NullPool)
        self.key = key
        self.connection: Connection | None = None

    def try_acquire(self) -> bool:
        if self.connection is not None and self.still_held():
            return True
        self._close()
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = bool(connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except sa.exc.SQLAlchemyError as exc:
            logger.warning("moderation.runtime.leader.acquire_failed", extra={"error": exc.__class__.__name__})
            return False
        if got:
            self.connection = connection
        else:
            connection.close()
        return got

    def still_held(self) -> bool:
        if self.connection is None:
            return False
        try:
            # Ask the server, not our memory: a terminated backend or a restarted server drops the lock.
            held = self.connection.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND granted AND ((classid::bigint << 32) | objid::bigint) = :key"), {"key": self.key}).scalar()
        except sa.exc.SQLAlchemyError:
            self._close()
            return False
        if not held:
            self._close()
        return bool(held)

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except sa.exc.SQLAlchemyError:
                pass
        self._close()
        self.engine.dispose()

    def _close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except sa.exc.SQLAlchemyError:
                pass
            self.connection = None


class FileLeaderLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self.handle is not None:
            return True
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the leader's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle
        return True

    def still_held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


class SoleLeader:
    """For a database no other process can open."""

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        return None


def leader_lock_for(db: Database) -> LeaderLock:
    """The right lock for the database behind `db`."""
    if db.is_sqlite:
        database = sa.engine.make_url(db.url).database
        if database and database != ":memory:":
            return FileLeaderLock(Path(database).with_name(Path(database).name + ".scheduler.lock"))
        return SoleLeader()  # an in-memory database lives in one process: that process leads
    return PostgresLeaderLock(db)
