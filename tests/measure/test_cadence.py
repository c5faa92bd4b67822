"""The review cadence on the hand-made week: weekly operations check, monthly KPI review, daily digest chart,
and the timers that post them in the team's timezone."""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime, timedelta

import pytest

from bot.cadence import monthly_review, weekly_ops
from bot.charts import context_chart_figure
from bot.digest import build_daily_digest
from moderation.domain.events import EventAction
from moderation.measure.events import record_event
from moderation.measure.goals import add_goal
from moderation.measure.kpis import compute, rolling
from moderation.runtime.timers import Timers
from moderation.storage.tables import ActionRow, ApprovalRow, EscalationRow, InteractionRow
from socialops.compose.processes import schedule_digest
from socialops.config import parse_settings
from tests.measure.scenario import AS_OF, build_week, paris
from tests.measure.test_definitions import SETTINGS


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def _operations(db) -> None:  # type: ignore[no-untyped-def]
    """Add to the week: an escalation open two days, a pending draft, a dead letter, a paused campaign."""
    with db.session() as session:
        session.add(EscalationRow(interaction_id="instagram:d2", level="urgent", reason="refund threat",
                                  created_at=paris(21, 10)))
        session.add(EscalationRow(interaction_id="instagram:c2", level="normal", reason="fresh", created_at=AS_OF))
        action = ActionRow(idempotency_key="k-draft", interaction_id="youtube:c6", type="draft_reply",
                           platform="youtube", state="awaiting_approval")
        dead = ActionRow(idempotency_key="k-dead", interaction_id="facebook:c4", type="auto_reply",
                         platform="facebook", state="dead", last_error="PermanentActionError: token expired",
                         updated_at=paris(22, 8))
        session.add_all([action, dead])
        session.flush()
        session.add(ApprovalRow(interaction_id="youtube:c6", action_id=action.id, draft_text="thanks!",
                                created_at=paris(19, 10, 5), due_at=paris(19, 12)))
        row = session.get(InteractionRow, "facebook:c4")
        record_event(session, row, EventAction.automation_paused, occurred_at=paris(20, 9))


def test_weekly_operations_check_lists_the_items(db) -> None:  # type: ignore[no-untyped-def]
    build_week(db)
    _operations(db)
    view = weekly_ops(db, now=AS_OF, settings=SETTINGS)
    sections = {s.title.split(" (")[0].split(",")[0].split(":")[0]: s for s in view.sections}
    breaches = sections["SLA breaches"]
    # The 7 days before Monday 23 noon: c6 (a YouTube comment never answered) breached the SLA; d2, also never
    # answered, arrived Monday 16 at 00:30, before the window. The same count as the SLA compliance KPI's.
    assert breaches.title == "SLA breaches (1)"
    [line] = breaches.lines
    assert line.startswith("Thu 19 Nov 10:00 youtube comment") and "no answer" in line
    window = rolling(AS_OF, 7, SETTINGS.timezone)
    with db.session() as session:
        assert compute(session, [window], settings=SETTINGS, as_of=AS_OF).window(window).sla_breached == 1
    assert weekly_ops(db, now=AS_OF, settings=SETTINGS, days=8).sections[0].title == "SLA breaches (2)"
    [stuck] = sections["Stuck escalations"].lines
    assert stuck.startswith("#") and "urgent instagram, open 2 days, NOT acknowledged: refund threat" in stuck
    [draft] = sections["Drafts waiting for approval"].lines
    assert "youtube" in draft and "overdue" in draft
    assert "auto_reply on facebook (Sun 22 Nov 08:00): PermanentActionError" in sections["Dead letters"].lines[0]
    assert sections["Paused campaigns"].lines == ("spring: automation paused since Fri 20 Nov 09:00",)
    assert all(len(line) <= 76 for s in view.sections for line in s.lines)


def test_monthly_review_goals_trends_anomalies(db) -> None:  # type: ignore[no-untyped-def]
    build_week(db)
    add_goal(db, kpi="response_rate", target=0.95, starts_at=paris(16, 0), deadline=paris(16, 0) + timedelta(days=60),
             owner="lea", settings=SETTINGS)
    view = monthly_review(db, now=datetime(2026, 12, 2, 9, tzinfo=UTC), settings=SETTINGS)
    assert view.window == "November 2026, against October 2026"
    trends = {t.name: t for t in view.trends}
    assert trends["volume"].value == 9 and trends["volume"].previous == 0  # c0 on the 15th, eight the week after
    assert "conversions" in trends and "conversion_rate" in trends
    assert view.goals and view.goals[0].kpi == "response_rate"
    titles = [s.title for s in view.sections]
    assert titles[0].startswith("Goals not on track") and titles[1] == "Conversions, month over month"
    assert titles[2].startswith("Anomalies")


def test_daily_digest_is_yesterday_within_14_days_with_goal_lines(db) -> None:  # type: ignore[no-untyped-def]
    build_week(db)
    add_goal(db, kpi="response_rate", target=0.9, starts_at=paris(16, 0), deadline=paris(16, 0) + timedelta(days=60),
             owner="lea", settings=SETTINGS)
    digest = build_daily_digest(db, now=paris(17, 9), settings=SETTINGS, title="Daily")
    assert digest.window.startswith("2026-11-16 → 2026-11-17")  # Monday, a whole local day
    assert {line.platform for line in digest.lines} == {"instagram", "all"}
    assert _png_size(digest.chart_png) == (1120, 660)


def test_context_chart_labels_colours_and_goal() -> None:
    from datetime import date

    days = [date(2026, 11, 4) + timedelta(days=i) for i in range(14)]
    panels = [("Volume", "count", {"instagram": [3.0] * 14, "tiktok": [1.0] * 14}),
              ("Response rate", "%", {"instagram": [0.5] * 13 + [None], "tiktok": [None] * 14})]
    figure = context_chart_figure(days, panels, highlight=days[-1:], goals={"Response rate": 0.9}, title="T")
    figure.canvas.draw()
    volume, rate = figure.axes[:2]
    assert volume.get_title() == "Volume (count)" and rate.get_title() == "Response rate (%)"
    ticks = [t.get_text() for t in volume.get_xticklabels() if t.get_text()]
    assert all(re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\n\d\d Nov", t) for t in ticks) and 4 <= len(ticks) <= 8
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["instagram", "tiktok"]
    assert "goal 90%" in [t.get_text() for t in rate.texts]
    colours = {bar.get_facecolor()[:3] for bars in volume.containers for bar in bars}
    assert len(colours) == 2  # one colour a platform


async def test_reviews_are_scheduled_in_the_team_timezone(db) -> None:  # type: ignore[no-untyped-def]
    settings = parse_settings({"team": {"timezone": "Europe/Paris"},
                               "digest": {"time": "08:15", "weekly_day": "fri", "weekly_time": "16:00",
                                          "monthly_day": 2, "monthly_time": "11:30"}})
    timers = Timers(db, timezone=settings.team.timezone)
    timers.start(paused=True)
    try:
        schedule_digest(settings, db, [], timers)
        jobs = {job.id: job for job in timers.scheduler.get_jobs()}
        assert set(jobs) >= {"digest:daily", "review:weekly", "review:monthly"}
        weekly = {f.name: str(f) for f in jobs["review:weekly"].trigger.fields}
        assert (weekly["day_of_week"], weekly["hour"], weekly["minute"]) == ("fri", "16", "0")
        monthly = {f.name: str(f) for f in jobs["review:monthly"].trigger.fields}
        assert (monthly["day"], monthly["hour"], monthly["minute"]) == ("2", "11", "30")
        assert str(jobs["digest:daily"].trigger.timezone) == "Europe/Paris"
    finally:
        timers.shutdown()


def test_a_bad_review_time_is_a_config_error() -> None:
    from socialops.config import ConfigError

    with pytest.raises((ConfigError, ValueError), match="HH:MM"):
        parse_settings({"digest": {"weekly_time": "25:00"}})
    with pytest.raises((ConfigError, ValueError), match="weekly_day"):
        parse_settings({"digest": {"weekly_day": "funday"}})
