"""Batch mode fires every timer already due in the shared job store once, and leaves the future ones."""

from __future__ import annotations

from datetime import timedelta

from moderation.domain import utcnow
from moderation.runtime.timers import Timers, register_handler
from socialops.compose.batch import _fire_due_timers


async def test_due_timers_fire_once_and_future_ones_wait(sqlite_db):
    fired: list[str] = []

    async def handler(name: str) -> None:
        fired.append(name)

    register_handler("batch_probe", handler)
    writer = Timers(sqlite_db)
    writer.start(paused=True)  # another process stored these jobs
    writer.at("probe:past", utcnow() - timedelta(minutes=5), "batch_probe", "past")
    writer.at("probe:future", utcnow() + timedelta(hours=2), "batch_probe", "future")
    writer.cron("probe:daily", "batch_probe", "daily", hour=(utcnow() - timedelta(hours=1)).hour)
    writer.shutdown()

    batch = Timers(sqlite_db)
    assert await _fire_due_timers(batch) == 1 and fired == ["past"]
    assert await _fire_due_timers(batch) == 0  # fired once, removed from the store
    assert batch.job_ids() == {"probe:future", "probe:daily"}
    batch.shutdown()
