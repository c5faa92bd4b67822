"""The YouTube poller against the loopback fake: cursor persisted, catch-up across rounds, quota counted."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from moderation.ingest.store import store_interactions
from moderation.platforms.youtube.outbound import QuotaLedger
from moderation.platforms.youtube.poller import YouTubePoller
from moderation.storage.tables import InteractionRow, PollCursorRow, WatchedThreadRow
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


def _store(db):  # type: ignore[no-untyped-def]
    return lambda interactions, source: store_interactions(db, interactions, source=source).stored


def poller(db, client, url, **kw) -> YouTubePoller:  # type: ignore[no-untyped-def]
    return YouTubePoller(db, client, channel_id=CHANNEL, token=TOKEN, store=_store(db),
                         base_url=f"{url}/youtube/v3", quota=QuotaLedger(db, CHANNEL), **kw)


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


def recent_thread(thread_id: str, hours_ago: float, replies: int = 0, carried: int = 0) -> dict:
    """A thread started `hours_ago`, with `replies` in all of which the page carries the first `carried`."""
    item = thread(0, 0)
    published = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat().replace("+00:00", "Z")
    item["id"] = item["snippet"]["topLevelComment"]["id"] = thread_id
    item["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = published
    item["snippet"]["totalReplyCount"] = replies
    item["replies"] = {"comments": [reply(thread_id, n) for n in range(carried)]}
    return item


def reply(thread_id: str, n: int) -> dict:
    return {"id": f"{thread_id}.r{n}", "snippet": {"parentId": thread_id, "textOriginal": f"reply {n}",
                                                   "authorDisplayName": "@viewer",
                                                   "authorChannelId": {"value": f"UCviewer{n}"},
                                                   "publishedAt": "2026-01-01T00:00:00Z"}}


def viewer_reply(fake, thread_id: str, n: int) -> None:  # type: ignore[no-untyped-def]
    fake.replies[thread_id].append({"id": f"{thread_id}.r{n}", "text": f"reply {n}", "from": f"UCviewer{n}"})


async def test_a_new_reply_on_an_old_thread_is_found(sqlite_db, fake, platform_url, client) -> None:
    fake.thread_pages = [{"items": [recent_thread("OLD", hours_ago=30)]}]
    await poller(sqlite_db, client, platform_url).poll_once()
    assert ids(sqlite_db) == {"youtube:OLD"}
    # Newer threads push OLD off the first page, and a viewer answers on OLD: no webhook, no new thread.
    fake.thread_pages = [{"items": [recent_thread("NEW", hours_ago=1), recent_thread("OLD", hours_ago=30)]}]
    fake.thread_pages[0]["items"].pop()  # the page ends before OLD (it is further down now)
    fake.threads.add("OLD")
    viewer_reply(fake, "OLD", 1)
    fake.replies["OLD"].append({"id": "OLD.ours", "text": "thanks!", "from": CHANNEL})  # ours: not stored
    assert await poller(sqlite_db, client, platform_url).poll_once() == 2  # NEW and the reply on OLD
    with sqlite_db.session() as session:
        found = session.get(InteractionRow, "youtube:OLD.r1")
        assert (found.parent_id, found.account_id, found.text) == ("OLD", CHANNEL, "reply 1")
    # Read in full once: the next round checks the count again but lists no replies.
    spent = QuotaLedger(sqlite_db, CHANNEL).used()
    assert await poller(sqlite_db, client, platform_url).poll_once() == 0
    assert QuotaLedger(sqlite_db, CHANNEL).used() == spent + 2  # one check by id, one page of threads


async def test_a_thread_carrying_some_of_its_replies_is_read_in_full(sqlite_db, fake, platform_url, client) -> None:
    fake.thread_pages = [{"items": [recent_thread("BUSY", hours_ago=2, replies=7, carried=5)]}]
    for n in range(7):
        viewer_reply(fake, "BUSY", n)
    assert await poller(sqlite_db, client, platform_url).poll_once() == 8
    assert ids(sqlite_db) == {"youtube:BUSY"} | {f"youtube:BUSY.r{n}" for n in range(7)}
    with sqlite_db.session() as session:
        assert session.get(WatchedThreadRow, "BUSY").reply_count == 7


async def test_threads_older_than_the_watch_window_are_not_checked(sqlite_db, fake, platform_url, client) -> None:
    fake.thread_pages = [{"items": [recent_thread("STALE", hours_ago=24 * 9)]}]
    await poller(sqlite_db, client, platform_url).poll_once()
    fake.threads.add("STALE")
    viewer_reply(fake, "STALE", 1)
    spent = QuotaLedger(sqlite_db, CHANNEL).used()
    await poller(sqlite_db, client, platform_url, watch_days=7).poll_once()
    assert QuotaLedger(sqlite_db, CHANNEL).used() == spent + 1  # the thread page only
