"""Storing interactions durably and idempotently: a re-delivered interaction is counted, never stored twice."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from moderation.domain import Interaction, utcnow
from moderation.domain.limits import MAX_STORE_BATCH, check
from moderation.measure.events import EventAction, event_values
from moderation.measure.kpis.stored_facts import add_new_interactions
from moderation.storage import Database
from moderation.storage.tables import EventRow, InteractionRow


class StoreOutcome(str, enum.Enum):
    stored = "stored"
    duplicate = "duplicate"


@dataclass
class StoreCounts:
    stored: int = 0
    duplicates: int = 0
    stored_ids: list[str] = field(default_factory=list)


def to_row(interaction: Interaction, *, source: str) -> InteractionRow:
    return InteractionRow(**row_values(interaction, source=source, received_at=utcnow()))


def row_values(interaction: Interaction, *, source: str, received_at: datetime) -> dict[str, Any]:
    """A new interaction row's column values (every column: bulk inserts skip the model's defaults)."""
    return {
        "id": interaction.id,
        "platform": interaction.platform.value,
        "kind": interaction.kind.value,
        "external_id": interaction.external_id,
        "author_id": interaction.author_id,
        "author_name": interaction.author_name,
        "text": interaction.text,
        "post_id": interaction.post_id,
        "parent_id": interaction.parent_id,
        "created_at": interaction.created_at,
        "received_at": received_at,
        "is_follower": interaction.is_follower,
        "is_vip": interaction.is_vip,
        "campaign": interaction.campaign,
        "source": source,
        "account_id": interaction.account_id,
        "status": "pending",
        "claimed_by": None,
        "claimed_at": None,
        "attempts": 0,
        "last_error": None,
    }


def store_interactions(db: Database, interactions: Iterable[Interaction], *, source: str) -> StoreCounts:
    """Store a batch in one transaction; returns once it is committed (safe to acknowledge then).

    Duplicates inside the batch and against the database are skipped; two writers racing on the same id
    are settled by the primary key (the loser counts a duplicate).
    """
    counts = StoreCounts()
    batch: dict[str, Interaction] = {}
    interactions = list(interactions)
    # Refused whole before anything is written: a huge batch would hold one transaction (and its locks) too long.
    check("a batch of interactions", len(interactions), MAX_STORE_BATCH, "interactions")
    for interaction in interactions:
        if interaction.id in batch:
            counts.duplicates += 1
        else:
            batch[interaction.id] = interaction
    if not batch:
        return counts
    with db.session() as session:
        # One INSERT ... ON CONFLICT DO NOTHING RETURNING: the ids that come back are the new ones, whether the
        # others were stored earlier or by a writer racing us (no lookup first, no retry on a key clash).
        # Plain values, not ORM objects: building those cost the webhook receiver more CPU than the database.
        now = utcnow()
        insert = (sqlite_insert if db.is_sqlite else postgresql_insert)(InteractionRow.__table__)
        returned = session.execute(insert.on_conflict_do_nothing(index_elements=["id"]).returning(
            InteractionRow.__table__.c.id), [row_values(i, source=source, received_at=now) for i in batch.values()])
        new_ids = set(returned.scalars())
        new = [i for i in batch.values() if i.id in new_ids]
        if new:
            # Received at the platform's time, so response times are measured from the author's view.
            session.execute(sa.insert(EventRow), [
                event_values(i, EventAction.received, occurred_at=i.created_at, data={"source": source},
                             recorded_at=now) for i in new])
            # A bulk INSERT fires no ORM hook: the KPI fast path's rows are made here, in the same transaction.
            add_new_interactions(session.connection(), [i.id for i in new])
    counts.duplicates += len(batch) - len(new)
    counts.stored += len(new)
    counts.stored_ids.extend(i.id for i in new)
    return counts
