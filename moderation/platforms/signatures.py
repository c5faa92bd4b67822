"""Webhook signatures: Meta's X-Hub-Signature-256 and TikTok's TikTok-Signature, verified in constant time."""

from __future__ import annotations

import hashlib
import hmac
import time


def meta_signature(body: bytes, app_secret: str) -> str:
    """The header value Meta sends: `sha256=` + HMAC-SHA256 of the raw body keyed with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_meta_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    if not header or not app_secret:
        return False
    return hmac.compare_digest(meta_signature(body, app_secret).encode(), header.strip().encode())


def tiktok_signature(body: bytes, client_secret: str, timestamp: int) -> str:
    """`t=<unix seconds>,s=<hex HMAC-SHA256 of "<t>.<raw body>">`, as TikTok documents it."""
    signed = str(timestamp).encode() + b"." + body
    return f"t={timestamp},s={hmac.new(client_secret.encode(), signed, hashlib.sha256).hexdigest()}"


def verify_tiktok_signature(body: bytes, header: str | None, client_secret: str, *, tolerance_seconds: float = 300,
                            now: float | None = None) -> bool:
    """Checks the signature and that its timestamp is recent (an old, captured delivery is refused)."""
    if not header or not client_secret:
        return False
    parts: dict[str, str] = {}
    for element in header.split(","):
        key, _, value = element.strip().partition("=")
        parts[key] = value
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = tiktok_signature(body, client_secret, timestamp).rsplit("s=", 1)[1]
    if not hmac.compare_digest(expected.encode(), parts.get("s", "").encode()):
        return False
    return abs((now if now is not None else time.time()) - timestamp) <= tolerance_seconds
