"""`socialops goals add|list|show|close`: SMART goals on KPIs, with baseline, progress, projection and status."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from socialops.commands.kpis import CONFIG, context, parse_end


def _describe(result, fmt) -> str:  # type: ignore[no-untyped-def]
    g = result.goal
    from moderation.measure.kpis import definition

    unit = definition(g.kpi).unit
    scope = " · ".join(x for x in (g.platform, g.campaign and f"campaign {g.campaign}") if x) or "all platforms"
    progress = "—" if result.progress is None else f"{result.progress:.0%}"
    return (f"#{g.id} {g.title} [{g.kpi}, {scope}] owner {g.owner}, {g.starts_at:%Y-%m-%d} → {g.deadline:%Y-%m-%d}"
            f" ({result.elapsed_days:.0f}/{result.total_days:.0f} days){' CLOSED' if g.state == 'closed' else ''}\n"
            f"   baseline {fmt(g.baseline, unit)} · now {fmt(result.current, unit)} · target {fmt(g.target, unit)}"
            f" · progress {progress} · projection {fmt(result.projection, unit)} · {result.status}")


def register(group: click.Group) -> None:
    @group.group("goals")
    def goals() -> None:
        """SMART goals: a KPI, platform, baseline (the 30 days before the start), target, deadline and owner."""

    @goals.command("add")
    @CONFIG
    @click.option("--template", default=None, help="dm-lead-capture, comment-conversion, moderation-sla, "
                                                   "dm-response-time or comment-response-rate (prefills KPI and "
                                                   "target).")
    @click.option("--kpi", default=None, help="A KPI name (see docs/kpis.md or `socialops kpis`).")
    @click.option("--target", type=float, default=None, help="Ratios as fractions (0.9 = 90%), times in minutes.")
    @click.option("--deadline", "deadline_text", required=True, metavar="DATE")
    @click.option("--owner", required=True)
    @click.option("--platform", default=None)
    @click.option("--campaign", default=None)
    @click.option("--start", "start_text", default=None, metavar="DATE", help="Default: now.")
    @click.option("--title", default="")
    def add(config_path: Path | None, template: str | None, kpi: str | None, target: float | None,
            deadline_text: str, owner: str, platform: str | None, campaign: str | None, start_text: str | None,
            title: str) -> None:
        """Add a goal; its baseline is measured now from the 30 days before its start."""
        from bot.console import fmt
        from moderation.measure.goals import GoalError, add_goal, evaluate
        from socialops.errors import UserError

        _, db, kpi_settings = context(config_path)
        tz = kpi_settings.timezone
        try:
            goal = add_goal(db, kpi=kpi, template=template, target=target, deadline=parse_end(deadline_text, tz),
                            owner=owner, platform=platform, campaign=campaign,
                            starts_at=parse_end(start_text, tz) if start_text else None, settings=kpi_settings,
                            title=title)
        except (GoalError, KeyError) as exc:
            raise UserError(str(exc).strip("'\"")) from None
        click.echo(_describe(evaluate(db, goal, settings=kpi_settings), fmt))

    @goals.command("list")
    @CONFIG
    @click.option("--all", "include_closed", is_flag=True, help="Include closed goals.")
    def list_(config_path: Path | None, include_closed: bool) -> None:
        """Active goals with their status (on track, at risk, off track)."""
        from bot.console import fmt
        from moderation.measure.goals import evaluate, list_goals

        _, db, kpi_settings = context(config_path)
        rows = list_goals(db, include_closed=include_closed)
        if not rows:
            click.echo("no goals yet: socialops goals add --template moderation-sla --deadline 2026-12-31 --owner you")
        for goal in rows:
            click.echo(_describe(evaluate(db, goal, settings=kpi_settings), fmt))

    @goals.command("show")
    @CONFIG
    @click.argument("goal_id", type=int)
    def show(config_path: Path | None, goal_id: int) -> None:
        """One goal, with its weekly values since the start."""
        from bot.console import fmt
        from moderation.domain import as_utc, utcnow
        from moderation.measure.goals import GoalError, evaluate, get_goal
        from moderation.measure.kpis import compute, definition, rolling
        from socialops.errors import UserError

        _, db, kpi_settings = context(config_path)
        try:
            goal = get_goal(db, goal_id)
        except GoalError as exc:
            raise UserError(str(exc)) from None
        click.echo(_describe(evaluate(db, goal, settings=kpi_settings), fmt))
        spec = definition(goal.kpi)
        end = min(utcnow(), as_utc(goal.deadline))
        weeks = []
        week_end = as_utc(goal.starts_at) + timedelta(days=7)
        while week_end <= end and len(weeks) < 26:
            weeks.append(rolling(week_end, 7, kpi_settings.timezone))
            week_end += timedelta(days=7)
        if weeks:
            with db.session() as session:
                table = compute(session, weeks, settings=kpi_settings, platform=goal.platform,
                                campaign=goal.campaign)
            for week in weeks:
                click.echo(f"   week to {week.end:%Y-%m-%d}: {fmt(spec.value(table.window(week)), spec.unit)}")
        if goal.note:
            click.echo(f"   note: {goal.note}")

    @goals.command("close")
    @CONFIG
    @click.argument("goal_id", type=int)
    def close(config_path: Path | None, goal_id: int) -> None:
        """Close a goal, recording the value reached."""
        from bot.console import fmt
        from moderation.measure.goals import GoalError, close_goal, evaluate
        from socialops.errors import UserError

        _, db, kpi_settings = context(config_path)
        try:
            goal = close_goal(db, goal_id, settings=kpi_settings)
        except GoalError as exc:
            raise UserError(str(exc)) from None
        click.echo(_describe(evaluate(db, goal, settings=kpi_settings), fmt))
