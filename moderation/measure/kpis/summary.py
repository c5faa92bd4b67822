"""KPIs for several windows (and optionally each local day) from one pass of the KPI query."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from moderation.domain import as_utc, utcnow
from moderation.measure.kpis.calendar import Window, local_day, local_midnight
from moderation.measure.kpis.facts import GroupKey, KpiSettings, tally_buckets
from moderation.measure.kpis.outcomes import outcome_buckets
from moderation.measure.kpis.tally import Tally

NO_CAMPAIGN = "(none)"


@dataclass
class KpiTable:
    """Bucketed tallies; any window whose edges are among the boundaries is a sum of buckets."""

    boundaries: list[datetime]
    tallies: dict[GroupKey, Tally]
    settings: KpiSettings
    as_of: datetime
    windows: tuple[Window, ...] = field(default_factory=tuple)

    def tally(self, start: datetime, end: datetime, *, platform: str | None = None,
              campaign: str | None = None) -> Tally:
        lo, hi = self._index(start), self._index(end)
        total = Tally()
        for (p, c, bucket), tally in self.tallies.items():
            if lo <= bucket < hi and (platform is None or p == platform) and (
                    campaign is None or (c or NO_CAMPAIGN) == campaign):
                total = total + tally
        return total

    def window(self, window: Window, *, platform: str | None = None, campaign: str | None = None) -> Tally:
        return self.tally(window.start, window.end, platform=platform, campaign=campaign)

    def daily(self, window: Window, *, platform: str | None = None,
              campaign: str | None = None) -> list[tuple[date, Tally]]:
        """One tally per local day of the window (needs `compute(..., daily=True)`)."""
        zone = ZoneInfo(self.settings.timezone)
        days = []
        day = as_utc(window.start).astimezone(zone).date()
        while True:
            span = local_day(day, self.settings.timezone)
            start, end = max(span.start, window.start), min(span.end, window.end)
            if start >= end:
                break
            days.append((day, self.tally(start, end, platform=platform, campaign=campaign)))
            day += timedelta(days=1)
        return days

    def platforms(self) -> list[str]:
        return sorted({p for p, _, _ in self.tallies})

    def campaigns(self) -> list[str]:
        return sorted({c or NO_CAMPAIGN for _, c, _ in self.tallies})

    def _index(self, at: datetime) -> int:
        i = bisect.bisect_left(self.boundaries, as_utc(at))
        if i == len(self.boundaries) or self.boundaries[i] != as_utc(at):
            raise ValueError(f"{at} is not a bucket boundary of this KPI table")
        return i


def compute(session: Session, windows: Sequence[Window], *, settings: KpiSettings | None = None,
            as_of: datetime | None = None, daily: bool = False, platform: str | None = None,
            campaign: str | None = None) -> KpiTable:
    """Tally every window (and each local day inside them when `daily`) in a single query."""
    settings = settings or KpiSettings()
    as_of = as_utc(as_of) if as_of else max([utcnow(), *(as_utc(w.end) for w in windows)])
    edges = {as_utc(w.start) for w in windows} | {as_utc(w.end) for w in windows}
    if daily and edges:
        day = local_midnight(min(edges), settings.timezone)
        last = max(edges)
        while day < last:
            if day > min(edges):
                edges.add(day)
            day = local_midnight(day + timedelta(hours=26), settings.timezone)
    boundaries = sorted(edges)
    campaign_filter = None if campaign in (None, NO_CAMPAIGN) else campaign
    tallies = tally_buckets(session, boundaries, as_of=as_of, settings=settings, platform=platform,
                            campaign=campaign_filter) if boundaries else {}
    if boundaries:
        for key, extra in outcome_buckets(session, boundaries, as_of=as_of, platform=platform,
                                          campaign=campaign_filter).items():
            tallies[key] = tallies.get(key, Tally()) + extra
    if campaign == NO_CAMPAIGN:
        tallies = {key: t for key, t in tallies.items() if key[1] is None}
    return KpiTable(boundaries, tallies, settings, as_of, tuple(windows))
