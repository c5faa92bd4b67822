"""The worker as a long-running component: batches, outbox and follow-up timers, until asked to stop."""

from __future__ import annotations

import asyncio
import logging

from sqlmodel import select

from moderation.act.follow_ups import due_follow_ups, fire_follow_up
from moderation.act.outbox import Outbox
from moderation.domain import as_utc
from moderation.domain.ports import HumanLoop
from moderation.pipeline.worker import ModerationWorker
from moderation.runtime.timers import Timers, register_handler
from moderation.storage.tables import ActionRow

logger = logging.getLogger(__name__)


class WorkerLoop:
    name = "worker"

    def __init__(self, worker: ModerationWorker, outbox: Outbox, humans: HumanLoop, *, timers: Timers | None = None,
                 poll_seconds: float = 1.0) -> None:
        self.worker = worker
        self.outbox = outbox
        self.humans = humans
        self.timers = timers
        self.poll_seconds = poll_seconds

    async def fire(self, action_id: int) -> None:
        work = await self.worker.db.run(fire_follow_up, self.worker.db, action_id, now=self.worker.clock(),
                                        approval_minutes=self.worker.settings.approval_minutes)
        for approval_id in work.approvals:
            await self.humans.approval_requested(approval_id)

    def schedule(self, action_ids: list[int]) -> None:
        # Only the process that holds the scheduler lock writes timers; the others leave the rows `scheduled`
        # and the leader's periodic reconcile gives them timers.
        if self.timers is None or not self.timers.running or not action_ids:
            return
        with self.worker.db.session() as session:
            rows = session.exec(select(ActionRow).where(ActionRow.id.in_(action_ids))).all()
        for row in rows:
            self.timers.at(f"follow_up:{row.id}", as_utc(row.next_attempt_at), "follow_up", row.id)

    def reconcile(self) -> None:
        """Give every scheduled follow-up a timer: covers a crash between committing a plan and scheduling it,
        follow-ups planned by processes that do not lead, and timers a dead leader took with it."""
        if self.timers is None or not self.timers.running:
            return
        with self.worker.db.session() as session:
            scheduled = session.exec(select(ActionRow.id).where(ActionRow.state == "scheduled")).all()
        known = self.timers.job_ids()
        self.schedule([i for i in scheduled if f"follow_up:{i}" not in known])

    async def run_once(self) -> int:
        batch = await self.worker.process_batch()
        db = self.worker.db
        if self.timers is not None:
            await db.run(self.schedule, batch.follow_ups)  # reads the rows, writes the timers' job store
        else:  # no scheduler in this process (tests, one-shot runs): fire what is due now
            for action_id in await db.run(due_follow_ups, db, self.worker.clock()):
                await self.fire(action_id)
        sent = await self.outbox.run_once()
        # Cards a chat surface could not take earlier (rate limit, outage) go out now, in their order.
        redeliver = getattr(self.humans, "redeliver", None)
        if redeliver is not None:
            await redeliver()
        return batch.processed + batch.failed + sent

    async def run(self, stopping: asyncio.Event) -> None:
        register_handler("follow_up", self.fire)
        # The stop flag is only checked between rounds: a batch in flight always finishes and commits.
        while not stopping.is_set():
            try:
                did = await self.run_once()
            except Exception:  # noqa: BLE001 - e.g. the database restarting: wait and carry on
                logger.exception("moderation.pipeline.loop.round_failed")
                did = 0
            if not did:
                try:
                    await asyncio.wait_for(stopping.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    pass
        logger.info("moderation.pipeline.loop.stopped")  # a normal stop, not a warning
