"""YouTube has no comment webhooks: this poller reads `commentThreads.list` for the channel, newest first,
stores new comments durably, then moves a persisted cursor.

Cursor: the newest `publishedAt` fully read (the watermark). A poll pages from the top until it reaches
comments at or before the watermark. If it runs out of pages for this round (`max_pages`) before getting
there, it saves the next page token and the would-be watermark, and the next poll resumes the catch-up
first, so a burst larger than one round is never skipped. The cursor moves only after the comments are
committed; a crash in between re-reads a page, and storage dedupes it. Every call is charged to the quota.

Replies: a thread carries at most a few of its replies, and a new reply does not bring an old thread back to
the top. So every thread read is remembered (`watched_threads`) with the reply count read in full; a thread
showing more replies than it carried has them all read with comments.list, and each round re-checks up to 50
watched threads from the last `watch_days` (one commentThreads.list by id) for replies that came since.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import ValidationError
from sqlmodel import select

from moderation.domain import Interaction, Kind, Platform, as_utc, utcnow
from moderation.platforms.base import PlatformActionError, TransientActionError
from moderation.platforms.http import Redactor
from moderation.platforms.spec import StoreInteractions
from moderation.platforms.youtube.outbound import DEFAULT_YOUTUBE_URL, QuotaLedger, YouTubeApi
from moderation.storage import Database
from moderation.storage.tables import PollCursorRow, WatchedThreadRow

logger = logging.getLogger(__name__)


def _time(value: str) -> datetime:
    return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def comment_to_interaction(comment: dict[str, Any], *, video_id: str | None, parent_id: str | None,
                           channel_id: str | None = None) -> Interaction:
    snippet = comment["snippet"]
    return Interaction(
        platform=Platform.youtube, kind=Kind.comment, external_id=str(comment["id"]),
        author_id=str((snippet.get("authorChannelId") or {}).get("value") or snippet["authorDisplayName"]),
        author_name=str(snippet.get("authorDisplayName", "")),
        text=snippet.get("textOriginal") or snippet["textDisplay"],
        post_id=snippet.get("videoId") or video_id, parent_id=parent_id,
        created_at=_time(snippet["publishedAt"]), account_id=channel_id,
    )


def thread_interactions(thread: dict[str, Any], own_channel: str) -> tuple[list[Interaction], list[str]]:
    """The top-level comment and the replies the thread carries; comments by our own channel are left out."""
    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment") or {}
    comments = [(top, None)] + [(reply, top.get("id")) for reply in (thread.get("replies") or {}).get("comments", [])]
    return comments_to_interactions(comments, video_id=snippet.get("videoId"), own_channel=own_channel)


def comments_to_interactions(comments: list[tuple[dict[str, Any], str | None]], *, video_id: str | None,
                             own_channel: str) -> tuple[list[Interaction], list[str]]:
    """(comment, parent id) pairs as interactions, ours left out; a broken comment is named, not raised."""
    found: list[Interaction] = []
    rejected: list[str] = []
    for comment, parent in comments:
        author = ((comment.get("snippet") or {}).get("authorChannelId") or {}).get("value")
        if author == own_channel:
            continue
        try:
            found.append(comment_to_interaction(comment, video_id=video_id, parent_id=parent,
                                                channel_id=own_channel))
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            rejected.append(f"{comment.get('id', '?')}: {exc.__class__.__name__}")
    return found, rejected


def _reply_count(snippet: dict[str, Any]) -> int:
    try:
        return max(0, int(snippet.get("totalReplyCount") or 0))
    except (TypeError, ValueError):
        return 0


class YouTubePoller:
    def __init__(self, db: Database, client: httpx.AsyncClient, *, channel_id: str, token: str,
                 store: StoreInteractions,
                 base_url: str = DEFAULT_YOUTUBE_URL, quota: QuotaLedger | None = None, page_size: int = 100,
                 max_pages: int = 5, timeout: float | None = None, watch_days: float = 7.0,
                 watch_batch: int = 50) -> None:
        self.db = db
        self.store = store  # ingest's store, injected: platforms never import ingest
        self.channel_id = channel_id
        self.redact = Redactor([token])
        self.api = YouTubeApi(client, base_url, token, redactor=self.redact, quota=quota, timeout=timeout)
        self.page_size = page_size
        self.max_pages = max_pages
        self.cursor_id = f"{Platform.youtube.value}:{channel_id}"
        self.watch_for = timedelta(days=watch_days)
        self.watch_batch = min(watch_batch, 50)  # commentThreads.list takes at most 50 ids

    def cursor(self) -> PollCursorRow:
        with self.db.session() as session:
            row = session.get(PollCursorRow, self.cursor_id)
            if row is None:
                row = PollCursorRow(id=self.cursor_id, platform=Platform.youtube.value, account_id=self.channel_id)
                session.add(row)
            return row

    async def poll_once(self) -> int:
        """One round; returns how many new comments were stored. Database steps run in the database's
        threads (`Database.run`): the poller shares its event loop with the chat surfaces."""
        cursor = await self.db.run(self.cursor)
        watermark = as_utc(cursor.watermark) if cursor.watermark else None
        resuming = cursor.resume_page_token is not None
        token = cursor.resume_page_token
        newest = as_utc(cursor.pending_watermark) if (resuming and cursor.pending_watermark) else None
        stored = 0
        try:
            stored += await self._check_watched_threads()
        except PlatformActionError as exc:  # replies wait for the next round; new threads must not
            logger.warning("moderation.youtube.reply_check_failed", extra={"error": self.redact(str(exc))})
        try:
            for _ in range(self.max_pages):
                page = await self.api.call("commentThreads.list", "GET", "commentThreads", idempotent=True, params={
                    "part": "snippet,replies", "allThreadsRelatedToChannelId": self.channel_id, "order": "time",
                    "maxResults": self.page_size, "textFormat": "plainText", **({"pageToken": token} if token else {})})
                interactions: list[Interaction] = []
                oldest: datetime | None = None
                for thread in page.get("items", []):
                    found, rejected = thread_interactions(thread, self.channel_id)
                    for problem in rejected:
                        logger.warning("moderation.youtube.comment_rejected", extra={"problem": problem})
                    interactions += found
                    published = (((thread.get("snippet") or {}).get("topLevelComment") or {}).get("snippet")
                                 or {}).get("publishedAt")
                    if published:
                        at = _time(published)
                        oldest = at if oldest is None or at < oldest else oldest
                        newest = at if newest is None or at > newest else newest
                stored += await self.db.run(self.store, interactions, "youtube_poll")
                stored += await self._follow_threads(page.get("items", []))
                token = page.get("nextPageToken")
                reached = watermark is not None and oldest is not None and oldest <= watermark
                if reached or not token or watermark is None:
                    # Done: everything newer than the old watermark is stored. (First run: only the newest
                    # page is taken, as history belongs to a file import, not to the live poller.)
                    await self.db.run(self._save, watermark=newest or watermark, resume=None, pending=None)
                    return stored
                # More pages to read before the old watermark: remember where we are after each page.
                await self.db.run(self._save, watermark=watermark, resume=token, pending=newest)
            logger.info("moderation.youtube.catching_up", extra={"channel": self.channel_id})
            return stored
        except TransientActionError as exc:
            await self.db.run(self._save, watermark=watermark, resume=token if resuming or token else None,
                              pending=newest, error=str(exc))
            logger.warning("moderation.youtube.poll_failed", extra={"error": str(exc)})
            return stored

    async def _follow_threads(self, threads: list[dict[str, Any]]) -> int:
        """Remember the threads of a page; read in full those carrying fewer replies than they have."""
        stored = 0
        for thread in threads:
            snippet = thread.get("snippet") or {}
            thread_id = thread.get("id")
            published = ((snippet.get("topLevelComment") or {}).get("snippet") or {}).get("publishedAt")
            if not isinstance(thread_id, str) or not thread_id or len(thread_id) > 256 or not published:
                continue
            total = _reply_count(snippet)
            carried = len((thread.get("replies") or {}).get("comments") or [])
            known = await self.db.run(self._watch, thread_id, _time(published), total, carried)
            if total > carried and total > known:
                stored += await self._read_replies(thread_id, snippet.get("videoId"), total)
        return stored

    def _watch(self, thread_id: str, started_at: datetime, total: int, carried: int) -> int:
        """Remember a thread read from a page; returns the reply count known (read in full) before."""
        with self.db.session() as session:
            row = session.get(WatchedThreadRow, thread_id)
            if row is None:
                row = WatchedThreadRow(id=thread_id, account_id=self.channel_id, started_at=started_at)
            known = row.reply_count
            row.checked_at = utcnow()
            if total <= carried:
                row.reply_count = max(known, total)  # the page carried every reply
            session.add(row)
        return known

    def _watched(self) -> dict[str, int]:
        """Recent threads to re-check, least recently checked first: id -> reply count read in full."""
        since = utcnow() - self.watch_for
        with self.db.session() as session:
            rows = session.exec(
                select(WatchedThreadRow).where(WatchedThreadRow.account_id == self.channel_id,
                                               WatchedThreadRow.started_at >= since)
                .order_by(WatchedThreadRow.checked_at.asc().nulls_first())  # type: ignore[union-attr]
                .limit(self.watch_batch)).all()
            return {row.id: row.reply_count for row in rows}

    def _checked(self, thread_ids: list[str]) -> None:
        with self.db.session() as session:
            for thread_id in thread_ids:
                row = session.get(WatchedThreadRow, thread_id)
                if row is not None:
                    row.checked_at = utcnow()
                    session.add(row)

    def _read_in_full(self, thread_id: str, total: int) -> None:
        with self.db.session() as session:
            row = session.get(WatchedThreadRow, thread_id)
            if row is not None:
                row.reply_count = max(row.reply_count, total)
                session.add(row)

    async def _check_watched_threads(self) -> int:
        """Re-check recent threads (least recently checked first) for replies that came since."""
        known = await self.db.run(self._watched)
        if not known:
            return 0
        page = await self.api.call("commentThreads.list", "GET", "commentThreads", idempotent=True, params={
            "part": "snippet", "id": ",".join(known), "textFormat": "plainText"})
        stored = 0
        for thread in page.get("items", []):
            snippet = thread.get("snippet") or {}
            thread_id = thread.get("id")
            if thread_id not in known:
                continue
            total = _reply_count(snippet)
            if total > known[thread_id]:
                stored += await self._read_replies(thread_id, snippet.get("videoId"), total)
        await self.db.run(self._checked, list(known))
        return stored

    async def _read_replies(self, thread_id: str, video_id: str | None, total: int) -> int:
        """Every reply of one thread (comments.list, paged), stored; then the thread's count is recorded."""
        interactions: list[Interaction] = []
        token: str | None = None
        for _ in range(20):  # 2,000 replies: more is a thread for a human, not a poll round
            page = await self.api.call("comments.list", "GET", "comments", idempotent=True, params={
                "part": "snippet", "parentId": thread_id, "maxResults": 100, "textFormat": "plainText",
                **({"pageToken": token} if token else {})})
            found, rejected = comments_to_interactions([(c, thread_id) for c in page.get("items", [])],
                                                       video_id=video_id, own_channel=self.channel_id)
            interactions += found
            for problem in rejected:
                logger.warning("moderation.youtube.comment_rejected", extra={"problem": problem})
            token = page.get("nextPageToken")
            if not token:
                break
        stored = await self.db.run(self.store, interactions, "youtube_poll")
        await self.db.run(self._read_in_full, thread_id, total)
        return stored

    def _save(self, *, watermark: datetime | None, resume: str | None, pending: datetime | None,
              error: str | None = None) -> None:
        with self.db.session() as session:
            row = session.get(PollCursorRow, self.cursor_id)
            row.watermark = watermark
            row.resume_page_token = resume
            row.pending_watermark = pending if resume else None
            row.polls += 1
            row.last_polled_at = utcnow()
            row.last_error = self.redact(error)[:2000] if error else None
            session.add(row)
