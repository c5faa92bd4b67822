"""KPI questions answered for every surface: Slack `/kpi` and mentions, Discord `/kpi`, the console and
`socialops ask` all call `KpiResponder.ask`, which parses with `bot.questions` and answers from a KpiSource."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from bot.kpi_source import KpiSource
from bot.questions import Interpretation, interpret, resolve
from bot.questions.replies import EXAMPLES, label, refusal, scope
from bot.questions.replies import format_value as _format_value
from bot.questions.text import tokens
from bot.views import GoalLine, KpiAnswer, KpiQuestion
from moderation.domain import utcnow

logger = logging.getLogger(__name__)

GOALS = "goals"
STATUS_FR = {"on track": "en bonne voie", "at risk": "à risque", "off track": "hors trajectoire",
             "not enough data": "pas assez de données"}


def help_text(metrics: Mapping[str, str]) -> str:
    names = ", ".join(sorted(metrics.values())) or "none yet"
    examples = " · ".join(f"“{example}”" for example in EXAMPLES["en"])
    return (f"I did not understand that. Ask for a metric, optionally a platform and a period, e.g. {examples}. "
            f"Metrics: {names}.")


# Metrics where a smaller figure is better; the goal is then a ceiling.
_LOWER_IS_BETTER = ("time", "minutes", "escalation", "negative", "reversal", "cost", "hidden")


def lower_is_better(answer: KpiAnswer) -> bool:
    return answer.unit in ("min", "h", "$") or any(word in answer.question.metric for word in _LOWER_IS_BETTER)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "$":
        return f"${value:,.2f}"
    return _format_value(value, unit, "en")


def goal_met(answer: KpiAnswer) -> bool | None:
    if answer.goal is None or answer.value is None:
        return None
    return answer.value <= answer.goal if lower_is_better(answer) else answer.value >= answer.goal


def format_answer(answer: KpiAnswer) -> str:
    """One plain sentence when the source gave none: the figure, the previous period and the goal."""
    question = answer.question
    window = question.window_label or f"last {question.window_days} days"
    parts = [f"{answer.label} ({scope(question.platform, question.campaign, 'en')}, {window}): "
             f"{format_value(answer.value, answer.unit)}"]
    if answer.previous is not None:
        parts.append(f"previous period {format_value(answer.previous, answer.unit)}")
    if answer.goal is not None:
        met = goal_met(answer)
        parts.append(f"goal {format_value(answer.goal, answer.unit)}" + ("" if met is None else
                                                                         (" ✓ met" if met else " ✗ not met")))
    return " · ".join(parts)


def goal_text(goal: GoalLine, labels: Mapping[str, str], lang: str = "en") -> str:
    """"#3 Answer DMs faster (DM first response time, Instagram): 42 min now, target 30 min by 31 Dec, ..."."""
    unit = goal.unit
    value = lambda v: _format_value(v, unit, lang)  # noqa: E731
    kpi = label(goal.kpi, labels.get(goal.kpi, goal.kpi), lang)
    where = scope(goal.platform, None, lang)
    if lang == "fr":
        return (f"#{goal.goal_id} {goal.title} ({kpi}, {where}) : {value(goal.current)} actuellement, objectif "
                f"{value(goal.target)} au {goal.deadline:%d/%m/%Y}, projection {value(goal.projection)} — "
                f"{STATUS_FR.get(goal.status, goal.status)}.")
    return (f"#{goal.goal_id} {goal.title} ({kpi}, {where}): {value(goal.current)} now, target "
            f"{value(goal.target)} by {goal.deadline:%d %b %Y}, projected {value(goal.projection)} — {goal.status}.")


def _names_goal(question: str, goal: GoalLine) -> bool:
    asked = " ".join(tokens(question))
    title = " ".join(tokens(goal.title))
    return bool(title) and len(title) > 3 and f" {title} " in f" {asked} "


@dataclass(frozen=True)
class KpiReply:
    answers: tuple[KpiAnswer, ...] = ()
    help: str | None = None  # set when there is no figure: not understood, refused, or a question back
    interpretation: Interpretation | None = None
    goals: tuple[GoalLine, ...] = ()
    goals_text: str = ""

    @property
    def text(self) -> str:
        if self.help:
            return self.help
        if self.goals_text:
            return self.goals_text
        if not self.answers:
            return "No goals are set for these metrics yet."
        return "\n".join(answer.text or format_answer(answer) for answer in self.answers)

    @property
    def is_goals(self) -> bool:
        return bool(self.interpretation and self.interpretation.goals)

    @property
    def value(self) -> float | None:
        return self.answers[0].value if len(self.answers) == 1 and not self.is_goals else None


class KpiResponder:
    def __init__(self, source: KpiSource, *, timezone: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.source = source
        # Sources may carry the team's timezone and a clock (KpiAnswers does); test doubles need not.
        self.timezone: str = timezone or str(getattr(source, "timezone", "UTC"))
        self.clock: Callable[[], datetime] = clock or cast(Callable[[], datetime], getattr(source, "clock", utcnow))

    def _campaigns(self) -> list[str]:
        campaigns = getattr(self.source, "campaigns", None)
        return list(campaigns()) if campaigns else []

    def interpret(self, text: str, *, now: datetime | None = None) -> Interpretation:
        return interpret(text, now=now or self.clock(), tz=self.timezone, kpis=self.source.metrics(),
                         campaigns=self._campaigns())

    def ask(self, text: str, *, now: datetime | None = None) -> KpiReply:
        now = now or self.clock()
        metrics = self.source.metrics()
        found = self.interpret(text, now=now)
        logger.info("bot.kpi.asked", extra={"kpi": found.kpi, "platform": found.platform, "lang": found.lang,
                                           "period": found.period.kind if found.period else None,
                                           "problem": found.problem})
        if not found.answerable:
            return KpiReply(help=refusal(found, metrics, self._campaigns()), interpretation=found)
        if found.goals:
            return self._goals(found, metrics, now)
        assert found.period is not None and found.kpi is not None
        previous = found.period.previous()
        question = KpiQuestion(metric=found.kpi, platform=found.platform, campaign=found.campaign,
                               window_days=max(1, (found.period.end - found.period.start).days),
                               window_label=found.period.label(found.lang), start=found.period.start,
                               end=found.period.end, previous_start=previous.start, previous_end=previous.end,
                               compare=found.compare, lang=found.lang)
        return KpiReply(answers=(self.source.answer(question),), interpretation=found)

    def answer_period(self, metric: str, platform: str | None, kind: str, *, lang: str = "en") -> KpiReply:
        """A KPI picked from a menu (Discord's /kpi options) rather than typed: same periods, same answers."""
        found = Interpretation(text=metric, lang=lang, kpi=metric, platform=platform,
                               period=resolve(kind, self.clock(), self.timezone), period_said=True)
        if metric == GOALS:
            return self._goals(Interpretation(text=metric, lang=lang, platform=platform, goals=True),
                               self.source.metrics(), self.clock())
        assert found.period is not None
        previous = found.period.previous()
        question = KpiQuestion(metric=metric, platform=platform, window_label=found.period.label(lang),
                               start=found.period.start, end=found.period.end, previous_start=previous.start,
                               previous_end=previous.end, lang=lang,
                               window_days=max(1, (found.period.end - found.period.start).days))
        return KpiReply(answers=(self.source.answer(question),), interpretation=found)

    def _goals(self, found: Interpretation, metrics: Mapping[str, str], now: datetime) -> KpiReply:
        reader = getattr(self.source, "goals", None)
        if reader is None:  # a source without goal listing: the metrics that carry a goal
            answers = self.goals(KpiQuestion(metric=GOALS, platform=found.platform))
            return KpiReply(answers=answers, interpretation=found)
        lines = tuple(reader(found.kpi, found.platform))
        named = tuple(g for g in lines if _names_goal(found.text, g))
        lines = named or lines  # a goal asked for by its title ("how's 'Answer DMs faster'?") narrows the list
        fr = found.lang == "fr"
        if not lines:
            said = [x for x in (found.kpi and label(found.kpi, metrics.get(found.kpi, ""), found.lang),
                                found.platform) if x]
            what = f" ({', '.join(said)})" if said else ""
            text = (f"Aucun objectif actif{what}. `socialops goals add` en crée un." if fr
                    else f"No active goal{what}. `socialops goals add` sets one.")
        else:
            head = f"{len(lines)} objectif(s) actif(s) :" if fr else f"{len(lines)} active goal(s):"
            text = "\n".join([head, *(goal_text(g, metrics, found.lang) for g in lines)])
        return KpiReply(goals=lines, goals_text=text, interpretation=found)

    def goals(self, question: KpiQuestion) -> tuple[KpiAnswer, ...]:
        """Every metric that has a goal, for the same platform and window (sources without `goals()`)."""
        answers = []
        for name in self.source.metrics():
            answer = self.source.answer(KpiQuestion(
                metric=name, platform=question.platform, window_days=question.window_days,
                campaign=question.campaign, offset_days=question.offset_days, window_label=question.window_label))
            if answer.goal is not None:
                answers.append(answer)
        return tuple(answers)
