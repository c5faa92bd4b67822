"""SMART goals on KPIs: baseline measured from the 30 days before the start, progress, projection and status."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from moderation.domain import as_utc, utcnow
from moderation.measure.kpis import KPI_VERSION, KpiSettings, Window, compute, definition
from moderation.storage import Database
from moderation.storage.tables import GoalRow

logger = logging.getLogger(__name__)

BASELINE_DAYS = 30
AT_RISK_PROGRESS = 0.8  # projected to cover at least 80% of the way to the target: at risk, not off track
# Before a day of the goal has passed, a pace is noise: nothing is judged off track (or on track) that early.
MIN_JUDGE_DAYS = 1.0
NO_DATA = "not enough data"
STATUSES = ("on track", "at risk", "off track", NO_DATA)


class GoalError(ValueError):
    """A goal cannot be created or found as asked."""


@dataclass(frozen=True)
class GoalTemplate:
    name: str
    title: str
    kpi: str
    why: str

    def suggest_target(self, baseline: float | None, settings: KpiSettings) -> float:
        """The field's usual ambition for this goal, from the measured baseline."""
        if self.kpi == "sla_compliance":
            return 0.95
        if self.kpi == "dm_first_response_minutes":
            ceiling = float(settings.sla_dm_minutes)
            return min(ceiling, baseline * 0.5) if baseline else ceiling
        if self.kpi == "comment_response_rate":
            return min(1.0, (baseline or 0.0) + 0.10)
        return round((baseline or 0.0) * 1.2, 4) if baseline else 0.05  # lead capture, comment conversion: +20%


TEMPLATES: dict[str, GoalTemplate] = {t.name: t for t in (
    GoalTemplate("dm-lead-capture", "Capture more leads from DMs", "lead_capture_rate",
                 "share of DMs that become a lead: +20% on the baseline"),
    GoalTemplate("comment-conversion", "Convert more commenters", "comment_conversion_rate",
                 "share of comments that end in a sale: +20% on the baseline"),
    GoalTemplate("moderation-sla", "Meet the response SLA", "sla_compliance",
                 "95% of answerable interactions answered within the SLA, business hours"),
    GoalTemplate("dm-response-time", "Answer DMs faster", "dm_first_response_minutes",
                 "halve the DM first response time, at most the DM SLA"),
    GoalTemplate("comment-response-rate", "Answer more comments", "comment_response_rate",
                 "10 points more comments answered"),
)}


@dataclass(frozen=True)
class GoalProgress:
    goal: GoalRow
    current: float | None  # the KPI since the goal started (counts scaled to 30 days)
    progress: float | None  # 0 at baseline, 1 at target
    projection: float | None  # the KPI at the deadline if the pace since the start holds
    status: str
    elapsed_days: float
    total_days: float


def _kpi_value(db: Database, kpi: str, start: datetime, end: datetime, *, platform: str | None,
               campaign: str | None, settings: KpiSettings, as_of: datetime | None = None) -> float | None:
    days = max((end - start).total_seconds() / 86400, 1 / 24)
    window = Window("goal", as_utc(start), as_utc(end), max(1, round(days)), settings.timezone)
    with db.session() as session:
        table = compute(session, [window], settings=settings, as_of=as_of or end, platform=platform,
                        campaign=campaign)
    spec = definition(kpi)
    value = spec.value(table.window(window))
    if value is not None and spec.unit == "count":
        value = value * BASELINE_DAYS / days  # counts compare per 30 days, like the baseline
    return value


def add_goal(db: Database, *, kpi: str | None = None, template: str | None = None, target: float | None = None,
             deadline: datetime, owner: str, platform: str | None = None, campaign: str | None = None,
             starts_at: datetime | None = None, settings: KpiSettings | None = None, title: str = "",
             note: str = "", baseline: float | None = None) -> GoalRow:
    """`baseline`: a value the team measured elsewhere (36 h first response from their old tool), kept as typed;
    without it the baseline is measured over the 30 days before the start."""
    settings = settings or KpiSettings()
    chosen = TEMPLATES.get(template) if template else None
    if template and chosen is None:
        raise GoalError(f"unknown template {template!r}; known: {', '.join(TEMPLATES)}")
    kpi = kpi or (chosen.kpi if chosen else None)
    if not kpi:
        raise GoalError("a goal needs a KPI or a template")
    definition(kpi)  # fails with the list of known KPIs
    starts_at = as_utc(starts_at or utcnow())
    if as_utc(deadline) <= starts_at:
        raise GoalError("the deadline must be after the start")
    baseline_source = "typed" if baseline is not None else "measured"
    if baseline is None:
        baseline = _kpi_value(db, kpi, starts_at - timedelta(days=BASELINE_DAYS), starts_at, platform=platform,
                              campaign=campaign, settings=settings)
    if target is None:
        if chosen is None:
            raise GoalError("a target is needed without a template")
        target = chosen.suggest_target(baseline, settings)
    row = GoalRow(kpi=kpi, platform=platform, campaign=campaign, template=template, baseline=baseline,
                  target=float(target), starts_at=starts_at, deadline=as_utc(deadline), owner=owner,
                  kpi_version=KPI_VERSION, title=title or (chosen.title if chosen else definition(kpi).label),
                  note=note, baseline_source=baseline_source)
    with db.session() as session:
        session.add(row)
    logger.info("moderation.measure.goals.added", extra={"goal_id": row.id, "kpi": kpi, "baseline": baseline})
    return row


def _meets(value: float, target: float, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


def evaluate(db: Database, goal: GoalRow, *, now: datetime | None = None,
             settings: KpiSettings | None = None) -> GoalProgress:
    settings = settings or KpiSettings()
    now = as_utc(now or utcnow())
    start, deadline = as_utc(goal.starts_at), as_utc(goal.deadline)
    end = min(now, deadline) if goal.state == "active" else as_utc(goal.closed_at or deadline)
    total = (deadline - start).total_seconds() / 86400
    elapsed = max(0.0, (end - start).total_seconds() / 86400)
    current = _kpi_value(db, goal.kpi, start, end, platform=goal.platform, campaign=goal.campaign,
                         settings=settings, as_of=now) if elapsed > 0 else None
    spec = definition(goal.kpi)
    baseline, target = goal.baseline, goal.target
    progress = projection = None
    if current is not None and baseline is not None:
        if target != baseline:
            progress = (current - baseline) / (target - baseline)
        projection = baseline + (current - baseline) / elapsed * total if elapsed else current
        if spec.unit == "%":
            projection = min(1.0, max(0.0, projection))
        projection = max(0.0, projection)
    if current is None or elapsed < MIN_JUDGE_DAYS:
        status = NO_DATA  # nothing measured yet, or too little time for a pace: no evidence either way
    elif _meets(current, target, spec.higher_is_better):
        status = "on track"
    elif projection is not None and _meets(projection, target, spec.higher_is_better):
        status = "on track"
    elif projection is not None and baseline is not None and target != baseline and (
            (projection - baseline) / (target - baseline) >= AT_RISK_PROGRESS):
        status = "at risk"
    else:
        status = "off track"
    return GoalProgress(goal, current, progress, projection, status, elapsed, total)


def list_goals(db: Database, *, include_closed: bool = False) -> list[GoalRow]:
    with db.session() as session:
        query = sa.select(GoalRow).order_by(GoalRow.deadline, GoalRow.id)
        if not include_closed:
            query = query.where(GoalRow.state == "active")
        return list(session.scalars(query))


def get_goal(db: Database, goal_id: int) -> GoalRow:
    with db.session() as session:
        goal = session.get(GoalRow, goal_id)
    if goal is None:
        raise GoalError(f"no goal #{goal_id}")
    return goal


def close_goal(db: Database, goal_id: int, *, now: datetime | None = None,
               settings: KpiSettings | None = None) -> GoalRow:
    """Close a goal, keeping the value reached so it can be read later without recomputing."""
    now = as_utc(now or utcnow())
    goal = get_goal(db, goal_id)
    if goal.state == "closed":
        raise GoalError(f"goal #{goal_id} is already closed")
    reached = evaluate(db, goal, now=now, settings=settings).current
    with db.session() as session:
        row = session.get(GoalRow, goal_id)
        row.state, row.closed_at, row.closing_value = "closed", now, reached
        session.add(row)
    logger.info("moderation.measure.goals.closed", extra={"goal_id": goal_id, "value": reached})
    return row


def active_target(db: Database, kpi: str, platform: str | None) -> float | None:
    """The target of the active goal on this KPI and platform (the newest one), for KPI answers."""
    with db.session() as session:
        return session.scalar(
            sa.select(GoalRow.target).where(GoalRow.state == "active", GoalRow.kpi == kpi,
                                            GoalRow.platform.is_(None) if platform is None
                                            else GoalRow.platform == platform)
            .order_by(GoalRow.id.desc()).limit(1))


def parse_goal_value(text: str | float, unit: str) -> float:
    """A target or baseline as typed: "3.5%" or 0.035 for ratios, "36h", "90min", "2d" or 90 for minutes."""
    if isinstance(text, int | float):
        return float(text)
    value = text.strip().lower().replace(",", ".").replace(" ", "")
    try:
        if value.endswith("%"):
            return float(value[:-1]) / 100
        if unit == "min":
            for suffix, factor in (("min", 1.0), ("m", 1.0), ("h", 60.0), ("d", 1440.0), ("j", 1440.0)):
                if value.endswith(suffix):
                    return float(value[: -len(suffix)]) * factor
        number = float(value)
    except ValueError:
        raise GoalError(f"{text!r} is not a value for a KPI in {unit} (e.g. 3.5%, 0.035, 36h, 90min)") from None
    if unit == "%" and number > 1:
        return number / 100  # "90" for a rate means 90%
    return number


def decimals_for(value: float | None, unit: str) -> int:
    """How many decimals show `value` as it was typed (3.5% needs 1, 90% none), at most 2."""
    if value is None:
        return 0
    shown = value * 100 if unit == "%" else value
    for places in range(3):
        if abs(round(shown, places) - shown) < 1e-9:
            return places
    return 2


def format_goal_value(value: float | None, unit: str, places: int = 0) -> str:
    """A goal's figure with the precision of its target: 3.5%, not 4%; 36 h; 90 min; 1,200."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.{places}f}%"
    if unit == "min":
        return f"{value:.{places}f} min" if value < 120 else f"{value / 60:.{max(1, places)}f} h"
    return f"{value:,.{places}f}"
