"""Answers KPI questions from the bot (the KpiSource protocol): value, previous window and goal, in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.views import KpiAnswer, KpiQuestion
from moderation.domain import utcnow
from moderation.measure.goals import active_target
from moderation.measure.kpis import DEFINITIONS, KpiSettings, compute, definition, rolling
from moderation.storage import Database

UNITS = {"%": "%", "min": "min", "count": "count"}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "%":
        return f"{value:.0%}" if abs(value * 100 - round(value * 100)) < 0.05 else f"{value:.1%}"
    if unit == "min":
        return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"
    return f"{value:,.0f}"


class KpiAnswers:
    """The KPI layer behind the chat surfaces. `clock` is injectable so answers are reproducible in tests."""

    def __init__(self, db: Database, settings: KpiSettings | None = None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.settings = settings or KpiSettings()
        self.clock = clock

    def metrics(self) -> dict[str, str]:
        return {d.name: d.label for d in DEFINITIONS}

    def answer(self, question: KpiQuestion) -> KpiAnswer:
        spec = definition(question.metric)  # KeyError names the known metrics
        now = self.clock()
        window = rolling(now, question.window_days, self.settings.timezone)
        previous = window.previous()
        with self.db.session() as session:
            table = compute(session, [window, previous], settings=self.settings, as_of=now,
                            platform=question.platform, campaign=question.campaign)
        value = spec.value(table.window(window))
        before = spec.value(table.window(previous))
        goal = active_target(self.db, spec.name, question.platform)
        return KpiAnswer(question=question, label=spec.label, value=value, unit=UNITS[spec.unit], previous=before,
                         goal=goal, text=self._sentence(question, spec.label, spec.unit, value, before, goal,
                                                        spec.higher_is_better))

    @staticmethod
    def _sentence(question: KpiQuestion, label: str, unit: str, value: float | None, before: float | None,
                  goal: float | None, higher_is_better: bool | None) -> str:
        scope = question.platform or "all platforms"
        if question.campaign:
            scope += f", campaign {question.campaign}"
        text = f"{label} ({scope}, last {question.window_days} days): {format_value(value, unit)}"
        if before is not None and value is not None:
            delta = value - before
            if abs(delta) < 1e-9:
                trend = "flat"
            elif higher_is_better is None:
                trend = "up" if delta > 0 else "down"
            else:
                trend = "better" if (delta > 0) == higher_is_better else "worse"
            text += f", {trend} than the {question.window_days} days before ({format_value(before, unit)})"
        if goal is not None:
            text += f"; goal {format_value(goal, unit)}"
        return text + "."
