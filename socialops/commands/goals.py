"""`socialops goals add|list|show|close`: SMART goals on KPIs, with baseline, progress, projection and status."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from socialops.commands.kpis import CONFIG, context, parse_end


def _describe(result, _fmt=None) -> str:  # type: ignore[no-untyped-def]
    g = result.goal
    from moderation.measure.goals import decimals_for, format_goal_value
    from moderation.measure.kpis import definition

    unit = definition(g.kpi).unit
    # Every figure of the goal at the precision its target and baseline were given with: 3.5%, not 4%.
    places = max(decimals_for(g.target, unit), decimals_for(g.baseline, unit) if g.baseline_source == "typed" else 0)

    def fmt(value, unit):  # type: ignore[no-untyped-def]
        return format_goal_value(value, unit, places)

    typed = " (typed)" if getattr(g, "baseline_source", "measured") == "typed" else ""
    scope = " · ".join(x for x in (g.platform, g.campaign and f"campaign {g.campaign}") if x) or "all platforms"
    progress = "—" if result.progress is None else f"{result.progress:.0%}"
    return (f"#{g.id} {g.title} [{g.kpi}, {scope}] owner {g.owner}, {g.starts_at:%Y-%m-%d} → {g.deadline:%Y-%m-%d}"
            f" ({result.elapsed_days:.0f}/{result.total_days:.0f} days){' CLOSED' if g.state == 'closed' else ''}\n"
            f"   baseline {fmt(g.baseline, unit)}{typed} · now {fmt(result.current, unit)}"
            f" · target {fmt(g.target, unit)} · progress {progress} · projection {fmt(result.projection, unit)}"
            f" · {result.status}")


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
    @click.option("--target", "target_text", default=None,
                  help="3.5% or 0.035 for rates; 90min, 36h or 90 (minutes) for times; shown as precise as typed.")
    @click.option("--baseline", "baseline_text", default=None,
                  help="A baseline you measured elsewhere (e.g. 36h); default: measured over the 30 days before.")
    @click.option("--deadline", "deadline_text", required=True, metavar="DATE",
                  help="When the target must be met (a date in the team timezone).")
    @click.option("--owner", required=True, help="Who is accountable for the goal.")
    @click.option("--platform", default=None, help="Only this platform (default: all).")
    @click.option("--campaign", default=None, help="Only this campaign tag (default: all).")
    @click.option("--start", "start_text", default=None, metavar="DATE", help="Default: now.")
    @click.option("--title", default="", help="A name for the goal (default: one made from the KPI).")
    def add(config_path: Path | None, template: str | None, kpi: str | None, target_text: str | None,
            baseline_text: str | None, deadline_text: str, owner: str, platform: str | None, campaign: str | None,
            start_text: str | None, title: str) -> None:
        """Add a goal; its baseline is measured now from the 30 days before its start."""
        from bot.console import fmt
        from moderation.measure.goals import TEMPLATES, GoalError, add_goal, evaluate, parse_goal_value
        from moderation.measure.kpis import definition
        from socialops.errors import UserError

        _, db, kpi_settings = context(config_path)
        tz = kpi_settings.timezone
        try:
            name = kpi or (TEMPLATES[template].kpi if template in TEMPLATES else None)
            unit = definition(name).unit if name else "count"
            target = parse_goal_value(target_text, unit) if target_text is not None else None
            baseline = parse_goal_value(baseline_text, unit) if baseline_text is not None else None
            goal = add_goal(db, kpi=kpi, template=template, target=target, deadline=parse_end(deadline_text, tz),
                            owner=owner, platform=platform, campaign=campaign,
                            starts_at=parse_end(start_text, tz) if start_text else None, settings=kpi_settings,
                            title=title, baseline=baseline)
        except (GoalError, KeyError) as exc:
            raise UserError(str(exc).strip("'\"")) from None
        click.echo(_describe(evaluate(db, goal, settings=kpi_settings), fmt))

    @goals.command("list")
    @CONFIG
    @click.option("--all", "include_closed", is_flag=True, help="Include closed goals.")
    def list_(config_path: Path | None, include_closed: bool) -> None:
        """Active goals with their status (on track, at risk, off track, or not enough data yet)."""
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
        """Goal GOAL_ID, with its weekly values since the start."""
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
        """Close goal GOAL_ID, recording the value reached."""
        from bot.console import fmt
        from moderation.measure.goals import GoalError, close_goal, evaluate
        from socialops.errors import UserError

        _, db, kpi_settings = context(config_path)
        try:
            goal = close_goal(db, goal_id, settings=kpi_settings)
        except GoalError as exc:
            raise UserError(str(exc)) from None
        click.echo(_describe(evaluate(db, goal, settings=kpi_settings), fmt))
