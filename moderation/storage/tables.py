"""SQLModel tables: the durable record of interactions, scores, decisions, actions, humans' verdicts and events.

Rows hold plain values and JSON only; no platform or chat SDK object is ever stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from moderation.domain import utcnow


def _json() -> Any:
    return Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))


def _ts(index: bool = False, nullable: bool = False) -> Any:
    """A timezone-aware timestamp column; required ones default to now."""
    column = sa.Column(sa.DateTime(timezone=True), nullable=nullable, index=index)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


class InteractionRow(SQLModel, table=True):
    __tablename__ = "interactions"

    id: str = Field(primary_key=True, max_length=300)
    platform: str = Field(index=True, max_length=32)
    kind: str = Field(max_length=32)
    external_id: str = Field(max_length=256)
    author_id: str = Field(index=True, max_length=256)
    author_name: str = Field(default="", max_length=256)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    post_id: str | None = Field(default=None, index=True, max_length=256)
    parent_id: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True))
    received_at: datetime = _ts()
    is_follower: bool = False
    is_vip: bool = False
    campaign: str | None = Field(default=None, index=True, max_length=128)
    source: str = Field(default="file", max_length=32)
    account_id: str | None = Field(default=None, index=True, max_length=256)  # our receiving account
    # Work-queue state: pending -> processing -> done | failed. Claimed rows carry the worker and time so a
    # crashed worker's claims can be taken back.
    status: str = Field(default="pending", index=True, max_length=16)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = _ts(nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class ClassificationRow(SQLModel, table=True):
    __tablename__ = "classifications"

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: str = Field(index=True, foreign_key="interactions.id", max_length=300)
    intent: str = Field(max_length=64)
    intent_confidence: float
    toxicity: float
    sentiment: str = Field(max_length=16)
    lang: str = Field(max_length=8)
    toxic_kind: str = Field(default="none", max_length=16)
    model: str = Field(default="", max_length=128)
    explanation: dict[str, Any] = _json()
    created_at: datetime = _ts()


class DecisionRow(SQLModel, table=True):
    __tablename__ = "decisions"

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: str = Field(index=True, foreign_key="interactions.id", max_length=300)
    library_version: str = Field(default="", max_length=64)
    matched_rules: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    plan: dict[str, Any] = _json()
    # The DecisionContext the engine saw, so replays judge a new playbook on the same inputs.
    context: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    dry_run: bool = False
    created_at: datetime = _ts()


class ActionRow(SQLModel, table=True):
    """One planned action. Platform actions go through the outbox states; human ones are tracked too."""

    __tablename__ = "actions"

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=300)
    interaction_id: str = Field(index=True, foreign_key="interactions.id", max_length=300)
    decision_id: int | None = Field(default=None, foreign_key="decisions.id")
    type: str = Field(index=True, max_length=32)  # the plan's ActionType, or "undo"
    operation: str | None = Field(default=None, max_length=16)  # set for actions that reach a platform
    platform: str = Field(max_length=32)
    params: dict[str, Any] = _json()
    # pending | awaiting_approval | scheduled | in_flight | done | dead | cancelled | reversed
    state: str = Field(default="pending", index=True, max_length=24)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts(index=True, nullable=True)
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    result: dict[str, Any] = _json()
    rule: str = Field(default="", max_length=256)
    rule_version: str = Field(default="", max_length=64)
    actor: str = Field(default="automation", max_length=256)
    fallback_of: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    done_at: datetime | None = _ts(nullable=True)


class ApprovalRow(SQLModel, table=True):
    __tablename__ = "approvals"

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: str = Field(index=True, foreign_key="interactions.id", max_length=300)
    action_id: int = Field(unique=True, foreign_key="actions.id")
    draft_text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    final_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    # pending | approved | edited | rejected | escalated
    state: str = Field(default="pending", index=True, max_length=16)
    decided_by: str | None = Field(default=None, max_length=256)
    decided_at: datetime | None = _ts(nullable=True)
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    # Where each chat surface showed the card (channel and message ids), so it can be updated in place.
    surface_refs: dict[str, Any] = _json()
    due_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()
    reminders_sent: int = 0  # stale-draft reminders already sent (a compare-and-set guard for their timers)


class EscalationRow(SQLModel, table=True):
    __tablename__ = "escalations"

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: str = Field(index=True, foreign_key="interactions.id", max_length=300)
    level: str = Field(default="normal", max_length=16)
    team: str = Field(default="community", max_length=64)
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    # Playbooks may name an incident (e.g. "crisis:instagram:<post>"): while it is open, no second page.
    dedupe_key: str | None = Field(default=None, index=True, max_length=256)
    # open | acknowledged | resolved
    state: str = Field(default="open", index=True, max_length=16)
    step: int = 0
    paged_step: int = -1  # the last step whose page went out (a compare-and-set guard for paging timers)
    paged: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    surface_refs: dict[str, Any] = _json()
    acknowledged_by: str | None = Field(default=None, max_length=256)
    acknowledged_at: datetime | None = _ts(nullable=True)
    resolved_by: str | None = Field(default=None, max_length=256)
    resolved_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()


class EventRow(SQLModel, table=True):
    """Append-only log every KPI is computed from. Named `<platform>.<object>_<action>`."""

    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_name_time", "name", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=96)
    interaction_id: str | None = Field(default=None, index=True, max_length=300)
    platform: str = Field(index=True, max_length=32)
    occurred_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True))
    recorded_at: datetime = _ts()
    actor: str = Field(default="automation", max_length=256)
    playbook: str = Field(default="", max_length=256)
    rule_version: str = Field(default="", max_length=64)
    campaign: str | None = Field(default=None, index=True, max_length=128)
    data: dict[str, Any] = _json()


class KpiFactRow(SQLModel, table=True):
    """One row per interaction: what the KPI query needs from its events, merged in on every event insert
    (moderation/measure/kpis/stored_facts.py). Derived from the event log only, and rebuildable from it at any time.

    Epochs are seconds since 1970 as the KPI query computes them from `events.occurred_at`.
    """

    __tablename__ = "kpi_facts"
    # The KPI query reads the rows received in its windows: a covering index makes that a range read of the
    # index alone (measured on SQLite, 255k rows: 0.3 s less than a range on `received` plus row lookups).
    __table_args__ = (sa.Index("ix_kpi_facts_window", "received", "mixed", "first_event", "last_event", "platform",
                               "campaign", "flags", "first_response", "responses", "response_epochs"),)

    interaction_id: str = Field(primary_key=True, max_length=300)
    platform: str = Field(max_length=32)
    campaign: str | None = Field(default=None, max_length=128)
    # Its events disagree on platform or campaign: the KPI query then reads the events themselves.
    mixed: bool = False
    flags: int = 0  # moderation.measure.kpis.tally.Flag bits OR-ed over the events
    received: float | None = None  # the earliest `received` event
    first_response: float | None = None
    responses: int = 0
    response_epochs: float | None = None  # sum of the responses' epochs
    first_event: float  # the earliest and latest event of any kind: which time ranges this row covers
    last_event: float


class InboundEventRow(SQLModel, table=True):
    """Deliveries already taken from a chat surface (Slack Events API retries resend the same event id)."""

    __tablename__ = "inbound_events"

    source: str = Field(primary_key=True, max_length=32)
    event_id: str = Field(primary_key=True, max_length=128)
    received_at: datetime = Field(default_factory=utcnow,
                                  sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True))


class GoalRow(SQLModel, table=True):
    """A SMART goal on one KPI: baseline measured automatically, target, deadline, owner (measure/goals.py)."""

    __tablename__ = "kpi_goals"

    id: int | None = Field(default=None, primary_key=True)
    kpi: str = Field(max_length=64)
    platform: str | None = Field(default=None, max_length=32)  # None: all platforms
    campaign: str | None = Field(default=None, max_length=128)
    template: str | None = Field(default=None, max_length=64)
    title: str = Field(default="", max_length=256)
    baseline: float | None = None  # the KPI over the 30 days before starts_at; None when there was no data
    baseline_source: str = Field(default="measured", max_length=16)  # measured | typed (the team's own figure)
    target: float
    starts_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    deadline: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    owner: str = Field(max_length=256)
    kpi_version: str = Field(default="", max_length=16)
    state: str = Field(default="active", index=True, max_length=16)  # active | closed
    closed_at: datetime | None = _ts(nullable=True)
    closing_value: float | None = None
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = _ts()


class WatchedThreadRow(SQLModel, table=True):
    """A YouTube comment thread the poller re-checks for new replies: YouTube sends no webhook, and a new reply
    does not bring an old thread back to the top of commentThreads.list."""

    __tablename__ = "watched_threads"

    id: str = Field(primary_key=True, max_length=256)  # the thread id (= its top-level comment's id)
    account_id: str = Field(index=True, max_length=256)
    reply_count: int = 0  # the thread's totalReplyCount when its replies were last read in full
    started_at: datetime = _ts()  # the top-level comment's time; watched for a while after it
    checked_at: datetime | None = _ts(nullable=True)


class PollCursorRow(SQLModel, table=True):
    """Where a polling connector (YouTube) stopped reading, so a restart neither skips nor re-reads much."""

    __tablename__ = "poll_cursors"

    id: str = Field(primary_key=True, max_length=300)  # "<platform>:<account>"
    platform: str = Field(max_length=32)
    account_id: str = Field(max_length=256)
    # Newest platform time fully read; everything older has been stored.
    watermark: datetime | None = _ts(nullable=True)
    # A catch-up in progress: the page to resume from and the watermark to adopt once it is finished.
    resume_page_token: str | None = Field(default=None, max_length=512)
    pending_watermark: datetime | None = _ts(nullable=True)
    polls: int = 0
    last_polled_at: datetime | None = _ts(nullable=True)
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class QuotaUsageRow(SQLModel, table=True):
    """API quota units spent per platform account and quota day (YouTube: 10,000 units a day by default)."""

    __tablename__ = "quota_usage"
    __table_args__ = (sa.UniqueConstraint("platform", "account_id", "day", name="uq_quota_usage_day"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    account_id: str = Field(max_length=256)
    day: str = Field(max_length=10)  # the platform's quota day, YYYY-MM-DD
    units: int = 0
    calls: dict[str, Any] = _json()  # units per method, for the operator
    updated_at: datetime = _ts()


class ReviewRow(SQLModel, table=True):
    """An item automation removed from public view (hidden, held) or routed to a person instead of hiding it (a
    DM, a platform without the operation): a card in the review queue until someone keeps, restores, deletes
    it or bans its author. One per interaction."""

    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: str = Field(unique=True, foreign_key="interactions.id", max_length=300)
    action_id: int | None = Field(default=None, foreign_key="actions.id")  # the hide/hold, when there is one
    operation: str = Field(default="none", max_length=16)  # hide | hold | none
    platform: str = Field(max_length=32)
    rule: str = Field(default="", max_length=256)
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    options: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    # pending | kept | restored | deleted | banned
    state: str = Field(default="pending", index=True, max_length=16)
    decided_by: str | None = Field(default=None, max_length=256)
    decided_at: datetime | None = _ts(nullable=True)
    surface_refs: dict[str, Any] = _json()
    reminders_sent: int = 0
    created_at: datetime = _ts()


class PostCaptionRow(SQLModel, table=True):
    """A post's caption, read once through the platform API: tells which product "how much is this?" means."""

    __tablename__ = "post_captions"

    id: str = Field(primary_key=True, max_length=300)  # "<platform>:<post id>"
    caption: str | None = Field(default=None, sa_column=sa.Column(sa.Text))  # None: the platform had none
    fetched_at: datetime = _ts()


class ConversionRow(SQLModel, table=True):
    """One shop order, stored as received (file import or shop webhook) whether or not it is attributed.

    Attribution (moderation/measure/attribution.py) fills `interaction_id` (the last DM touch, else the last
    touch), `matched_by` and `assisted`; unmatched orders stay here, so a later run can still attribute them.
    """

    __tablename__ = "conversions"

    order_id: str = Field(primary_key=True, max_length=128)
    occurred_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True))
    amount: float
    currency: str | None = Field(default=None, max_length=8)
    utm_source: str | None = Field(default=None, max_length=128)
    utm_medium: str | None = Field(default=None, max_length=128)
    utm_campaign: str | None = Field(default=None, max_length=128)
    utm_content: str | None = Field(default=None, max_length=256)
    discount_code: str | None = Field(default=None, index=True, max_length=64)
    customer_handle: str | None = Field(default=None, max_length=256)
    customer_email: str | None = Field(default=None, index=True, max_length=320)
    source: str = Field(default="file", max_length=32)  # file | shopify | woocommerce
    raw: dict[str, Any] = _json()
    interaction_id: str | None = Field(default=None, index=True, max_length=300)
    platform: str | None = Field(default=None, max_length=32)
    campaign: str | None = Field(default=None, max_length=128)
    matched_by: str | None = Field(default=None, max_length=32)  # utm_content | discount_code | lead_email | ...
    attributed_at: datetime | None = _ts(nullable=True)
    recorded_at: datetime = _ts()


class ConversionTouchRow(SQLModel, table=True):
    """An interaction that touched an attributed order: `last` (it has the conversion) or `assisted`."""

    __tablename__ = "conversion_touches"

    order_id: str = Field(primary_key=True, max_length=128)
    interaction_id: str = Field(primary_key=True, max_length=300)
    role: str = Field(max_length=16)  # last | assisted
    occurred_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


class LeadRow(SQLModel, table=True):
    """A person showing buying intent with contact or volume signals; one row per author per platform, its fields
    filled in as the conversation goes on (moderation/act/executors/lead.py)."""

    __tablename__ = "leads"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=300)  # "<platform>:<author id>"
    platform: str = Field(max_length=32)
    author_id: str = Field(index=True, max_length=256)
    handle: str = Field(default="", index=True, max_length=256)
    interaction_id: str = Field(max_length=300)  # the interaction that created it
    last_interaction_id: str = Field(max_length=300)
    email: str | None = Field(default=None, index=True, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    headcount: str | None = Field(default=None, max_length=32)
    budget: str | None = Field(default=None, max_length=64)
    event_date: str | None = Field(default=None, max_length=64)
    company: str | None = Field(default=None, max_length=256)
    fields: dict[str, Any] = _json()  # every extracted signal, plus the playbook's params (stage, source)
    source: str = Field(default="", max_length=64)
    stage: str = Field(default="new", max_length=32)
    campaign: str | None = Field(default=None, max_length=128)
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class CrmDeliveryRow(SQLModel, table=True):
    """One JSON delivery to the configured CRM webhook (a lead, a conversion), retried until done or dead."""

    __tablename__ = "crm_outbox"

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=300)  # also sent as the Idempotency-Key header
    kind: str = Field(max_length=32)  # lead.created | conversion.created
    payload: dict[str, Any] = _json()
    state: str = Field(default="pending", index=True, max_length=16)  # pending | in_flight | done | dead
    attempts: int = 0
    next_attempt_at: datetime = _ts(index=True)
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    result: dict[str, Any] = _json()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    done_at: datetime | None = _ts(nullable=True)
