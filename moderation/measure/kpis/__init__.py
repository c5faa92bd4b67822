"""KPIs computed in SQL from the event log only: definitions (docs/kpis.md), windows, business hours, tallies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from moderation.measure.kpis.calendar import Window, local_day, parse_window, rolling
from moderation.measure.kpis.definitions import BY_NAME, DEFINITIONS, KPI_VERSION, KpiDefinition, definition, values
from moderation.measure.kpis.dialect import not_negative, seconds_between
from moderation.measure.kpis.facts import KpiSettings
from moderation.measure.kpis.summary import NO_CAMPAIGN, KpiTable, compute
from moderation.measure.kpis.tally import Tally

__all__ = [
    "BY_NAME", "DEFINITIONS", "KPI_VERSION", "NO_CAMPAIGN", "KpiDefinition", "KpiSettings", "KpiTable",
    "PlatformKpis", "Tally", "Window", "compute", "definition", "local_day", "not_negative", "parse_window",
    "platform_kpis", "rolling", "seconds_between", "values",
]


@dataclass(frozen=True)
class PlatformKpis:
    """The digest's per-platform figures (kept for the digest and anything written against the first version)."""

    platform: str
    volume: int
    comments: int
    dms: int
    responded: int
    first_response_seconds_avg: float | None
    escalated: int
    hidden: int
    sentiment: dict[str, int]
    tally: Tally | None = None

    @property
    def response_rate(self) -> float | None:
        return BY_NAME["response_rate"].value(self.tally) if self.tally else (
            self.responded / self.volume if self.volume else None)

    @property
    def escalation_rate(self) -> float | None:
        return self.escalated / self.volume if self.volume else None

    def sentiment_share(self, label: str) -> float | None:
        total = sum(self.sentiment.values())
        return self.sentiment.get(label, 0) / total if total else None

    @classmethod
    def from_tally(cls, platform: str, tally: Tally) -> PlatformKpis:
        return cls(platform=platform, volume=tally.volume, comments=tally.comments, dms=tally.dms,
                   responded=tally.responded,
                   first_response_seconds_avg=(tally.first_response_seconds / tally.responded
                                               if tally.responded else None),
                   escalated=tally.escalated, hidden=tally.hidden,
                   sentiment={k: v for k, v in (("positive", tally.positive), ("neutral", tally.neutral),
                                                ("negative", tally.negative)) if v},
                   tally=tally)


def platform_kpis(session: Session, start: datetime, end: datetime, *, settings: KpiSettings | None = None,
                  as_of: datetime | None = None) -> list[PlatformKpis]:
    """KPIs for interactions received in [start, end), one entry per platform with data."""
    window = Window("window", start, end, max(1, round((end - start).total_seconds() / 86400)))
    table = compute(session, [window], settings=settings, as_of=as_of)
    return [PlatformKpis.from_tally(p, table.window(window, platform=p)) for p in table.platforms()]
