"""Every condition, one table row per case, plus business hours across timezones and days."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from playbooks.conditions import CONDITIONS
from tests.playbooks.conftest import context, fires, interaction, one_rule_library

CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], bool]] = [
    # (label, conditions, interaction overrides, context overrides, fires?)
    ("follower", {"follower": True}, {"is_follower": True}, {}, True),
    ("not follower", {"follower": True}, {"is_follower": False}, {}, False),
    ("follower false wanted", {"follower": False}, {"is_follower": False}, {}, True),
    ("vip", {"vip": True}, {"is_vip": True}, {}, True),
    ("not vip", {"vip": True}, {}, {}, False),
    ("known lead", {"known_lead": True}, {}, {"author_is_lead": True}, True),
    ("not a lead", {"known_lead": True}, {}, {}, False),
    ("customer", {"customer": True}, {}, {"author_is_customer": True}, True),
    ("lead or customer (customer)", {"lead_or_customer": True}, {}, {"author_is_customer": True}, True),
    ("lead or customer (neither)", {"lead_or_customer": True}, {}, {}, False),
    ("first message", {"first_message": True}, {}, {"author_previous_interactions": 0}, True),
    ("not first message", {"first_message": True}, {}, {"author_previous_interactions": 2}, False),
    ("repeat offender at N", {"repeat_offender": 3}, {}, {"author_hidden_30d": 3}, True),
    ("repeat offender under N", {"repeat_offender": 3}, {}, {"author_hidden_30d": 2}, False),
    ("business hours (Mon 10:00 UTC)", {"business_hours": True}, {}, {}, True),
    ("outside hours wanted", {"business_hours": False}, {}, {}, False),
    ("paused globally", {"automation_paused": True}, {}, {"automation_paused": True}, True),
    ("paused for this campaign", {"automation_paused": True}, {"campaign": "spring"},
     {"paused_campaigns": {"spring"}}, True),
    ("paused for another campaign", {"automation_paused": True}, {"campaign": "spring"},
     {"paused_campaigns": {"summer"}}, False),
    ("not paused wanted", {"automation_paused": False}, {}, {}, True),
    ("post volume in band", {"post_volume": {"min": 10, "max": 50}}, {}, {"post_volume_10m": 20}, True),
    ("post volume under", {"post_volume": {"min": 10}}, {}, {"post_volume_10m": 9}, False),
    ("post volume over", {"post_volume": {"max": 5}}, {}, {"post_volume_10m": 6}, False),
    ("answers our template", {"answers_template": "probe_text"}, {},
     {"author_recent_templates": {"probe_text"}}, True),
    ("answers another template", {"answers_template": ["probe_text"]}, {},
     {"author_recent_templates": {"other"}}, False),
    ("knowledge sure", {"knowledge": "high"}, {}, {"knowledge": {"level": "high", "answer": "x"}}, True),
    ("knowledge unsure", {"knowledge": "high"}, {}, {"knowledge": {"level": "low", "answer": "x"}}, False),
    ("knowledge not configured counts as none", {"knowledge": ["none", "low"]}, {}, {}, True),
    ("lead signals, any", {"lead_signals": True}, {}, {"lead_signals": {"budget"}}, True),
    ("no lead signals", {"lead_signals": True}, {}, {}, False),
    ("lead signals, the one wanted", {"lead_signals": ["email"]}, {}, {"lead_signals": {"email", "phone"}}, True),
    ("lead signals, not the one wanted", {"lead_signals": ["email"]}, {}, {"lead_signals": {"budget"}}, False),
    ("conditions AND", {"vip": True, "follower": True}, {"is_vip": True}, {}, False),
]


@pytest.fixture
def probe_templates(tmp_path: Path) -> Path:
    (tmp_path / "templates.yaml").write_text(
        "name: templates\ntemplates:\n  probe_text:\n    text: {en: hi}\n  other:\n    text: {en: yo}\n"
    )
    return tmp_path


def test_table_covers_every_condition() -> None:
    covered = {name for _, conditions, *_ in CASES for name in conditions}
    assert covered == set(CONDITIONS)


@pytest.mark.parametrize(("label", "conditions", "i", "c", "expected"), CASES, ids=[case[0] for case in CASES])
def test_condition(probe_templates: Path, label: str, conditions: dict[str, Any], i: dict[str, Any],
                   c: dict[str, Any], expected: bool) -> None:
    library = one_rule_library(probe_templates, conditions=conditions)
    assert fires(library, i=interaction(**i), c=context(**c)) is expected


HOURS = [
    # (now UTC, timezone, hours, days, in hours?)
    (datetime(2025, 1, 6, 8, 30, tzinfo=UTC), "Europe/Paris", (9, 18), (0, 1, 2, 3, 4), True),  # 09:30
    (datetime(2025, 1, 6, 7, 59, tzinfo=UTC), "Europe/Paris", (9, 18), (0, 1, 2, 3, 4), False),  # 08:59
    (datetime(2025, 1, 6, 17, 0, tzinfo=UTC), "Europe/Paris", (9, 18), (0, 1, 2, 3, 4), False),  # 18:00
    (datetime(2025, 1, 6, 15, 0, tzinfo=UTC), "America/New_York", (9, 18), (0, 1, 2, 3, 4), True),
    (datetime(2025, 1, 6, 2, 0, tzinfo=UTC), "America/New_York", (9, 18), (0, 1, 2, 3, 4), False),
    (datetime(2025, 1, 5, 10, 0, tzinfo=UTC), "UTC", (9, 18), (0, 1, 2, 3, 4), False),  # Sunday
    (datetime(2025, 1, 5, 10, 0, tzinfo=UTC), "UTC", (9, 18), (0, 1, 2, 3, 4, 5, 6), True),
    (datetime(2025, 7, 7, 7, 30, tzinfo=UTC), "Europe/Paris", (9, 18), (0, 1, 2, 3, 4), True),  # DST
]


@pytest.mark.parametrize(("now", "tz", "hours", "days", "expected"), HOURS)
def test_business_hours_in_team_timezone(tmp_path: Path, now: datetime, tz: str, hours: tuple[int, int],
                                         days: tuple[int, ...], expected: bool) -> None:
    library = one_rule_library(tmp_path, conditions={"business_hours": True})
    ctx = context(now=now, timezone=tz, business_hours=hours, business_days=days)
    assert fires(library, c=ctx) is expected
