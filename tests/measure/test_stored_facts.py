"""kpi_facts, the KPI query's fast path, gives the figures of scanning the events, on SQLite and PostgreSQL.

The log is generated with the awkward cases: events long after reception (past `as_of`), clock skew beyond the
one-day margin, interactions received twice, campaign changes mid-interaction, several responses, events
without an interaction, and events stored out of order across many transactions.
"""

from __future__ import annotations

import math
import random
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from moderation.domain import Kind, Platform
from moderation.measure.events import AUTOMATION, EventAction, event_name
from moderation.measure.kpis import KpiSettings, compute, rolling
from moderation.measure.kpis.stored_facts import COLUMNS, rebuild
from moderation.measure.kpis.tally import Tally
from moderation.storage import Database
from moderation.storage.tables import EventRow, KpiFactRow

END = datetime(2026, 11, 23, tzinfo=UTC)
SETTINGS = KpiSettings(timezone="Europe/Paris", sla_comment_minutes=120, sla_dm_minutes=30)


def _offset(rng: random.Random) -> timedelta:
    roll = rng.random()
    if roll < 0.6:
        return timedelta(minutes=rng.uniform(0, 600))
    if roll < 0.8:
        return timedelta(days=rng.uniform(0, 12))  # late: often after the earlier as_of
    if roll < 0.9:
        return -timedelta(minutes=rng.uniform(0, 5))  # skew: a reply stamped before the comment
    return -timedelta(days=rng.uniform(0.5, 3))  # skew beyond the one-day margin


def _events(seed: int = 11, interactions: int = 250) -> list[EventRow]:
    rng = random.Random(seed)
    events = []
    for n in range(interactions):
        platform, kind = rng.choice(list(Platform)), rng.choice(list(Kind))
        campaign = rng.choice([None, None, "spring", "launch"])
        iid = f"{platform.value}:{n}"
        received = END - timedelta(days=rng.uniform(0, 25))
        timeline = [(EventAction.received, received), (EventAction.classified, received + timedelta(seconds=3))]
        if rng.random() < 0.05:
            timeline.append((EventAction.received, received + timedelta(hours=rng.uniform(-30, 30))))
        timeline += [(rng.choice(list(EventAction)), received + _offset(rng)) for _ in range(rng.randrange(6))]
        timeline += [(EventAction.response_sent, received + _offset(rng)) for _ in range(rng.randrange(4))]
        for action, at in timeline:
            moved = rng.random() < 0.02  # the interaction's campaign changed between two events
            events.append(EventRow(
                name=event_name(platform, kind, action), interaction_id=iid, platform=platform.value,
                occurred_at=at, actor=rng.choice([AUTOMATION, "camille"]),
                campaign=rng.choice([None, "spring", "other"]) if moved else campaign,
                data={"sentiment": rng.choice(["negative", "neutral", "positive", "unknown"])}))
        if rng.random() < 0.05:
            events.append(EventRow(name=event_name(platform, kind, EventAction.automation_paused),
                                   interaction_id=None, platform=platform.value, occurred_at=received))
    rng.shuffle(events)
    return events


@pytest.fixture
def log(db: Database) -> Database:
    events = _events()
    for start in range(0, len(events), 97):  # many transactions, each merging into rows earlier ones made
        with db.session() as session:
            session.add_all(events[start:start + 97])
    return db


def _scan_everything(db: Database) -> None:
    """Marks every stored row unusable: the KPI query then computes each interaction from its events, as it did
    before kpi_facts existed (the straightforward computation the fast path must match)."""
    with db.session() as session:
        session.execute(sa.update(KpiFactRow).values(mixed=True))


def _tables(db: Database, as_of: datetime) -> dict:
    windows = []
    for days in (1, 7, 30):
        window = rolling(END, days, SETTINGS.timezone)
        windows += [window, window.previous()]
    tallies = {}
    with db.session() as session:
        for only in ({}, {"platform": "instagram"}, {"campaign": "spring"}):
            table = compute(session, windows, settings=SETTINGS, as_of=as_of, daily=True, **only)
            tallies |= {(*only.values(), *key): tally for key, tally in table.tallies.items()}
    return tallies


def _assert_same(fast: dict[tuple, Tally], scanned: dict[tuple, Tally]) -> None:
    assert fast.keys() == scanned.keys()
    for key in fast:
        for field in fields(Tally):
            a, b = getattr(fast[key], field.name), getattr(scanned[key], field.name)
            if isinstance(a, int):
                assert a == b, (key, field.name, a, b)
            else:  # a sum of three epochs (~5e9 s) added in another order differs in its last bits, ~1e-6 s
                assert math.isclose(a, b, rel_tol=0, abs_tol=1e-4), (key, field.name, a, b)


def test_fast_path_gives_the_figures_of_the_event_scan(log: Database) -> None:
    # After every event; mid-log, so recent interactions still have events to come (read from the events).
    moments = [END + timedelta(days=20), END, END - timedelta(days=6)]
    fast = [_tables(log, as_of) for as_of in moments]
    assert all(sum(t.volume for t in table.values()) > 100 for table in fast)
    _scan_everything(log)
    for as_of, table in zip(moments, fast, strict=True):
        _assert_same(table, _tables(log, as_of))


def _rows(db: Database) -> list[tuple]:
    with db.session() as session:
        return [tuple(row) for row in session.execute(
            sa.select(*(getattr(KpiFactRow, c) for c in COLUMNS)).order_by(KpiFactRow.interaction_id))]


def test_rows_merged_event_by_event_equal_a_rebuild_from_the_log(log: Database) -> None:
    merged = _rows(log)
    with log.session() as session:
        ids = session.execute(sa.select(sa.func.count(sa.distinct(EventRow.interaction_id)))).scalar_one()
        assert rebuild(session) == ids == len(merged)
    rebuilt = _rows(log)
    assert sum(1 for row in merged if row[COLUMNS.index("mixed")]) > 0  # the campaign changes are there
    _assert_same_rows(merged, rebuilt)


def _assert_same_rows(rows: list[tuple], others: list[tuple]) -> None:
    for a, b in zip(rows, others, strict=True):
        for name, x, y in zip(COLUMNS, a, b, strict=True):
            if a[COLUMNS.index("mixed")] and name in ("platform", "campaign"):
                continue  # one of its events': never read, the query scans the events of a mixed interaction
            assert x == y if not isinstance(x, float) else math.isclose(x, y, rel_tol=1e-15, abs_tol=1e-4), \
                (a[0], name, x, y)

def test_migration_fills_kpi_facts_from_the_events_already_stored(db: Database) -> None:
    from alembic import command
    from alembic.config import Config

    from moderation.storage.database import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010_kpi_facts-1")  # a database from before kpi_facts, with its events
        assert "kpi_facts" not in sa.inspect(connection).get_table_names()
        events = _events(interactions=60)
        connection.execute(sa.insert(EventRow.__table__), [
            {c.name: getattr(e, c.name) for c in EventRow.__table__.columns if c.name != "id"}
            | {"recorded_at": e.occurred_at} for e in events])
        command.upgrade(config, "heads")
    with db.session() as session:
        ids = session.execute(sa.select(sa.func.count(sa.distinct(EventRow.interaction_id)))).scalar_one()
    migrated = _rows(db)
    assert len(migrated) == ids > 50
    with db.session() as session:
        rebuild(session)
    _assert_same_rows(migrated, _rows(db))


def test_interactions_stored_by_ingest_have_their_rows_in_the_same_transaction(db: Database) -> None:
    """The ingest path inserts its events in bulk (no ORM hook): its rows must still be there, and later
    events merge into them, so the table equals a rebuild."""
    from moderation.domain import Interaction
    from moderation.ingest.store import store_interactions
    from moderation.measure.events import record_event
    from moderation.storage.tables import InteractionRow

    received = END - timedelta(hours=5)
    batch = [Interaction(platform=Platform.instagram, kind=Kind.dm if n % 3 else Kind.comment, external_id=f"i{n}",
                         author_id=f"u{n}", text="prix ?", created_at=received + timedelta(minutes=n),
                         campaign="black-friday" if n % 2 else None) for n in range(12)]
    assert store_interactions(db, batch, source="webhook").stored == 12
    assert store_interactions(db, batch[:3], source="webhook").stored == 0  # duplicates add nothing
    with db.session() as session:
        for n in range(0, 12, 4):
            row = session.get(InteractionRow, f"instagram:i{n}")
            record_event(session, row, EventAction.response_sent, actor="agent",
                         occurred_at=received + timedelta(minutes=n + 7))
    merged = _rows(db)
    assert len(merged) == 12
    with db.session() as session:
        rebuild(session)
    _assert_same_rows(merged, _rows(db))
