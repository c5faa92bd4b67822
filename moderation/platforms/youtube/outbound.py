"""YouTube Data API v3, outbound: replies (`comments.insert`), moderation (`comments.setModerationStatus`),
and the quota ledger every YouTube call is charged to.

YouTube has no "hide": holding for review (`heldForReview`) is the reversible action, `published` releases
it, and `rejected` (optionally with `banAuthor`) is how a channel removes someone else's comment, so
`delete` maps to it; `ban_author` is `rejected` with `banAuthor=true`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from sqlmodel import select

from moderation.domain import Platform, utcnow
from moderation.platforms.base import (
    ActionOutcome,
    Operation,
    PermanentActionError,
    PlatformAction,
    TransientActionError,
    UnsupportedOperation,
)
from moderation.platforms.http import JsonApi, Redactor
from moderation.storage import Database
from moderation.storage.tables import QuotaUsageRow

logger = logging.getLogger(__name__)

DEFAULT_YOUTUBE_URL = "https://www.googleapis.com/youtube/v3"
DEFAULT_DAILY_QUOTA = 10_000
# Documented costs in quota units.
COST = {"commentThreads.list": 1, "comments.list": 1, "comments.insert": 50, "comments.setModerationStatus": 50,
        "videos.list": 1}
QUOTA_TZ = ZoneInfo("America/Los_Angeles")  # YouTube quotas reset at midnight Pacific time
MODERATION_STATUS = {Operation.hold: "heldForReview", Operation.release: "published", Operation.delete: "rejected",
                     Operation.ban_author: "rejected"}


class QuotaExhausted(TransientActionError):
    """Today's quota is spent: nothing was sent; retry after the Pacific midnight reset."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, retry_after, rate_limited=True)


def seconds_to_reset(now: datetime) -> float:
    local = now.astimezone(QUOTA_TZ)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
    return max((midnight - local).total_seconds(), 1.0)


class QuotaLedger:
    """Counts quota units per channel and quota day in the database, before each call is made."""

    def __init__(self, db: Database, account_id: str, *, daily_limit: int = DEFAULT_DAILY_QUOTA,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.account_id = account_id
        self.daily_limit = daily_limit
        self.clock = clock

    def day(self) -> str:
        return self.clock().astimezone(QUOTA_TZ).date().isoformat()

    def used(self) -> int:
        with self.db.session() as session:
            row = self._row(session, self.day())
            return row.units if row else 0

    def _row(self, session: Any, day: str) -> QuotaUsageRow | None:
        query = select(QuotaUsageRow).where(QuotaUsageRow.platform == Platform.youtube.value,
                                            QuotaUsageRow.account_id == self.account_id, QuotaUsageRow.day == day)
        return session.exec(query.with_for_update()).first()

    def spend(self, method: str) -> None:
        units = COST[method]
        day = self.day()
        for attempt in range(2):
            try:
                with self.db.session() as session:
                    row = self._row(session, day) or QuotaUsageRow(platform=Platform.youtube.value,
                                                                   account_id=self.account_id, day=day, units=0)
                    if row.units + units > self.daily_limit:
                        raise QuotaExhausted(f"youtube quota for {day} spent ({row.units}/{self.daily_limit} "
                                             f"units; {method} needs {units})", seconds_to_reset(self.clock()))
                    row.units += units
                    row.calls = {**row.calls, method: int(row.calls.get(method, 0)) + units}
                    row.updated_at = utcnow()
                    session.add(row)
                return
            except sa.exc.IntegrityError:  # two processes created today's row at once: count again
                if attempt:
                    raise


class YouTubeApi(JsonApi):
    platform_name = "youtube"

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str, *, redactor: Redactor,
                 quota: QuotaLedger | None, timeout: float | None = None) -> None:
        super().__init__(client, base_url, redactor=redactor, timeout=timeout)
        self._token = token
        self.quota = quota
        redactor.add(token)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def throttled(self, response: httpx.Response, body: Any) -> bool:
        return response.status_code == 403 and bool({"quotaExceeded", "rateLimitExceeded",
                                                       "userRateLimitExceeded"} & reasons(body))

    def rate_limit_wait(self, response: httpx.Response) -> float | None:
        waited = super().rate_limit_wait(response)
        if waited is None and "quotaExceeded" in reasons(_body(response)):
            return seconds_to_reset(utcnow())
        return waited

    def client_error(self, response: httpx.Response, body: Any, what: str) -> PermanentActionError:
        why = reasons(body)
        message = self.redact(f"{what}: {response.status_code} {sorted(why)}")
        if response.status_code == 403 and why & {"forbidden", "insufficientPermissions", "insufficientScopes"}:
            return UnsupportedOperation(message)
        if response.status_code == 404:
            return CommentGone(message)
        return PermanentActionError(message)

    async def call(self, method: str, http_method: str, path: str, **kwargs: Any) -> Any:
        if self.quota is not None:
            await self.quota.db.run(self.quota.spend, method)  # a locked row: off the event loop
        return await self.request(http_method, path, **kwargs)


class CommentGone(PermanentActionError):
    pass


def reasons(body: Any) -> set[str]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set()
    return {str(item.get("reason")) for item in error.get("errors") or [] if isinstance(item, dict)}


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


class YouTubeConnector:
    platform = Platform.youtube
    operations = frozenset({Operation.reply, Operation.hold, Operation.release, Operation.delete,
                            Operation.ban_author})

    def __init__(self, client: httpx.AsyncClient, *, account_id: str, token: str, base_url: str = DEFAULT_YOUTUBE_URL,
                 quota: QuotaLedger | None = None, allowed: frozenset[Operation] | None = None,
                 timeout: float | None = None, redactor: Redactor | None = None) -> None:
        self.account_id = account_id  # the channel id
        self.redact = redactor or Redactor()
        self.api = YouTubeApi(client, base_url, token, redactor=self.redact, quota=quota, timeout=timeout)
        self.allowed = self.operations if allowed is None else self.operations & allowed

    def __repr__(self) -> str:
        return f"YouTubeConnector(account_id={self.account_id!r})"

    def supports(self, operation: Operation) -> bool:
        return operation in self.allowed

    async def perform(self, action: PlatformAction) -> ActionOutcome:
        if not self.supports(action.operation):
            raise UnsupportedOperation(f"youtube channel {self.account_id} cannot {action.operation.value}")
        if action.operation == Operation.reply:
            # Replies attach to the thread's top-level comment; answering a reply means replying in its thread.
            parent = str(action.params.get("parent_id") or action.target_id)
            body = await self.api.call("comments.insert", "POST", "comments", params={"part": "snippet"},
                                       json={"snippet": {"parentId": parent, "textOriginal": action.text}},
                                       idempotent=False)
            return ActionOutcome(external_ref=str(body.get("id")) if isinstance(body, dict) else None)
        status = MODERATION_STATUS[action.operation]
        params: dict[str, str] = {"id": action.target_id, "moderationStatus": status}
        if action.operation == Operation.ban_author or (action.operation == Operation.delete
                                                         and action.params.get("ban_author")):
            params["banAuthor"] = "true"
        try:
            await self.api.call("comments.setModerationStatus", "POST", "comments/setModerationStatus",
                                params=params, idempotent=True)
        except CommentGone:
            if action.operation not in (Operation.delete, Operation.ban_author):
                raise
            return ActionOutcome(external_ref=action.target_id, data={"already_gone": True})
        return ActionOutcome(external_ref=action.target_id, data={"moderation_status": status})

    async def fetch_caption(self, post_id: str) -> str | None:
        """A video's title and description (`videos.list`, 1 quota unit): what "how much is this?" refers to."""
        body = await self.api.call("videos.list", "GET", "videos", params={"part": "snippet", "id": post_id},
                                   idempotent=True)
        items = body.get("items") if isinstance(body, dict) else None
        if not items:
            return None
        snippet = items[0].get("snippet") or {}
        return "\n".join(part for part in (snippet.get("title"), snippet.get("description")) if part) or None

    async def find_existing(self, action: PlatformAction) -> ActionOutcome | None:
        if action.operation != Operation.reply:
            return None
        parent = str(action.params.get("parent_id") or action.target_id)
        body = await self.api.call("comments.list", "GET", "comments",
                                   params={"part": "snippet", "parentId": parent, "maxResults": 100,
                                           "textFormat": "plainText"}, idempotent=True)
        for item in body.get("items", []) if isinstance(body, dict) else []:
            snippet = item.get("snippet") or {}
            author = (snippet.get("authorChannelId") or {}).get("value")
            if author == self.account_id and snippet.get("textOriginal", snippet.get("textDisplay")) == action.text:
                return ActionOutcome(external_ref=str(item.get("id")), data={"reconciled": True})
        return None
