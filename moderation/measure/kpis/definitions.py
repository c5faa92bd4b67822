"""KPI definitions, written once: name, label, unit, direction and the formula over a Tally (docs/kpis.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from moderation.measure.kpis.tally import Tally

# Bump when a formula changes meaning, so numbers from different versions are never compared silently.
KPI_VERSION = "1.0"


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class KpiDefinition:
    name: str
    label: str
    unit: str  # "count", "%", "min"
    formula: str
    compute: Callable[[Tally], float | None]
    higher_is_better: bool | None = True  # None: neither (volume), so trends say "up"/"down", not better/worse
    business_hours: bool = False

    def value(self, tally: Tally) -> float | None:
        return self.compute(tally)


def _minutes(seconds: float, count: int) -> float | None:
    return seconds / count / 60.0 if count else None


DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition("volume", "Volume", "count", "interactions received", lambda t: t.volume,
                  higher_is_better=None),
    KpiDefinition("dm_volume", "DM volume", "count", "DMs and story replies received", lambda t: t.dms,
                  higher_is_better=None),
    KpiDefinition("comment_volume", "Comment volume", "count", "comments and mentions received",
                  lambda t: t.comments, higher_is_better=None),
    KpiDefinition("response_rate", "Response rate", "%", "responded / answerable",
                  lambda t: _ratio(t.responded, t.answerable)),
    KpiDefinition("comment_response_rate", "Comment response rate", "%",
                  "responded comments / answerable comments",
                  lambda t: _ratio(t.comments_responded, t.comments_answerable)),
    KpiDefinition("dm_response_rate", "DM response rate", "%", "responded DMs / answerable DMs",
                  lambda t: _ratio(t.dms_responded, t.dms_answerable)),
    KpiDefinition("first_response_minutes", "First response time", "min",
                  "mean over responded interactions of max(0, first response - received)",
                  lambda t: _minutes(t.first_response_seconds, t.responded), higher_is_better=False),
    KpiDefinition("dm_first_response_minutes", "DM first response time", "min",
                  "mean over responded DMs of max(0, first response - received)",
                  lambda t: _minutes(t.dms_first_response_seconds, t.dms_responded), higher_is_better=False),
    KpiDefinition("average_response_minutes", "Average response time", "min",
                  "sum over interactions of max(0, sum of (response - received)) / responses",
                  lambda t: _minutes(t.response_seconds, t.responses), higher_is_better=False),
    KpiDefinition("resolution_rate", "Resolution rate", "%", "resolved / answerable",
                  lambda t: _ratio(t.resolved, t.answerable)),
    KpiDefinition("positive_share", "Positive sentiment", "%", "positive / classified",
                  lambda t: _ratio(t.positive, t.positive + t.neutral + t.negative)),
    KpiDefinition("neutral_share", "Neutral sentiment", "%", "neutral / classified",
                  lambda t: _ratio(t.neutral, t.positive + t.neutral + t.negative)),
    KpiDefinition("negative_share", "Negative sentiment", "%", "negative / classified",
                  lambda t: _ratio(t.negative, t.positive + t.neutral + t.negative), higher_is_better=False),
    KpiDefinition("escalation_rate", "Escalation rate", "%", "escalated / volume",
                  lambda t: _ratio(t.escalated, t.volume), higher_is_better=False),
    KpiDefinition("automated_replies", "Answered by automation", "count",
                  "interactions with a response sent by automation", lambda t: t.automated_replied),
    KpiDefinition("human_replies", "Answered by a person", "count", "interactions with a response sent by a person",
                  lambda t: t.human_replied),
    KpiDefinition("automated_reply_share", "Automated reply share", "%",
                  "answered by automation / (answered by automation + answered by a person)",
                  lambda t: _ratio(t.automated_replied, t.automated_replied + t.human_replied)),
    KpiDefinition("deflection_rate", "Bot deflection rate", "%", "handled with no person involved / volume",
                  lambda t: _ratio(t.deflected, t.volume)),
    KpiDefinition("automation_success_rate", "Automation success rate", "%",
                  "drafts approved without edit / (approved + edited + rejected)",
                  lambda t: _ratio(t.approved, t.approved + t.edited + t.rejected)),
    KpiDefinition("sla_compliance", "SLA compliance", "%", "met / (met + breached), business hours",
                  lambda t: _ratio(t.sla_met, t.sla_met + t.sla_breached), business_hours=True),
    KpiDefinition("leads", "Leads captured", "count", "interactions with lead_created", lambda t: t.leads),
    KpiDefinition("conversions", "Conversions", "count", "interactions with converted", lambda t: t.conversions),
    KpiDefinition("lead_capture_rate", "DM lead capture rate", "%", "DMs with lead_created / DM volume",
                  lambda t: _ratio(t.dm_leads, t.dms)),
    KpiDefinition("comment_conversion_rate", "Comment conversion rate", "%",
                  "comments with converted / comment volume", lambda t: _ratio(t.comment_conversions, t.comments)),
    KpiDefinition("dm_conversion_rate", "DM conversion rate", "%", "DMs with converted / DM volume",
                  lambda t: _ratio(t.conversions - t.comment_conversions, t.dms)),
    KpiDefinition("revenue", "Revenue", "money", "amounts of the orders attributed to these interactions",
                  lambda t: t.revenue),
    KpiDefinition("value_per_conversion", "Value per conversion", "money", "revenue / conversions",
                  lambda t: _ratio(t.revenue, t.conversions)),
    KpiDefinition("assisted_conversions", "Assisted conversions", "count",
                  "interactions that were an earlier touch of an order won by a later one", lambda t: t.assisted),
    KpiDefinition("conversion_rate", "Conversion rate", "%", "interactions with converted / volume",
                  lambda t: _ratio(t.conversions, t.volume)),
    KpiDefinition("time_to_moderate_minutes", "Time to moderate", "min",
                  "mean over hidden, held or deleted interactions of max(0, first of those - received)",
                  lambda t: _minutes(t.moderate_seconds, t.moderated), higher_is_better=False),
    KpiDefinition("hidden", "Hidden", "count", "interactions hidden", lambda t: t.hidden, higher_is_better=None),
    KpiDefinition("deleted", "Deleted", "count", "interactions deleted", lambda t: t.deleted,
                  higher_is_better=None),
    KpiDefinition("held", "Held for review", "count", "interactions held", lambda t: t.held,
                  higher_is_better=None),
    KpiDefinition("moderation_actions", "Moderation actions", "count", "hidden + deleted + held",
                  lambda t: t.hidden + t.deleted + t.held, higher_is_better=None),
    KpiDefinition("reversal_rate", "Moderation reversal rate", "%", "(unhidden + released) / (hidden + held)",
                  lambda t: _ratio(t.unhidden + t.released, t.hidden + t.held), higher_is_better=False),
)

BY_NAME: dict[str, KpiDefinition] = {d.name: d for d in DEFINITIONS}


def definition(name: str) -> KpiDefinition:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown KPI {name!r}; known: {', '.join(BY_NAME)}") from None


def values(tally: Tally) -> dict[str, float | None]:
    return {d.name: d.value(tally) for d in DEFINITIONS}
