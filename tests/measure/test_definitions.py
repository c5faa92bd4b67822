"""Every KPI on the hand-made week (scenario.py), on SQLite and PostgreSQL, including the edge cases."""

from __future__ import annotations

from datetime import date

import pytest

from moderation.measure.kpis import KpiSettings, compute, local_day, platform_kpis, rolling, values
from moderation.measure.kpis.calendar import Window
from tests.measure.scenario import AS_OF, TZ, build_week, paris

SETTINGS = KpiSettings(timezone=TZ, business_start=9, business_end=18, sla_comment_minutes=120, sla_dm_minutes=30)
WEEK = Window("week", paris(16, 0), paris(23, 0), 7, TZ)

# Hand-computed from scenario.py. Volume: c1 c2 c3 d1 d2 c4 c5 c6 (c0 is the Sunday before).
FRT_SECONDS = [5 * 60, 61 * 60, (2 * 24 * 60 + 15 * 60 + 25) * 60, 0]  # c1, c2, d1, c4 (clamped from -120 s)
ALL_RESPONSE_SECONDS = [5 * 60, 61 * 60 + 121 * 60, (2 * 24 * 60 + 15 * 60 + 25) * 60, 0]
EXPECTED = {
    "volume": 8,
    "dm_volume": 2,
    "comment_volume": 6,
    "response_rate": 4 / 6,  # answerable: all but c3 (hidden) and c5 (held), none of which were answered
    "comment_response_rate": 3 / 4,  # c1 c2 c4 of c1 c2 c4 c6
    "dm_response_rate": 1 / 2,
    "first_response_minutes": sum(FRT_SECONDS) / 4 / 60,
    "dm_first_response_minutes": FRT_SECONDS[2] / 60,
    "average_response_minutes": sum(ALL_RESPONSE_SECONDS) / 5 / 60,  # five responses (c2 has two)
    "resolution_rate": 4 / 6,  # responded and not escalated: c1 c2 d1 c4
    "positive_share": 2 / 8,
    "neutral_share": 3 / 8,
    "negative_share": 3 / 8,
    "escalation_rate": 1 / 8,
    "automated_replies": 2,  # c1 c4
    "human_replies": 2,  # c2 d1
    "automated_reply_share": 0.5,
    "deflection_rate": 2 / 8,  # c1 c4; c3 was unhidden by a person, c5 released
    "automation_success_rate": 1 / 3,  # approved c2, edited d1, rejected c5
    "sla_compliance": 4 / 6,  # met c1 c2 d1 (25 business min) c4; breached d2 c6
    "leads": 1,
    "conversions": 1,
    "lead_capture_rate": 1 / 2,
    "comment_conversion_rate": 0.0,
    "dm_conversion_rate": 1 / 2,
    "hidden": 1,
    "deleted": 0,
    "held": 1,
    "moderation_actions": 2,
    "reversal_rate": 1.0,
}


@pytest.fixture
def week(db):  # type: ignore[no-untyped-def]
    build_week(db)
    return db


def test_every_kpi_on_the_hand_computed_week(week) -> None:  # type: ignore[no-untyped-def]
    with week.session() as session:
        table = compute(session, [WEEK], settings=SETTINGS, as_of=AS_OF)
    got = values(table.window(WEEK))
    assert set(EXPECTED) <= set(got)
    for name, expected in EXPECTED.items():
        assert got[name] == pytest.approx(expected), name


def test_per_platform_and_campaign(week) -> None:  # type: ignore[no-untyped-def]
    with week.session() as session:
        table = compute(session, [WEEK], settings=SETTINGS, as_of=AS_OF)
    assert table.platforms() == ["facebook", "instagram", "youtube"]
    facebook = values(table.window(WEEK, platform="facebook"))
    assert facebook["volume"] == 2
    assert facebook["response_rate"] == 1.0  # c4 answered, c5 held
    assert facebook["first_response_minutes"] == 0.0  # the reply stamped before the comment counts as instant
    spring = values(table.window(WEEK, campaign="spring"))
    assert spring["volume"] == 2 and spring["held"] == 1
    assert values(table.window(WEEK, campaign="(none)"))["volume"] == 6
    with week.session() as session:
        only = compute(session, [WEEK], settings=SETTINGS, as_of=AS_OF, campaign="spring")
    assert values(only.window(WEEK))["volume"] == 2


def test_local_day_window_crossing_midnight(week) -> None:  # type: ignore[no-untyped-def]
    monday, sunday = local_day(date(2026, 11, 16), TZ), local_day(date(2026, 11, 15), TZ)
    with week.session() as session:
        table = compute(session, [sunday, monday], settings=SETTINGS, as_of=AS_OF)
    # d2 at 23:30 UTC Sunday is 00:30 Monday in Paris: Monday's. c0 at 23:30 Paris Sunday: Sunday's.
    assert table.window(monday).volume == 4  # c1 c2 c3 d2
    assert table.window(sunday).volume == 1  # c0


def test_daily_series_and_previous_window(week) -> None:  # type: ignore[no-untyped-def]
    with week.session() as session:
        table = compute(session, [WEEK, WEEK.previous()], settings=SETTINGS, as_of=AS_OF, daily=True)
    days = table.daily(WEEK)
    assert [d.isoformat() for d, _ in days][:2] == ["2026-11-16", "2026-11-17"] and len(days) == 7
    assert [t.volume for _, t in days] == [4, 1, 1, 1, 1, 0, 0]  # Mon c1 c2 c3 d2, Tue c4, Wed c5, Thu c6, Fri d1
    assert sum(t.volume for _, t in days) == 8
    assert table.window(WEEK.previous()).volume == 1  # c0


def test_no_data_gives_none_not_zero_division(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        table = compute(session, [WEEK], settings=SETTINGS, as_of=AS_OF)
        assert platform_kpis(session, WEEK.start, WEEK.end) == []
    got = values(table.window(WEEK))
    assert got["volume"] == 0
    assert got["response_rate"] is None and got["first_response_minutes"] is None
    assert got["sla_compliance"] is None and got["reversal_rate"] is None


def test_platform_kpis_keeps_the_digest_shape(week) -> None:  # type: ignore[no-untyped-def]
    with week.session() as session:
        rows = {k.platform: k for k in platform_kpis(session, WEEK.start, WEEK.end, settings=SETTINGS, as_of=AS_OF)}
    instagram = rows["instagram"]
    assert (instagram.volume, instagram.dms, instagram.comments, instagram.responded) == (5, 2, 3, 3)
    assert instagram.escalation_rate == pytest.approx(1 / 5)
    assert instagram.sentiment_share("negative") == pytest.approx(3 / 5)
    assert instagram.hidden == 1


def test_rolling_window_is_calendar_days_across_dst() -> None:
    # 29 March 2026: Paris springs forward; 7 local days back from the 31st midnight is 167 hours.
    spring = rolling(local_day(date(2026, 3, 31), TZ).start, 7, TZ)
    assert spring.days == 7
    assert (spring.end - spring.start).total_seconds() == 167 * 3600
