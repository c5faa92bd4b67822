"""Plain-language KPI questions ("response rate instagram 7d") parsed into KpiQuestion and answered from a KpiSource.

Surface-independent: Slack's `/kpi` and mentions and Discord's `/kpi` all go through `KpiResponder.ask`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.kpi_source import KpiSource
from bot.views import KpiAnswer, KpiQuestion
from moderation.domain import Platform

logger = logging.getLogger(__name__)

GOALS = "goals"
EXAMPLES = ("response rate instagram 7d", "first response time this week", "escalations yesterday",
            "how are our goals")

# Phrase -> metric names to try, in order; only names the KPI source offers are used.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "response rate": ("response_rate",),
    "reply rate": ("response_rate",),
    "comment response rate": ("comment_response_rate", "response_rate"),
    "first response time": ("first_response_time", "first_response_minutes"),
    "first response": ("first_response_time", "first_response_minutes"),
    "time to first response": ("first_response_time", "first_response_minutes"),
    "frt": ("first_response_time", "first_response_minutes"),
    "response time": ("average_response_time", "first_response_time"),
    "escalations": ("escalations", "escalation_count", "escalation_rate"),
    "escalated": ("escalations", "escalation_count", "escalation_rate"),
    "escalation rate": ("escalation_rate",),
    "volume": ("volume",),
    "messages": ("volume",),
    "dms": ("dm_volume", "dms"),
    "dm volume": ("dm_volume", "dms"),
    "sentiment": ("negative_share", "sentiment"),
    "negative": ("negative_share",),
    "resolution rate": ("resolution_rate",),
    "sla": ("sla_compliance",),
    "hidden": ("hidden", "moderation_actions"),
    "deflection": ("bot_deflection_rate", "deflection_rate"),
    "automation success": ("automation_success_rate",),
    "leads": ("leads_captured", "leads"),
}

PLATFORM_WORDS: dict[str, str] = {
    **{platform.value: platform.value for platform in Platform},
    "ig": "instagram", "insta": "instagram", "fb": "facebook", "yt": "youtube", "tt": "tiktok",
}

# (pattern, window days, offset days, label); the first match wins.
_WINDOWS: tuple[tuple[str, int, int, str], ...] = (
    (r"\byesterday\b", 1, 1, "yesterday"),
    (r"\b(today|24 ?h|last day)\b", 1, 0, "today"),
    (r"\blast week\b", 7, 7, "last week"),
    (r"\b(this week|week|weekly)\b", 7, 0, "this week"),
    (r"\blast month\b", 30, 30, "last month"),
    (r"\b(this month|month|monthly)\b", 30, 0, "this month"),
)
_DAYS = re.compile(r"\b(?:last |past )?(\d{1,3}) ?(d|days?|w|weeks?)\b")


def _normalise(text: str) -> str:
    text = re.sub(r"<@[A-Z0-9]+>", " ", text)  # a mention of the bot
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


def _phrases(metrics: Mapping[str, str]) -> dict[str, str]:
    """Every phrase that names an offered metric -> its name."""
    phrases: dict[str, str] = {}
    for phrase, names in SYNONYMS.items():
        offered = [name for name in names if name in metrics]
        if offered:
            phrases[phrase] = offered[0]
    for name, label in metrics.items():
        phrases[name.replace("_", " ")] = name
        phrases[label.lower()] = name
    return phrases


def parse_question(text: str, metrics: Mapping[str, str]) -> KpiQuestion | None:
    """None when no metric is recognised (the caller shows the help)."""
    words = _normalise(text)
    if not words:
        return None
    matches = [phrase for phrase in _phrases(metrics) if _has(words, phrase)]
    if matches:
        metric = _phrases(metrics)[max(matches, key=len)]
    elif _has(words, "goals") or _has(words, "goal") or _has(words, "targets"):
        metric = GOALS
    else:
        return None
    platform = next((name for word, name in PLATFORM_WORDS.items() if _has(words, word)), None)
    days, offset, label = 7, 0, "last 7 days"
    if found := _DAYS.search(words):
        days = int(found.group(1)) * (7 if found.group(2).startswith("w") else 1)
        label = f"last {days} days"
    else:
        for pattern, window, shift, name in _WINDOWS:
            if re.search(pattern, words):
                days, offset, label = window, shift, name
                break
    campaign = re.search(r"\bcampaign (\w+)", words)
    return KpiQuestion(metric=metric, platform=platform, window_days=max(1, min(days, 365)),
                       campaign=campaign.group(1) if campaign else None, offset_days=offset, window_label=label)


def help_text(metrics: Mapping[str, str]) -> str:
    names = ", ".join(sorted(metrics.values())) or "none yet"
    examples = " · ".join(f"“{example}”" for example in EXAMPLES)
    return (f"I did not understand that. Ask for a metric, optionally a platform and a window, e.g. {examples}. "
            f"Metrics: {names}.")


# Metrics where a smaller figure is better; the goal is then a ceiling.
_LOWER_IS_BETTER = ("time", "minutes", "escalation", "negative", "reversal", "cost", "hidden")


def lower_is_better(answer: KpiAnswer) -> bool:
    return answer.unit in ("min", "h", "$") or any(word in answer.question.metric for word in _LOWER_IS_BETTER)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.0f}%" if abs(value) <= 1 else f"{value:.0f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "$":
        return f"${value:,.2f}"
    return f"{value:,.1f} {unit}".strip()


def goal_met(answer: KpiAnswer) -> bool | None:
    if answer.goal is None or answer.value is None:
        return None
    return answer.value <= answer.goal if lower_is_better(answer) else answer.value >= answer.goal


def format_answer(answer: KpiAnswer) -> str:
    """One plain sentence: the figure, the previous period and the goal."""
    question = answer.question
    scope = question.platform or "all platforms"
    window = question.window_label or f"last {question.window_days} days"
    parts = [f"{answer.label} ({scope}, {window}): {format_value(answer.value, answer.unit)}"]
    if answer.previous is not None:
        parts.append(f"previous period {format_value(answer.previous, answer.unit)}")
    if answer.goal is not None:
        met = goal_met(answer)
        parts.append(f"goal {format_value(answer.goal, answer.unit)}" + ("" if met is None else
                                                                         (" ✓ met" if met else " ✗ not met")))
    return " · ".join(parts)


@dataclass(frozen=True)
class KpiReply:
    answers: tuple[KpiAnswer, ...] = ()
    help: str | None = None  # set when the question was not understood

    @property
    def text(self) -> str:
        if self.help:
            return self.help
        if not self.answers:
            return "No goals are set for these metrics yet."
        return "\n".join(answer.text or format_answer(answer) for answer in self.answers)


class KpiResponder:
    def __init__(self, source: KpiSource) -> None:
        self.source = source

    def ask(self, text: str) -> KpiReply:
        metrics = self.source.metrics()
        question = parse_question(text, metrics)
        if question is None:
            return KpiReply(help=help_text(metrics))
        logger.info("bot.kpi.asked", extra={"metric": question.metric, "platform": question.platform,
                                           "days": question.window_days})
        if question.metric == GOALS and GOALS not in metrics:
            return KpiReply(answers=self.goals(question))
        return KpiReply(answers=(self.source.answer(question),))

    def goals(self, question: KpiQuestion) -> tuple[KpiAnswer, ...]:
        """Every metric that has a goal, for the same platform and window."""
        answers = []
        for name in self.source.metrics():
            answer = self.source.answer(KpiQuestion(
                metric=name, platform=question.platform, window_days=question.window_days,
                campaign=question.campaign, offset_days=question.offset_days, window_label=question.window_label))
            if answer.goal is not None:
                answers.append(answer)
        return tuple(answers)
