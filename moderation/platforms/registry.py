"""Which connector serves each platform, from the configured accounts: the sandbox, or the real API clients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from moderation.domain import Platform
from moderation.platforms.base import Operation, PlatformConnector
from moderation.platforms.directory import ConnectorDirectory
from moderation.platforms.facebook import FacebookConnector
from moderation.platforms.graph import DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION
from moderation.platforms.http import Redactor
from moderation.platforms.instagram import InstagramConnector
from moderation.platforms.sandbox import SandboxPlatform
from moderation.platforms.tiktok import DEFAULT_TIKTOK_URL, TikTokConnector
from moderation.platforms.youtube import DEFAULT_DAILY_QUOTA, DEFAULT_YOUTUBE_URL, QuotaLedger, YouTubeConnector
from moderation.platforms.youtube_poller import YouTubePoller
from moderation.storage import Database

if TYPE_CHECKING:
    from socialops.config import Account

CAPABILITY_OPERATIONS: dict[str, frozenset[Operation]] = {
    "reply": frozenset({Operation.reply}),
    "dm": frozenset({Operation.dm}),
    "hide": frozenset({Operation.hide, Operation.unhide}),
    "delete": frozenset({Operation.delete}),
    "hold": frozenset({Operation.hold, Operation.release}),
}

SecretReader = Callable[[str], str]


class ConnectorConfigError(ValueError):
    """A real (non-sandbox) account cannot be connected: no token variable named, for instance."""


@dataclass(frozen=True)
class ConnectorOptions:
    graph_base_url: str = DEFAULT_GRAPH_URL
    graph_api_version: str = DEFAULT_GRAPH_VERSION
    youtube_base_url: str = DEFAULT_YOUTUBE_URL
    tiktok_base_url: str = DEFAULT_TIKTOK_URL
    timeout_seconds: float = 10.0
    youtube_daily_quota: int = DEFAULT_DAILY_QUOTA


def operations_for(capabilities: Sequence[str]) -> frozenset[Operation]:
    allowed: set[Operation] = set()
    for capability in capabilities:
        allowed |= CAPABILITY_OPERATIONS[capability]
    return frozenset(allowed)


def default_client(timeout_seconds: float = 10.0) -> httpx.AsyncClient:
    # Short connect timeout: a platform that does not answer at all should not hold the outbox.
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
                             headers={"User-Agent": "socialops"})


def _token(account: Account, secret: SecretReader | None) -> str:
    if not account.token_env:
        raise ConnectorConfigError(f"{account.platform.value} account {account.id}: set token_env (or sandbox: true)")
    if secret is None:
        raise ConnectorConfigError("real accounts need a secret reader")
    return secret(account.token_env)


def build_connectors(accounts: Sequence[Account], *, secret: SecretReader | None = None,
                     client: httpx.AsyncClient | None = None, options: ConnectorOptions | None = None,
                     db: Database | None = None, redactor: Redactor | None = None) -> ConnectorDirectory:
    """One connector per configured account (several per platform for an agency). Real connectors share one
    client and one Redactor (so an error from any of them is scrubbed of every token); YouTube charges its
    calls to the quota ledger when `db` is given."""
    options = options or ConnectorOptions()
    redactor = redactor or Redactor()
    connectors = ConnectorDirectory()
    for account in accounts:
        allowed = operations_for(account.capabilities)
        if account.sandbox:
            connectors.add(account.platform, SandboxPlatform(account.platform, allowed, account_id=account.id))
            continue
        token = _token(account, secret)
        client = client or default_client(options.timeout_seconds)
        common = {"account_id": account.id, "token": token, "allowed": allowed,
                  "timeout": options.timeout_seconds, "redactor": redactor}
        connector: PlatformConnector
        if account.platform == Platform.instagram:
            connector = InstagramConnector(client, base_url=options.graph_base_url,
                                           api_version=options.graph_api_version, **common)
        elif account.platform == Platform.facebook:
            connector = FacebookConnector(client, base_url=options.graph_base_url,
                                          api_version=options.graph_api_version, **common)
        elif account.platform == Platform.youtube:
            quota = QuotaLedger(db, account.id, daily_limit=options.youtube_daily_quota) if db else None
            connector = YouTubeConnector(client, base_url=options.youtube_base_url, quota=quota, **common)
        else:
            connector = TikTokConnector(client, base_url=options.tiktok_base_url, **common)
        connectors.add(account.platform, connector)
    return connectors


def build_youtube_pollers(accounts: Sequence[Account], db: Database, *, secret: SecretReader,
                          client: httpx.AsyncClient | None = None,
                          options: ConnectorOptions | None = None) -> list[YouTubePoller]:
    options = options or ConnectorOptions()
    pollers = []
    for account in accounts:
        if account.platform != Platform.youtube or account.sandbox:
            continue
        client = client or default_client(options.timeout_seconds)
        pollers.append(YouTubePoller(db, client, channel_id=account.id, token=_token(account, secret),
                                     base_url=options.youtube_base_url, timeout=options.timeout_seconds,
                                     quota=QuotaLedger(db, account.id, daily_limit=options.youtube_daily_quota)))
    return pollers
