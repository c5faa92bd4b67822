"""Windows (local day, rolling N days) and business hours in the team's timezone, as SQL-ready epoch boundaries.

Both are computed in Python for the few boundaries involved (DST-correct with zoneinfo) and then used inside
the SQL as constants, so the database needs no timezone support at all (SQLite has none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import WEEKDAYS, as_utc
from moderation.measure.kpis.dialect import least


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC; `days` local calendar days long."""

    name: str
    start: datetime
    end: datetime
    days: int
    tz: str = "UTC"

    def previous(self) -> Window:
        """The window of the same length just before this one (what trends compare against)."""
        return rolling(self.start, self.days, self.tz, name=f"{self.name} (previous)")

    @property
    def label(self) -> str:
        zone = ZoneInfo(self.tz)
        start, end = self.start.astimezone(zone), self.end.astimezone(zone)
        fmt = "%Y-%m-%d" if start.time() == end.time() == time(0) else "%Y-%m-%d %H:%M"
        return f"{start:{fmt}} → {end:{fmt}} ({self.days} day{'s' if self.days != 1 else ''}, {self.tz})"


def rolling(end: datetime, days: int, tz: str = "UTC", *, name: str | None = None) -> Window:
    """The `days` local days ending at `end`; calendar arithmetic in the team's zone, so a DST day is 23 or 25 h."""
    zone = ZoneInfo(tz)
    local_end = as_utc(end).astimezone(zone)
    naive_start = local_end.replace(tzinfo=None) - timedelta(days=days)
    start = naive_start.replace(tzinfo=zone)
    return Window(name or f"{days}d", as_utc(start), as_utc(end), days, tz)


def local_day(day: date, tz: str = "UTC") -> Window:
    """One calendar day in the team's timezone (local midnight to local midnight)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return Window(f"{day:%Y-%m-%d}", as_utc(start), as_utc(end), 1, tz)


def local_midnight(at: datetime, tz: str) -> datetime:
    """The local midnight starting the day `at` falls in, in UTC."""
    zone = ZoneInfo(tz)
    return as_utc(datetime.combine(as_utc(at).astimezone(zone).date(), time(0), zone))


_SPEC = re.compile(r"^(?:(day)|(\d{1,3})d)$")


def parse_window(spec: str, end: datetime, tz: str = "UTC") -> Window:
    """`day` (the local calendar day ending at `end`, i.e. yesterday when `end` is a midnight), `7d`, `30d`, `Nd`."""
    match = _SPEC.match(spec.strip().lower())
    if not match or (match.group(2) and int(match.group(2)) == 0):
        raise ValueError(f"unknown window {spec!r} (use day, 7d, 30d or Nd)")
    if match.group(1):
        return rolling(end, 1, tz, name="day")
    return rolling(end, int(match.group(2)), tz)


def epoch(at: datetime) -> float:
    return as_utc(at).timestamp()


def business_intervals(tz: str, start_hour: int, end_hour: int, days: tuple[str, ...], since: datetime,
                       until: datetime) -> list[tuple[float, float]]:
    """Open/close epochs of each business day overlapping [since, until], plus a day of margin either side."""
    zone = ZoneInfo(tz)
    open_days = {WEEKDAYS.index(d) for d in days}
    first = as_utc(since).astimezone(zone).date() - timedelta(days=1)
    last = as_utc(until).astimezone(zone).date() + timedelta(days=1)
    intervals = []
    day = first
    while day <= last:
        if day.weekday() in open_days:
            opens = datetime.combine(day, time(start_hour), zone)
            closes = (datetime.combine(day + timedelta(days=1), time(0), zone) if end_hour == 24
                      else datetime.combine(day, time(end_hour), zone))
            intervals.append((opens.timestamp(), closes.timestamp()))
        day += timedelta(days=1)
    return intervals


def bucket_expr(value: sa.ColumnElement, boundaries: list[float]) -> sa.ColumnElement[int]:
    """Index i with boundaries[i] <= value < boundaries[i+1] (-1 before the first), by a balanced CASE tree."""

    def build(lo: int, hi: int) -> sa.ColumnElement[int]:
        if lo == hi:
            return sa.literal(lo)
        mid = (lo + hi + 1) // 2
        return sa.case((value < boundaries[mid], build(lo, mid - 1)), else_=build(mid, hi))

    return build(-1, len(boundaries) - 1)


def business_seconds_expr(session: Session, value: sa.ColumnElement,
                          intervals: list[tuple[float, float]]) -> sa.ColumnElement[float]:
    """Business seconds elapsed from the first interval's opening to `value` (an epoch): a piecewise-linear clock
    that stops outside business hours. The difference of two readings is the business time between them."""
    if not intervals:
        return sa.literal(0.0)
    cumulative = [0.0]
    for opens, closes in intervals[:-1]:
        cumulative.append(cumulative[-1] + (closes - opens))

    def leaf(i: int) -> sa.ColumnElement[float]:
        if i < 0:
            return sa.literal(0.0)
        opens, closes = intervals[i]
        return cumulative[i] + least(session, value - opens, closes - opens)

    def build(lo: int, hi: int) -> sa.ColumnElement[float]:
        if lo == hi:
            return leaf(lo)
        mid = (lo + hi + 1) // 2
        return sa.case((value < intervals[mid][0], build(lo, mid - 1)), else_=build(mid, hi))

    return build(-1, len(intervals) - 1)


def business_seconds(value: float, intervals: list[tuple[float, float]]) -> float:
    """The Python twin of `business_seconds_expr`, for constants such as `as_of`."""
    total = 0.0
    for opens, closes in intervals:
        if value <= opens:
            break
        total += min(value, closes) - opens
    return total
