"""`socialops conversions import FILE` and `socialops conversions attribute`: orders in, matched to conversations."""

from __future__ import annotations

from pathlib import Path

import click

from socialops.commands.kpis import CONFIG


def register(group: click.Group) -> None:
    @group.group("conversions")
    def conversions() -> None:
        """Orders from the shop, attributed to the conversations that led to them."""

    @conversions.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @CONFIG
    @click.option("--window-days", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Attribution window before each order [conversions.attribution_days, 7].")
    @click.option("--max-errors", default=20, show_default=True, help="How many rejected lines to list.")
    def import_(file: Path, config_path: Path | None, window_days: float | None, max_errors: int) -> None:
        """Store the orders in FILE (CSV or JSON Lines) and attribute them.

        Columns: order_id, time (ISO 8601 or epoch seconds), amount; optional currency, utm_source, utm_medium,
        utm_campaign, utm_content, discount_code, customer_handle, customer_email. An order id already stored is
        skipped (importing twice changes nothing); bad lines are listed with their number and the rest goes in."""
        from datetime import timedelta

        from moderation.measure.conversions import import_orders, read_orders
        from moderation.storage import Database
        from socialops.config import load_settings

        settings = load_settings(config_path)
        db = Database(settings.database_url)
        days = window_days or settings.conversions.attribution_days
        try:
            report = import_orders(db, read_orders(file), window=timedelta(days=days))
        finally:
            db.dispose()
        for line, error in report.errors[:max_errors]:
            click.echo(f"{file}:{line}: rejected: {error}", err=True)
        if len(report.errors) > max_errors:
            click.echo(f"... and {len(report.errors) - max_errors} more rejected lines", err=True)
        how = ", ".join(f"{count} by {name}" for name, count in sorted(report.by_match.items()))
        click.echo(f"{report.read} rows: {report.stored} orders stored, {report.duplicates} already known, "
                   f"{len(report.errors)} rejected; {report.attributed} attributed"
                   + (f" ({how})" if how else "") + f" within {days:g} days")

    @conversions.command("attribute")
    @CONFIG
    @click.option("--window-days", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Attribution window before each order [conversions.attribution_days, 7].")
    def attribute_(config_path: Path | None, window_days: float | None) -> None:
        """Try again to attribute the orders not attributed yet (e.g. after a lead gave their email)."""
        from datetime import timedelta

        from moderation.measure.attribution import attribute
        from moderation.storage import Database
        from socialops.config import load_settings

        settings = load_settings(config_path)
        db = Database(settings.database_url)
        days = window_days or settings.conversions.attribution_days
        with db.session() as session:
            result = attribute(session, window=timedelta(days=days))
        db.dispose()
        click.echo(f"{result.attributed} attributed, {result.unmatched} still unmatched")
