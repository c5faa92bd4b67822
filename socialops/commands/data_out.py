"""`socialops export interactions|events|leads|conversions` and `socialops leads list|export`: data out as
JSON Lines, CSV or Parquet (pyarrow, an optional extra)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import click

from socialops.commands.kpis import CONFIG

FORMATS = ("jsonl", "csv", "parquet")


def parse_since(text: str | None, tz: str) -> datetime | None:
    from zoneinfo import ZoneInfo

    from moderation.domain import as_utc
    from socialops.errors import UserError

    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--since {text!r}: use YYYY-MM-DD or an ISO datetime") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))  # a date is the team's local midnight
    return as_utc(value)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return ""
    return value


def write_records(records: Iterable[dict[str, Any]], fmt: str, out: IO[str] | None, path: Path | None) -> int:
    """Write records in `fmt` to `path` (or `out`); returns how many. CSV cells holding lists or objects are
    JSON; the CSV header is the union of the fields, in first-seen order."""
    if fmt == "parquet":
        return _parquet(records, path)
    handle: IO[str] = open(path, "w", encoding="utf-8", newline="") if path else (out or sys.stdout)  # noqa: SIM115
    count = 0
    try:
        if fmt == "jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                count += 1
        else:
            rows = list(records)  # the header needs every field; exports for CSV are read whole anyway
            fields: dict[str, None] = {}
            for record in rows:
                fields.update(dict.fromkeys(record))
            writer = csv.DictWriter(handle, fieldnames=list(fields), extrasaction="ignore")
            writer.writeheader()
            for record in rows:
                writer.writerow({key: _cell(record.get(key)) for key in fields})
            count = len(rows)
    finally:
        if path:
            handle.close()
    return count


def _parquet(records: Iterable[dict[str, Any]], path: Path | None) -> int:
    from socialops.errors import UserError

    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError("Parquet needs pyarrow: pip install 'socialops[parquet]'") from None
    if path is None:
        raise UserError("--format parquet needs --output FILE")
    rows = list(records)
    # Nested values (actions, tags, data) as JSON text: one schema whatever each record holds.
    flat = [{key: (json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, dict | list) else v)
             for key, v in record.items()} for record in rows]
    fields: dict[str, None] = {}
    for record in flat:
        fields.update(dict.fromkeys(record))
    table = pa.Table.from_pylist([{key: record.get(key) for key in fields} for record in flat])
    pq.write_table(table, path)
    return len(rows)


def _export(dataset: str, config_path: Path | None, since_text: str | None, fmt: str, output: Path | None) -> None:
    from moderation.measure.export import records
    from moderation.storage import Database
    from socialops.config import load_settings

    settings = load_settings(config_path)
    db = Database(settings.database_url)
    try:
        count = write_records(records(dataset, db, parse_since(since_text, settings.team.timezone)), fmt, None,
                              output)
    finally:
        db.dispose()
    if output is not None:
        click.echo(f"{count} {dataset} written to {output}", err=True)


SINCE = click.option("--since", "since_text", default=None, metavar="DATE|DATETIME",
                     help="Only records from this local date or ISO datetime on.")
FORMAT = click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
                      help="jsonl, csv, or parquet (needs the parquet extra: pip install 'socialops[parquet]').")
OUTPUT = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
                      help="Write to FILE (default: stdout; Parquet needs a file).")


def register(group: click.Group) -> None:
    @group.command("export")
    @click.argument("dataset", type=click.Choice(["interactions", "events", "leads", "conversions"]))
    @CONFIG
    @SINCE
    @FORMAT
    @OUTPUT
    def export(dataset: str, config_path: Path | None, since_text: str | None, fmt: str,
               output: Path | None) -> None:
        """Export DATASET for a warehouse: one record per interaction, event, lead or order.

        `interactions` fields (a public contract, docs/export.md): id, platform, kind, text, intent, toxicity,
        toxic_kind (when known), sentiment, lang, status, hidden, escalated, lead, converted, tags, actions
        ([{type, state, automated, text}]), author, created_at, campaign, post_id, account_id, ref."""
        _export(dataset, config_path, since_text, fmt, output)

    @group.group("leads")
    def leads() -> None:
        """Leads: people with buying intent and contact or volume signals."""

    @leads.command("list")
    @CONFIG
    @SINCE
    @click.option("--limit", default=50, show_default=True, help="How many leads to list, newest first.")
    def leads_list(config_path: Path | None, since_text: str | None, limit: int) -> None:
        """The newest leads, one a line: when, who, what we know."""
        from moderation.measure.export import records
        from moderation.storage import Database
        from socialops.config import load_settings

        settings = load_settings(config_path)
        db = Database(settings.database_url)
        rows = list(records("leads", db, parse_since(since_text, settings.team.timezone)))
        db.dispose()
        if not rows:
            click.echo("no leads")
            return
        for lead in rows[-limit:][::-1]:
            known = ", ".join(f"{k}={lead[k]}" for k in ("email", "phone", "headcount", "budget", "event_date",
                                                         "company") if lead.get(k))
            click.echo(f"#{lead['id']}  {lead['created_at'][:16]}  {lead['platform']:<9} "
                       f"{(lead['handle'] or lead['author_id'])[:24]:<24} {lead['stage']:<10} {known}")
        click.echo(f"{len(rows)} lead(s)")

    @leads.command("export")
    @CONFIG
    @SINCE
    @FORMAT
    @OUTPUT
    def leads_export(config_path: Path | None, since_text: str | None, fmt: str, output: Path | None) -> None:
        """Same as `socialops export leads`."""
        _export("leads", config_path, since_text, fmt, output)
