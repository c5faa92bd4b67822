"""What the Slack listeners hand work to: the surface-independent services, plus the Slack surface itself."""

from __future__ import annotations

from dataclasses import dataclass

from bot.approvals import ApprovalService
from bot.dedupe import InboundDedupe
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.kpi_questions import KpiResponder
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
