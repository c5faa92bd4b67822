"""`kpi_facts`: one stored row per interaction, so the KPI query reads one row per interaction, not its events.

Exact by construction: a row is what the KPI query's own per-interaction aggregates (`facts.event_aggregates`)
give over all of the interaction's events. Every event insert merges its own aggregates into its interaction's
row, on the same connection and in the same transaction as the insert (the `after_insert` hook in
moderation/measure/events.py), so the table never lags the log. Merging is exact: flags OR together, earliest and latest
take the smaller and larger epoch, counts and sums add up. `rebuild` recomputes the whole table from the log
(migration 0010, the benchmark's generated log). Bulk inserts of events for new interactions (ingest) call
`add_new_interactions` in their transaction instead.
"""

from __future__ import annotations

import sqlalchemy as sa

from moderation.measure.kpis.dialect import Bind, epoch_seconds, insert_or_merge, is_sqlite
from moderation.measure.kpis.facts import event_aggregates
from moderation.storage.tables import EventRow, KpiFactRow

COLUMNS = ("interaction_id", "platform", "campaign", "mixed", "flags", "received", "first_response", "responses",
           "response_epochs", "first_event", "last_event")


def event_facts(session: Bind) -> sa.Select:
    """Per interaction, the `kpi_facts` row its events give (narrow it with `.where`)."""
    at = epoch_seconds(session, EventRow.occurred_at)
    platform, campaign = EventRow.platform, EventRow.campaign
    one_place = sa.and_(
        sa.func.min(platform) == sa.func.max(platform),
        sa.or_(sa.func.count(campaign) == 0,
               sa.and_(sa.func.count(campaign) == sa.func.count(), sa.func.min(campaign) == sa.func.max(campaign))),
    )
    values = {
        "interaction_id": EventRow.interaction_id,
        "platform": sa.func.min(platform),
        "campaign": sa.func.min(campaign),
        "mixed": sa.case((one_place, sa.false()), else_=sa.true()),
        **event_aggregates(session),
        "first_event": sa.func.min(at),
        "last_event": sa.func.max(at),
    }
    return (sa.select(*(values[name].label(name) for name in COLUMNS))
            .where(EventRow.interaction_id.is_not(None))
            .group_by(EventRow.interaction_id))


def _earliest(stored: sa.ColumnElement, new: sa.ColumnElement) -> sa.ColumnElement:
    return sa.case((new.is_(None), stored), (stored.is_(None), new), (new < stored, new), else_=stored)


def _latest(stored: sa.ColumnElement, new: sa.ColumnElement) -> sa.ColumnElement:
    return sa.case((new.is_(None), stored), (stored.is_(None), new), (new > stored, new), else_=stored)


def _plus(stored: sa.ColumnElement, new: sa.ColumnElement) -> sa.ColumnElement:
    # NULL (no response yet) plus a value is that value, as the scan's SUM would give.
    return sa.case((new.is_(None), stored), (stored.is_(None), new), else_=stored + new)


def _merge_statement(connection: Bind) -> sa.Insert:
    table = KpiFactRow.__table__
    insert = insert_or_merge(connection, table).from_select(
        list(COLUMNS), event_facts(connection).where(EventRow.id == sa.bindparam("event_id")))
    stored, new = table.c, insert.excluded
    return insert.on_conflict_do_update(index_elements=[stored.interaction_id], set_={
        "mixed": sa.or_(stored.mixed, new.mixed, stored.platform != new.platform,
                        stored.campaign.is_distinct_from(new.campaign)),
        "flags": stored.flags.op("|")(new.flags),
        "received": _earliest(stored.received, new.received),
        "first_response": _earliest(stored.first_response, new.first_response),
        "responses": stored.responses + new.responses,
        "response_epochs": _plus(stored.response_epochs, new.response_epochs),
        "first_event": _earliest(stored.first_event, new.first_event),
        "last_event": _latest(stored.last_event, new.last_event),
    })


# Built once per dialect: building the expression costs ~2 ms, more than running it (measured, SQLite).
_MERGE_STATEMENTS: dict[bool, sa.Insert] = {}


def merge_event(connection: Bind, event_id: int) -> None:
    """Merge one stored event into its interaction's row (creating the row with its first event)."""
    key = is_sqlite(connection)
    if key not in _MERGE_STATEMENTS:
        _MERGE_STATEMENTS[key] = _merge_statement(connection)
    connection.execute(_MERGE_STATEMENTS[key], {"event_id": event_id})


def add_new_interactions(connection: Bind, interaction_ids: list[str]) -> None:
    """Rows for interactions stored just now with a bulk INSERT of their events, which (unlike the ORM's
    unit of work) fires no `after_insert` hook. They are new, so their rows are made from all their events."""
    if not interaction_ids:
        return
    table = KpiFactRow.__table__
    connection.execute(sa.insert(table).from_select(list(COLUMNS), event_facts(connection).where(
        EventRow.interaction_id.in_(sa.bindparam("ids", expanding=True)))), {"ids": interaction_ids})


def rebuild(connection: Bind) -> int:
    """Recompute every row from the event log; returns the number of rows."""
    table = KpiFactRow.__table__
    connection.execute(sa.delete(table))
    connection.execute(sa.insert(table).from_select(list(COLUMNS), event_facts(connection)))
    return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
