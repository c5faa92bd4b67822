"""A settable clock: the demo replays a past week, so 'now' follows the replayed interactions."""

from __future__ import annotations

from datetime import datetime

from moderation.domain import as_utc, utcnow


class ReplayClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = as_utc(start) if start else utcnow()

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        self.now = as_utc(value)
