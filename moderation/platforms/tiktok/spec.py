"""TikTok, declared once: the API for Business's comment operations, its limits, its signed webhook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from moderation.domain import Platform
from moderation.platforms.rate_limit import RateLimit
from moderation.platforms.signatures import verify_tiktok_signature
from moderation.platforms.spec import PlatformSpec, Webhook
from moderation.platforms.tiktok.inbound import parse_tiktok_event
from moderation.platforms.tiktok.outbound import DEFAULT_TIKTOK_URL, TikTokConnector

if TYPE_CHECKING:
    import httpx

    from moderation.platforms.spec import AccountSpec
    from moderation.storage import Database


def _verify(body: bytes, headers: Mapping[str, str], secret: str, *, now: float | None,
            tolerance_seconds: float) -> bool:
    return verify_tiktok_signature(body, headers.get("tiktok-signature"), secret,
                                   tolerance_seconds=tolerance_seconds, now=now)


def _parse(payload: object, _own: object) -> object:
    return parse_tiktok_event(payload)


def _connector(client: httpx.AsyncClient, account: AccountSpec, _db: Database | None) -> TikTokConnector:
    return TikTokConnector(client, account_id=account.account_id, token=account.token, allowed=account.allowed,
                           timeout=account.timeout, redactor=account.redactor,
                           base_url=account.base_url or DEFAULT_TIKTOK_URL)


SPEC = PlatformSpec(
    platform=Platform.tiktok,
    capabilities=TikTokConnector.operations,  # reply, hide/unhide; others' comments cannot be deleted; no hold
    text_limits={"public": 150, "dm": 1000},
    rate_limit=RateLimit(per_second=2.0, burst=5),  # ~10 qps documented
    connector=_connector,
    webhook=Webhook(route="tiktok", secret="tiktok_client_secret", verify=_verify, parse=_parse),  # type: ignore[arg-type]
    api="tiktok",
    aliases=("tt", "tik tok"),
)
