"""Batch mode (`socialops worker --until-idle`): the queue, the due follow-ups, the outbox, the CRM queue and every
timer already due, then return. For backfills, cron jobs and scripted checks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from moderation.classifier.base import TextClassifier
from moderation.domain import Platform, as_utc, utcnow
from moderation.platforms.base import PlatformConnector
from moderation.runtime.leader import leader_lock_for
from moderation.runtime.timers import Timers, dispatch, register_handler
from moderation.storage import Database
from socialops.compose.crm import build_crm_outbox
from socialops.compose.processes import build_chat, build_worker_loop, schedule_digest
from socialops.config import Settings

logger = logging.getLogger(__name__)


@dataclass
class BatchReport:
    rounds: int = 0
    work: int = 0  # interactions processed + platform actions performed
    crm: int = 0
    timers: int = 0
    timers_skipped: bool = False  # another process holds the scheduler lock: it fires them

    def summary(self) -> str:
        timers = "timers left to the running scheduler" if self.timers_skipped else f"{self.timers} due timers fired"
        return (f"idle after {self.rounds} rounds: {self.work} interactions and actions processed, "
                f"{self.crm} CRM deliveries, {timers}")


async def run_until_idle(settings: Settings, db: Database, *, classifier: TextClassifier | None = None,
                         connectors: Mapping[Platform, PlatformConnector] | None = None,
                         max_rounds: int = 100_000, wait_seconds: float = 60.0) -> BatchReport:
    """`wait_seconds`: an action due within this long (an API rate limit deferred it by a second) is waited for;
    one due later (a retry backing off after a failure) is left for the next run."""
    report = BatchReport()
    timers = Timers(db, timezone=settings.team.timezone)
    chat = build_chat(settings, db, timers, discord=False)  # registers the escalation and reminder handlers
    schedule_digest(settings, db, chat.surfaces, timers)
    loop = build_worker_loop(settings, db, chat.hub, None, classifier=classifier, connectors=connectors)
    register_handler("follow_up", loop.fire)
    crm = build_crm_outbox(settings, db)
    lock = leader_lock_for(db)
    leading = await asyncio.to_thread(lock.try_acquire)
    try:
        while report.rounds < max_rounds:
            report.rounds += 1
            did = await loop.run_once()  # a batch, the due follow-ups, the due platform actions
            sent = await crm.run_once() if crm is not None else 0
            fired = await _fire_due_timers(timers) if leading else 0
            report.work += did
            report.crm += sent
            report.timers += fired
            if not (did or sent or fired):
                wait = await asyncio.to_thread(_next_due_in, db, crm is not None)
                if wait is None or wait > wait_seconds:
                    break
                await asyncio.sleep(max(0.0, wait) + 0.01)
        report.timers_skipped = not leading
    finally:
        timers.shutdown()
        if crm is not None:
            await crm.aclose()
        if leading:
            await asyncio.to_thread(lock.release)
    logger.info("socialops.batch.idle", extra={"rounds": report.rounds, "work": report.work, "crm": report.crm,
                                               "timers": report.timers})
    return report


def _next_due_in(db: Database, with_crm: bool) -> float | None:
    """Seconds until the next pending platform action (or CRM delivery, when a CRM is configured: otherwise they
    wait for one) is due; negative: already due."""
    import sqlalchemy as sa

    from moderation.storage.tables import ActionRow, CrmDeliveryRow

    with db.session() as session:
        times = [session.scalar(sa.select(sa.func.min(ActionRow.next_attempt_at)).where(
            ActionRow.state == "pending", ActionRow.operation.is_not(None)))]
        if with_crm:
            times.append(session.scalar(sa.select(sa.func.min(CrmDeliveryRow.next_attempt_at)).where(
                CrmDeliveryRow.state == "pending")))
    due = [as_utc(t) for t in times if t is not None]
    return (min(due) - utcnow()).total_seconds() if due else None


async def _fire_due_timers(timers: Timers) -> int:
    """Run each job of the shared job store whose time has come, once: one-shot jobs are removed, recurring ones
    (the digest) move to their next time. Handlers compare-and-set, so a job the scheduler also ran is harmless."""
    if not timers.running:
        timers.start(paused=True)  # reads the job store without running anything on its own
    now = utcnow()
    fired = 0
    for job in timers.scheduler.get_jobs():
        if job.next_run_time is None or as_utc(job.next_run_time) > now:
            continue
        try:
            await dispatch(*job.args)
        except Exception:  # noqa: BLE001 - one failing timer must not keep the others from running
            logger.exception("socialops.batch.timer_failed", extra={"job": job.id})
        following = job.trigger.get_next_fire_time(job.next_run_time, now)
        if following is None:
            timers.cancel(job.id)
        else:
            job.modify(next_run_time=following)
        fired += 1
    return fired
