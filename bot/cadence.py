"""The team's review cadence beyond the daily digest: the weekly operations check and the monthly KPI review.

Both are DigestViews (sections of plain lines), so every chat surface posts them as it posts the digest, and
`socialops report weekly|monthly` prints the same content.
"""

from __future__ import annotations

import logging
import statistics
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.console import fmt
from bot.digest import TREND_KPIS, goal_line, kpi_line, kpi_trend
from bot.questions import resolve
from bot.views import DigestView, ReviewSection
from moderation.domain import as_utc
from moderation.measure.goals import list_goals
from moderation.measure.kpis import KPI_VERSION, KpiSettings, PlatformKpis, Window, compute, definition, rolling
from moderation.measure.kpis.facts import sla_breaches
from moderation.pipeline.context import paused_campaign_events
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow, EscalationRow, InteractionRow

logger = logging.getLogger(__name__)

STUCK_HOURS = 24  # an escalation still open after this long is stuck
CONVERSION_KPIS = ("conversions", "conversion_rate", "leads", "lead_capture_rate", "comment_conversion_rate",
                   "dm_conversion_rate")
ANOMALY_KPIS = ("volume", "response_rate", "first_response_minutes", "negative_share", "escalation_rate")
ANOMALY_Z = 3.5  # robust z-score (median and MAD) beyond which a day is called out
ANOMALY_MIN_VOLUME = 5  # a ratio on fewer interactions than this is noise, not an anomaly
LIST_LIMIT = 10


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(0, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def _short(text: str | None, limit: int = 40) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _fit(line: str, width: int = 74) -> str:
    """One line in 80 columns once bulleted."""
    return _short(line, width)


def _local(at: datetime, tz: str) -> str:
    return f"{as_utc(at).astimezone(ZoneInfo(tz)):%a %d %b %H:%M}"


def weekly_ops(db: Database, *, now: datetime, settings: KpiSettings | None = None, days: int = 7,
               stuck_hours: float = STUCK_HOURS, title: str = "Weekly operations check") -> DigestView:
    """SLA breaches (with the items), stuck escalations, drafts waiting, dead letters and paused campaigns."""
    settings = settings or KpiSettings()
    now = as_utc(now)
    tz = settings.timezone
    window = rolling(now, days, tz)
    with db.session() as session:
        count, breaches = sla_breaches(session, window.start, window.end, as_of=now, settings=settings,
                                       limit=LIST_LIMIT)
        by_id = {row.id: row for row in session.scalars(
            sa.select(InteractionRow).where(InteractionRow.id.in_([b[0] for b in breaches])))}
        stuck = session.execute(
            sa.select(EscalationRow, InteractionRow.platform)
            .join(InteractionRow, InteractionRow.id == EscalationRow.interaction_id)
            .where(EscalationRow.state != "resolved", EscalationRow.created_at < now - timedelta(hours=stuck_hours))
            .order_by(EscalationRow.created_at)).all()
        drafts = session.execute(
            sa.select(ApprovalRow, InteractionRow.platform, InteractionRow.author_name)
            .join(InteractionRow, InteractionRow.id == ApprovalRow.interaction_id)
            .where(ApprovalRow.state == "pending").order_by(ApprovalRow.created_at)).all()
        dead = session.scalars(sa.select(ActionRow).where(ActionRow.state == "dead")
                               .order_by(ActionRow.updated_at.desc())).all()
        paused = [(c, at) for c, at, _, is_paused in paused_campaign_events(session) if is_paused]
        open_escalations = session.scalar(sa.select(sa.func.count()).where(EscalationRow.state != "resolved"))

    breach_lines = []
    for interaction_id, platform, received, first_response in breaches:
        row = by_id.get(interaction_id)
        kind = row.kind if row else "message"
        author = f" @{_short(row.author_name, 16)}" if row and row.author_name else ""
        at = datetime.fromtimestamp(received, tz=ZoneInfo(tz))
        answer = (f"answered after {_ago(timedelta(seconds=first_response - received))}" if first_response
                  else "no answer")
        breach_lines.append(_fit(f"{at:%a %d %b %H:%M} {platform} {kind}{author}: {answer} · "
                                 f"“{_short(row.text if row else '', 60)}”"))
    if count > len(breach_lines):
        breach_lines.append(f"… and {count - len(breach_lines)} more (socialops kpis shows the totals)")
    stuck_lines = [_fit(f"#{e.id} {e.level} {platform}, open {_ago(now - as_utc(e.created_at))}, "
                        f"{'acknowledged' if e.acknowledged_by else 'NOT acknowledged'}: {e.reason}")
                   for e, platform in stuck[:LIST_LIMIT]]
    overdue = sum(1 for a, _, _ in drafts if a.due_at and as_utc(a.due_at) < now)
    draft_lines = [f"#{a.id} {platform} @{handle or '?'} waiting {_ago(now - as_utc(a.created_at))}"
                   + (", overdue" if a.due_at and as_utc(a.due_at) < now else "")
                   for a, platform, handle in drafts[:LIST_LIMIT]]
    if len(drafts) > LIST_LIMIT:
        draft_lines.append(f"… and {len(drafts) - LIST_LIMIT} more")
    dead_lines = [_fit(f"#{a.id} {a.type} on {a.platform} ({_local(a.updated_at, tz)}): {a.last_error or ''}")
                  for a in dead[:LIST_LIMIT]]
    paused_lines = [f"{campaign}: automation paused since {_local(at, tz)}" for campaign, at in paused]
    sections = (
        ReviewSection(f"SLA breaches ({count})", tuple(breach_lines), "none: every answer within the SLA"),
        ReviewSection(f"Stuck escalations, open over {stuck_hours:.0f} h ({len(stuck)})", tuple(stuck_lines)),
        ReviewSection(f"Drafts waiting for approval ({len(drafts)}, {overdue} overdue)", tuple(draft_lines)),
        ReviewSection(f"Dead letters: actions that failed for good ({len(dead)})", tuple(dead_lines),
                      "none"),
        ReviewSection(f"Paused campaigns ({len(paused)})", tuple(paused_lines)),
    )
    logger.info("bot.reviews.weekly", extra={"breaches": count, "stuck": len(stuck), "drafts": len(drafts),
                                              "dead": len(dead), "paused": len(paused)})
    return DigestView(title=title, window=window.label, lines=(), pending_approvals=len(drafts),
                      open_escalations=int(open_escalations or 0), sections=sections, kpi_version=KPI_VERSION)


def _robust_outliers(points: list[tuple[date, float]]) -> list[tuple[date, float, float]]:
    """(day, value, median) for each day whose robust z-score (median, MAD) exceeds ANOMALY_Z."""
    values = [v for _, v in points]
    if len(values) < 7:
        return []
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    scale = 1.4826 * mad or statistics.mean(abs(v - median) for v in values) * 1.2533
    if not scale:
        return []
    return [(day, value, median) for day, value in points if abs(value - median) / scale > ANOMALY_Z]


def monthly_review(db: Database, *, now: datetime, settings: KpiSettings | None = None,
                   title: str = "Monthly KPI review") -> DigestView:
    """Last calendar month: each goal against its target with projection, KPIs month over month, anomalies."""
    settings = settings or KpiSettings()
    now = as_utc(now)
    month = resolve("last_month", now, settings.timezone)
    before = month.previous()
    window = Window("month", as_utc(month.start), as_utc(month.end), (month.end - month.start).days,
                    settings.timezone)
    previous = Window("previous month", as_utc(before.start), as_utc(before.end),
                      (before.end - before.start).days, settings.timezone)
    with db.session() as session:
        table = compute(session, [window, previous], settings=settings, as_of=now, daily=True)
    current_all, previous_all = table.window(window), table.window(previous)
    lines = [kpi_line(PlatformKpis.from_tally(p, table.window(window, platform=p))) for p in table.platforms()]
    if lines:
        lines.append(kpi_line(PlatformKpis.from_tally("all", current_all)))
    trends = tuple(kpi_trend(db, name, current_all, previous_all)
                   for name in dict.fromkeys((*TREND_KPIS, *CONVERSION_KPIS)))
    goals = tuple(goal_line(db, goal, now, settings) for goal in list_goals(db))
    conversion_lines = []
    for name in CONVERSION_KPIS:
        spec = definition(name)
        now_value, then = spec.value(current_all), spec.value(previous_all)
        change = "" if now_value is None or then is None else (
            " (flat)" if abs(now_value - then) < 1e-9 else f" ({'up' if now_value > then else 'down'})")
        conversion_lines.append(f"{spec.label}: {fmt(now_value, spec.unit)}, month before {fmt(then, spec.unit)}"
                                f"{change}")
    days = table.daily(window)
    anomaly_lines = []
    for name in ANOMALY_KPIS:
        spec = definition(name)
        points = [(day, value) for day, tally in days
                  if (value := spec.value(tally)) is not None and (spec.unit == "count" or
                                                                   tally.volume >= ANOMALY_MIN_VOLUME)]
        for day, value, median in _robust_outliers(points):
            anomaly_lines.append(f"{day:%a %d %b}: {spec.label} {fmt(value, spec.unit)} "
                                 f"(typical day {fmt(median, spec.unit)})")
    off = [g for g in goals if g.status != "on track"]
    goal_lines = [f"#{g.goal_id} {g.title}: {g.status}" for g in off]
    sections = (
        ReviewSection(f"Goals not on track ({len(off)} of {len(goals)})", tuple(goal_lines),
                      "every goal on track" if goals else "no active goal (socialops goals add)"),
        ReviewSection("Conversions, month over month", tuple(conversion_lines)),
        ReviewSection(f"Anomalies: days far from the month's usual ({len(anomaly_lines)})", tuple(anomaly_lines),
                      "none"),
    )
    label = f"{month.start:%B %Y}, against {before.start:%B %Y}"
    logger.info("bot.reviews.monthly", extra={"volume": current_all.volume, "anomalies": len(anomaly_lines)})
    return DigestView(title=title, window=label, lines=tuple(lines), trends=trends, goals=goals,
                      sections=sections, kpi_version=KPI_VERSION)
