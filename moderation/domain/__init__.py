"""The domain: interactions, scores, plans and their actions, event names and the ports to people. The leaf
every other package imports; it imports no other project module and no SDK."""

from moderation.domain.events import AUTOMATION, EventAction, event_name
from moderation.domain.interaction import (
    DEFAULT_INTENTS,
    MAX_TEXT_CHARS,
    PRIVATE_KINDS,
    PUBLIC_KINDS,
    TOXIC_KINDS,
    WEEKDAYS,
    Interaction,
    Kind,
    Platform,
    Scores,
    Sentiment,
    Weekday,
    as_utc,
    check_timezone,
    interaction_id,
    reply_channel,
    utcnow,
)
from moderation.domain.knowledge import Alternative, AlternativeReply, Grounding, ProductFacts, alternative_replies
from moderation.domain.plan import ACCOUNT_SCOPE, Action, ActionType, DecisionContext, Plan, guardrail_scope

__all__ = [
    "ACCOUNT_SCOPE", "AUTOMATION", "DEFAULT_INTENTS", "MAX_TEXT_CHARS", "PRIVATE_KINDS", "PUBLIC_KINDS",
    "TOXIC_KINDS", "WEEKDAYS", "Action", "ActionType", "Alternative", "AlternativeReply", "DecisionContext",
    "EventAction", "Grounding", "Interaction", "Kind", "Plan", "Platform", "ProductFacts", "Scores", "Sentiment",
    "Weekday", "alternative_replies", "as_utc", "check_timezone", "event_name", "guardrail_scope", "interaction_id",
    "reply_channel", "utcnow",
]
