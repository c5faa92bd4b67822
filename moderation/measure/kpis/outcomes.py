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
from moderation.measure.kpis.tally import REMOVED_MASK, Tally
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

    # Each query starts from the few rows that matter (orders, touches, removed interactions) and looks their
    # interactions up by key, instead of walking every interaction of the windows.
    orders = (sa.select(ConversionRow.interaction_id.label("interaction_id"),
                        sa.func.sum(ConversionRow.amount).label("revenue"))
              .where(ConversionRow.interaction_id.is_not(None), ConversionRow.occurred_at <= as_utc(as_of))
              .group_by(ConversionRow.interaction_id).subquery())
    query = (sa.select(*keys, sa.func.sum(orders.c.revenue)).select_from(orders)
             .join(fact, fact.interaction_id == orders.c.interaction_id).where(*where).group_by(*keys))
    for p, c, b, revenue in session.execute(query):
        add((p, c, b), revenue=float(revenue or 0.0))
    touches = (sa.select(ConversionTouchRow.interaction_id.label("interaction_id"))
               .where(ConversionTouchRow.role == "assisted", ConversionTouchRow.occurred_at <= as_utc(as_of))
               .distinct().subquery())
    query = (sa.select(*keys, sa.func.count()).select_from(touches)
             .join(fact, fact.interaction_id == touches.c.interaction_id).where(*where).group_by(*keys))
    for p, c, b, count in session.execute(query):
        add((p, c, b), assisted=int(count or 0))
    removed = sa.or_(action_is("hidden"), action_is("held"), action_is("deleted"))
    removed_ids = sa.select(fact.interaction_id).where(*where, fact.flags.op("&")(REMOVED_MASK) != 0)
    first = (sa.select(EventRow.interaction_id.label("interaction_id"),
                       sa.func.min(epoch_seconds(session, EventRow.occurred_at)).label("at"))
             .where(EventRow.interaction_id.in_(removed_ids), EventRow.occurred_at <= as_utc(as_of), removed)
             .group_by(EventRow.interaction_id).subquery())
    delay = first.c.at - fact.received
    query = (sa.select(*keys, sa.func.count(), sa.func.sum(sa.case((delay > 0, delay), else_=0.0)))
             .select_from(first).join(fact, first.c.interaction_id == fact.interaction_id).group_by(*keys))
    for p, c, b, count, seconds in session.execute(query):
        add((p, c, b), moderated=int(count or 0), moderate_seconds=float(seconds or 0.0))
    return out
