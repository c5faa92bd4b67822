"""ChatHub: the worker's HumanLoop, fanned out to every enabled chat surface, with refs kept for updates."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.approvals import ApprovalService, Decided, Verdict
from bot.cards import approval_card
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

    def approval_view(self, approval_id: int) -> ApprovalCard:
        with self.db.session() as session:
            return approval_card(session, approval_id)

    async def approval_requested(self, approval_id: int) -> None:
        with self.db.session() as session:
            card = approval_card(session, approval_id)
        refs = {}
        for surface in self.surfaces:
            try:
                refs[surface.name] = await surface.post_approval(card)
            except Exception:  # noqa: BLE001 - one surface down must not hide the draft from the others
                logger.exception("bot.hub.post_failed", extra={"surface": surface.name, "approval_id": approval_id})
        self._save_refs(ApprovalRow, approval_id, refs)
        if self.reminders is not None:
            self.reminders.schedule(approval_id)

    async def decide(self, approvals: ApprovalService, approval_id: int, verdict: Verdict, *, surface: str,
                     user: str, final_text: str | None = None, reason: str | None = None,
                     at: datetime | None = None, authorized_as: str | None = None) -> Decided:
        """Apply a verdict from any surface, then show it everywhere and page if it was escalated."""
        decided = approvals.decide(approval_id, verdict, surface=surface, user=user, final_text=final_text,
                                   reason=reason, at=at, authorized_as=authorized_as)
        await self.approval_changed(approval_id)
        if decided.escalation_id is not None:
            await self.escalation_opened(decided.escalation_id)
        return decided

    async def approval_changed(self, approval_id: int) -> None:
        with self.db.session() as session:
            card = approval_card(session, approval_id)
            refs = dict(session.get(ApprovalRow, approval_id).surface_refs)
        for surface in self.surfaces:
            if surface.name in refs:
                await surface.update_approval(card, refs[surface.name])

    async def escalation_opened(self, escalation_id: int) -> None:
        await self.escalations.open(escalation_id)

    async def notify(self, channel: str, text: str, *, interaction_id: str | None = None) -> None:
        target = self.channels.get(channel, channel)
        for surface in self.surfaces:
            try:
                await surface.notify(target, text)
            except Exception:  # noqa: BLE001
                logger.exception("bot.hub.notify_failed", extra={"surface": surface.name})

    def _save_refs(self, table: type[ApprovalRow], row_id: int, refs: dict) -> None:
        if not refs:
            return
        with self.db.session() as session:
            row = session.get(table, row_id)
            row.surface_refs = {**row.surface_refs, **refs}
            session.add(row)
