"""The review queue's record: a hold becomes a hide + card where the platform has no hold; verdicts are
approver-only, happen once, are events, and a restore counts in the reversal-rate KPI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.reviews import ReviewRefused, ReviewService
from moderation.act.executor import execute_plan
from moderation.act.outbox import Outbox
from moderation.act.reviews import AlreadyReviewed, ReviewError, ReviewVerdict
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.measure.kpis import platform_kpis, values
from moderation.pipeline.planner import fit_plan
from moderation.platforms.registry import spec_for
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage.tables import ActionRow, EventRow, InteractionRow, ReviewRow


def _moderate(db, platform: Platform, external_id: str, intent: ActionType = ActionType.hold_for_review,
              kind: Kind = Kind.comment) -> list[int]:
    interaction = Interaction(platform=platform, kind=kind, external_id=external_id, author_id="troll",
                              author_name="troll", text="you lot are clowns", post_id="p1",
                              created_at=utcnow() - timedelta(minutes=5))
    store_interactions(db, [interaction], source="test")
    plan = fit_plan(Plan(interaction_id=interaction.id, actions=(
        Action(type=intent, rule="cross/toxic-review", reason="borderline toxic"),)),
        kind, spec_for(platform).capabilities)
    with db.session() as session:
        return execute_plan(session, session.get(InteractionRow, interaction.id), plan, library_version="v",
                            approval_minutes=30).reviews


def _service(db) -> ReviewService:
    return ReviewService(db, lambda surface, user: (surface, user) == ("slack", "ULEAD"))


async def test_a_hold_is_a_hide_and_a_card_on_instagram_and_restore_counts_as_a_reversal(db) -> None:
    [review_id] = _moderate(db, Platform.instagram, "c1")
    sandbox = SandboxPlatform(Platform.instagram)  # the real capabilities: no hold
    outbox = Outbox(db, {Platform.instagram: sandbox})
    await outbox.drain()
    assert sandbox.hidden == {"c1"} and not sandbox.held
    with db.session() as session:
        review = session.get(ReviewRow, review_id)
        assert (review.operation, review.options) == ("hide", ["keep", "restore", "delete"])
        assert session.exec(select(ActionRow).where(ActionRow.state == "dead")).all() == []

    with pytest.raises(ReviewRefused):
        _service(db).decide(review_id, ReviewVerdict.restore, surface="slack", user="UINTERN")
    _service(db).decide(review_id, ReviewVerdict.restore, surface="slack", user="ULEAD")
    with pytest.raises(AlreadyReviewed):  # a double click, or a second person: one verdict
        _service(db).decide(review_id, ReviewVerdict.keep, surface="slack", user="ULEAD")
    await outbox.drain()
    assert sandbox.hidden == set()
    with db.session() as session:
        names = [e.name for e in session.exec(select(EventRow).order_by(EventRow.id)).all()]
        kpis = platform_kpis(session, utcnow() - timedelta(days=1), utcnow() + timedelta(minutes=1))
    assert "instagram.comment_review_opened" in names and "instagram.comment_reviewed" in names
    assert "instagram.comment_unhidden" in names
    assert values(kpis[0].tally)["reversal_rate"] == 1.0


async def test_youtube_holds_for_review_and_can_ban_the_author(db) -> None:
    [review_id] = _moderate(db, Platform.youtube, "Ugx1")
    sandbox = SandboxPlatform(Platform.youtube)
    outbox = Outbox(db, {Platform.youtube: sandbox})
    await outbox.drain()
    assert sandbox.held == {"Ugx1"}
    _service(db).decide(review_id, ReviewVerdict.ban_author, surface="slack", user="ULEAD")
    await outbox.drain()
    assert sandbox.banned == {"troll"}
    with db.session() as session:
        assert session.get(ReviewRow, review_id).state == "banned"


async def test_tiktok_offers_no_delete_and_a_dm_is_never_hidden(db) -> None:
    [tiktok_review] = _moderate(db, Platform.tiktok, "t1", intent=ActionType.delete)
    with pytest.raises(ReviewError, match="not possible"):
        _service(db).decide(tiktok_review, ReviewVerdict.delete, surface="slack", user="ULEAD")
    [dm_review] = _moderate(db, Platform.facebook, "m1", kind=Kind.dm)
    sandbox = SandboxPlatform(Platform.facebook)
    await Outbox(db, {Platform.facebook: sandbox}).drain()
    assert sandbox.calls == 0  # nothing to hide: routed to a person
    with db.session() as session:
        assert session.get(ReviewRow, dm_review).operation == "none"
        skipped = session.exec(select(ActionRow).where(ActionRow.state == "skipped")).all()
    assert [row.type for row in skipped] == ["hold_for_review"]


def test_reminders_once_per_wait(db) -> None:
    from moderation.act.reviews import due_reminders

    [review_id] = _moderate(db, Platform.instagram, "c2")
    now = utcnow() + timedelta(minutes=61)
    assert due_reminders(db, now=now, after=timedelta(minutes=60), max_reminders=3) == [review_id]
    assert due_reminders(db, now=now, after=timedelta(minutes=60), max_reminders=3) == []
    later = now + timedelta(minutes=60)
    assert due_reminders(db, now=later, after=timedelta(minutes=60), max_reminders=3) == [review_id]
