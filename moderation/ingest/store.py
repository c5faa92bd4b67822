"""Storing interactions durably and idempotently: a re-delivered interaction is counted, never stored twice.

A row the database refuses (bad data, not a database outage) never fails its neighbours: the batch is redone
one row per transaction and the rows that still fail are dead-lettered with their payload and an alert.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from moderation.domain import Interaction, utcnow
from moderation.domain.limits import MAX_STORE_BATCH, check
from moderation.domain.safe_input import clean_text
from moderation.measure.events import EventAction, event_values
from moderation.measure.kpis.stored_facts import add_new_interactions
from moderation.runtime.redaction import scrub
from moderation.storage import Database
from moderation.storage.tables import EventRow, InboundDeadLetterRow, InteractionRow

logger = logging.getLogger(__name__)
MAX_DEAD_LETTER_PAYLOAD = 200_000  # characters of raw payload kept with a dead letter


class StoreOutcome(str, enum.Enum):
    stored = "stored"
    duplicate = "duplicate"


@dataclass
class StoreCounts:
    stored: int = 0
    duplicates: int = 0
    stored_ids: list[str] = field(default_factory=list)
    dead_lettered: list[tuple[str, str]] = field(default_factory=list)  # (interaction id, why)


def to_row(interaction: Interaction, *, source: str) -> InteractionRow:
    return InteractionRow(**row_values(interaction, source=source, received_at=utcnow()))


def row_values(interaction: Interaction, *, source: str, received_at: datetime) -> dict[str, Any]:
    """A new interaction row's column values (every column: bulk inserts skip the model's defaults)."""
    values = {
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
        "source": source[:32],  # the column's size: a longer name must not make PostgreSQL refuse the row
        "account_id": interaction.account_id,
        "status": "pending",
        "claimed_by": None,
        "claimed_at": None,
        "attempts": 0,
        "last_error": None,
        "details": dict(interaction.details) or None,
    }
    # Interaction validates its fields clean; a model_copy(update=...) does not validate, so clean again here.
    return {key: clean_text(value) if isinstance(value, str) else value for key, value in values.items()}


def store_interactions(db: Database, interactions: Iterable[Interaction], *, source: str,
                       raw: Mapping[str, str] | None = None) -> StoreCounts:
    """Store a batch in one transaction; returns once it is committed (safe to acknowledge then).

    Duplicates inside the batch and against the database are skipped; two writers racing on the same id
    are settled by the primary key (the loser counts a duplicate). A database outage raises (the caller
    answers "retry later"); a row the database refuses is isolated and dead-lettered (with `raw[id]`, the
    delivery or line it came in), and everything else is stored.
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
    try:
        new = _insert(db, list(batch.values()), source)
    except Exception as exc:
        if not rejected_row(exc):
            raise
        logger.warning("moderation.ingest.batch_refused", extra={"source": source, "rows": len(batch),
                                                                 "error": exc.__class__.__name__})
        new = []
        for interaction in batch.values():
            try:
                new += _insert(db, [interaction], source)
            except Exception as one:
                if not rejected_row(one):
                    raise
                why = describe(one)
                dead_letter(db, interaction, source, why, (raw or {}).get(interaction.id))
                counts.dead_lettered.append((interaction.id, why))
    counts.duplicates += len(batch) - len(new) - len(counts.dead_lettered)
    counts.stored += len(new)
    counts.stored_ids.extend(i.id for i in new)
    return counts


def _insert(db: Database, batch: list[Interaction], source: str) -> list[Interaction]:
    with db.session() as session:
        # One INSERT ... ON CONFLICT DO NOTHING RETURNING: the ids that come back are the new ones, whether the
        # others were stored earlier or by a writer racing us (no lookup first, no retry on a key clash).
        # Plain values, not ORM objects: building those cost the webhook receiver more CPU than the database.
        now = utcnow()
        insert = (sqlite_insert if db.is_sqlite else postgresql_insert)(InteractionRow.__table__)
        returned = session.execute(insert.on_conflict_do_nothing(index_elements=["id"]).returning(
            InteractionRow.__table__.c.id), [row_values(i, source=source, received_at=now) for i in batch])
        new_ids = set(returned.scalars())
        new = [i for i in batch if i.id in new_ids]
        if new:
            # Received at the platform's time, so response times are measured from the author's view.
            session.execute(sa.insert(EventRow), [
                event_values(i, EventAction.received, occurred_at=i.created_at, data={"source": source},
                             recorded_at=now) for i in new])
            # A bulk INSERT fires no ORM hook: the KPI fast path's rows are made here, in the same transaction.
            add_new_interactions(session.connection(), [i.id for i in new])
    return new


def rejected_row(exc: BaseException) -> bool:
    """True when the database refused the data (a retry of the same row would fail again), False for an
    outage or a bug of ours that a retry later may get past (connection lost, pool timeout, schema)."""
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return False
        return isinstance(exc, sa.exc.DataError | sa.exc.IntegrityError)
    if isinstance(exc, sa.exc.StatementError):  # a value the driver could not send (encoding, adaptation)
        return True
    return isinstance(exc, ValueError | TypeError | UnicodeError) and not isinstance(exc, sa.exc.SQLAlchemyError)


def describe(exc: BaseException) -> str:
    """The reason of a refused row in one line, without its SQL parameters (author names, texts)."""
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).splitlines()[0] if str(orig) else ""
    return scrub(f"{exc.__class__.__name__}: {first}"[:300])


def dead_letter(db: Database, interaction: Interaction, source: str, why: str, raw: str | None) -> None:
    """Keep a refused interaction (and the delivery it came in) for a human, and raise the alarm."""
    record: dict[str, Any] = {"interaction": interaction.model_dump(mode="json")}
    if raw is not None:
        record["delivery"] = raw[:MAX_DEAD_LETTER_PAYLOAD]
    # ensure_ascii: NUL and lone surrogates written as \u escapes, which every database stores.
    payload = json.dumps(record, ensure_ascii=True, default=str)[:MAX_DEAD_LETTER_PAYLOAD]
    try:
        with db.session() as session:
            session.add(InboundDeadLetterRow(source=source[:64], interaction_id=clean_text(interaction.id)[:300],
                                             reason=why, payload=payload))
    except sa.exc.SQLAlchemyError as exc:
        if not rejected_row(exc):
            raise
        logger.error("moderation.ingest.dead_letter_unstorable", extra={"interaction_id": interaction.id,
                                                                        "error": exc.__class__.__name__})
    logger.error("moderation.ingest.dead_letter", extra={"source": source, "interaction_id": interaction.id,
                                                         "reason": why})
