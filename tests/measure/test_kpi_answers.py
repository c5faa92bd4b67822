"""KpiAnswers implements the bot's KpiSource: value, previous window and the active goal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.kpi_answers import KpiAnswers
from bot.kpi_source import KpiSource
from bot.views import KpiQuestion
from moderation.measure.goals import add_goal
from tests.measure.scenario import AS_OF, build_week, paris
from tests.measure.test_definitions import SETTINGS


def test_answer_with_previous_window_and_goal(db) -> None:  # type: ignore[no-untyped-def]
    build_week(db)
    add_goal(db, kpi="response_rate", target=0.9, starts_at=paris(16, 0), deadline=paris(16, 0) + timedelta(days=60),
             owner="lea", settings=SETTINGS)
    source: KpiSource = KpiAnswers(db, SETTINGS, clock=lambda: AS_OF)
    assert source.metrics()["response_rate"] == "Response rate"
    # The 7 days before Monday 23 noon start Monday 16 noon: c4 c5 c6 d1. c5 was held: answerable c4 c6 d1.
    answer = source.answer(KpiQuestion(metric="response_rate", window_days=7))
    assert answer.value == pytest.approx(2 / 3)
    assert answer.goal == 0.9 and answer.unit == "%"
    # The 7 days before: c0 c1 c2 c3 d2; c3 hidden; c0 c1 c2 answered, d2 not.
    assert answer.previous == pytest.approx(3 / 4)
    assert "worse than the period before (75%)" in answer.text
    assert "Response rate · all platforms · last 7 days" in answer.text and "goal 90%, not met" in answer.text
    youtube = source.answer(KpiQuestion(metric="volume", platform="youtube", window_days=7))
    assert youtube.value == 1 and youtube.goal is None


def test_unknown_metric_lists_the_known_ones(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KeyError, match="response_rate"):
        KpiAnswers(db, SETTINGS, clock=lambda: AS_OF).answer(KpiQuestion(metric="vibes"))


def test_offset_days_move_the_window_back(db) -> None:  # type: ignore[no-untyped-def]
    """Older callers' "yesterday" (1 day, offset 1) is the day before, never the current window."""
    build_week(db)
    source = KpiAnswers(db, SETTINGS, clock=lambda: AS_OF)
    current = source.windows(KpiQuestion(metric="volume", window_days=1))[0]
    before = source.windows(KpiQuestion(metric="volume", window_days=1, offset_days=1))[0]
    assert before.end == current.end - timedelta(days=1)


def test_goals_are_read_whatever_their_platform(db) -> None:  # type: ignore[no-untyped-def]
    build_week(db)
    for platform in ("instagram", None):
        add_goal(db, kpi="leads", target=5, starts_at=paris(16, 0), deadline=paris(16, 0) + timedelta(days=60),
                 owner="lea", platform=platform, settings=SETTINGS)
    source = KpiAnswers(db, SETTINGS, clock=lambda: AS_OF)
    assert [g.platform for g in source.goals()] == ["instagram", None]
    assert [g.platform for g in source.goals("leads", "instagram")] == ["instagram"]
    assert source.goals("sla_compliance") == ()
