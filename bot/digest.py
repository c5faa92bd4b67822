"""The KPI digest: the figures per platform for a window, plus what is waiting on people."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.views import DigestView, KpiLine
from moderation.kpis import PlatformKpis, platform_kpis
from moderation.storage import Database
from moderation.storage.tables import ApprovalRow, EscalationRow


def _line(k: PlatformKpis) -> KpiLine:
    frt = k.first_response_seconds_avg
    return KpiLine(
        platform=k.platform, volume=k.volume, comments=k.comments, dms=k.dms, responded=k.responded,
        response_rate=k.response_rate, first_response_minutes=frt / 60 if frt is not None else None,
        escalations=k.escalated, escalation_rate=k.escalation_rate, positive=k.sentiment_share("positive"),
        neutral=k.sentiment_share("neutral"), negative=k.sentiment_share("negative"), hidden=k.hidden,
    )


def build_digest(db: Database, *, end: datetime, days: int = 7, title: str = "KPI digest") -> DigestView:
    start = end - timedelta(days=days)
    with db.session() as session:
        per_platform = platform_kpis(session, start, end)
        pending = session.execute(sa.select(sa.func.count()).where(ApprovalRow.state == "pending")).scalar_one()
        open_escalations = session.execute(
            sa.select(sa.func.count()).where(EscalationRow.state != "resolved")).scalar_one()
    lines = [_line(k) for k in per_platform]
    if per_platform:
        lines.append(_line(_total(per_platform)))
    return DigestView(title=title, window=f"{start:%Y-%m-%d} → {end:%Y-%m-%d} ({days} days)", lines=tuple(lines),
                      pending_approvals=pending, open_escalations=open_escalations)


def _total(rows: list[PlatformKpis]) -> PlatformKpis:
    responded = [k for k in rows if k.first_response_seconds_avg is not None]
    weighted = sum(k.first_response_seconds_avg * k.responded for k in responded)  # type: ignore[operator]
    sentiment: dict[str, int] = {}
    for k in rows:
        for label, count in k.sentiment.items():
            sentiment[label] = sentiment.get(label, 0) + count
    total_responded = sum(k.responded for k in rows)
    return PlatformKpis(
        platform="all", volume=sum(k.volume for k in rows), comments=sum(k.comments for k in rows),
        dms=sum(k.dms for k in rows), responded=total_responded,
        first_response_seconds_avg=weighted / total_responded if total_responded else None,
        escalated=sum(k.escalated for k in rows), hidden=sum(k.hidden for k in rows), sentiment=sentiment,
    )
