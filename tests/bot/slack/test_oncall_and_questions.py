"""Pure parts: who is on call (rotations, overrides, DST, quiet hours), policies, KPI question parsing, config."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.kpi_questions import KpiResponder, format_answer
from bot.oncall import Level, OnCall, Override, Policy, QuietHours, Rotation
from bot.views import KpiAnswer, KpiQuestion
from socialops.compose.core import build_oncall, slack_channels
from socialops.config import ConfigError, parse_settings

PARIS = "Europe/Paris"
METRICS = {"response_rate": "Response rate", "first_response_time": "First response time",
           "escalations": "Escalations"}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


ROTATION = Rotation("community", ("alice", "bob", "carol"), timezone=PARIS, start=date(2026, 11, 16),
                    overrides=(Override("dave", utc(2026, 11, 25, 0), utc(2026, 11, 26, 0)),))


@pytest.mark.parametrize(("at", "expected"), [
    (utc(2026, 11, 16, 8, 0), "alice"),  # Monday 09:00 Paris: the first shift starts
    (utc(2026, 11, 16, 7, 59), "carol"),  # a minute before: the previous week
    (utc(2026, 11, 23, 7, 59), "alice"),
    (utc(2026, 11, 23, 8, 0), "bob"),
    (utc(2026, 11, 25, 12, 0), "dave"),  # override
    (utc(2026, 11, 26, 0, 0), "bob"),  # override over
    (utc(2026, 12, 7, 8, 0), "alice"),  # wraps around
])
def test_weekly_rotation_with_override(at, expected):
    assert ROTATION.on_call(at) == expected


def test_handoff_follows_the_local_clock_across_dst():
    rotation = Rotation("r", ("a", "b"), timezone=PARIS, start=date(2026, 3, 23))
    # Summer time starts on 29 March 2026: the Monday 09:00 handoff moves from 08:00 to 07:00 UTC.
    assert rotation.on_call(utc(2026, 3, 30, 6, 59)) == "a"
    assert rotation.on_call(utc(2026, 3, 30, 7, 0)) == "b"


def test_now_and_next_sees_overrides():
    assert ROTATION.now_and_next(utc(2026, 11, 24, 12)) == ("bob", "dave", utc(2026, 11, 25, 0))
    assert ROTATION.now_and_next(utc(2026, 11, 25, 12)) == ("dave", "bob", utc(2026, 11, 26, 0))
    now, nxt, at = ROTATION.now_and_next(utc(2026, 11, 27, 12))
    assert (now, nxt) == ("bob", "carol") and at == datetime(2026, 11, 30, 9, 0, tzinfo=at.tzinfo)


def test_policy_levels_repeat_then_stop():
    policy = Policy("p", (Level(("a",), 5), Level(("b",), 10)), repeats=1)
    assert [policy.level_at(step).targets for step in range(4)] == [("a",), ("b",), ("a",), ("b",)]
    assert policy.level_at(4) is None


def test_quiet_hours_wrap_midnight_and_urgent_pages_through():
    quiet = QuietHours(time(22), time(8), PARIS)
    oncall = OnCall(quiet_hours=quiet)
    assert quiet.is_quiet(utc(2026, 11, 23, 22, 30)) and quiet.is_quiet(utc(2026, 11, 24, 6, 0))
    assert not quiet.is_quiet(utc(2026, 11, 24, 7, 0))
    assert oncall.holds_back("normal", utc(2026, 11, 23, 22, 30)) == utc(2026, 11, 24, 7, 0)
    assert oncall.holds_back("urgent", utc(2026, 11, 23, 22, 30)) is None
    assert oncall.holds_back("normal", utc(2026, 11, 24, 12, 0)) is None


NOW = datetime(2026, 11, 19, 13, 30, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(("text", "metric", "platform", "kind", "start_day"), [
    ("response rate instagram 7d", "response_rate", "instagram", "last_7_days", 12),
    ("first response time this week", "first_response_time", None, "this_week", 16),
    ("escalations yesterday", "escalations", None, "yesterday", 18),
    ("<@UBOT> FRT on ig last 30 days?", "first_response_time", "instagram", "last_30_days", 20),
    ("reply rate youtube last week", "response_rate", "youtube", "last_week", 9),
    ("escalations tiktok 2 weeks", "escalations", "tiktok", "last_n_days", 5),
    ("response rate today", "response_rate", None, "today", 19),
])
def test_questions_parse_into_metric_platform_period(text, metric, platform, kind, start_day):
    found = KpiResponder(GoalSource()).interpret(text, now=NOW)
    assert (found.kpi, found.platform, found.period.kind, found.period.start.day) == (
        metric, platform, kind, start_day)


def test_yesterday_and_last_week_are_not_the_current_window():
    """The bug leads saw: "last week" and "yesterday" silently answered for the current window."""
    source = RecordingSource()
    responder = KpiResponder(source)
    responder.ask("response rate yesterday", now=NOW)
    responder.ask("response rate last week", now=NOW)
    responder.ask("response rate this week", now=NOW)
    yesterday, last_week, this_week = source.asked
    assert (yesterday.start, yesterday.end) == (datetime(2026, 11, 18, tzinfo=UTC), datetime(2026, 11, 19, tzinfo=UTC))
    assert (last_week.start, last_week.end) == (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
    assert (this_week.start, this_week.end) == (datetime(2026, 11, 16, tzinfo=UTC), NOW)
    assert last_week.previous_end == last_week.start and this_week.previous_end == NOW - timedelta(days=7)


def test_only_offered_metrics_are_recognised():
    assert KpiResponder(GoalSource()).ask("sla compliance", now=NOW).help is not None
    assert KpiResponder(GoalSource()).ask("", now=NOW).help is not None


class GoalSource:
    def metrics(self) -> dict[str, str]:
        return METRICS

    def answer(self, question: KpiQuestion) -> KpiAnswer:
        goal = {"response_rate": 0.9, "first_response_time": 30.0}.get(question.metric)
        value = {"response_rate": 0.95, "first_response_time": 42.0, "escalations": 3.0}[question.metric]
        unit = {"response_rate": "%", "first_response_time": "min", "escalations": "count"}[question.metric]
        return KpiAnswer(question=question, label=METRICS[question.metric], value=value, unit=unit, goal=goal,
                         previous=value)


class RecordingSource(GoalSource):
    def __init__(self) -> None:
        self.asked: list[KpiQuestion] = []

    def answer(self, question: KpiQuestion) -> KpiAnswer:
        self.asked.append(question)
        return super().answer(question)


def test_goals_question_lists_every_metric_with_a_goal_and_whether_it_is_met():
    reply = KpiResponder(GoalSource()).ask("how are our goals")
    assert [a.question.metric for a in reply.answers] == ["response_rate", "first_response_time"]
    assert "95%" in reply.text and "goal 90% ✓ met" in reply.text
    assert "42 min" in reply.text and "goal 30 min ✗ not met" in reply.text  # time: lower is better
    assert KpiResponder(GoalSource()).ask("banana").help is not None


def test_format_answer_mentions_window_label():
    question = KpiQuestion(metric="escalations", window_days=1, window_label="yesterday")
    answer = KpiAnswer(question=question, label="Escalations", value=4, unit="count", previous=2)
    assert format_answer(answer) == "Escalations (all platforms, yesterday): 4 · previous period 2"


ONCALL = {
    "people": {"alice": {"slack": "UA"}, "bob": {"slack": "UB", "discord": "123"}},
    "rotations": {"community": {"members": ["alice", "bob"], "overrides": [
        {"person": "bob", "start": "2026-12-24T00:00", "end": "2026-12-27T00:00"}]}},
    "policies": {"default": {"levels": [{"targets": ["rotation:community"], "wait_minutes": 10},
                                        {"targets": ["bob"]}]}},
    "quiet_hours": {"start": "21:00", "end": "07:30"},
}


def test_oncall_settings_build_the_pure_objects_in_the_team_timezone():
    settings = parse_settings({"team": {"timezone": PARIS}, "oncall": ONCALL})
    oncall = build_oncall(settings)
    override = oncall.rotations["community"].overrides[0]
    assert override.start == datetime(2026, 12, 23, 23, 0, tzinfo=UTC)
    assert oncall.policy_for("support").levels[0] == Level(("rotation:community",), 10)
    assert oncall.quiet_hours.end == time(7, 30)


@pytest.mark.parametrize(("change", "message"), [
    ({"policies": {"default": {"levels": [{"targets": ["rotation:nope"]}]}}}, "unknown rotation"),
    ({"policies": {"default": {"levels": [{"targets": ["zoe"]}]}}}, "unknown person 'zoe'"),
    ({"rotations": {"x": {"members": ["zoe"]}}}, "rotation x: unknown person"),
    ({"quiet_hours": {"start": "25:00"}}, "quiet_hours.start"),
])
def test_oncall_mistakes_are_found_at_load_time(change, message):
    with pytest.raises(ConfigError, match=message):
        parse_settings({"oncall": {**ONCALL, **change}})


def test_slack_settings_validate_env_names_and_map_channels():
    with pytest.raises(ConfigError, match="NAME of an environment variable"):
        parse_settings({"chat": {"slack": {"bot_token_env": "xoxb-123"}}})
    with pytest.raises(ConfigError, match="mode"):
        parse_settings({"chat": {"slack": {"mode": "webhook"}}})
    settings = parse_settings({"chat": {"slack": {"enabled": True, "channels": {"approvals": "C1"}}}})
    channels = slack_channels(settings)
    assert channels["approvals"] == "C1" and channels["alerts"] == "social-alerts"
    assert channels["social-alerts"] == "social-alerts"  # hub.notify passes the team-wide name


def test_a_review_is_valid_block_kit():
    from bot.slack.blocks import digest_blocks
    from bot.views import DigestView, ReviewSection
    from tests.bot.slack.slack_sdk_models_check import assert_valid_blocks

    review = DigestView(title="Weekly operations check", window="7 days", lines=(), sections=(
        ReviewSection("SLA breaches (40)", tuple(f"Mon 16 Nov 10:{i:02d} instagram dm: no answer" for i in range(40))),
        ReviewSection("Dead letters (0)", (), "none")))
    blocks = digest_blocks(review)
    assert_valid_blocks(blocks)
    text = str(blocks)
    assert "Nothing received" not in text and "*Dead letters (0)*\\n_none_" in text and "10:14" in text
    assert "10:15" not in text  # 15 lines a section in Slack
