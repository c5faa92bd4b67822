"""Conditions: named, pure checks on the author, the post and the team's clock, looked up in a registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from moderation.domain import DecisionContext, Interaction, guardrail_scope

Check = Callable[[Any, Interaction, DecisionContext], bool]


class VolumeBand(BaseModel):
    """Interactions on this post in the last 10 minutes, within [min, max]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = Field(0, ge=0)
    max: int | None = Field(None, ge=0)


@dataclass(frozen=True)
class Condition:
    name: str
    param: Any  # the type a playbook gives, validated by pydantic
    check: Check
    doc: str


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def in_business_hours(now: datetime, context: DecisionContext) -> bool:
    """Whether `now` falls in the team's hours, in the team's timezone (not the server's)."""
    local = now.astimezone(_zone(context.timezone))
    start, end = context.business_hours
    return local.weekday() in context.business_days and start <= local.hour < end


def automation_paused(interaction: Interaction, context: DecisionContext) -> bool:
    """Paused for everything, for the interaction's campaign, or (no campaign) for the account that received it."""
    return context.automation_paused or guardrail_scope(interaction) in context.paused_campaigns


def _volume(band: VolumeBand, context: DecisionContext) -> bool:
    return context.post_volume_10m >= band.min and (band.max is None or context.post_volume_10m <= band.max)


def _knowledge(levels: str | list[str], context: DecisionContext) -> bool:
    wanted = {levels} if isinstance(levels, str) else set(levels)
    level = context.knowledge.level if context.knowledge is not None else "none"
    return level in wanted


def _answers(templates: str | list[str], context: DecisionContext) -> bool:
    wanted = {templates} if isinstance(templates, str) else set(templates)
    return not wanted.isdisjoint(context.author_recent_templates)


def _lead_signals(want: bool | list[str], context: DecisionContext) -> bool:
    if isinstance(want, bool):
        return bool(context.lead_signals) == want
    return not context.lead_signals.isdisjoint(want)


_CONDITIONS = (
    Condition("follower", bool, lambda want, i, c: i.is_follower == want, "the author follows the account"),
    Condition("vip", bool, lambda want, i, c: i.is_vip == want, "the author is flagged VIP"),
    Condition("known_lead", bool, lambda want, i, c: c.author_is_lead == want, "the author is a known lead"),
    Condition("customer", bool, lambda want, i, c: c.author_is_customer == want, "the author is a customer"),
    Condition(
        "lead_or_customer", bool,
        lambda want, i, c: (c.author_is_lead or c.author_is_customer) == want,
        "the author is a known lead or customer",
    ),
    Condition(
        "first_message", bool,
        lambda want, i, c: (c.author_previous_interactions == 0) == want,
        "first message from this author",
    ),
    Condition(
        "repeat_offender", Annotated[int, Field(ge=1)],
        lambda n, i, c: c.author_hidden_30d >= n,
        "the author had at least N interactions hidden in the last 30 days",
    ),
    Condition(
        "business_hours", bool,
        lambda want, i, c: in_business_hours(c.now, c) == want,
        "now is within the team's business hours, in the team's timezone",
    ),
    Condition(
        "automation_paused", bool,
        lambda want, i, c: automation_paused(i, c) == want,
        "automation is paused, globally or for this interaction's campaign",
    ),
    Condition("post_volume", VolumeBand, lambda band, i, c: _volume(band, c), "volume on this post in 10 min"),
    Condition(
        "knowledge", Literal["high", "low", "none"] | list[Literal["high", "low", "none"]],
        lambda levels, i, c: _knowledge(levels, c),
        "how sure knowledge retrieval is of an answer: high, low or none (none also when not configured)",
    ),
    Condition(
        "lead_signals", bool | list[str],
        lambda want, i, c: _lead_signals(want, c),
        "the text has lead signals (true: any of email, phone, headcount, quantity, budget, event_date, company; "
        "or a list of the ones wanted, any of them)",
    ),
    Condition(
        "answers_template", str | list[str],
        lambda names, i, c: _answers(names, c),
        "the author is answering one of these templates we sent them recently",
    ),
)

CONDITIONS: dict[str, Condition] = {condition.name: condition for condition in _CONDITIONS}
