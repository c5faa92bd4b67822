"""Goals: the baseline from the 30 days before the start, progress, projection at the current pace, status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.measure.events import EventAction as A
from moderation.measure.goals import GoalError, add_goal, close_goal, evaluate, list_goals
from moderation.measure.kpis import KpiSettings
from tests.measure.scenario import add

SETTINGS = KpiSettings(timezone="UTC")
START = datetime(2026, 10, 1, tzinfo=UTC)


def comments(db, prefix: str, first: datetime, answered: int, total: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(total):
        events = [(A.response_sent, timedelta(minutes=10), "automation")] if i < answered else []
        add(db, f"{prefix}{i}", "comment", first + timedelta(hours=i), events)


def test_baseline_progress_projection_and_statuses(db) -> None:  # type: ignore[no-untyped-def]
    comments(db, "before", START - timedelta(days=10), answered=2, total=4)  # baseline 50%
    comments(db, "old", START - timedelta(days=40), answered=0, total=4)  # older than 30 days: not in it
    comments(db, "after", START + timedelta(days=2), answered=3, total=4)  # 75% since the start
    now = START + timedelta(days=10)
    on = add_goal(db, kpi="comment_response_rate", target=0.8, starts_at=START, deadline=START + timedelta(days=90),
                  owner="lea", settings=SETTINGS)
    assert on.baseline == pytest.approx(0.5)
    result = evaluate(db, on, now=now, settings=SETTINGS)
    assert result.current == pytest.approx(0.75)
    assert result.progress == pytest.approx(0.25 / 0.3)
    assert result.projection == 1.0  # 0.5 + 0.025/day x 90 days, capped at 100%
    assert result.status == "on track"
    risky = add_goal(db, kpi="comment_response_rate", target=0.8, starts_at=START,
                     deadline=START + timedelta(days=11), owner="lea", settings=SETTINGS)
    at_risk = evaluate(db, risky, now=now, settings=SETTINGS)
    assert at_risk.projection == pytest.approx(0.5 + 0.025 * 11)  # 0.775: 92% of the way
    assert at_risk.status == "at risk"
    off = add_goal(db, kpi="comment_response_rate", target=0.95, starts_at=START,
                   deadline=START + timedelta(days=11), owner="lea", settings=SETTINGS)
    assert evaluate(db, off, now=now, settings=SETTINGS).status == "off track"


def test_templates_prefill_and_close(db) -> None:  # type: ignore[no-untyped-def]
    comments(db, "before", START - timedelta(days=5), answered=1, total=2)
    goal = add_goal(db, template="comment-response-rate", starts_at=START, deadline=START + timedelta(days=30),
                    owner="hugo", settings=SETTINGS)
    assert (goal.kpi, goal.baseline, goal.target) == ("comment_response_rate", 0.5, pytest.approx(0.6))
    sla = add_goal(db, template="moderation-sla", starts_at=START, deadline=START + timedelta(days=30),
                   owner="hugo", settings=SETTINGS)
    assert sla.target == 0.95
    assert [g.id for g in list_goals(db)] == [goal.id, sla.id]
    closed = close_goal(db, goal.id, now=START + timedelta(days=3), settings=SETTINGS)
    assert closed.state == "closed"
    assert [g.id for g in list_goals(db)] == [sla.id]
    with pytest.raises(GoalError):
        close_goal(db, goal.id)
    with pytest.raises(GoalError):
        add_goal(db, template="nope", deadline=START, owner="x")
    with pytest.raises(KeyError):
        add_goal(db, kpi="happiness", target=1, deadline=START + timedelta(days=1), starts_at=START, owner="x")


def test_typed_baseline_precision_and_no_verdict_before_data(db) -> None:  # type: ignore[no-untyped-def]
    from moderation.measure.goals import NO_DATA, decimals_for, format_goal_value, parse_goal_value

    # A team that measured 36 h of first response elsewhere types it; it is kept, not re-measured.
    assert parse_goal_value("36h", "min") == 2160.0 and parse_goal_value("3.5%", "%") == 0.035
    assert parse_goal_value("90", "%") == 0.9 and parse_goal_value(0.2, "%") == 0.2
    start = datetime(2027, 1, 4, tzinfo=UTC)
    goal = add_goal(db, kpi="dm_first_response_minutes", target=parse_goal_value("12h", "min"),
                    baseline=parse_goal_value("36h", "min"), deadline=start + timedelta(days=60), owner="lea",
                    starts_at=start, settings=SETTINGS)
    assert (goal.baseline, goal.baseline_source) == (2160.0, "typed")
    # Day 0, nothing measured: no verdict either way.
    assert evaluate(db, goal, now=start, settings=SETTINGS).status == NO_DATA
    assert evaluate(db, goal, now=start + timedelta(hours=6), settings=SETTINGS).status == NO_DATA
    rate = add_goal(db, kpi="comment_conversion_rate", target=0.035, deadline=start + timedelta(days=30),
                    owner="lea", starts_at=start, settings=SETTINGS)
    places = decimals_for(rate.target, "%")
    assert format_goal_value(rate.target, "%", places) == "3.5%"  # not "4%"
    assert evaluate(db, rate, now=start + timedelta(days=3), settings=SETTINGS).status == NO_DATA  # no comments
