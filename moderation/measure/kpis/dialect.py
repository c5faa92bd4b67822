"""The only place where SQLite and PostgreSQL differ for KPI queries: time arithmetic and scalar min/max."""

from __future__ import annotations

from typing import TypeAlias

import sqlalchemy as sa
from sqlmodel import Session

from moderation.storage.tables import EventRow

_UNIX_EPOCH_JULIAN_DAY = 2440587.5

# Where the SQL runs: a session (queries) or a bare connection (flush hooks, migrations).
Bind: TypeAlias = Session | sa.Connection


def is_sqlite(session: Bind) -> bool:
    bind = session.get_bind() if isinstance(session, Session) else session
    return bind.dialect.name == "sqlite"


def epoch_seconds(session: Bind, value: sa.ColumnElement) -> sa.ColumnElement[float]:
    """Seconds since 1970-01-01 UTC of a stored timestamp (SQLite keeps UTC text, PostgreSQL timestamptz)."""
    if is_sqlite(session):
        return (sa.func.julianday(value) - _UNIX_EPOCH_JULIAN_DAY) * 86400.0
    return sa.cast(sa.func.extract("epoch", value), sa.Float)


def seconds_between(session: Bind, start: sa.ColumnElement, end: sa.ColumnElement) -> sa.ColumnElement:
    """end - start in seconds, in the dialect's own date arithmetic."""
    return epoch_seconds(session, end) - epoch_seconds(session, start)


def least(session: Bind, a: sa.ColumnElement | float, b: sa.ColumnElement | float) -> sa.ColumnElement:
    # SQLite's two-argument min() is its scalar LEAST; PostgreSQL has LEAST.
    return sa.func.min(a, b) if is_sqlite(session) else sa.func.least(a, b)


def not_negative(value: sa.ColumnElement) -> sa.ColumnElement:
    # A reply stamped before the comment (clock skew between platform and us) counts as instant, not negative;
    # NULL (no reply) stays NULL so averages skip it.
    return sa.case((value < 0, 0.0), else_=value)


def action_is(action: str) -> sa.ColumnElement[bool]:
    """The event is `<platform>.<kind>_<action>` (the underscore is escaped: `_hidden` must not match `_unhidden`)."""
    return EventRow.name.like(f"%\\_{action.replace('_', chr(92) + '_')}", escape="\\")


def has_bit(flags: sa.ColumnElement, bit: int) -> sa.ColumnElement[bool]:
    return flags.op("&")(1 << bit) != 0


def unindexed(session: Bind, column: sa.ColumnElement) -> sa.ColumnElement:
    """The same value, hidden from SQLite's planner: a time range must not win over the covering index the KPI
    query groups by (the range then costs a sort of every event). PostgreSQL plans this well on its own."""
    return sa.func.coalesce(column, column) if is_sqlite(session) else column


def insert_or_merge(session: Bind, table: sa.Table) -> sa.Insert:
    """INSERT ... ON CONFLICT DO UPDATE: the same statement on both, built by each dialect's own `insert`."""
    if is_sqlite(session):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(table)
