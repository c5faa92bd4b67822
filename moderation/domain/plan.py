"""What the engine decides: a Plan of Actions for one interaction, and the context snapshot it decides on.

Plans are plain data so that dry runs, replays and table tests need no I/O; executors in `moderation/`
and `bot/` carry them out.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from moderation.domain.interaction import Interaction, as_utc, check_timezone
from moderation.domain.knowledge import Grounding

ACCOUNT_SCOPE = "account:"


def guardrail_scope(interaction: Interaction) -> str:
    """What the self-pause guardrail watches and pauses for this interaction: its campaign, else the account
    that received it (`account:<platform>:<account id>`), so interactions without a campaign are covered too."""
    if interaction.campaign:
        return interaction.campaign
    return f"{ACCOUNT_SCOPE}{interaction.platform.value}:{interaction.account_id or '-'}"


class ActionType(str, enum.Enum):
    draft_reply = "draft_reply"  # needs a human approval before it is sent
    auto_reply = "auto_reply"
    send_dm = "send_dm"
    hide = "hide"
    delete = "delete"
    hold_for_review = "hold_for_review"
    tag = "tag"
    create_lead = "create_lead"
    escalate = "escalate"
    notify = "notify"
    follow_up = "follow_up"
    pause_automation = "pause_automation"
    resume_automation = "resume_automation"


class Action(BaseModel):
    """One step of a plan. `params` depends on the type, e.g. {"text": ...} for replies,
    {"level": "urgent", "team": "support"} for escalate, {"tags": [...]} for tag,
    {"delay_minutes": 10, "unless": "author_replied", "actions": [...]} for follow_up."""

    model_config = ConfigDict(frozen=True)

    type: ActionType
    params: dict[str, Any] = Field(default_factory=dict)
    # Which rule produced it: "<playbook>/<rule id>" and the playbook's version, for events and replays.
    rule: str = ""
    rule_version: str = ""
    reason: str = ""


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True)

    interaction_id: str
    actions: tuple[Action, ...] = ()
    matched_rules: tuple[str, ...] = ()
    # What the guardrails changed or added, in words, so a replay or an audit can say why.
    notes: tuple[str, ...] = ()

    def of_type(self, action_type: ActionType) -> list[Action]:
        return [action for action in self.actions if action.type == action_type]


class DecisionContext(BaseModel):
    """Everything a condition may look at besides the interaction and its scores, read before deciding."""

    model_config = ConfigDict(frozen=True)

    now: datetime
    timezone: str = "UTC"
    business_hours: tuple[int, int] = (9, 18)  # local hours [start, end)
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    author_hidden_30d: int = 0
    author_previous_interactions: int = 0
    author_is_lead: bool = False
    author_is_customer: bool = False
    paused_campaigns: frozenset[str] = frozenset()
    automation_paused: bool = False
    post_volume_10m: int = 0
    post_toxic_10m: int = 0
    post_toxic_baseline_10m: float = 0.0
    # Templates of the replies and DMs we sent this author recently (say the last 7 days), so a rule can react
    # to an answer to them ("offer" after the price quick reply).
    author_recent_templates: frozenset[str] = frozenset()
    # The campaign's last N interactions (N = settings.guardrails.negative_window) and how many were negative;
    # for an interaction without a campaign, its account's (see `guardrail_scope`).
    campaign_recent_interactions: int = 0
    campaign_recent_negative: int = 0
    # Since when this interaction's guardrail scope has been paused (None: not paused), for the auto-resume.
    scope_paused_at: datetime | None = None
    # The post's last N comments (N = settings.guardrails.negative_post_window) and how many were negative.
    post_recent_comments: int = 0
    post_recent_negative: int = 0
    # Conversion rate of the campaign now and its baseline (same unit, e.g. orders per click); None = unknown.
    campaign_conversion_rate: float | None = None
    campaign_conversion_baseline: float | None = None
    # What the knowledge base and catalogue say about this question (the pipeline retrieves it before the
    # decision); None when no knowledge is configured or the intent is not a question a fact answers.
    knowledge: Grounding | None = None
    # Names of the lead signals found in the text (email, phone, headcount, quantity, budget, event_date,
    # company: moderation/pipeline/lead_signals.py), so a rule can make a lead of a buying question that has them,
    # and a DM showing one (or in a conversation we answered) is never hidden as spam (playbooks/guardrails.py).
    lead_signals: frozenset[str] = frozenset()

    @field_validator("now")
    @classmethod
    def _now_utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    # Checked here so a typo in the team config fails when the context is built, not inside a decision.
    _known_timezone = field_validator("timezone")(check_timezone)

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: tuple[int, int]) -> tuple[int, int]:
        start, end = value
        if not 0 <= start <= end <= 24:
            raise ValueError("business_hours is (start, end) with 0 <= start <= end <= 24")
        return value
