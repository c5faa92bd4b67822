"""ChatHub: the worker's HumanLoop, fanned out to every enabled chat surface, with refs kept for updates."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.approvals import ApprovalService, Decided, Verdict
from bot.cards import approval_card
from bot.delivery import OrderedDelivery
from bot.escalations import EscalationService
from bot.oncall import OnCall
from bot.reminders import ApprovalReminders
from bot.surface import ChatSurface
from bot.views import ApprovalCard
from moderation.storage import Database
from moderation.storage.tables import ApprovalRow

logger = logging.getLogger(__name__)


class ChatHub:
    def __init__(self, db: Database, surfaces: Sequence[ChatSurface], channels: dict[str, str] | None = None, *,
                 escalations: EscalationService | None = None, reminders: ApprovalReminders | None = None) -> None:
        self.db = db
        self.surfaces = list(surfaces)
        # Playbooks name logical channels (partnerships, alerts); the team config maps them to real ones.
        self.channels = channels or {}
        # Without an on-call configuration an escalation is still shown on every surface, nobody is paged.
        self.escalations = escalations or EscalationService(db, OnCall(), self.surfaces,
                                                            alerts_channel=self.channels.get("alerts", "alerts"))
        self.reminders = reminders
        self.delivery = OrderedDelivery(db)

    def approval_view(self, approval_id: int) -> ApprovalCard:
        with self.db.session() as session:
            return approval_card(session, approval_id)

    async def approval_requested(self, approval_id: int) -> None:
        # Through each surface's ordered backlog: a surface that is rate-limiting gets this card later, after
        # the ones it missed, and one surface down never hides the draft from the others.
        await self.redeliver()
        if self.reminders is not None:
            await self.db.run(self.reminders.schedule, approval_id)  # a row in the timers' job store

    async def redeliver(self, *, holding: int | None = None) -> int:
        """Post every approval and escalation a surface has not shown yet, oldest first (each worker round).
        `holding` is an escalation the EscalationService is about to show itself (with its paging)."""
        delivered = 0
        for surface in self.surfaces:
            delivered += await self.delivery.drain(surface, skip_escalation=holding)
        return delivered

    async def decide(self, approvals: ApprovalService, approval_id: int, verdict: Verdict, *, surface: str,
                     user: str, final_text: str | None = None, reason: str | None = None,
                     at: datetime | None = None, authorized_as: str | None = None) -> Decided:
        """Apply a verdict from any surface, then show it everywhere and page if it was escalated."""
        decided = await self.db.run(approvals.decide, approval_id, verdict, surface=surface, user=user,
                                    final_text=final_text, reason=reason, at=at, authorized_as=authorized_as)
        await self.approval_changed(approval_id)
        if decided.escalation_id is not None:
            await self.escalation_opened(decided.escalation_id)
        return decided

    def _card_and_refs(self, approval_id: int) -> tuple[ApprovalCard, dict]:
        with self.db.session() as session:
            card = approval_card(session, approval_id)
            return card, dict(session.get(ApprovalRow, approval_id).surface_refs)

    async def approval_changed(self, approval_id: int) -> None:
        card, refs = await self.db.run(self._card_and_refs, approval_id)
        for surface in self.surfaces:
            if surface.name in refs:
                await surface.update_approval(card, refs[surface.name])

    async def escalation_opened(self, escalation_id: int) -> None:
        # What a surface missed earlier goes first, so the new page never overtakes it; if the surface still
        # refuses, this escalation joins its backlog and follows in order.
        await self.redeliver(holding=escalation_id)
        await self.escalations.open(escalation_id)

    async def notify(self, channel: str, text: str, *, interaction_id: str | None = None) -> None:
        target = self.channels.get(channel, channel)
        for surface in self.surfaces:
            try:
                await surface.notify(target, text)
            except Exception:  # noqa: BLE001
                logger.exception("bot.hub.notify_failed", extra={"surface": surface.name})
