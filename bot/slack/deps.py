"""What the Slack listeners hand work to: the surface-independent services, plus the Slack surface itself."""

from __future__ import annotations

from dataclasses import dataclass

from bot.approvals import ApprovalService
from bot.dedupe import InboundDedupe
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.kpi_questions import KpiResponder
from bot.reviews import ReviewService
from bot.slack.approvers import SlackApprovers
from bot.slack.surface import SlackSurface


@dataclass
class SlackDeps:
    hub: ChatHub
    approvals: ApprovalService
    escalations: EscalationService
    approvers: SlackApprovers
    surface: SlackSurface
    dedupe: InboundDedupe
    kpis: KpiResponder | None = None
    kpi_command: str = "/kpi"
    reviews: ReviewService | None = None  # default: the approvals' database and approvers

    def __post_init__(self) -> None:
        if self.reviews is None:
            self.reviews = ReviewService(self.approvals.db, self.approvals.authorize)
