"""Secret scrubbing shared by every layer: tokens registered when read from the environment never reach a
log line, a stored error, an event or an alert."""

from __future__ import annotations

import re
import threading

REDACTED = "[redacted]"
_URL_PASSWORD = re.compile(r"(://[^/@:\s]+:)[^/@\s]+@")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._\-~+/=]{8,}")
_QUERY_TOKEN = re.compile(r"(?i)\b((?:access_)?token=|api_key=|key=|secret=)[^&\s\"']{8,}")

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Remember a secret value (a token read from the environment) so no record can ever show it."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def scrub(text: str) -> str:
    """`text` with every registered secret, URL password, bearer token and token query parameter replaced."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    return _QUERY_TOKEN.sub(rf"\1{REDACTED}", text)
