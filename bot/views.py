"""What the chat surfaces show, as plain data. Each surface renders these its own way (text, Block Kit, embeds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from moderation.domain import AlternativeReply


@dataclass(frozen=True)
class ApprovalCard:
    approval_id: int
    platform: str
    kind: str
    author: str
    text: str
    post_id: str | None
    intent: str
    intent_confidence: float
    toxicity: float
    sentiment: str
    lang: str
    draft: str
    rule: str
    reason: str
    due_at: datetime | None
    state: str = "pending"
    decided_by: str | None = None
    final_text: str | None = None
    explanation: dict[str, object] = field(default_factory=dict)
    decided_at: datetime | None = None
    verdict_reason: str | None = None  # why a person rejected or escalated it
    link: str | None = None  # where the comment lives on the platform, when known
    alternatives: tuple[AlternativeReply, ...] = ()  # other facts ready to send instead of the draft


@dataclass(frozen=True)
class EscalationPage:
    escalation_id: int
    level: str
    team: str
    platform: str
    author: str
    text: str
    reason: str
    oncall: tuple[str, ...] = ()  # person names from the on-call config; each surface maps them to its users
    state: str = "open"
    step: int = 0  # how many times the policy has moved on to the next level
    acknowledged_by: str | None = None
    resolved_by: str | None = None
    next_page_at: datetime | None = None  # when the next level is paged if nobody acknowledges
    deferred_until: datetime | None = None  # quiet hours: a non-urgent page waits until then
    link: str | None = None  # the comment (or post) on the platform
    post_id: str | None = None
    worst: tuple[str, ...] = ()  # a negative post's worst comments, as "@author: text"


@dataclass(frozen=True)
class ReviewCard:
    """An item automation hid, held or routed to a person: what it is, why, and the verdicts the platform allows."""

    review_id: int
    platform: str
    kind: str
    author: str
    text: str
    post_id: str | None
    link: str | None
    intent: str
    intent_confidence: float
    toxicity: float
    sentiment: str
    rule: str
    reason: str
    operation: str  # hide | hold | none (routed to a person, nothing was removed)
    options: tuple[str, ...]  # keep | restore | delete | ban_author
    words: tuple[str, ...] = ()  # the words behind the scores (`classify --explain`)
    state: str = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class PauseCard:
    """A guardrail pause (a campaign, or an account's interactions without one), with a Resume button."""

    scope: str
    label: str
    paused: bool
    since: datetime
    actor: str
    reason: str


@dataclass(frozen=True)
class KpiLine:
    platform: str
    volume: int
    comments: int
    dms: int
    responded: int
    response_rate: float | None
    first_response_minutes: float | None
    escalations: int
    escalation_rate: float | None
    positive: float | None
    neutral: float | None
    negative: float | None
    hidden: int


@dataclass(frozen=True)
class KpiTrend:
    """One KPI against the previous period of the same length, with the active goal's target if any."""

    name: str
    label: str
    unit: str  # "%", "min", "count"
    value: float | None
    previous: float | None = None
    goal: float | None = None
    higher_is_better: bool | None = True  # None: a KPI that is neither (volume)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def improved(self) -> bool | None:
        """True better, False worse, None flat (under 0.05% or 0.05 units), unknown or without a direction."""
        change = self.change
        if change is None or self.higher_is_better is None or abs(change) < 0.0005 * (100 if self.unit != "%" else 1):
            return None
        return (change > 0) == self.higher_is_better


@dataclass(frozen=True)
class GoalLine:
    goal_id: int
    title: str
    kpi: str
    unit: str
    baseline: float | None
    current: float | None
    target: float
    projection: float | None
    status: str  # "on track" | "at risk" | "off track"
    deadline: datetime
    owner: str
    platform: str | None = None


@dataclass(frozen=True)
class PostLine:
    """A post by how many negative comments it drew in the window."""

    platform: str
    post_id: str
    negative: int
    comments: int


@dataclass(frozen=True)
class EscalationLine:
    escalation_id: int
    level: str
    platform: str
    reason: str
    state: str
    opened_at: datetime


@dataclass(frozen=True)
class ReviewSection:
    """A titled list of lines (a review's SLA breaches, stuck escalations, anomalies...)."""

    title: str
    lines: tuple[str, ...] = ()
    empty: str = "none"  # what to say when there are no lines


@dataclass(frozen=True)
class DigestView:
    title: str
    window: str
    lines: tuple[KpiLine, ...]
    pending_approvals: int = 0
    open_escalations: int = 0
    notes: tuple[str, ...] = ()
    chart_png: bytes | None = None  # a rendered trend chart, attached by surfaces that can show images
    trends: tuple[KpiTrend, ...] = ()  # all platforms, against the previous period
    goals: tuple[GoalLine, ...] = ()
    negative_posts: tuple[PostLine, ...] = ()
    escalations: tuple[EscalationLine, ...] = ()  # the newest open ones
    kpi_version: str = ""
    sections: tuple[ReviewSection, ...] = ()  # reviews (weekly operations, monthly KPIs) and A/B tests


@dataclass(frozen=True)
class KpiQuestion:
    """A parsed KPI question ("response rate instagram 7d")."""

    metric: str
    platform: str | None = None  # None: all platforms
    window_days: int = 7
    campaign: str | None = None
    offset_days: int = 0  # the window ends this many days ago ("yesterday": window 1, offset 1)
    window_label: str = ""  # how the person said it ("this week"), for the answer text
    # An explicit period (from the question parser) wins over window_days/offset_days: [start, end), aware.
    start: datetime | None = None
    end: datetime | None = None
    previous_start: datetime | None = None  # the period a trend compares with (default: the same length before)
    previous_end: datetime | None = None
    compare: bool = False  # the person asked for a comparison
    lang: str = "en"


@dataclass(frozen=True)
class KpiAnswer:
    question: KpiQuestion
    label: str  # "Response rate"
    value: float | None
    unit: str  # "%", "min", "count", "$"
    previous: float | None = None  # the same metric over the previous window
    goal: float | None = None
    text: str = ""  # one readable sentence; surfaces may render richer from the fields
