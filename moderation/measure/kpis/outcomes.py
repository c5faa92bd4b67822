"""The KPI tallies that come from outside the per-interaction flags: revenue and assisted conversions (from the
attributed orders) and time to moderate (received -> first hidden, held or deleted), bucketed like the KPI query
by each interaction's `received` time, per platform and campaign."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import as_utc
from moderation.measure.kpis.calendar import bucket_expr, epoch
from moderation.measure.kpis.dialect import action_is, epoch_seconds
from moderation.measure.kpis.facts import SKEW_MARGIN
from moderation.measure.kpis.tally import Tally
from moderation.storage.tables import ConversionRow, ConversionTouchRow, EventRow, KpiFactRow

GroupKey = tuple[str, str | None, int]


def outcome_buckets(session: Session, boundaries: list[datetime], *, as_of: datetime, platform: str | None = None,
                    campaign: str | None = None) -> dict[GroupKey, Tally]:
    edges = sorted({epoch(b) for b in boundaries})
    if len(edges) < 2:
        return {}
    fact = KpiFactRow
    where = [fact.received >= edges[0], fact.received < edges[-1]]
    if platform:
        where.append(fact.platform == platform)
    if campaign:
        where.append(fact.campaign == campaign)
    bucket = bucket_expr(fact.received, edges).label("bucket")
    keys = (fact.platform, fact.campaign, bucket)
    out: dict[GroupKey, Tally] = {}

    def add(key: tuple, **values: float) -> None:  # type: ignore[type-arg]
        group = (key[0], key[1], int(key[2]))
        out[group] = out.get(group, Tally()) + Tally(**values)  # type: ignore[arg-type]

    orders = (sa.select(*keys, sa.func.sum(ConversionRow.amount))
              .join(ConversionRow, ConversionRow.interaction_id == fact.interaction_id)
              .where(*where, ConversionRow.occurred_at <= as_utc(as_of)).group_by(*keys))
    for p, c, b, revenue in session.execute(orders):
        add((p, c, b), revenue=float(revenue or 0.0))
    assisted = (sa.select(*keys, sa.func.count(sa.distinct(fact.interaction_id)))
                .join(ConversionTouchRow, ConversionTouchRow.interaction_id == fact.interaction_id)
                .where(*where, ConversionTouchRow.role == "assisted", ConversionTouchRow.occurred_at <= as_utc(as_of))
                .group_by(*keys))
    for p, c, b, count in session.execute(assisted):
        add((p, c, b), assisted=int(count or 0))
    removed = sa.or_(action_is("hidden"), action_is("held"), action_is("deleted"))
    # Only events from the window on (a day of margin for clock skew): the occurred_at index bounds the scan.
    since = min(as_utc(b) for b in boundaries) - SKEW_MARGIN
    first = (sa.select(EventRow.interaction_id.label("interaction_id"),
                       sa.func.min(epoch_seconds(session, EventRow.occurred_at)).label("at"))
             .where(EventRow.occurred_at >= since, EventRow.occurred_at <= as_utc(as_of), removed)
             .group_by(EventRow.interaction_id).subquery())
    delay = first.c.at - fact.received
    moderated = (sa.select(*keys, sa.func.count(), sa.func.sum(sa.case((delay > 0, delay), else_=0.0)))
                 .join(first, first.c.interaction_id == fact.interaction_id).where(*where).group_by(*keys))
    for p, c, b, count, seconds in session.execute(moderated):
        add((p, c, b), moderated=int(count or 0), moderate_seconds=float(seconds or 0.0))
    return out
