"""The CRM queue's rows and the records they carry (a lead, a conversion): written in the transaction that creates
the lead or attributes the order; `moderation.act.crm.CrmOutbox` delivers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from moderation.domain import as_utc, utcnow
from moderation.storage.tables import ConversionRow, CrmDeliveryRow, InteractionRow, LeadRow


def enqueue_delivery(session: Session, kind: str, key: str, payload: dict[str, Any], *,
                     now: datetime | None = None) -> CrmDeliveryRow | None:
    """Queue one delivery in the caller's transaction; a key already queued is left alone (idempotent)."""
    if session.exec(select(CrmDeliveryRow.id).where(CrmDeliveryRow.idempotency_key == key)).first() is not None:
        return None
    now = now or utcnow()
    row = CrmDeliveryRow(idempotency_key=key, kind=kind, payload={"event": kind, "id": key, **payload},
                         next_attempt_at=now, created_at=now, updated_at=now)
    session.add(row)
    return row


def lead_payload(lead: LeadRow, interaction: InteractionRow) -> dict[str, Any]:
    return {"lead": lead_record(lead), "interaction": {
        "id": interaction.external_id, "platform": interaction.platform, "kind": interaction.kind,
        "text": interaction.text, "author": interaction.author_name, "campaign": interaction.campaign}}


def lead_record(lead: LeadRow) -> dict[str, Any]:
    """A lead as `socialops leads export` and the CRM see it."""
    return {
        "id": lead.id, "key": lead.key, "platform": lead.platform, "author_id": lead.author_id,
        "handle": lead.handle, "email": lead.email, "phone": lead.phone, "headcount": lead.headcount,
        "budget": lead.budget, "event_date": lead.event_date, "company": lead.company, "stage": lead.stage,
        "source": lead.source, "campaign": lead.campaign, "interaction_id": lead.interaction_id,
        "last_interaction_id": lead.last_interaction_id, "fields": dict(lead.fields or {}),
        "created_at": as_utc(lead.created_at).isoformat(), "updated_at": as_utc(lead.updated_at).isoformat(),
    }


def conversion_payload(order: ConversionRow, lead: LeadRow | None) -> dict[str, Any]:
    return {"conversion": {
        "order_id": order.order_id, "time": as_utc(order.occurred_at).isoformat(), "amount": order.amount,
        "currency": order.currency, "interaction_id": order.interaction_id, "matched_by": order.matched_by,
        "platform": order.platform, "campaign": order.campaign, "discount_code": order.discount_code,
        "customer_email": order.customer_email}, "lead": lead_record(lead) if lead is not None else None}
