"""YouTube, declared once: Data API v3 moderation statuses, quota-bound calls, comments polled (no webhook)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from moderation.domain import Platform
from moderation.platforms.rate_limit import RateLimit
from moderation.platforms.spec import PlatformSpec
from moderation.platforms.youtube.outbound import (
    DEFAULT_DAILY_QUOTA,
    DEFAULT_YOUTUBE_URL,
    QuotaLedger,
    YouTubeConnector,
)
from moderation.platforms.youtube.poller import YouTubePoller

if TYPE_CHECKING:
    import httpx

    from moderation.platforms.spec import AccountSpec, StoreInteractions
    from moderation.storage import Database


def _quota(db: Database | None, account: AccountSpec) -> QuotaLedger | None:
    if db is None:
        return None
    return QuotaLedger(db, account.account_id, daily_limit=account.daily_quota or DEFAULT_DAILY_QUOTA)


def _connector(client: httpx.AsyncClient, account: AccountSpec, db: Database | None) -> YouTubeConnector:
    return YouTubeConnector(client, account_id=account.account_id, token=account.token, allowed=account.allowed,
                            timeout=account.timeout, redactor=account.redactor, quota=_quota(db, account),
                            base_url=account.base_url or DEFAULT_YOUTUBE_URL)


def _poller(db: Database, client: httpx.AsyncClient, account: AccountSpec, store: StoreInteractions) -> YouTubePoller:
    return YouTubePoller(db, client, channel_id=account.account_id, token=account.token, store=store,
                         base_url=account.base_url or DEFAULT_YOUTUBE_URL, timeout=account.timeout,
                         quota=_quota(db, account))


SPEC = PlatformSpec(
    platform=Platform.youtube,
    # heldForReview (hold) / published (release) / rejected (delete; with banAuthor: ban_author), replies; no hide
    capabilities=YouTubeConnector.operations,
    text_limits={"public": 10_000, "dm": 10_000},
    rate_limit=RateLimit(per_second=1.0, burst=5),  # quota-bound rather than rate-bound
    connector=_connector,
    poller=_poller,
    api="youtube",
    aliases=("yt",),
)
