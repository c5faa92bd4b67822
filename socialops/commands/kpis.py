"""`socialops kpis` (the KPI table) and `socialops report` (the digest's content as text, Markdown, CSV or PNG)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from socialops.cli_options import config_option

CONFIG = config_option
END = click.option("--end", "end_text", default=None, metavar="DATE|DATETIME",
                   help="Window end: a local date (its midnight, so the window is the days before it) or an ISO "
                        "datetime. Default: now.")
WINDOW = click.option("--window", "window_spec", default="7d", show_default=True, help="day, 7d, 30d or Nd.")


def parse_end(text: str | None, tz: str) -> datetime:
    """A local date means that day's local midnight; an ISO datetime without offset is local time."""
    from zoneinfo import ZoneInfo

    from moderation.domain import as_utc, utcnow
    from socialops.errors import UserError

    if not text:
        return utcnow()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--end {text!r}: use YYYY-MM-DD or an ISO datetime") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return as_utc(value)


def context(config_path: Path | None):  # type: ignore[no-untyped-def]
    from moderation.measure.kpis import KpiSettings
    from moderation.storage import Database
    from socialops.config import load_settings

    settings = load_settings(config_path)
    return settings, Database(settings.database_url), KpiSettings.from_settings(settings)


def register(group: click.Group) -> None:
    @group.command("kpis")
    @CONFIG
    @WINDOW
    @END
    @click.option("--campaign", default=None, help="Only this campaign tag ('(none)' for untagged).")
    @click.option("--platform", default=None, help="Only this platform.")
    @click.option("--by", type=click.Choice(["platform", "campaign"]), default="platform", show_default=True,
                  help="One summary per platform or per campaign.")
    def kpis(config_path: Path | None, window_spec: str, end_text: str | None, campaign: str | None,
             platform: str | None, by: str) -> None:
        """Print every KPI for the window, a column per platform (or campaign) plus all, and the previous window.

        Definitions and formulas: docs/kpis.md. Interactions count in the window they were received in."""
        from rich.console import Console
        from rich.table import Table

        from bot.console import fmt
        from moderation.measure.kpis import DEFINITIONS, KPI_VERSION, compute, parse_window
        from socialops.errors import UserError

        settings, db, kpi_settings = context(config_path)
        try:
            window = parse_window(window_spec, parse_end(end_text, kpi_settings.timezone), kpi_settings.timezone)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        previous = window.previous()
        with db.session() as session:
            table = compute(session, [window, previous], settings=kpi_settings, platform=platform, campaign=campaign)
        keys = table.platforms() if by == "platform" else table.campaigns()
        tallies = [(k, table.window(window, **{by: k})) for k in keys] + [("all", table.window(window))]
        before = table.window(previous)
        scope = " · ".join(x for x in (platform and f"platform {platform}", campaign and f"campaign {campaign}") if x)
        out = Table(title=f"KPIs {window.label}{' · ' + scope if scope else ''} · definitions v{KPI_VERSION}")
        out.add_column("KPI")
        for key, _ in tallies:
            out.add_column(key, justify="right")
        out.add_column("previous (all)", justify="right")
        for spec in DEFINITIONS:
            out.add_row(spec.label, *(fmt(spec.value(t), spec.unit) for _, t in tallies),
                        fmt(spec.value(before), spec.unit))
        Console().print(out)
        db.dispose()

    @group.command("report")
    @CONFIG
    @WINDOW
    @END
    @click.option("--format", "fmt_name", type=click.Choice(["text", "md", "csv", "png"]), default="text",
                  show_default=True, help="Plain text, Markdown, a CSV spreadsheet or a PNG chart.")
    @click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Write to this file (default: stdout; png: report.png).")
    def report(config_path: Path | None, window_spec: str, end_text: str | None, fmt_name: str,
               out_path: Path | None) -> None:
        """The daily digest's content for any window: KPIs with trends, goals, hot posts, escalations.

        csv is long format (period, platform, KPI, value) for spreadsheets; png draws a chart per KPI trend."""
        from bot import report as render
        from bot.digest import digest_data
        from moderation.measure.kpis import parse_window
        from socialops.errors import UserError

        settings, db, kpi_settings = context(config_path)
        end = parse_end(end_text, kpi_settings.timezone)
        try:
            window = parse_window(window_spec, end, kpi_settings.timezone)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        data = digest_data(db, end=end, days=window.days, title=f"{settings.team.name} — {window_spec} report",
                           settings=kpi_settings, chart=False)
        db.dispose()
        if fmt_name == "png":
            target = out_path or Path("report.png")
            target.write_bytes(render.render_png(data))
            click.echo(f"wrote {target}")
            return
        text = {"text": render.render_text, "md": render.render_markdown, "csv": render.render_csv}[fmt_name](data)
        if out_path:
            out_path.write_text(text, encoding="utf-8")
            click.echo(f"wrote {out_path}")
        else:
            click.echo(text, nl=False)
