"""Group commit for webhook deliveries: concurrent deliveries are stored in one transaction, and each is
acknowledged only once that transaction has committed.

Under load the receiver's cost is one transaction per delivery (round trips, a commit, ORM overhead). Here a
delivery waits at most for the transaction in flight; every delivery that arrived meanwhile goes into the next
one. Nothing is acknowledged before it is durable. A database outage fails every delivery in the transaction
(503, the platform delivers again, the ids dedupe); a row the database refuses is dead-lettered by
`store_interactions` and its neighbours are stored, so one bad delivery never makes others retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from moderation.domain import Interaction
from moderation.ingest.store import StoreCounts, store_interactions
from moderation.storage import Database

logger = logging.getLogger(__name__)

MAX_GROUP = 500  # interactions per transaction (well under moderation.domain.limits.MAX_STORE_BATCH)


@dataclass
class _Pending:
    interactions: Sequence[Interaction]
    source: str
    done: asyncio.Future[StoreCounts]
    raw: str | None = None


class StoreBatcher:
    def __init__(self, db: Database, *, max_group: int = MAX_GROUP) -> None:
        self.db = db
        self.max_group = max_group
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    async def store(self, interactions: Sequence[Interaction], source: str, raw: str | None = None) -> StoreCounts:
        """Returns this delivery's counts once it is committed; raises what the transaction raised.
        `raw` (the delivery's body) is kept with any of its interactions the database refuses."""
        if not interactions:
            return StoreCounts()
        done: asyncio.Future[StoreCounts] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(interactions, source, done, raw))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        while self._queue:
            group, size = [], 0
            while self._queue and (not group or size + len(self._queue[0].interactions) <= self.max_group):
                pending = self._queue.pop(0)
                group.append(pending)
                size += len(pending.interactions)
            try:
                results = await self.db.run(self._store_group, group)
            except Exception as exc:  # noqa: BLE001 - handed to every waiting delivery, which answers 503
                for pending in group:
                    if not pending.done.done():
                        pending.done.set_exception(exc)
                continue
            for pending, counts in zip(group, results, strict=True):
                if not pending.done.done():
                    pending.done.set_result(counts)

    def _store_group(self, group: list[_Pending]) -> list[StoreCounts]:
        by_source: dict[str, list[Interaction]] = {}
        raw: dict[str, str] = {}
        for pending in group:
            by_source.setdefault(pending.source, []).extend(pending.interactions)
            if pending.raw is not None:
                for interaction in pending.interactions:
                    raw.setdefault(interaction.id, pending.raw)
        stored: set[str] = set()
        dead: dict[str, str] = {}
        # One transaction per source (almost always one: a platform's deliveries), committed before any answer.
        for source, interactions in by_source.items():
            counts = store_interactions(self.db, interactions, source=source, raw=raw)
            stored.update(counts.stored_ids)
            dead.update(counts.dead_lettered)
        results = []
        for pending in group:
            # An id stored by this group counts for the first delivery that carried it; later ones see a duplicate.
            mine = [i.id for i in pending.interactions if i.id in stored]
            stored.difference_update(mine)
            refused = [(i.id, dead.pop(i.id)) for i in pending.interactions if i.id in dead]
            counts = StoreCounts(stored=len(mine), duplicates=len(pending.interactions) - len(mine) - len(refused),
                                 stored_ids=mine, dead_lettered=refused)
            results.append(counts)
        return results
