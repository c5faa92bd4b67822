"""A/B reply variants: the variant rides on every reply event, per-variant rates, Fisher's exact test."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.ab import ab_view, template_sections
from moderation.act.outbox import Outbox, enqueue
from moderation.domain import Interaction, Kind, Platform
from moderation.domain.events import EventAction
from moderation.ingest.store import store_interactions, to_row
from moderation.measure.events import record_event
from moderation.measure.kpis.variants import enough_data, fisher_exact, variant_stats
from moderation.platforms.base import Operation
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage.tables import EventRow, InteractionRow

START = datetime(2026, 11, 2, tzinfo=UTC)


def test_fisher_exact_matches_known_tables_and_scipy() -> None:
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.485714, abs=1e-6)  # Fisher's tea tasting
    assert fisher_exact(8, 2, 1, 5) == pytest.approx(0.034965, abs=1e-6)
    assert fisher_exact(0, 0, 0, 0) == 1.0
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(7)
    for _ in range(40):
        table = [rng.randint(0, 25) for _ in range(4)]
        expected = stats.fisher_exact([[table[0], table[1]], [table[2], table[3]]]).pvalue
        assert fisher_exact(*table) == pytest.approx(expected, rel=1e-6, abs=1e-9)


async def test_an_automated_reply_event_carries_its_variant(db) -> None:  # type: ignore[no-untyped-def]
    interaction = Interaction(platform=Platform.instagram, kind=Kind.comment, external_id="c1", author_id="a1",
                              text="love it", post_id="p1", created_at=datetime.now(UTC) - timedelta(minutes=5))
    store_interactions(db, [interaction], source="test")
    with db.session() as session:
        row = session.get(InteractionRow, interaction.id)
        enqueue(session, row, Operation.reply, key="k1", action_type="auto_reply", text="thank you!",
                params={"template": "thanks", "variant": "b", "reason": "praise"})
    await Outbox(db, {Platform.instagram: SandboxPlatform(Platform.instagram)}, base_delay=0.0).drain()
    with db.session() as session:
        [sent] = session.exec(select(EventRow).where(EventRow.name == "instagram.comment_response_sent")).all()
    assert (sent.data["template"], sent.data["variant"]) == ("thanks", "b")


def _seed(db, variant: str, count: int, converted: int, *, offset: int = 0) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        for i in range(count):
            at = START + timedelta(hours=offset + i)
            item = Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=f"{variant}{i}",
                               author_id=f"a{variant}{i}", text="nice", post_id="p", created_at=at)
            row = to_row(item, source="test")
            session.add(row)
            record_event(session, row, EventAction.received, occurred_at=at)
            record_event(session, row, EventAction.response_sent, occurred_at=at + timedelta(minutes=3),
                         data={"template": "thanks", "variant": variant})
            if i < converted:
                record_event(session, row, EventAction.converted, occurred_at=at + timedelta(hours=1))


def test_per_variant_rates_and_a_plain_verdict(db) -> None:  # type: ignore[no-untyped-def]
    _seed(db, "a", 30, 2)
    _seed(db, "b", 30, 15, offset=40)
    with db.session() as session:
        a, b = variant_stats(session, START, START + timedelta(days=7))
    assert (a.variant, a.assigned, a.responded, a.converted) == ("a", 30, 30, 2)
    assert (b.assigned, b.converted, b.reviewed) == (30, 15, 0)
    assert enough_data(a, b, "conversion") and not enough_data(a, b, "approval")
    [section] = template_sections([a, b])
    text = "\n".join(section.lines)
    assert "converted: b does better (Fisher exact p = 0.000" in text
    assert "replied: not enough data yet" in text  # everyone replied: no failures to compare
    assert "approved without edit: not enough data yet (0 in a variant" in text


def test_too_few_to_tell_is_said_plainly(db) -> None:  # type: ignore[no-untyped-def]
    _seed(db, "a", 4, 1)
    _seed(db, "b", 5, 3, offset=10)
    view = ab_view(db, now=START + timedelta(days=3), days=7)
    lines = view.sections[0].lines
    assert view.sections[0].title == "Template thanks"
    assert "converted: not enough data yet (4 in a variant, a test needs 20+)" in lines


def test_no_test_running(db) -> None:  # type: ignore[no-untyped-def]
    view = ab_view(db, now=START, days=7)
    assert view.sections[0].title == "No A/B test ran in this window"
