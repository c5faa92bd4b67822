"""Token buckets per platform account, so the outbox stays under each platform's rate limits.

A bucket never sleeps: `take()` answers how long to wait, and the outbox puts the action back with that
delay (without spending one of its attempts). A 429 pauses the whole bucket for the Retry-After time, so the
other queued actions for the same account wait as well instead of each earning its own 429.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    burst: int = 1




class TokenBucket:
    def __init__(self, limit: RateLimit, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.clock = clock
        self.tokens = float(limit.burst)
        self.updated = clock()
        self.paused_until = 0.0

    def _refill(self, now: float) -> None:
        self.tokens = min(float(self.limit.burst), self.tokens + (now - self.updated) * self.limit.per_second)
        self.updated = now

    def take(self) -> float:
        """Take one token; returns 0 when granted, else the seconds to wait (no token taken)."""
        now = self.clock()
        if now < self.paused_until:
            return self.paused_until - now
        self._refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.limit.per_second

    def pause(self, seconds: float) -> None:
        now = self.clock()
        self.paused_until = max(self.paused_until, now + seconds)
        self.tokens = 0.0
        self.updated = now


class RateLimiter:
    """One bucket per (platform, account) key; platforms without a configured limit are not limited."""

    def __init__(self, limits: Mapping[str, RateLimit] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = dict(limits or {})  # platform name -> limit (the registry's, then the config's)
        self.clock = clock
        self.buckets: dict[tuple[str, str], TokenBucket] = {}

    def _bucket(self, platform: str, account: str) -> TokenBucket | None:
        limit = self.limits.get(platform)
        if limit is None:
            return None
        key = (platform, account)
        if key not in self.buckets:
            self.buckets[key] = TokenBucket(limit, self.clock)
        return self.buckets[key]

    def take(self, platform: str, account: str = "") -> float:
        bucket = self._bucket(platform, account)
        return bucket.take() if bucket else 0.0

    def pause(self, platform: str, account: str, seconds: float) -> None:
        bucket = self._bucket(platform, account)
        if bucket is not None and seconds > 0:
            bucket.pause(seconds)
