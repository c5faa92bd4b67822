"""The enriched digest on the hand-made week: trends, goals, hot posts, escalations, chart; and its console render."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.console import Console

from bot.console import ConsoleSurface
from bot.digest import build_digest
from moderation.measure.goals import add_goal
from moderation.storage.tables import EscalationRow
from tests.measure.scenario import AS_OF, build_week, paris
from tests.measure.test_definitions import SETTINGS


async def test_digest_trends_goals_posts_escalations_chart(db) -> None:  # type: ignore[no-untyped-def]
    build_week(db)
    with db.session() as session:
        session.add(EscalationRow(interaction_id="instagram:d2", level="urgent", reason="refund threat"))
    add_goal(db, kpi="response_rate", target=0.9, starts_at=paris(16, 0), deadline=paris(16, 0) + timedelta(days=30),
             owner="lea", settings=SETTINGS)
    digest = build_digest(db, end=paris(23, 0), days=7, settings=SETTINGS, now=AS_OF, title="Week")
    lines = {line.platform: line for line in digest.lines}
    assert lines["all"].volume == 8 and lines["all"].response_rate == pytest.approx(4 / 6)
    assert lines["instagram"].volume == 5
    trends = {t.name: t for t in digest.trends}
    assert trends["volume"].value == 8 and trends["volume"].previous == 1
    assert trends["response_rate"].goal == 0.9 and trends["response_rate"].improved is False  # 67% after 100%
    assert [(p.post_id, p.negative, p.comments) for p in digest.negative_posts] == [("p2", 2, 2)]
    assert [e.reason for e in digest.escalations] == ["refund threat"]
    assert digest.goals[0].title == "Response rate" and digest.goals[0].status in ("on track", "at risk", "off track")
    assert digest.chart_png and digest.chart_png.startswith(b"\x89PNG")
    console = Console(record=True, width=80)
    await ConsoleSurface(console).post_digest(digest)
    text = console.export_text()
    assert "Against the previous period" in text and "most negative posts: instagram p2 (2/2)" in text
    table_lines = [line for line in text.splitlines() if line.startswith(("Volume", "platform", "all "))]
    assert table_lines and all(len(line) <= 80 for line in table_lines)


def test_empty_digest_has_no_chart(db) -> None:  # type: ignore[no-untyped-def]
    digest = build_digest(db, end=paris(23, 0), days=7, settings=SETTINGS, now=AS_OF)
    assert digest.lines == () and digest.chart_png is None
    assert {t.name: t.value for t in digest.trends}["response_rate"] is None
