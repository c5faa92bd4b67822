"""The KPI digest: figures per platform, trends against the previous period, goals, hot posts, escalations, a chart.

`digest_data` is shared with `socialops report` so the report and the daily digest always say the same thing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from bot.views import DigestView, EscalationLine, GoalLine, KpiLine, KpiTrend, PostLine
from moderation.domain import as_utc, utcnow
from moderation.measure.events import EventAction
from moderation.measure.goals import active_target, evaluate, list_goals
from moderation.measure.kpis import (
    KPI_VERSION,
    KpiSettings,
    KpiTable,
    PlatformKpis,
    Tally,
    Window,
    compute,
    definition,
    rolling,
)
from moderation.measure.kpis.dialect import action_is
from moderation.storage import Database
from moderation.storage.tables import ApprovalRow, EscalationRow, EventRow, InteractionRow

logger = logging.getLogger(__name__)

TREND_KPIS = ("volume", "response_rate", "first_response_minutes", "sla_compliance", "resolution_rate",
              "escalation_rate", "negative_share", "automated_reply_share", "deflection_rate",
              "automation_success_rate", "leads", "conversions", "moderation_actions", "reversal_rate")
CHART_KPIS = ("volume", "response_rate", "first_response_minutes", "negative_share")


@dataclass(frozen=True)
class DigestData:
    view: DigestView
    table: KpiTable
    window: Window


def _line(k: PlatformKpis) -> KpiLine:
    frt = k.first_response_seconds_avg
    return KpiLine(
        platform=k.platform, volume=k.volume, comments=k.comments, dms=k.dms, responded=k.responded,
        response_rate=k.response_rate, first_response_minutes=frt / 60 if frt is not None else None,
        escalations=k.escalated, escalation_rate=k.escalation_rate, positive=k.sentiment_share("positive"),
        neutral=k.sentiment_share("neutral"), negative=k.sentiment_share("negative"), hidden=k.hidden,
    )


def _trend(db: Database, name: str, current: Tally, previous: Tally) -> KpiTrend:
    spec = definition(name)
    return KpiTrend(name=name, label=spec.label, unit=spec.unit, value=spec.value(current),
                    previous=spec.value(previous), goal=active_target(db, name, None),
                    higher_is_better=spec.higher_is_better)


def daily_series(table: KpiTable, window: Window, names: tuple[str, ...]) -> list[tuple[str, str, list]]:
    days = table.daily(window)
    return [(definition(n).label, definition(n).unit, [(day, definition(n).value(t)) for day, t in days])
            for n in names]


def digest_data(db: Database, *, end: datetime, days: int = 7, title: str = "KPI digest",
                settings: KpiSettings | None = None, now: datetime | None = None, chart: bool = True) -> DigestData:
    settings = settings or KpiSettings()
    now = as_utc(now) if now else max(utcnow(), as_utc(end))
    window = rolling(end, days, settings.timezone)
    previous = window.previous()
    with db.session() as session:
        table = compute(session, [window, previous], settings=settings, as_of=now, daily=True)
        pending = session.execute(sa.select(sa.func.count()).where(ApprovalRow.state == "pending")).scalar_one()
        open_escalations = session.execute(
            sa.select(sa.func.count()).where(EscalationRow.state != "resolved")).scalar_one()
        negative_posts = _negative_posts(session, window)
        escalations = _recent_escalations(session)
    lines = [_line(PlatformKpis.from_tally(p, table.window(window, platform=p))) for p in table.platforms()]
    current_all, previous_all = table.window(window), table.window(previous)
    if lines:
        lines.append(_line(PlatformKpis.from_tally("all", current_all)))
    trends = tuple(_trend(db, name, current_all, previous_all) for name in TREND_KPIS)
    goals = tuple(_goal_line(db, goal, now, settings) for goal in list_goals(db))
    png = None
    if chart and current_all.volume:
        from bot.charts import trend_chart_png

        png = trend_chart_png(daily_series(table, window, CHART_KPIS), title=f"{title} — per day")
    view = DigestView(title=title, window=window.label, lines=tuple(lines), pending_approvals=pending,
                      open_escalations=open_escalations, chart_png=png, trends=trends, goals=goals,
                      negative_posts=negative_posts, escalations=escalations, kpi_version=KPI_VERSION)
    logger.info("bot.digest.built", extra={"days": days, "volume": current_all.volume})
    return DigestData(view, table, window)


def build_digest(db: Database, *, end: datetime, days: int = 7, title: str = "KPI digest",
                 settings: KpiSettings | None = None, now: datetime | None = None, chart: bool = True) -> DigestView:
    view = digest_data(db, end=end, days=days, title=title, settings=settings, now=now, chart=chart).view
    return with_moderation_notes(db, view)


def with_moderation_notes(db: Database, view: DigestView) -> DigestView:
    """Paused guardrails (with how to resume) and the review queue's backlog, as digest notes (issue 16)."""
    from dataclasses import replace

    from moderation.act.pauses import paused_scopes
    from moderation.act.reviews import list_reviews

    notes = [f"automation paused for {state.label} since {state.since:%Y-%m-%d %H:%M} UTC by {state.actor}: "
             f"{state.reason} — Resume in chat or `socialops campaigns resume {state.scope}`"
             for state in paused_scopes(db)]
    waiting = len(list_reviews(db, limit=10_000))
    if waiting:
        notes.append(f"{waiting} moderated item(s) wait in the review queue (`socialops review list`)")
    return replace(view, notes=(*view.notes, *notes)) if notes else view


def _goal_line(db: Database, goal, now: datetime, settings: KpiSettings) -> GoalLine:  # type: ignore[no-untyped-def]
    result = evaluate(db, goal, now=now, settings=settings)
    return GoalLine(goal_id=goal.id, title=goal.title, kpi=goal.kpi, unit=definition(goal.kpi).unit,
                    baseline=goal.baseline, current=result.current, target=goal.target,
                    projection=result.projection, status=result.status, deadline=as_utc(goal.deadline),
                    owner=goal.owner, platform=goal.platform)


def _negative_posts(session, window: Window, limit: int = 5) -> tuple[PostLine, ...]:  # type: ignore[no-untyped-def]
    sentiment = EventRow.data["sentiment"].as_string()
    negative = sa.func.sum(sa.case((sentiment == "negative", 1), else_=0))
    rows = session.execute(
        sa.select(InteractionRow.platform, InteractionRow.post_id, negative.label("negative"),
                  sa.func.count().label("comments"))
        .join(EventRow, EventRow.interaction_id == InteractionRow.id)
        .where(action_is(EventAction.classified.value), InteractionRow.post_id.is_not(None),
               InteractionRow.created_at >= window.start, InteractionRow.created_at < window.end)
        .group_by(InteractionRow.platform, InteractionRow.post_id)
        .having(negative > 0)
        .order_by(negative.desc(), InteractionRow.post_id)
        .limit(limit)
    ).all()
    return tuple(PostLine(r.platform, r.post_id, int(r.negative), int(r.comments)) for r in rows)


def _recent_escalations(session, limit: int = 5) -> tuple[EscalationLine, ...]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        sa.select(EscalationRow, InteractionRow.platform)
        .join(InteractionRow, InteractionRow.id == EscalationRow.interaction_id)
        .where(EscalationRow.state != "resolved")
        .order_by(EscalationRow.created_at.desc(), EscalationRow.id.desc())
        .limit(limit)
    ).all()
    return tuple(EscalationLine(e.id, e.level, platform, e.reason, e.state, as_utc(e.created_at))
                 for e, platform in rows)
