"""The outbox on the sandbox platform: retries, dead letters with an alert, fallbacks, never doubled."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from moderation.act.outbox import Outbox, enqueue
from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.platforms.base import Operation
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage.tables import ActionRow, EventRow, InteractionRow


def _store(db, external_id: str = "c1") -> str:
    interaction = Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=external_id,
                              author_id="a1", author_name="anna", text="you are all clowns", post_id="p1",
                              created_at=utcnow() - timedelta(minutes=5))
    store_interactions(db, [interaction], source="test")
    return interaction.id


def _enqueue(db, interaction_id: str, operation: Operation, key: str) -> None:
    with db.session() as session:
        row = session.get(InteractionRow, interaction_id)
        enqueue(session, row, operation, key=key, action_type="hide", text=None)
        enqueue(session, row, operation, key=key, action_type="hide", text=None)  # idempotent on the key


async def test_transient_failures_are_retried_then_done_once(db):
    sandbox = SandboxPlatform(Platform.instagram, fail_next=2)
    outbox = Outbox(db, {Platform.instagram: sandbox}, base_delay=0.0)
    interaction_id = _store(db)
    _enqueue(db, interaction_id, Operation.hide, "k1")

    await outbox.drain()

    assert sandbox.calls == 3 and list(sandbox.performed) == ["k1"]
    assert "c1" in sandbox.hidden
    with db.session() as session:
        row = session.exec(select(ActionRow)).one()
        events = [e.name for e in session.exec(select(EventRow).order_by(EventRow.id))]
    assert (row.state, row.attempts) == ("done", 3)
    assert events.count("instagram.comment_hidden") == 1


async def test_dead_letter_after_max_attempts_alerts_the_team(db):
    sandbox = SandboxPlatform(Platform.instagram, fail_next=99)
    alerts: list[str] = []

    async def alert(text, _row):
        alerts.append(text)

    outbox = Outbox(db, {Platform.instagram: sandbox}, base_delay=0.0, max_attempts=3, alert=alert)
    _enqueue(db, _store(db), Operation.hide, "k2")

    await outbox.drain()

    with db.session() as session:
        row = session.exec(select(ActionRow)).one()
        dead = session.exec(select(EventRow).where(EventRow.name == "instagram.comment_action_dead_lettered")).all()
    assert (row.state, row.attempts) == ("dead", 3)
    assert len(dead) == 1 and len(alerts) == 1 and "simulated 503" in alerts[0]
    assert sandbox.performed == {}


async def test_unsupported_delete_falls_back_to_hide_and_records_it(db):
    sandbox = SandboxPlatform(Platform.instagram, operations=frozenset({Operation.hide, Operation.reply}))
    outbox = Outbox(db, {Platform.instagram: sandbox}, base_delay=0.0)
    _enqueue(db, _store(db), Operation.delete, "k3")

    await outbox.drain()

    with db.session() as session:
        row = session.exec(select(ActionRow)).one()
        event = session.exec(select(EventRow).where(EventRow.name == "instagram.comment_hidden")).one()
    assert (row.operation, row.fallback_of, row.state) == ("hide", "delete", "done")
    assert event.data["fallback_of"] == "delete"


async def test_a_crashed_in_flight_action_is_resumed_without_doubling(db):
    sandbox = SandboxPlatform(Platform.instagram)
    interaction_id = _store(db)
    _enqueue(db, interaction_id, Operation.reply, "k4")
    with db.session() as session:  # a process claimed it and died before finishing
        row = session.exec(select(ActionRow)).one()
        row.state = "in_flight"
        row.updated_at = utcnow() - timedelta(minutes=10)
        session.add(row)

    await Outbox(db, {Platform.instagram: sandbox}, lease_seconds=60).drain()
    await Outbox(db, {Platform.instagram: sandbox}, lease_seconds=60).drain()

    assert list(sandbox.performed) == ["k4"]
    with db.session() as session:
        assert session.exec(select(ActionRow)).one().state == "done"
