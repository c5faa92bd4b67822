"""Periods a lead asks about (today, last week, 3-9 Nov...) as [start, end) in the team's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("today", "yesterday", "this_week", "last_week", "last_7_days", "last_30_days", "last_24_hours",
         "this_month", "last_month", "last_n_days", "day", "range", "month")

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
_SHORT_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
_NAMED = {
    "en": {"today": "today", "yesterday": "yesterday", "this_week": "this week", "last_week": "last week",
           "last_24_hours": "last 24 hours", "this_month": "this month", "last_month": "last month"},
    "fr": {"today": "aujourd'hui", "yesterday": "hier", "this_week": "cette semaine",
           "last_week": "la semaine dernière", "last_24_hours": "dernières 24 heures", "this_month": "ce mois-ci",
           "last_month": "le mois dernier"},
}


class PeriodError(ValueError):
    """A period that cannot be answered (an impossible date, a future period)."""


@dataclass(frozen=True)
class Period:
    """[start, end) as aware datetimes in the team's zone; `kind` is one of KINDS."""

    kind: str
    start: datetime
    end: datetime
    days: int = 0  # last_n_days: N

    def previous(self) -> Period:
        """The period a trend compares against: the same length just before, like for like.

        A week or month still running compares with the same stretch of the week or month before (Monday to
        Thursday 14:30 against the Monday to Thursday 14:30 before), so a partial period is never set against
        a whole one."""
        zone = self.start.tzinfo
        if self.kind in ("this_month", "last_month", "month"):
            start = _add_months(self.start, -1)
            end = _add_months(self.end, -1) if self.kind == "this_month" else self.start
            return Period(self.kind, start, end, self.days)
        if self.kind in ("last_24_hours",):
            span = self.end - self.start
            return Period(self.kind, self.start - span, self.start, self.days)
        local_days = self._local_days()
        start = _local(self.start.replace(tzinfo=None) - timedelta(days=local_days), zone)
        end = _local(self.end.replace(tzinfo=None) - timedelta(days=local_days), zone)
        return Period(self.kind, start, end, self.days)

    def _local_days(self) -> int:
        if self.kind in ("today", "yesterday", "day"):
            return 1
        if self.kind in ("this_week", "last_week"):
            return 7
        if self.kind in ("last_7_days", "last_30_days", "last_n_days"):
            return self.days
        return (self.end.date() - self.start.date()).days or 1

    def label(self, lang: str = "en") -> str:
        """How the answer names it: "last week (9–15 Nov)", "hier", "3–9 nov. 2026"."""
        named = _NAMED.get(lang, _NAMED["en"])
        span = _span(self.start, self.end, lang)
        if self.kind in ("last_7_days", "last_30_days", "last_n_days"):
            return f"last {self.days} days" if lang == "en" else f"{self.days} derniers jours"
        if self.kind in named:
            return named[self.kind] if self.kind in ("today", "yesterday", "last_24_hours") else \
                f"{named[self.kind]} ({span})"
        return span


def _local(naive: datetime, zone) -> datetime:  # type: ignore[no-untyped-def]
    return naive.replace(tzinfo=zone).astimezone(zone)


def _add_months(at: datetime, months: int) -> datetime:
    zone = at.tzinfo
    year, month = divmod(at.year * 12 + at.month - 1 + months, 12)
    day = min(at.day, _month_length(year, month + 1))
    return _local(datetime(year, month + 1, day, at.hour, at.minute, at.second, at.microsecond), zone)


def _month_length(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _span(start: datetime, end: datetime, lang: str) -> str:
    last = end - timedelta(microseconds=1) if end.time() == time(0) else end
    names = MONTHS_EN if lang == "en" else MONTHS_FR
    short = [n[:3] for n in names] if lang == "en" else list(_SHORT_FR)
    year = f" {last.year}" if start.year != last.year or lang == "" else ""
    if start.date() == last.date():
        return f"{start.day} {short[start.month - 1]} {start.year}"
    if start.month == last.month and start.year == last.year:
        return f"{start.day}–{last.day} {short[start.month - 1]} {start.year}"
    first = f"{start.day} {short[start.month - 1]}" + (f" {start.year}" if year else "")
    return f"{first} – {last.day} {short[last.month - 1]} {last.year}"


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def resolve(kind: str, now: datetime, tz: str, days: int = 0) -> Period:
    """A named period ending at (or before) `now`, in zone `tz`."""
    zone = ZoneInfo(tz)
    now = now.astimezone(zone)
    today = midnight(now.date(), zone)
    if kind == "today":
        return Period(kind, today, now)
    if kind == "yesterday":
        return Period(kind, midnight(now.date() - timedelta(days=1), zone), today)
    monday = midnight(now.date() - timedelta(days=now.weekday()), zone)
    if kind == "this_week":
        return Period(kind, monday, now)
    if kind == "last_week":
        return Period(kind, midnight(monday.date() - timedelta(days=7), zone), monday)
    if kind == "last_24_hours":
        return Period(kind, now - timedelta(hours=24), now)
    first = midnight(now.date().replace(day=1), zone)
    if kind == "this_month":
        return Period(kind, first, now)
    if kind == "last_month":
        return Period(kind, midnight((first.date() - timedelta(days=1)).replace(day=1), zone), first)
    if kind in ("last_7_days", "last_30_days", "last_n_days"):
        days = days or (7 if kind == "last_7_days" else 30)
        if days < 1 or days > 731:
            raise PeriodError(f"{days} days")
        kind = {7: "last_7_days", 30: "last_30_days"}.get(days, "last_n_days")
        # Calendar days in the team's zone (a DST day is 23 or 25 hours), like the KPI windows.
        return Period(kind, _local(now.replace(tzinfo=None) - timedelta(days=days), zone), now, days)
    raise ValueError(f"unknown period kind {kind!r}; known: {', '.join(KINDS)}")


def days_between(first: date, last: date, tz: str, kind: str = "range") -> Period:
    """Whole local days from `first` to `last`, both included."""
    zone = ZoneInfo(tz)
    if last < first:
        raise PeriodError("the range ends before it starts")
    return Period("day" if first == last else kind, midnight(first, zone), midnight(last + timedelta(days=1), zone))
