"""Named periods in the team's timezone, across DST, and what each compares against."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.questions import KINDS, resolve
from bot.questions.periods import PeriodError, days_between

TZ = "Europe/Paris"
NOW = datetime.fromisoformat("2026-11-19T14:30:00+01:00")  # a Thursday; summer time ended 25 October


def iso(period) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return period.start.isoformat(), period.end.isoformat()


@pytest.mark.parametrize(("kind", "start", "end", "previous"), [
    ("today", "2026-11-19T00:00:00+01:00", "2026-11-19T14:30:00+01:00",
     ("2026-11-18T00:00:00+01:00", "2026-11-18T14:30:00+01:00")),
    ("yesterday", "2026-11-18T00:00:00+01:00", "2026-11-19T00:00:00+01:00",
     ("2026-11-17T00:00:00+01:00", "2026-11-18T00:00:00+01:00")),
    ("this_week", "2026-11-16T00:00:00+01:00", "2026-11-19T14:30:00+01:00",
     ("2026-11-09T00:00:00+01:00", "2026-11-12T14:30:00+01:00")),
    ("last_week", "2026-11-09T00:00:00+01:00", "2026-11-16T00:00:00+01:00",
     ("2026-11-02T00:00:00+01:00", "2026-11-09T00:00:00+01:00")),
    ("last_7_days", "2026-11-12T14:30:00+01:00", "2026-11-19T14:30:00+01:00",
     ("2026-11-05T14:30:00+01:00", "2026-11-12T14:30:00+01:00")),
    # 30 calendar days back cross the DST change: 14:30 local on both ends, 721 hours apart.
    ("last_30_days", "2026-10-20T14:30:00+02:00", "2026-11-19T14:30:00+01:00",
     ("2026-09-20T14:30:00+02:00", "2026-10-20T14:30:00+02:00")),
    ("last_24_hours", "2026-11-18T14:30:00+01:00", "2026-11-19T14:30:00+01:00",
     ("2026-11-17T14:30:00+01:00", "2026-11-18T14:30:00+01:00")),
    ("this_month", "2026-11-01T00:00:00+01:00", "2026-11-19T14:30:00+01:00",
     ("2026-10-01T00:00:00+02:00", "2026-10-19T14:30:00+02:00")),
    ("last_month", "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00",
     ("2026-09-01T00:00:00+02:00", "2026-10-01T00:00:00+02:00")),
])
def test_named_periods_and_their_previous(kind: str, start: str, end: str, previous: tuple[str, str]) -> None:
    period = resolve(kind, NOW, TZ)
    assert iso(period) == (start, end)
    assert iso(period.previous()) == previous


def test_a_range_compares_with_as_many_days_before() -> None:
    from datetime import date

    period = days_between(date(2026, 11, 3), date(2026, 11, 9), TZ)
    assert iso(period.previous()) == ("2026-10-27T00:00:00+01:00", "2026-11-03T00:00:00+01:00")
    with pytest.raises(PeriodError):
        days_between(date(2026, 11, 9), date(2026, 11, 3), TZ)


def test_labels_in_both_languages() -> None:
    assert resolve("last_week", NOW, TZ).label("en") == "last week (9–15 Nov 2026)"
    assert resolve("last_week", NOW, TZ).label("fr") == "la semaine dernière (9–15 nov. 2026)"
    assert resolve("last_30_days", NOW, TZ).label("fr") == "30 derniers jours"
    assert set(KINDS) >= {"today", "yesterday", "this_week", "last_week", "last_7_days", "last_30_days",
                          "last_24_hours", "this_month", "last_month"}
