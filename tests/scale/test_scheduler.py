"""Exactly one scheduler across processes (PostgreSQL advisory lock, file lock on SQLite), takeover when the
holder dies, and timers that fire once even when two schedulers race."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from moderation.act.follow_ups import fire_follow_up
from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.runtime.leader import FileLeaderLock, PostgresLeaderLock
from moderation.runtime.timers import Timers
from moderation.storage import Database
from moderation.storage.tables import ActionRow, DecisionRow, EventRow, InteractionRow
from socialops.compose.processes import SchedulerComponent
from tests.scale.conftest import wait_for


def test_file_lock_has_one_holder_and_frees_on_release(tmp_path: Path):
    first, second = FileLeaderLock(tmp_path / "db.lock"), FileLeaderLock(tmp_path / "db.lock")
    assert first.try_acquire() and first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


async def test_one_postgres_leader_and_takeover_when_its_session_ends(pg_url):
    db = Database(pg_url)
    locks = [PostgresLeaderLock(db), PostgresLeaderLock(db)]
    schedulers = [SchedulerComponent(Timers(db), lock, retry_seconds=0.1, reconcile_seconds=0.1) for lock in locks]
    stopping = asyncio.Event()
    tasks = [asyncio.create_task(s.run(stopping)) for s in schedulers]

    async def settle(predicate, timeout: float = 10) -> bool:
        for _ in range(int(timeout / 0.05)):
            if predicate():
                return True
            await asyncio.sleep(0.05)
        return False

    try:
        assert await settle(lambda: sum(s.leading for s in schedulers) == 1)
        await asyncio.sleep(0.5)  # the other keeps retrying and keeps failing
        assert sum(s.leading for s in schedulers) == 1
        leader = next(s for s in schedulers if s.leading)
        pid = leader.lock.connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as connection:  # what a crashed host or a DB failover does to the session
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert await settle(lambda: not leader.leading or sum(s.leading for s in schedulers) == 1)
        assert await settle(lambda: sum(s.leading for s in schedulers) == 1 and all(
            s.lock.connection is None or s.leading for s in schedulers))
    finally:
        stopping.set()
        await asyncio.gather(*tasks)
    assert not any(s.leading for s in schedulers)
    db.dispose()


def test_kill_9_the_leader_process_another_takes_over(pg_url, start_worker):
    # Leading is logged at INFO (a normal event, not a warning): run the workers with -v.
    workers = [start_worker(pg_url, extra_env={"SCALE_VERBOSE": "1"}) for _ in range(2)]

    def leaders() -> list[int]:
        found = []
        for process in workers:
            text = Path(process.log_path).read_text()
            found += [int(pid) for pid in re.findall(r"socialops.scheduler.leading pid=(\d+)", text)]
        return found

    # A fresh process imports the classifier stack first: tens of seconds on a loaded 2-core machine.
    assert wait_for(lambda: len(leaders()) == 1, timeout=90), [Path(w.log_path).read_text() for w in workers]
    first = leaders()[0]
    assert first in {w.pid for w in workers}
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: len(leaders()) == 2, timeout=20), [Path(w.log_path).read_text()[-3000:] for w in workers]
    assert sorted(leaders()) == sorted(w.pid for w in workers), "the survivor took over"


def _scheduled_follow_ups(db: Database, count: int) -> list[int]:
    now = utcnow()
    interactions = [Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=f"f{i}",
                                author_id=f"a{i}", author_name="someone", text="where is my order?",
                                created_at=now - timedelta(hours=1)) for i in range(count)]
    store_interactions(db, interactions, source="test")
    ids = []
    with db.session() as session:
        for interaction in interactions:
            row = ActionRow(idempotency_key=f"{interaction.id}/plan/0/follow_up", interaction_id=interaction.id,
                            type="follow_up", platform="instagram", state="scheduled", next_attempt_at=now,
                            rule="test/follow", params={"delay_minutes": 10, "actions": [
                                {"type": "send_dm", "params": {"text": "Any news?"}}]})
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


def test_two_schedulers_firing_the_same_timers_act_once(db):
    """Both backends: every timer fired by two racing schedulers at once yields one plan, one DM, one event."""
    ids = _scheduled_follow_ups(db, 20)
    barrier = threading.Barrier(2)
    results: list[list[int]] = [[], []]

    def fire_all(slot: int) -> None:
        barrier.wait()
        for action_id in ids:
            for _attempt in range(20):  # SQLite answers "database is locked" to the loser; it retries
                try:
                    fire_follow_up(db, action_id, now=utcnow())
                    break
                except sa.exc.OperationalError:
                    continue
            results[slot].append(action_id)

    threads = [threading.Thread(target=fire_all, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.session() as session:
        states = set(session.execute(sa.select(ActionRow.state).where(ActionRow.id.in_(ids))).scalars())
        dms = session.execute(sa.select(sa.func.count()).where(ActionRow.type == "send_dm")).scalar_one()
        decisions = session.execute(sa.select(sa.func.count()).select_from(DecisionRow)).scalar_one()
        interactions = session.execute(sa.select(sa.func.count()).select_from(InteractionRow)).scalar_one()
        fired_events = session.execute(sa.select(sa.func.count()).where(EventRow.name.like("%follow_up%"))).scalar_one()
    assert states == {"done"}
    assert dms == len(ids) == decisions == interactions
    assert fired_events == 0 or fired_events == len(ids)


def test_a_leader_that_died_mid_fire_leaves_the_timer_to_the_next(db, monkeypatch):
    """A crash inside the handler rolls the whole firing back: the row is still `scheduled` (never stuck in
    flight), so the next leader's reconcile gives it a timer and it fires once."""
    [action_id] = _scheduled_follow_ups(db, 1)
    import moderation.act.follow_ups as follow_ups

    def crash(*_args, **_kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(follow_ups, "execute_plan", crash)
    try:
        fire_follow_up(db, action_id, now=utcnow())
    except SystemExit:
        pass
    with db.session() as session:
        assert session.get(ActionRow, action_id).state == "scheduled"
    monkeypatch.undo()
    fire_follow_up(db, action_id, now=utcnow())
    fire_follow_up(db, action_id, now=utcnow())
    with db.session() as session:
        assert session.get(ActionRow, action_id).state == "done"
        assert session.execute(sa.select(sa.func.count()).where(ActionRow.type == "send_dm")).scalar_one() == 1


def test_workers_starting_together_on_a_fresh_database_migrate_once(pg_url):
    """Found by the takeover test: two processes migrating an empty PostgreSQL database at once collided."""
    errors: list[BaseException] = []
    opened: list[Database] = []

    def open_db() -> None:
        try:
            opened.append(Database(pg_url))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_db) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(opened) == 4
    for database in opened:
        database.dispose()


async def test_a_scheduler_whose_job_store_fails_at_start_retries_instead_of_ending_the_process(pg_url, caplog):
    """Starting writes the digest's and reminders' jobs to the store; a database dropping connections then
    (what CI caught once) used to crash the scheduler component and with it the worker process."""
    db = Database(pg_url)
    timers = Timers(db)
    timers.cron("digest:daily", "digest", hour=9)  # pending until the scheduler starts
    table = timers.scheduler._jobstores["default"].jobs_t
    table.create(db.engine, checkfirst=True)
    with db.engine.begin() as connection:  # every write to the store fails as a terminated session does
        connection.execute(sa.text(
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'terminating connection' USING ERRCODE = '57P01'; END $$ LANGUAGE plpgsql"))
        connection.execute(sa.text(f"CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON {table.name} "
                                   "FOR EACH ROW EXECUTE FUNCTION refuse()"))
    scheduler = SchedulerComponent(timers, PostgresLeaderLock(db), retry_seconds=0.1, reconcile_seconds=0.1)
    stopping = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stopping))
    try:
        for _ in range(40):
            await asyncio.sleep(0.05)
        assert not task.done() and not timers.running and not scheduler.leading
        assert caplog.text.count("socialops.scheduler.start_failed") >= 2, "it keeps trying"
        with db.engine.begin() as connection:  # the database is back
            connection.execute(sa.text(f"DROP TRIGGER refuse ON {table.name}"))
        for _ in range(100):
            if scheduler.leading:
                break
            await asyncio.sleep(0.05)
        assert scheduler.leading and timers.job_ids() == {"digest:daily"}
    finally:
        stopping.set()
        await asyncio.wait_for(task, 10)
    db.dispose()
