"""Paces posts per channel (a token bucket) so bulk posting never reaches Discord's rate limits.

discord.py already waits out a 429 and honours the bucket headers, but a burst that hits the limit still costs
a refused request and, repeated, the global back-off; catching up after an outage posts dozens of cards at
once, so the surface spaces them itself: `burst` messages at once, then `per_second`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable

logger = logging.getLogger(__name__)


class ChannelPacer:
    def __init__(self, *, burst: int = 5, per_second: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.sleep = sleep
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def wait(self, key: Hashable) -> float:
        """Take one slot for `key`, sleeping until one is free; returns the seconds waited."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # one waiter per channel at a time keeps the posting order
            waited = 0.0
            while True:
                now = self.clock()
                tokens, then = self._buckets.get(key, (float(self.burst), now))
                tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
                if tokens >= 1.0:
                    self._buckets[key] = (tokens - 1.0, now)
                    if waited:
                        logger.debug("bot.discord.paced", extra={"channel": str(key), "waited": waited})
                    return waited
                delay = (1.0 - tokens) / self.per_second
                self._buckets[key] = (tokens, now)
                waited += delay
                await self.sleep(delay)
