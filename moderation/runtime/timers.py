"""Timers on APScheduler with a persistent job store in the project's own database.

Jobs survive a restart. A job stores only a handler name and plain arguments; the handler itself is
registered by the running process, so no object graph is pickled into the job table, and a handler that
fires twice is harmless because every handler does a compare-and-set on its row.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from moderation.storage import Database

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
Handler = Callable[..., Awaitable[None]]
_handlers: dict[str, Handler] = {}


def register_handler(name: str, handler: Handler) -> None:
    _handlers[name] = handler


async def dispatch(name: str, *args: Any) -> None:
    """The one function every job points to (a stable import path for the job store)."""
    handler = _handlers.get(name)
    if handler is None:
        logger.error("moderation.runtime.timers.no_handler", extra={"handler": name})
        return
    await handler(*args)


class Timers:
    def __init__(self, db: Database, *, timezone: str = "UTC") -> None:
        self.db = db
        self.timezone = timezone
        self.scheduler = self._new_scheduler()

    def _new_scheduler(self) -> AsyncIOScheduler:
        return AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.db.engine, tablename=JOBS_TABLE)},
            timezone=self.timezone,
            # A timer missed while the process was down still runs once when it comes back.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

    @property
    def running(self) -> bool:
        """Started (maybe paused): jobs added now go to the shared job store, where the leader finds them."""
        return bool(self.scheduler.running)

    def start(self, *, paused: bool = False) -> None:
        """A paused scheduler stores jobs but never runs them: every process but the leader runs paused."""
        self.scheduler.start(paused=paused)

    def resume(self) -> None:
        self.scheduler.resume()

    def pause(self) -> None:
        self.scheduler.pause()

    def wakeup(self) -> None:
        """Look at the job store again: other processes add jobs to it that this scheduler was not told about."""
        self.scheduler.wakeup()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def at(self, job_id: str, when: datetime, handler: str, *args: Any) -> None:
        self.scheduler.add_job(dispatch, "date", run_date=when, id=job_id, args=(handler, *args),
                               replace_existing=True)

    def cron(self, job_id: str, handler: str, *args: Any, **fields: Any) -> None:
        self.scheduler.add_job(dispatch, "cron", id=job_id, args=(handler, *args), replace_existing=True, **fields)

    def cancel(self, job_id: str) -> None:
        if self.scheduler.get_job(job_id) is not None:
            self.scheduler.remove_job(job_id)

    def job_ids(self) -> set[str]:
        return {job.id for job in self.scheduler.get_jobs()}
