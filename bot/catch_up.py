"""Catching a chat surface up: the pending drafts and open escalations it never showed (it was down, or not
connected yet when they were raised) are posted to it. Requests live in the database, so nothing is lost
while a surface is unreachable; any surface may call this when it (re)connects."""

from __future__ import annotations

import logging

from sqlmodel import select

from bot.hub import ChatHub
from bot.surface import ChatSurface
from moderation.storage.tables import ApprovalRow, EscalationRow

logger = logging.getLogger(__name__)


def _missing(hub: ChatHub, surface_name: str) -> tuple[list[int], list[int]]:
    with hub.db.session() as session:
        approvals = session.exec(select(ApprovalRow.id, ApprovalRow.surface_refs)
                                 .where(ApprovalRow.state == "pending").order_by(ApprovalRow.id)).all()
        escalations = session.exec(select(EscalationRow.id, EscalationRow.surface_refs)
                                   .where(EscalationRow.state != "resolved").order_by(EscalationRow.id)).all()
    return ([row_id for row_id, refs in approvals if surface_name not in (refs or {})],
            [row_id for row_id, refs in escalations if surface_name not in (refs or {})])


def _save_ref(hub: ChatHub, table: type[ApprovalRow] | type[EscalationRow], row_id: int, surface_name: str,
              ref: object) -> None:
    with hub.db.session() as session:
        row = session.get(table, row_id)
        row.surface_refs = {**row.surface_refs, surface_name: ref}
        session.add(row)


async def post_missing(hub: ChatHub, surface: ChatSurface) -> int:
    """Post what `surface` is missing, oldest first; returns how many messages were posted. A failure stops
    the run (the surface is still unreachable) and leaves the rest for the next call."""
    approvals, escalations = await hub.db.run(_missing, hub, surface.name)
    for approval_id in approvals:
        card = await hub.db.run(hub.approval_view, approval_id)
        if card.state != "pending":  # decided elsewhere meanwhile
            continue
        ref = await surface.post_approval(card)
        await hub.db.run(_save_ref, hub, ApprovalRow, approval_id, surface.name, ref)
    for escalation_id in escalations:
        page = await hub.db.run(hub.escalations.page_view, escalation_id)
        ref = await surface.post_escalation(page)
        # Escalations keep a list of messages per surface (one per page; EscalationService updates them all).
        await hub.db.run(_save_ref, hub, EscalationRow, escalation_id, surface.name, [ref])
    if approvals or escalations:
        logger.info("bot.catch_up.posted", extra={"surface": surface.name, "approvals": len(approvals),
                                                  "escalations": len(escalations)})
    return len(approvals) + len(escalations)
