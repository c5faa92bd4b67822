"""Digest KPIs per platform, computed in SQL from the event log only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from moderation.storage.tables import EventRow


def _suffix(action: str) -> sa.ColumnElement[bool]:
    return EventRow.name.like(f"%\\_{action}", escape="\\")


def seconds_between(session: Session, start: sa.ColumnElement, end: sa.ColumnElement) -> sa.ColumnElement:
    """end - start in seconds, in the dialect's own date arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0
    return sa.func.extract("epoch", end - start)


def not_negative(value: sa.ColumnElement) -> sa.ColumnElement:
    # A reply stamped before the comment (clock skew between platform and us) counts as instant, not negative;
    # NULL (no reply) stays NULL so averages skip it.
    return sa.case((value < 0, 0.0), else_=value)


@dataclass(frozen=True)
class PlatformKpis:
    platform: str
    volume: int
    comments: int
    dms: int
    responded: int
    first_response_seconds_avg: float | None
    escalated: int
    hidden: int
    sentiment: dict[str, int]

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.volume if self.volume else None

    @property
    def escalation_rate(self) -> float | None:
        return self.escalated / self.volume if self.volume else None

    def sentiment_share(self, label: str) -> float | None:
        total = sum(self.sentiment.values())
        return self.sentiment.get(label, 0) / total if total else None


def platform_kpis(session: Session, start: datetime, end: datetime) -> list[PlatformKpis]:
    """KPIs for interactions received in [start, end); responses and moderation count whenever they came."""
    received = (
        sa.select(EventRow.interaction_id, EventRow.platform, EventRow.name, EventRow.occurred_at)
        .where(_suffix("received"), EventRow.occurred_at >= start, EventRow.occurred_at < end)
        .subquery("received")
    )
    first_response = (
        sa.select(EventRow.interaction_id, sa.func.min(EventRow.occurred_at).label("at"))
        .where(_suffix("response_sent"))
        .group_by(EventRow.interaction_id)
        .subquery("first_response")
    )

    def has(action: str) -> sa.ColumnElement[int]:
        exists = sa.exists().where(EventRow.interaction_id == received.c.interaction_id, _suffix(action))
        return sa.func.sum(sa.case((exists, 1), else_=0))

    delay = seconds_between(session, received.c.occurred_at, first_response.c.at)
    rows = session.execute(
        sa.select(
            received.c.platform,
            sa.func.count(),
            sa.func.sum(sa.case((received.c.name.like("%.dm\\_%", escape="\\"), 1), else_=0)),
            sa.func.count(first_response.c.at),
            sa.func.avg(not_negative(delay)),
            has("escalated"),
            has("hidden"),
        )
        .select_from(received.outerjoin(first_response, first_response.c.interaction_id == received.c.interaction_id))
        .group_by(received.c.platform)
        .order_by(received.c.platform)
    ).all()
    sentiments = _sentiments(session, start, end)
    result = []
    for platform, volume, dms, responded, frt, escalated, hidden in rows:
        result.append(PlatformKpis(
            platform=platform, volume=volume, comments=volume - int(dms or 0), dms=int(dms or 0),
            responded=responded, first_response_seconds_avg=float(frt) if frt is not None else None,
            escalated=int(escalated or 0), hidden=int(hidden or 0), sentiment=sentiments.get(platform, {}),
        ))
    return result


def _sentiments(session: Session, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    received_ids = sa.select(EventRow.interaction_id).where(
        _suffix("received"), EventRow.occurred_at >= start, EventRow.occurred_at < end)
    label = EventRow.data["sentiment"].as_string()
    rows = session.execute(
        sa.select(EventRow.platform, label, sa.func.count())
        .where(_suffix("classified"), EventRow.interaction_id.in_(received_ids))
        .group_by(EventRow.platform, label)
    ).all()
    shares: dict[str, dict[str, int]] = {}
    for platform, sentiment, count in rows:
        shares.setdefault(platform, {})[sentiment] = count
    return shares
