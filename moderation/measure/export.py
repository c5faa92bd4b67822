"""Data out: interactions, events, leads and conversions as plain records, streamed in chunks.

The field names are a public contract for warehouse loaders (docs/export.md): add fields, never rename one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import Kind, as_utc
from moderation.domain.attribution import interaction_ref
from moderation.measure.crm_queue import lead_record
from moderation.storage import Database
from moderation.storage.tables import (
    ActionRow,
    ApprovalRow,
    ClassificationRow,
    ConversionRow,
    ConversionTouchRow,
    EventRow,
    InteractionRow,
    LeadRow,
)

DATASETS = ("interactions", "events", "leads", "conversions")
INTERACTION_FIELDS = ("id", "platform", "kind", "text", "intent", "toxicity", "toxic_kind", "sentiment", "lang",
                      "status", "hidden", "escalated", "lead", "converted", "tags", "actions", "author",
                      "created_at", "campaign", "post_id", "account_id", "ref")
CHUNK = 1000
# Events that take an interaction out of public view, and those that bring it back.
_OUT_OF_VIEW = {"hidden": True, "held": True, "deleted": True, "unhidden": False, "released": False}


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


_KINDS = sorted((kind.value for kind in Kind), key=len, reverse=True)  # story_reply before reply-like prefixes


def _action_of(name: str) -> str:
    """`facebook.story_reply_hidden` -> `hidden`."""
    rest = name.split(".", 1)[-1]
    for kind in _KINDS:
        if rest.startswith(kind + "_"):
            return rest[len(kind) + 1:]
    return rest


def interactions(db: Database, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One record per interaction (received at or after `since`), oldest first."""
    last: tuple[datetime, str] | None = None
    while True:
        with db.session() as session:
            query = sa.select(InteractionRow).order_by(InteractionRow.created_at, InteractionRow.id).limit(CHUNK)
            if since is not None:
                query = query.where(InteractionRow.created_at >= since)
            if last is not None:
                query = query.where(sa.tuple_(InteractionRow.created_at, InteractionRow.id) > sa.tuple_(*last))
            rows = list(session.scalars(query))
            if not rows:
                return
            details = _details(session, [row.id for row in rows])
        for row in rows:
            yield _interaction_record(row, details, interaction_ref(row.id))
        last = (rows[-1].created_at, rows[-1].id)


def _details(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"events": [], "actions": [], "classification": None})
    for c in session.scalars(sa.select(ClassificationRow).where(ClassificationRow.interaction_id.in_(ids))
                             .order_by(ClassificationRow.id)):
        out[c.interaction_id]["classification"] = c  # the newest wins
    for e in session.execute(sa.select(EventRow.interaction_id, EventRow.name, EventRow.data)
                             .where(EventRow.interaction_id.in_(ids)).order_by(EventRow.occurred_at, EventRow.id)):
        out[e.interaction_id]["events"].append((_action_of(e.name), e.data or {}))
    approvals = {a.action_id: a for a in session.scalars(sa.select(ApprovalRow)
                                                         .where(ApprovalRow.interaction_id.in_(ids)))}
    for a in session.scalars(sa.select(ActionRow).where(ActionRow.interaction_id.in_(ids)).order_by(ActionRow.id)):
        out[a.interaction_id]["actions"].append((a, approvals.get(a.id)))
    return out


def _interaction_record(row: InteractionRow, details: dict[str, dict[str, Any]], ref: str) -> dict[str, Any]:
    info = details.get(row.id) or {"events": [], "actions": [], "classification": None}
    c = info["classification"]
    hidden = escalated = lead = converted = False
    tags: list[str] = []
    for action, data in info["events"]:
        if action in _OUT_OF_VIEW:
            hidden = _OUT_OF_VIEW[action]
        elif action == "escalated":
            escalated = True
        elif action == "lead_created":
            lead = True
        elif action == "converted":
            converted = True
        elif action == "tagged":
            tags += [t for t in data.get("tags", []) if t not in tags]
    record: dict[str, Any] = {
        "id": row.external_id, "platform": row.platform, "kind": row.kind, "text": row.text,
        "intent": c.intent if c else None, "toxicity": c.toxicity if c else None,
    }
    toxic_kind = _toxic_kind(c)
    if toxic_kind is not None:
        record["toxic_kind"] = toxic_kind
    record.update({
        "sentiment": c.sentiment if c else None, "lang": c.lang if c else None, "status": row.status,
        "hidden": hidden, "escalated": escalated, "lead": lead, "converted": converted, "tags": tags,
        "actions": [_action_record(a, approval) for a, approval in info["actions"]],
        "author": row.author_name or row.author_id, "created_at": _iso(row.created_at), "campaign": row.campaign,
        "post_id": row.post_id, "account_id": row.account_id, "ref": ref,
    })
    return record


def _toxic_kind(c: ClassificationRow | None) -> str | None:
    if c is None:
        return None
    value = getattr(c, "toxic_kind", None) or (c.explanation or {}).get("toxic_kind")
    return str(value) if value else None


def _action_record(action: ActionRow, approval: ApprovalRow | None) -> dict[str, Any]:
    text = action.params.get("text")
    if approval is not None:
        text = approval.final_text or approval.draft_text
    return {"type": action.type, "state": action.state, "automated": action.actor == "automation",
            "text": text if isinstance(text, str) else None}


def events(db: Database, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    last_id = 0
    while True:
        with db.session() as session:
            query = sa.select(EventRow).where(EventRow.id > last_id).order_by(EventRow.id).limit(CHUNK * 5)
            if since is not None:
                query = query.where(EventRow.occurred_at >= since)
            rows = list(session.scalars(query))
        if not rows:
            return
        for e in rows:
            yield {"id": e.id, "name": e.name, "interaction_id": e.interaction_id, "platform": e.platform,
                   "occurred_at": _iso(e.occurred_at), "actor": e.actor, "playbook": e.playbook,
                   "rule_version": e.rule_version, "campaign": e.campaign, "data": e.data or {}}
        last_id = rows[-1].id or last_id


def leads(db: Database, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    with db.session() as session:
        query = sa.select(LeadRow).order_by(LeadRow.created_at, LeadRow.id)
        if since is not None:
            query = query.where(LeadRow.created_at >= since)
        rows = list(session.scalars(query))
    for lead in rows:
        yield lead_record(lead)


def conversions(db: Database, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    with db.session() as session:
        query = sa.select(ConversionRow).order_by(ConversionRow.occurred_at, ConversionRow.order_id)
        if since is not None:
            query = query.where(ConversionRow.occurred_at >= since)
        rows = list(session.scalars(query))
        assisted: dict[str, list[str]] = defaultdict(list)
        for touch in session.scalars(sa.select(ConversionTouchRow).where(ConversionTouchRow.role == "assisted")):
            assisted[touch.order_id].append(touch.interaction_id)
    for o in rows:
        yield {"order_id": o.order_id, "time": _iso(o.occurred_at), "amount": o.amount, "currency": o.currency,
               "utm_source": o.utm_source, "utm_medium": o.utm_medium, "utm_campaign": o.utm_campaign,
               "utm_content": o.utm_content, "discount_code": o.discount_code, "customer_handle": o.customer_handle,
               "customer_email": o.customer_email, "source": o.source, "interaction_id": o.interaction_id,
               "platform": o.platform, "campaign": o.campaign, "matched_by": o.matched_by,
               "assisted": sorted(assisted.get(o.order_id, [])), "attributed": o.interaction_id is not None}


def records(dataset: str, db: Database, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    readers = {"interactions": interactions, "events": events, "leads": leads, "conversions": conversions}
    if dataset not in readers:
        raise ValueError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
    return readers[dataset](db, since)
