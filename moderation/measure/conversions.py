"""Orders in: CSV or JSON Lines files and shop webhooks, validated row by row, stored once per order id, then
attributed (attribution.py). A bad row is reported with its line number; every good row is kept."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import as_utc
from moderation.measure.attribution import DEFAULT_WINDOW, attribute
from moderation.storage import Database
from moderation.storage.tables import ConversionRow

logger = logging.getLogger(__name__)

# The file contract, in this order (docs and `socialops conversions import --help`).
COLUMNS = ("order_id", "time", "amount", "currency", "utm_source", "utm_medium", "utm_campaign", "utm_content",
           "discount_code", "customer_handle", "customer_email")
REQUIRED = ("order_id", "time", "amount")
_WIDTHS = {"order_id": 128, "currency": 8, "utm_source": 128, "utm_medium": 128, "utm_campaign": 128,
           "utm_content": 256, "discount_code": 64, "customer_handle": 256, "customer_email": 320}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OrderError(ValueError):
    """One row cannot become an order; the message says why in a line."""


@dataclass(frozen=True)
class Order:
    order_id: str
    time: datetime
    amount: float
    currency: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    discount_code: str | None = None
    customer_handle: str | None = None
    customer_email: str | None = None
    source: str = "file"
    raw: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "occurred_at": self.time, "amount": self.amount,
                "currency": self.currency, "utm_source": self.utm_source, "utm_medium": self.utm_medium,
                "utm_campaign": self.utm_campaign, "utm_content": self.utm_content,
                "discount_code": self.discount_code, "customer_handle": self.customer_handle,
                "customer_email": self.customer_email, "source": self.source, "raw": self.raw}


@dataclass
class ImportReport:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    attributed: int = 0
    by_match: dict[str, int] = field(default_factory=dict)
    stored_ids: list[str] = field(default_factory=list)


def parse_time(value: Any) -> datetime:
    if value is None or str(value).strip() == "":
        raise OrderError("missing time")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value).strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        raise OrderError(f"time {text[:40]!r} is not ISO 8601 (2026-12-01T10:00:00Z) or epoch seconds") from None
    return as_utc(parsed)


def parse_amount(value: Any) -> float:
    if value is None or str(value).strip() == "":
        raise OrderError("missing amount")
    text = str(value).strip().replace("\u202f", "").replace(" ", "")
    text = re.sub(r"^[€$£]|[€$£]$", "", text)
    if re.fullmatch(r"-?\d+,\d{1,2}", text):
        text = text.replace(",", ".")  # "12,50": a French decimal comma
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise OrderError(f"amount {str(value)[:40]!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise OrderError(f"amount {value!r} must be a number >= 0 (refunds are not orders)")
    return float(amount)


def parse_order(record: dict[str, Any], *, source: str = "file") -> Order:
    """One file record (the COLUMNS; extra columns are kept in `raw`) -> an Order, or OrderError."""
    if not isinstance(record, dict):
        raise OrderError("record is not an object")
    values: dict[str, str | None] = {}
    for name, width in _WIDTHS.items():
        value = record.get(name)
        text = str(value).strip() if value is not None else ""
        if len(text) > width:
            raise OrderError(f"{name} is longer than {width} characters")
        values[name] = text or None
    if not values["order_id"]:
        raise OrderError("missing order_id")
    email = values["customer_email"]
    if email and not _EMAIL.match(email):
        raise OrderError(f"customer_email {email[:60]!r} is not an email address")
    return Order(order_id=str(values["order_id"]), time=parse_time(record.get("time")),
                 amount=parse_amount(record.get("amount")),
                 currency=values["currency"].upper() if values["currency"] else None,
                 utm_source=values["utm_source"], utm_medium=values["utm_medium"],
                 utm_campaign=values["utm_campaign"], utm_content=values["utm_content"],
                 discount_code=values["discount_code"],
                 customer_handle=values["customer_handle"].lstrip("@") if values["customer_handle"] else None,
                 customer_email=email.lower() if email else None, source=source,
                 raw={k: v for k, v in record.items() if k not in COLUMNS and _plain(v)})


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def read_orders(path: Path) -> Iterator[tuple[int, Order | None, str | None]]:
    """(line number, order or None, error or None) for every record of a CSV or JSON Lines file."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield 0, None, "the file is not UTF-8"
        return
    first = next((line for line in text.splitlines() if line.strip()), "")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json") or first.lstrip().startswith("{"):
        yield from _jsonl(text)
    else:
        yield from _csv(text)


def _jsonl(text: str) -> Iterator[tuple[int, Order | None, str | None]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield number, parse_order(record), None
        except json.JSONDecodeError as exc:
            yield number, None, f"not JSON ({exc.msg})"
        except OrderError as exc:
            yield number, None, str(exc)


def _csv(text: str) -> Iterator[tuple[int, Order | None, str | None]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        yield 1, None, f"the header lacks {', '.join(missing)} (columns: {','.join(COLUMNS)})"
        return
    reader.fieldnames = header
    for record in reader:
        number = reader.line_num
        if None in record:  # more cells than the header names
            yield number, None, f"{len(header) + len(record[None])} cells for {len(header)} columns"
            continue
        try:
            yield number, parse_order(record), None
        except OrderError as exc:
            yield number, None, str(exc)


def store_orders(session: Session, orders: Iterable[Order]) -> tuple[list[str], int]:
    """Insert the orders not stored yet (by order id); returns (new order ids, duplicates)."""
    batch: dict[str, Order] = {}
    duplicates = 0
    for order in orders:
        if order.order_id in batch:
            duplicates += 1
            continue
        batch[order.order_id] = order
    known: set[str] = set()
    ids = list(batch)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        known.update(session.scalars(sa.select(ConversionRow.order_id).where(ConversionRow.order_id.in_(chunk))))
    fresh = [order for order_id, order in batch.items() if order_id not in known]
    if fresh:
        session.execute(sa.insert(ConversionRow), [order.row() | {"recorded_at": datetime.now(UTC)}
                                                   for order in fresh])
    return [order.order_id for order in fresh], duplicates + len(known)


def import_orders(db: Database, lines: Iterable[tuple[int, Order | None, str | None]], *,
                  window: timedelta = DEFAULT_WINDOW,
                  chunk: int = 5000) -> ImportReport:
    """Store every good order (once per order id) and attribute the new ones; bad lines are listed in the report.
    Committed per chunk, so a file of a million orders neither holds one huge transaction nor loses a chunk."""
    report = ImportReport()
    pending: list[Order] = []

    def flush() -> None:
        if not pending:
            return
        with db.session() as session:
            new_ids, duplicates = store_orders(session, pending)
            session.flush()
            result = attribute(session, new_ids, window=window)
        report.stored += len(new_ids)
        report.duplicates += duplicates
        report.stored_ids += new_ids
        report.attributed += result.attributed
        for key, count in result.by_match.items():
            report.by_match[key] = report.by_match.get(key, 0) + count
        pending.clear()

    for line, order, error in lines:
        report.read += 1
        if order is None:
            report.errors.append((line, error or "unreadable"))
            continue
        pending.append(order)
        if len(pending) >= chunk:
            flush()
    flush()
    logger.info("moderation.measure.conversions.imported", extra={
        "read": report.read, "stored": report.stored, "duplicates": report.duplicates,
        "errors": len(report.errors), "attributed": report.attributed})
    return report
