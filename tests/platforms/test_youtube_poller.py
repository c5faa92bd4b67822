"""The YouTube poller against the loopback fake: cursor persisted, catch-up across rounds, quota counted."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from sqlmodel import select

from moderation.platforms.youtube import QuotaLedger
from moderation.platforms.youtube_poller import YouTubePoller
from moderation.storage.tables import InteractionRow, PollCursorRow
from tests.platforms.fake_platforms import TOKEN

CHANNEL = "UC0000000000000000000000"
RECORDED = json.loads((Path(__file__).parent / "payloads" / "youtube_comment_threads.json").read_text())


def thread(n: int, minute: int) -> dict:
    item = copy.deepcopy(RECORDED["items"][1])
    item["id"] = item["snippet"]["topLevelComment"]["id"] = f"T{n}"
    item["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = f"2025-11-22T11:{minute:02d}:00Z"
    item["snippet"]["topLevelComment"]["snippet"]["textOriginal"] = f"comment {n}"
    return item


def ids(db) -> set[str]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return set(session.exec(select(InteractionRow.id)).all())


def poller(db, client, url, **kw) -> YouTubePoller:  # type: ignore[no-untyped-def]
    return YouTubePoller(db, client, channel_id=CHANNEL, token=TOKEN, base_url=f"{url}/youtube/v3",
                         quota=QuotaLedger(db, CHANNEL), **kw)


async def test_recorded_page_then_nothing_new(sqlite_db, fake, platform_url, client) -> None:
    fake.thread_pages = [{k: v for k, v in RECORDED.items() if k != "nextPageToken"}]
    assert await poller(sqlite_db, client, platform_url).poll_once() == 3  # our own reply is left out
    # A restart (a new poller) continues from the persisted cursor: nothing stored twice.
    assert await poller(sqlite_db, client, platform_url).poll_once() == 0
    with sqlite_db.session() as session:
        cursor = session.get(PollCursorRow, f"youtube:{CHANNEL}")
        assert cursor.polls == 2 and cursor.watermark is not None and cursor.resume_page_token is None
    assert QuotaLedger(sqlite_db, CHANNEL).used() == 2


async def test_burst_larger_than_a_round_is_caught_up_not_skipped(sqlite_db, fake, platform_url, client) -> None:
    fake.thread_pages = [{"items": [thread(9, 9)]}]
    first = poller(sqlite_db, client, platform_url, max_pages=1)
    await first.poll_once()  # watermark at 11:09
    # 6 new comments arrive, newest first, 2 a page; a round reads only one page.
    fake.thread_pages = [{"items": [thread(n, n + 10) for n in (15, 14)]},
                         {"items": [thread(n, n + 10) for n in (13, 12)]},
                         {"items": [thread(n, n + 10) for n in (11, 10)]},
                         {"items": [thread(9, 9)]}]
    rounds = 0
    while rounds < 6:
        rounds += 1
        await poller(sqlite_db, client, platform_url, max_pages=1).poll_once()
        with sqlite_db.session() as session:
            if session.get(PollCursorRow, f"youtube:{CHANNEL}").resume_page_token is None:
                break
    assert ids(sqlite_db) == {f"youtube:T{n}" for n in range(9, 16)}
    assert rounds == 4  # three pages of catch-up, the fourth reaches the old watermark
