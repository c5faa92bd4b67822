"""Faults: the platform API down for a while then back; the database dropping the workers' connections."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from moderation.act.outbox import Outbox, enqueue
from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.ingest.importer import ingest_file
from moderation.ingest.store import store_interactions
from moderation.platforms.base import Operation
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ClassificationRow, EventRow, InteractionRow
from socialops.demo.runner import SAMPLE
from tests.scale.conftest import wait_for
from tests.scale.support import FakePlatformServer, http_connectors


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _enqueue(db: Database, prefix: str, count: int, due) -> None:
    interactions = [Interaction(platform=Platform.facebook, kind=Kind.comment, external_id=f"{prefix}{i}",
                                author_id=f"u{i}", author_name="someone", text="hello", created_at=due)
                    for i in range(count)]
    store_interactions(db, interactions, source="test")
    with db.session() as session:
        for interaction in interactions:
            row = session.get(InteractionRow, interaction.id)
            enqueue(session, row, Operation.reply, key=f"{interaction.id}/reply", action_type="auto_reply",
                    text="thanks!", now=due)


async def test_platform_down_then_back_every_action_done_or_dead_lettered_with_an_alert(db):
    clock = Clock()
    alerts: list[int] = []

    async def alert(_text: str, row: ActionRow) -> None:
        alerts.append(row.id)

    with FakePlatformServer() as platform:
        outbox = Outbox(db, http_connectors(platform.url), alert=alert, clock=clock, max_attempts=3,
                        base_delay=1.0, max_delay=30.0)
        _enqueue(db, "early", 8, clock.now)  # due while the platform is down for good: dead letters
        _enqueue(db, "late", 12, clock.now + timedelta(hours=1))  # due while it is coming back
        platform.down()
        for _ in range(40):  # half an hour of an outage, in outbox rounds
            await outbox.run_once()
            clock.advance(45)
        platform.fail_next(5)  # back, but the first calls still fail
        platform.up()
        clock.advance(3600)
        for _ in range(40):
            await outbox.run_once()
            clock.advance(45)

    with db.session() as session:
        rows = session.execute(sa.select(ActionRow)).scalars().all()
        dead_events = session.execute(sa.select(sa.func.count()).where(
            EventRow.name.like("%dead_lettered"))).scalar_one()
    states = {row.idempotency_key: row.state for row in rows}
    assert len(states) == 20 and set(states.values()) <= {"done", "dead"}, "nothing lost, nothing left pending"
    dead = sorted(row.id for row in rows if row.state == "dead")
    assert {k for k, s in states.items() if s == "dead"} == {f"facebook:early{i}/reply" for i in range(8)}
    assert sorted(alerts) == dead and dead_events == len(dead), "each dead letter alerted once and recorded"
    assert set(platform.effects) == {k for k, s in states.items() if s == "done"}
    assert platform.refused >= 8 * 3 + 5


def test_database_dropping_worker_connections_under_load(pg_url, start_worker):
    """pg_terminate_backend on every worker connection, several times mid-run (what a database restart does
    to the clients, without restarting the server other tests share): the workers reconnect and finish."""
    db = Database(pg_url)
    stored = ingest_file(db, SAMPLE).stored
    with FakePlatformServer() as platform:
        # -v: the scheduler's leader lines are INFO since issue 15, and they are part of the evidence read below.
        workers = [start_worker(pg_url, platform_url=platform.url, classify_delay=0.1,
                                extra_env={"SCALE_VERBOSE": "1"}) for _ in range(2)]
        done = sa.select(sa.func.count()).where(InteractionRow.status == "done")

        def count(query) -> int:
            with db.session() as session:
                return session.execute(query).scalar_one()

        assert wait_for(lambda: count(done) > 0, timeout=90)
        terminated = 0
        for _ in range(4):
            with db.engine.connect() as connection:
                terminated += connection.execute(sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
            time.sleep(0.4)
        assert terminated >= 4
        assert wait_for(lambda: count(done) == stored, timeout=60), [open(w.log_path).read()[-2000:]
                                                                      for w in workers]
        assert all(w.poll() is None for w in workers), "the workers survived the lost connections"
    with db.session() as session:
        classified = session.execute(sa.select(ClassificationRow.interaction_id, sa.func.count())
                                     .group_by(ClassificationRow.interaction_id)).all()
    assert len(classified) == stored and {n for _, n in classified} == {1}
    logs = "".join(open(w.log_path).read() for w in workers)
    assert "moderation.pipeline.loop.round_failed" in logs or "socialops.scheduler" in logs
    db.dispose()
