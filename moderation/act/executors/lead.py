"""create_lead: one lead per author and platform, its fields extracted from the text, handed to the CRM queue.

The CRM hand-off is automatic on lead creation, not an action a playbook must remember to plan: every lead a
rule creates is one the sales team wants, and the CRM webhook is configured once for the team (`crm:`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel import select

from moderation.act.executors.registry import ExecutionContext, executes
from moderation.domain import ActionType, EventAction
from moderation.domain.lead_signals import detect_lead_signals
from moderation.measure.crm_queue import enqueue_delivery, lead_payload
from moderation.measure.events import record_event
from moderation.storage.tables import LeadRow

# Lead columns and their widths (tables.LeadRow); every other signal stays in `fields`.
LEAD_COLUMNS = {"email": 320, "phone": 64, "headcount": 32, "budget": 64, "event_date": 64, "company": 256}


def lead_key(platform: str, author_id: str) -> str:
    return f"{platform}:{author_id}"


@executes(ActionType.create_lead)
def create_lead(ctx: ExecutionContext) -> None:
    ctx.record_done()
    interaction, params = ctx.interaction, dict(ctx.action.params)
    signals = detect_lead_signals(interaction.text)
    key = lead_key(interaction.platform, interaction.author_id)
    # Flushed so a second create_lead in the same batch (two rules, or the same author twice) finds this row.
    lead = ctx.session.exec(select(LeadRow).where(LeadRow.key == key)).first()
    created = lead is None
    if lead is None:
        lead = LeadRow(key=key, platform=interaction.platform, author_id=interaction.author_id,
                       handle=interaction.author_name or "", interaction_id=interaction.id,
                       last_interaction_id=interaction.id, source=str(params.get("source") or ""),
                       stage=str(params.get("stage") or "new"), campaign=interaction.campaign,
                       created_at=ctx.now, updated_at=ctx.now, fields={})
    changed = _merge(lead, signals, params)
    lead.last_interaction_id = interaction.id
    lead.updated_at = ctx.now
    ctx.session.add(lead)
    ctx.session.flush()
    record_event(ctx.session, interaction, EventAction.lead_created, **ctx.event_fields,
                 data={**params, "lead_id": lead.id, "new_lead": created, "signals": signals})
    if created:
        enqueue_delivery(ctx.session, "lead.created", f"lead:{lead.id}", lead_payload(lead, interaction), now=ctx.now)
    elif changed:
        # A version per set of fields: the same update is never sent twice, a new detail always is.
        version = "-".join(f"{k}={lead.fields.get(k)}" for k in sorted(lead.fields))
        enqueue_delivery(ctx.session, "lead.updated", f"lead:{lead.id}:{_short(version)}",
                         lead_payload(lead, interaction), now=ctx.now)


def _merge(lead: LeadRow, signals: dict[str, str], params: dict[str, Any]) -> bool:
    """Fill what is still unknown; a later message never erases an email given earlier. True when anything new."""
    fields = dict(lead.fields or {})
    before = dict(fields)
    for name, value in signals.items():
        fields.setdefault(name, value)
    for name in ("stage", "source"):
        if params.get(name):
            fields.setdefault(name, str(params[name]))
    if params.get("stage") and lead.stage in ("new", "subscriber") and params["stage"] != lead.stage:
        lead.stage = str(params["stage"])  # a subscriber who qualifies moves on; never back
    lead.fields = fields
    for column, width in LEAD_COLUMNS.items():
        if getattr(lead, column) is None and fields.get(column):
            setattr(lead, column, fields[column][:width])
    return fields != before


def _short(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
