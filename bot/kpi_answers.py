"""Answers KPI questions from the bot (the KpiSource protocol): value, previous period and goal, in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.questions.replies import format_value as _format_value
from bot.questions.replies import sentence
from bot.views import GoalLine, KpiAnswer, KpiQuestion
from moderation.domain import as_utc, utcnow
from moderation.measure.goals import active_target, evaluate, list_goals
from moderation.measure.kpis import DEFINITIONS, KpiSettings, Window, compute, definition, rolling
from moderation.storage import Database
from moderation.storage.tables import InteractionRow

UNITS = {"%": "%", "min": "min", "count": "count", "money": "money"}


def format_value(value: float | None, unit: str) -> str:
    return _format_value(value, unit, "en")


def _window(name: str, start: datetime, end: datetime, tz: str) -> Window:
    days = max(1, round((as_utc(end) - as_utc(start)).total_seconds() / 86400))
    return Window(name, as_utc(start), as_utc(end), days, tz)


class KpiAnswers:
    """The KPI layer behind the chat surfaces. `clock` is injectable so answers are reproducible in tests."""

    def __init__(self, db: Database, settings: KpiSettings | None = None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.settings = settings or KpiSettings()
        self.clock = clock

    @property
    def timezone(self) -> str:
        return self.settings.timezone

    def metrics(self) -> dict[str, str]:
        return {d.name: d.label for d in DEFINITIONS}

    def campaigns(self) -> list[str]:
        """Campaign tags seen on interactions, so a question can name one by its slug alone."""
        import sqlalchemy as sa

        with self.db.session() as session:
            return sorted(c for c in session.scalars(sa.select(InteractionRow.campaign).distinct()) if c)

    def windows(self, question: KpiQuestion) -> tuple[Window, Window]:
        tz = self.settings.timezone
        if question.start is not None and question.end is not None:
            window = _window("asked", question.start, question.end, tz)
            if question.previous_start is not None and question.previous_end is not None:
                return window, _window("previous", question.previous_start, question.previous_end, tz)
            return window, window.previous()
        # A window in days ending `offset_days` ago ("yesterday" from older callers: 1 day, offset 1).
        window = rolling(self.clock() - timedelta(days=question.offset_days), question.window_days, tz)
        return window, window.previous()

    def answer(self, question: KpiQuestion) -> KpiAnswer:
        spec = definition(question.metric)  # KeyError names the known metrics
        window, previous = self.windows(question)
        with self.db.session() as session:
            table = compute(session, [window, previous], settings=self.settings, as_of=self.clock(),
                            platform=question.platform, campaign=question.campaign)
        value = spec.value(table.window(window))
        before = spec.value(table.window(previous))
        goal = active_target(self.db, spec.name, question.platform)
        label = question.window_label or f"last {question.window_days} days"
        text = sentence(kpi=spec.name, english_label=spec.label, unit=spec.unit, value=value, previous=before,
                        goal=goal, higher_is_better=spec.higher_is_better, platform=question.platform,
                        campaign=question.campaign, period_label=label, compare=question.compare,
                        lang=question.lang)
        return KpiAnswer(question=question, label=spec.label, value=value, unit=UNITS.get(spec.unit, spec.unit),
                         previous=before, goal=goal, text=text)

    def goals(self, kpi: str | None = None, platform: str | None = None) -> tuple[GoalLine, ...]:
        """Active goals (on this KPI and platform when given) with where they stand now."""
        lines = []
        for goal in list_goals(self.db):
            if (kpi and goal.kpi != kpi) or (platform and goal.platform != platform):
                continue
            result = evaluate(self.db, goal, now=self.clock(), settings=self.settings)
            lines.append(GoalLine(goal_id=goal.id, title=goal.title, kpi=goal.kpi, unit=definition(goal.kpi).unit,
                                  baseline=goal.baseline, current=result.current, target=goal.target,
                                  projection=result.projection, status=result.status,
                                  deadline=as_utc(goal.deadline), owner=goal.owner, platform=goal.platform))
        return tuple(lines)
