"""The timers look at their job store off the event loop: a due job runs while SQLite's write lock is held."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta

from moderation.domain import utcnow
from moderation.runtime.timers import Timers, register_handler


async def test_a_due_job_runs_while_another_connection_holds_the_write_lock(sqlite_db, tmp_path):
    fired = asyncio.Event()

    async def ping(value: str) -> None:
        assert value == "hello"
        fired.set()

    register_handler("test.ping", ping)
    timers = Timers(sqlite_db)
    timers.start(paused=True)
    timers.at("test:ping", utcnow() - timedelta(seconds=1), "test.ping", "hello")
    # What a worker batch does on SQLite: hold the write lock. Removing the fired job from the store must wait
    # for it; with the store read on the event loop, the loop (and this job) would wait with it.
    holder = sqlite3.connect(sqlite_db.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        timers.resume()
        await asyncio.wait_for(fired.wait(), 10)
        # A loop stuck behind the lock only runs again at SQLite's busy timeout (30 s), too late for wait_for.
        assert time.monotonic() - started < 10
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Then the fired job leaves the store (read in a thread too: the scheduler's store lock is held meanwhile).
    for _ in range(100):
        if "test:ping" not in await sqlite_db.run(timers.job_ids):
            break
        await asyncio.sleep(0.05)
    assert "test:ping" not in await sqlite_db.run(timers.job_ids)
    timers.shutdown()
