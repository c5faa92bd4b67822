"""Issue 15 item 13: DM authors Meta sends by id only get their names from the Graph API, lazily, within a
rate limit, cached; the id is what shows meanwhile. Against the loopback platform fake."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlmodel import select

from moderation.domain import Interaction, Kind, Platform
from moderation.ingest.author_names import AuthorNames
from moderation.ingest.store import store_interactions
from moderation.platforms.instagram.outbound import InstagramConnector
from moderation.platforms.rate_limit import RateLimit
from moderation.storage.tables import AuthorProfileRow, InteractionRow
from tests.platforms.conftest import FakeClock
from tests.platforms.fake_platforms import TOKEN


def dm(ident: str, author: str) -> Interaction:
    return Interaction(platform=Platform.instagram, kind=Kind.dm, external_id=ident, author_id=author,
                       text="hello", created_at=datetime(2026, 11, 1, tzinfo=UTC), account_id=None)


def names(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {row.external_id: row.author_name for row in session.exec(select(InteractionRow)).all()}


async def test_names_are_fetched_once_within_the_rate_limit_and_cached(sqlite_db, fake, platform_url) -> None:
    fake.profiles = {"igsid-1": {"name": "Chloé Martin"}, "igsid-2": {"username": "lea.b"}, "igsid-3": {}}
    store_interactions(sqlite_db, [dm("m1", "igsid-1"), dm("m2", "igsid-2"), dm("m3", "igsid-3"),
                                   dm("m4", "igsid-1")], source="test")
    assert set(names(sqlite_db).values()) == {""}  # cards show the id meanwhile (author_name or author_id)
    clock = FakeClock()
    async with httpx.AsyncClient() as http:
        connector = InstagramConnector(http, account_id=fake.account_id, token=TOKEN,
                                       base_url=f"{platform_url}/graph")
        resolver = AuthorNames(sqlite_db, {Platform.instagram: connector}, limit=RateLimit(per_second=1, burst=2),
                               clock=clock.monotonic)
        assert await resolver.resolve_once() == 2  # the burst; the third author waits for the next round
        assert await resolver.resolve_once() == 0
        clock.mono += 1.0
        assert await resolver.resolve_once() == 1
        store_interactions(sqlite_db, [dm("m5", "igsid-1")], source="test")
        assert await resolver.resolve_once() == 0  # known name: filled from the cache, no call
    assert names(sqlite_db) == {"m1": "Chloé Martin", "m2": "lea.b", "m3": "", "m4": "Chloé Martin",
                                "m5": "Chloé Martin"}
    profile_calls = {key: n for key, n in fake.calls.items() if key.startswith("GET /graph/v21.0/igsid")}
    assert sorted(profile_calls.values()) == [1, 1, 1]
    with sqlite_db.session() as session:
        assert len(session.exec(select(AuthorProfileRow)).all()) == 3
