"""Inbound deliveries seen before (Slack Events API retries reuse the event_id): each is handled once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from moderation.domain import utcnow
from moderation.storage import Database
from moderation.storage.tables import InboundEventRow

logger = logging.getLogger(__name__)


class InboundDedupe:
    """Backed by the database, so a retry that arrives after a restart is still recognised."""

    def __init__(self, db: Database, *, keep: timedelta = timedelta(days=2), prune_every: int = 500,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.keep = keep
        self.prune_every = prune_every
        self.clock = clock
        self._seen = 0

    def first_time(self, source: str, event_id: str) -> bool:
        try:
            with self.db.session() as session:
                session.add(InboundEventRow(source=source, event_id=event_id, received_at=self.clock()))
        except sa.exc.IntegrityError:
            return False
        self._seen += 1
        if self._seen % self.prune_every == 0:
            self.prune()
        return True

    def prune(self) -> int:
        with self.db.session() as session:
            return session.execute(
                sa.delete(InboundEventRow).where(InboundEventRow.received_at < self.clock() - self.keep)
            ).rowcount
