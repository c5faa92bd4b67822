"""kill -9 a worker in the middle of a batch, restart it: every interaction processed once, no action doubled."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import sqlalchemy as sa

from moderation.domain import utcnow
from moderation.ingest.importer import ingest_file
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ClassificationRow, DecisionRow, EventRow, InteractionRow
from socialops.demo.runner import SAMPLE
from tests.scale.conftest import wait_for
from tests.scale.support import FakePlatformServer


def _scalar(db: Database, query) -> int:
    with db.session() as session:
        return session.execute(query).scalar_one()


def _settled(db: Database) -> bool:
    open_interactions = sa.select(sa.func.count()).where(InteractionRow.status != "done")
    open_actions = sa.select(sa.func.count()).where(
        ActionRow.state.in_(("pending", "in_flight"))
        | ((ActionRow.state == "scheduled") & (ActionRow.next_attempt_at <= utcnow())))
    return _scalar(db, open_interactions) == 0 and _scalar(db, open_actions) == 0


def test_kill_9_mid_batch_then_restart_processes_everything_once(pg_url, start_worker):
    db = Database(pg_url)
    stored = ingest_file(db, SAMPLE).stored
    # Make some follow-ups due soon, so the scheduler leader has timers to fire across the crash too.
    with db.session() as session:
        session.execute(sa.update(InteractionRow).values(created_at=InteractionRow.created_at - timedelta(days=800)))
    with FakePlatformServer(delay=0.002) as platform:
        victim = start_worker(pg_url, platform_url=platform.url, classify_delay=0.25)
        other = start_worker(pg_url, platform_url=platform.url, classify_delay=0.25)
        mine = sa.select(InteractionRow.id).where(InteractionRow.status == "processing",
                                                  InteractionRow.claimed_by.like(f"%:{victim.pid}"))

        def victim_mid_batch() -> bool:
            with db.session() as session:
                return bool(session.execute(mine).first())

        assert wait_for(victim_mid_batch, timeout=90, interval=0.01), open(victim.log_path).read()[-2000:]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        with db.session() as session:
            orphaned = set(session.execute(mine).scalars())
        assert orphaned, "the victim died holding claims"
        restarted = start_worker(pg_url, platform_url=platform.url, classify_delay=0.25)
        assert wait_for(lambda: _settled(db), timeout=60, interval=0.2), \
            open(other.log_path).read()[-3000:] + open(restarted.log_path).read()[-3000:]

        with db.session() as session:
            statuses = dict(session.execute(sa.select(InteractionRow.status, sa.func.count())
                                            .group_by(InteractionRow.status)).all())
            decisions = dict(session.execute(sa.select(DecisionRow.interaction_id, sa.func.count())
                                             .group_by(DecisionRow.interaction_id)).all())
            # A fired follow-up records its own decision: expected decisions = 1 + follow-ups fired.
            fired = dict(session.execute(sa.select(ActionRow.interaction_id, sa.func.count())
                                         .where(ActionRow.type == "follow_up", ActionRow.state == "done")
                                         .group_by(ActionRow.interaction_id)).all())
            classifications = session.execute(sa.select(ClassificationRow.interaction_id, sa.func.count())
                                              .group_by(ClassificationRow.interaction_id)).all()
            classified = session.execute(sa.select(EventRow.interaction_id, sa.func.count())
                                         .where(EventRow.name.like("%_classified"))
                                         .group_by(EventRow.interaction_id)).all()
            orphan_rows = session.execute(sa.select(InteractionRow).where(InteractionRow.id.in_(orphaned))).scalars()
            orphan_states = {(row.status, row.attempts >= 2) for row in orphan_rows}
            done_actions = session.execute(sa.select(ActionRow).where(ActionRow.state == "done",
                                                                      ActionRow.operation.is_not(None))).scalars()
            done_keys = {row.idempotency_key: row.id for row in done_actions}
            action_events = session.execute(
                sa.select(EventRow.data).where(EventRow.name.regexp_match(
                    r"_(response_sent|dm_sent|hidden|deleted|held)$"))).scalars().all()

    assert statuses == {"done": stored}
    assert decisions == {i: 1 + fired.get(i, 0) for i in decisions} and len(decisions) == stored
    assert len(classifications) == stored and {count for _, count in classifications} == {1}
    assert len(classified) == stored and {count for _, count in classified} == {1}
    assert orphan_states == {("done", True)}, "the dead worker's claims were taken over and finished"
    assert done_keys, "the playbooks acted on the platform"
    # The platform applied each action exactly once, and only actions the outbox recorded as done.
    assert set(platform.effects) == set(done_keys)
    assert max(platform.effects.values()) == 1
    event_ids = sorted(data["action_id"] for data in action_events)
    assert event_ids == sorted(done_keys.values()), "one done event per action, none doubled"
    # A call repeated after the crash (same key) is possible only for what the victim had in flight.
    repeated = sum(1 for count in platform.calls.values() if count > 1)
    assert repeated <= 50
    print(f"orphaned claims {len(orphaned)}, follow-ups fired {sum(fired.values())}, platform actions "
          f"{len(done_keys)}, calls repeated after the crash {repeated}")
    db.dispose()
