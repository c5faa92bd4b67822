"""Meta's signed webhook endpoint, shared by Instagram and Facebook: `X-Hub-Signature-256` over the raw body."""

from __future__ import annotations

from collections.abc import Mapping

from moderation.platforms.meta.inbound import parse_meta_delivery
from moderation.platforms.signatures import verify_meta_signature
from moderation.platforms.spec import Webhook


def _verify(body: bytes, headers: Mapping[str, str], secret: str, *, now: float | None,
            tolerance_seconds: float) -> bool:
    return verify_meta_signature(body, headers.get("x-hub-signature-256"), secret)


META_WEBHOOK = Webhook(route="meta", secret="meta_app_secret", verify=_verify, parse=parse_meta_delivery,
                       handshake_secret="meta_verify_token")
