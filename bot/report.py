"""`socialops report` renderings of the digest's content: text, Markdown, CSV (long format) and PNG charts."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from bot.console import fmt
from bot.digest import CHART_KPIS, DigestData, context_chart
from bot.views import DigestView
from moderation.measure.kpis import DEFINITIONS, KPI_VERSION, KpiSettings
from moderation.storage import Database


def render_text(data: DigestData) -> str:
    return render_view_text(data.view)


def render_view_text(view: DigestView) -> str:
    """Any digest or review as the console shows it, 80 columns."""
    import asyncio

    from rich.console import Console

    from bot.console import ConsoleSurface

    console = Console(record=True, width=80, force_terminal=False, file=io.StringIO())  # recorded, not printed
    asyncio.run(ConsoleSurface(console).post_digest(view))
    return console.export_text()


def render_view_markdown(view: DigestView) -> str:
    out = [f"# {view.title}", "", view.window, ""]
    if view.trends:
        out += ["| KPI | now | before | goal |", "|---|---:|---:|---:|"]
        out += [f"| {t.label} | {fmt(t.value, t.unit)} | {fmt(t.previous, t.unit)} | "
                f"{fmt(t.goal, t.unit) if t.goal is not None else ''} |" for t in view.trends]
        out.append("")
    for g in view.goals:
        out.append(f"- goal #{g.goal_id} {g.title}: {fmt(g.current, g.unit)} now, target {fmt(g.target, g.unit)}, "
                   f"projected {fmt(g.projection, g.unit)} — {g.status}")
    if view.goals:
        out.append("")
    for section in view.sections:
        out += [f"## {section.title}", ""]
        out += [f"- {line}" for line in section.lines] or [f"_{section.empty}_"]
        out.append("")
    return "\n".join(out)


def review_view(db: Database, kind: str, *, now: datetime, settings: KpiSettings, team: str,
                days: int = 7) -> DigestView:
    """The weekly operations check, the monthly KPI review or the A/B report, as of `now`."""
    if kind == "weekly":
        from bot.cadence import weekly_ops

        return weekly_ops(db, now=now, settings=settings, title=f"{team} — weekly operations check")
    if kind == "monthly":
        from bot.cadence import monthly_review

        return monthly_review(db, now=now, settings=settings, title=f"{team} — monthly KPI review")
    from bot.ab import ab_view

    return ab_view(db, now=now, days=days, settings=settings, title=f"{team} — A/B reply variants")


def _platform_columns(data: DigestData) -> list[tuple[str, str | None]]:
    return [(p, p) for p in data.table.platforms()] + [("all", None)]


def render_markdown(data: DigestData) -> str:
    view, table, window = data.view, data.table, data.window
    previous = window.previous()
    columns = _platform_columns(data)
    out = [f"# {view.title}", "", f"{view.window} · KPI definitions v{KPI_VERSION}", ""]
    out += ["| KPI | " + " | ".join(name for name, _ in columns) + " | previous (all) |",
            "|---|" + "---:|" * (len(columns) + 1)]
    tallies = {name: table.window(window, platform=p) for name, p in columns}
    before = table.window(previous)
    for spec in DEFINITIONS:
        cells = [fmt(spec.value(tallies[name]), spec.unit) for name, _ in columns]
        out.append(f"| {spec.label} | " + " | ".join(cells) + f" | {fmt(spec.value(before), spec.unit)} |")
    out += ["", f"Pending approvals: {view.pending_approvals} · open escalations: {view.open_escalations}", ""]
    if view.goals:
        out += ["## Goals", "", "| goal | owner | deadline | baseline | now | target | projection | status |",
                "|---|---|---|---:|---:|---:|---:|---|"]
        for g in view.goals:
            out.append(f"| #{g.goal_id} {g.title} | {g.owner} | {g.deadline:%Y-%m-%d} | {fmt(g.baseline, g.unit)} | "
                       f"{fmt(g.current, g.unit)} | {fmt(g.target, g.unit)} | {fmt(g.projection, g.unit)} | "
                       f"{g.status} |")
        out.append("")
    if view.negative_posts:
        out += ["## Posts with the most negative comments", ""]
        out += [f"- {p.platform} `{p.post_id}`: {p.negative} negative of {p.comments}" for p in view.negative_posts]
        out.append("")
    if view.escalations:
        out += ["## Open escalations", ""]
        out += [f"- #{e.escalation_id} {e.level} on {e.platform}: {e.reason} ({e.state})" for e in view.escalations]
        out.append("")
    return "\n".join(out)


def render_csv(data: DigestData) -> str:
    """One row per (period, platform, KPI): easy to pivot in a spreadsheet. Ratios are fractions (0.5 = 50%)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["period_start", "period_end", "scope", "platform", "kpi", "label", "unit", "value",
                     "kpi_version"])
    table, window = data.table, data.window

    def rows(scope: str, start, end) -> None:  # type: ignore[no-untyped-def]
        for name, platform in _platform_columns(data):
            tally = table.tally(start, end, platform=platform)
            for spec in DEFINITIONS:
                value = spec.value(tally)
                writer.writerow([start.isoformat(), end.isoformat(), scope, name, spec.name, spec.label, spec.unit,
                                 "" if value is None else round(value, 6), KPI_VERSION])

    rows("window", window.start, window.end)
    previous = window.previous()
    rows("previous", previous.start, previous.end)
    from moderation.measure.kpis import local_day

    for day, _ in table.daily(window):
        span = local_day(day, window.tz)
        rows("day", max(span.start, window.start), min(span.end, window.end))
    return buffer.getvalue()


def render_png(data: DigestData, db: Database) -> bytes:
    """The digest's chart: the window's days within at least 14, per platform, with the goals' lines."""
    context = [w for w in data.table.windows if w.name == "context"][0]
    return context_chart(db, data.table, data.window, context, title=data.view.title, names=CHART_KPIS + (
        "sla_compliance", "escalation_rate"))
