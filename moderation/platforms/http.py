"""HTTP plumbing shared by the real connectors: error mapping, Retry-After, token redaction.

Connectors receive an injected `httpx.AsyncClient` and a base URL; nothing here owns a client. Every error
leaving a connector passes through a `Redactor`, so an access token can never reach a log line, an exception
message or the `last_error` column, even when a platform echoes it back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from moderation.platforms.base import PermanentActionError, TransientActionError

logger = logging.getLogger(__name__)

REDACTED = "[REDACTED]"
MAX_RETRY_AFTER = 24 * 3600.0


class Redactor:
    """Replaces every known secret value in a text. Values shorter than 6 characters are ignored (they
    would redact ordinary words, and no real token is that short)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 6 and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; returns seconds (>= 0), or None if absent/garbled."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def rate_limited(message: str, retry_after: float | None) -> TransientActionError:
    """The platform said "slow down" (429 or a throttling error code): the request was not applied."""
    return TransientActionError(message, retry_after, rate_limited=True)


def transient(message: str, *, maybe_applied: bool, retry_after: float | None = None) -> TransientActionError:
    return TransientActionError(message, retry_after, maybe_applied=maybe_applied)


class JsonApi:
    """A thin request helper: JSON in and out, httpx failures turned into the outbox's error types."""

    platform_name = "platform"

    def __init__(self, client: httpx.AsyncClient, base_url: str, *, redactor: Redactor,
                 timeout: float | None = None) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.redact = redactor
        self.timeout = timeout

    def auth_headers(self) -> dict[str, str]:
        return {}

    def throttled(self, response: httpx.Response, body: Any) -> bool:
        """Platform-specific throttling signalled with a status other than 429 (Graph codes 4/17/32/613)."""
        return False

    def rate_limit_wait(self, response: httpx.Response) -> float | None:
        return parse_retry_after(response.headers.get("retry-after"))

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, idempotent: bool) -> Any:
        url = f"{self.base_url}/{path.lstrip('/')}"
        what = f"{self.platform_name} {method} /{path.lstrip('/').split('?')[0]}"
        try:
            response = await self.client.request(method, url, params=params, json=json,
                                                 headers=self.auth_headers(),
                                                 **({"timeout": self.timeout} if self.timeout else {}))
        except httpx.ConnectError as exc:
            # Nothing reached the platform: safe to retry anything.
            raise transient(self.redact(f"{what}: cannot connect ({exc.__class__.__name__})"),
                            maybe_applied=False) from None
        except httpx.TimeoutException as exc:
            # A write or read timeout may come after the platform acted: the outbox must check before repeating.
            raise transient(self.redact(f"{what}: timed out ({exc.__class__.__name__})"),
                            maybe_applied=not idempotent and not isinstance(exc, httpx.ConnectTimeout)) from None
        except httpx.TransportError as exc:
            raise transient(self.redact(f"{what}: transport error ({exc.__class__.__name__})"),
                            maybe_applied=not idempotent) from None
        body = _json_or_text(response)
        if response.status_code == 429 or self.throttled(response, body):
            raise rate_limited(self.redact(f"{what}: rate limited ({response.status_code})"),
                               self.rate_limit_wait(response))
        if response.status_code >= 500:
            raise transient(self.redact(f"{what}: server error {response.status_code}: {_short(body)}"),
                            maybe_applied=not idempotent,
                            retry_after=parse_retry_after(response.headers.get("retry-after")))
        if response.status_code >= 400:
            raise self.client_error(response, body, what)
        return body

    def client_error(self, response: httpx.Response, body: Any, what: str) -> PermanentActionError:
        return PermanentActionError(self.redact(f"{what}: {response.status_code}: {_short(body)}"))


def _json_or_text(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        return response.text


def _short(body: Any, limit: int = 300) -> str:
    text = body if isinstance(body, str) else repr(body)
    return text[:limit]
