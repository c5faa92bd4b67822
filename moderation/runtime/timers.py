"""Timers on APScheduler with a persistent job store in the project's own database.

Jobs survive a restart. A job stores only a handler name and plain arguments; the handler itself is
registered by the running process, so no object graph is pickled into the job table, and a handler that
fires twice is harmless because every handler does a compare-and-set on its row.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import run_coroutine_job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler, run_in_event_loop

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


class _ThreadSafeLoopExecutor(AsyncIOExecutor):
    """Runs the coroutine jobs on the event loop when they are submitted from another thread (the scheduler
    looks at its job store in the database's threads, see `_OffLoopScheduler`)."""

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        coro = run_coroutine_job(job, job._jobstore_alias, run_times, self._logger.name)
        future = asyncio.run_coroutine_threadsafe(coro, self._eventloop)

        def done(f: Future[Any]) -> None:
            self._pending_futures.discard(f)
            try:
                events = f.result()
            except BaseException:  # noqa: BLE001 - reported as the job's error, as AsyncIOExecutor does
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        self._pending_futures.add(future)
        future.add_done_callback(done)


class _OffLoopScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler whose job-store work (finding due jobs, removing fired ones: queries that wait on a
    SQLite write lock while a worker batch commits) runs in the database's threads, not on the event loop.
    The jobs, coroutines, still run on the loop. Adding and removing jobs is thread-safe in APScheduler, and
    the async callers do it through `Database.run` too."""

    def __init__(self, db: Database, **options: Any) -> None:
        self._db = db
        self._looking: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks
        super().__init__(**options)

    @run_in_event_loop
    def wakeup(self) -> None:
        self._stop_timer()
        task = self._eventloop.create_task(self._process_off_loop())
        self._looking.add(task)
        task.add_done_callback(self._looking.discard)

    async def _process_off_loop(self) -> None:
        try:
            wait_seconds = await self._db.run(self._process_jobs)
        except Exception:  # noqa: BLE001 - e.g. the database restarting: look again shortly
            logger.exception("moderation.runtime.timers.process_failed")
            wait_seconds = self.jobstore_retry_interval
        if self._eventloop is not None and self.running:
            self._start_timer(wait_seconds)

    def _create_default_executor(self) -> AsyncIOExecutor:
        return _ThreadSafeLoopExecutor()


class Timers:
    def __init__(self, db: Database, *, timezone: str = "UTC") -> None:
        self.db = db
        self.timezone = timezone
        self.scheduler = self._new_scheduler()

    def _new_scheduler(self) -> AsyncIOScheduler:
        return _OffLoopScheduler(
            self.db,
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
