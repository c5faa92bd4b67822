"""What one platform is, declared once in its folder (`<platform>/spec.py`): its real capabilities, text and
rate limits, how its webhooks are verified and parsed, how its connector and poller are built. The registry
collects these; the webhook routes, pollers, limits and connectors are derived from them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from moderation.domain import Interaction, Platform
from moderation.platforms.base import Operation, ParseReport, PlatformConnector
from moderation.platforms.rate_limit import RateLimit

if TYPE_CHECKING:
    import httpx

    from moderation.platforms.http import Redactor
    from moderation.storage import Database


class DeliveryParser(Protocol):
    """Inbound, push: one verified webhook delivery (parsed JSON) -> interactions, per item, never raising."""

    def __call__(self, payload: Any, own_account_ids: Collection[str]) -> ParseReport: ...


class SignatureCheck(Protocol):
    """True when `body` was signed with `secret` (header values by lower-case name; `now` for replay windows)."""

    def __call__(self, body: bytes, headers: Mapping[str, str], secret: str, *, now: float | None,
                 tolerance_seconds: float) -> bool: ...


class Poller(Protocol):
    """Inbound, pull: one round of reading new comments into storage; returns how many were stored."""

    async def poll_once(self) -> int: ...


@dataclass(frozen=True)
class Webhook:
    """A signed webhook endpoint: `POST /webhooks/<route>`; `secret` names the resolved secret it is signed with
    (one route may serve several platforms: Meta sends Instagram and Facebook to one endpoint)."""

    route: str
    secret: str
    verify: SignatureCheck
    parse: DeliveryParser
    # The GET subscription handshake (Meta's hub.challenge), keyed by the secret holding the verify token.
    handshake_secret: str | None = None


@dataclass(frozen=True)
class AccountSpec:
    """What a connector factory gets for one configured account."""

    account_id: str
    token: str
    allowed: frozenset[Operation]
    timeout: float
    redactor: Redactor
    base_url: str | None = None  # None: the platform's public API
    api_version: str | None = None
    daily_quota: int | None = None


# Ingest's durable store, handed to pollers (platforms never import ingest): interactions, source -> how many new.
StoreInteractions = Callable[[Sequence[Interaction], str], int]
ConnectorFactory = Callable[["httpx.AsyncClient", AccountSpec, "Database | None"], PlatformConnector]
PollerFactory = Callable[["Database", "httpx.AsyncClient", AccountSpec, StoreInteractions], Poller]


@dataclass(frozen=True)
class PlatformSpec:
    platform: Platform
    # What the platform's API really lets a brand do to comments and messages on its own account.
    capabilities: frozenset[Operation]
    # Characters per reply, by channel ("public" comment reply, "dm").
    text_limits: Mapping[str, int]
    rate_limit: RateLimit
    connector: ConnectorFactory
    webhook: Webhook | None = None
    poller: PollerFactory | None = None
    # The `connectors.<name>` settings that override the API's base URL (several platforms may share one API).
    api: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
