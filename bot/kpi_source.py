"""What the bot needs from the KPI layer to answer questions; the KPI module implements it.

Optional extras a source may offer: `timezone` (str), `clock()`, `campaigns()` (known campaign slugs) and
`goals(kpi, platform)` (active goals as GoalLine); KpiResponder falls back without them."""

from __future__ import annotations

from typing import Protocol

from bot.views import KpiAnswer, KpiQuestion


class KpiSource(Protocol):
    def metrics(self) -> dict[str, str]:
        """Metric name -> human label, for parsing questions and for help texts."""

    def answer(self, question: KpiQuestion) -> KpiAnswer: ...
