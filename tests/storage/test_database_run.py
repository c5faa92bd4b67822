"""`Database.run`: blocking database work in the database's threads, awaited from the event loop."""

from __future__ import annotations

import contextvars
import threading

import pytest
from sqlmodel import select

from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.storage import Database
from moderation.storage.tables import InteractionRow

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def _comment(external_id: str) -> Interaction:
    return Interaction(platform=Platform.tiktok, kind=Kind.comment, external_id=external_id, author_id="a",
                       author_name="a", text="love it", created_at=utcnow())


def _ids(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.exec(select(InteractionRow.id)).all())


async def test_work_runs_off_the_loop_thread_with_the_callers_context(db):
    store_interactions(db, [_comment("one")], source="test")
    request_id.set("r-42")

    def look() -> tuple[str, str, list[str]]:
        return threading.current_thread().name, request_id.get(), _ids(db)

    thread, seen, ids = await db.run(look)
    assert thread.startswith("socialops-db") and thread != threading.current_thread().name
    assert seen == "r-42"  # log fields set by the caller follow the work
    assert ids == [_comment("one").id]


async def test_errors_reach_the_caller_and_the_transaction_is_rolled_back(db):
    store_interactions(db, [_comment("two")], source="test")

    def half_done() -> None:
        with db.session() as session:
            row = session.get(InteractionRow, _comment("two").id)
            row.status = "done"
            session.add(row)
            session.flush()
            raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await db.run(half_done)

    def status() -> str:
        with db.session() as session:
            return session.get(InteractionRow, _comment("two").id).status

    assert await db.run(status) == "pending"


async def test_an_in_memory_sqlite_database_is_the_same_database_in_every_thread():
    db = Database("sqlite://")
    try:
        store_interactions(db, [_comment("three")], source="test")
        assert await db.run(_ids, db) == [_comment("three").id]
        await db.run(store_interactions, db, [_comment("four")], source="test")
        assert _ids(db) == sorted([_comment("three").id, _comment("four").id])
    finally:
        db.dispose()
