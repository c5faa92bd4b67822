"""The event log: names (`<platform>.<object>_<action>`) and the one function that appends an event."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import Interaction, Kind, Platform, as_utc, utcnow
from moderation.storage.tables import EventRow, InteractionRow

AUTOMATION = "automation"


class EventAction(str, enum.Enum):
    received = "received"
    classified = "classified"
    reply_drafted = "reply_drafted"
    reply_approved = "reply_approved"
    reply_edited = "reply_edited"
    reply_rejected = "reply_rejected"
    response_sent = "response_sent"  # any reply or DM that reached the author, by automation or a person
    dm_sent = "dm_sent"
    hidden = "hidden"
    unhidden = "unhidden"
    deleted = "deleted"
    held = "held"
    released = "released"
    tagged = "tagged"
    lead_created = "lead_created"
    converted = "converted"
    escalated = "escalated"
    escalation_acknowledged = "escalation_acknowledged"
    resolved = "resolved"
    notified = "notified"
    follow_up_scheduled = "follow_up_scheduled"
    follow_up_cancelled = "follow_up_cancelled"
    action_failed = "action_failed"
    action_dead_lettered = "action_dead_lettered"
    automation_paused = "automation_paused"
    automation_resumed = "automation_resumed"


def event_name(platform: Platform | str, kind: Kind | str, action: EventAction | str) -> str:
    """`instagram.comment_hidden`, `facebook.dm_response_sent`, ..."""
    return f"{Platform(platform).value}.{Kind(kind).value}_{EventAction(action).value}"


def record_event(
    session: Session,
    interaction: InteractionRow,
    action: EventAction,
    *,
    actor: str = AUTOMATION,
    occurred_at: datetime | None = None,
    playbook: str = "",
    rule_version: str = "",
    data: dict[str, Any] | None = None,
) -> EventRow:
    """Append one event about an interaction, in the caller's transaction."""
    row = EventRow(**event_values(interaction, action, actor=actor, occurred_at=occurred_at, playbook=playbook,
                                  rule_version=rule_version, data=data))
    session.add(row)
    return row


def event_values(
    interaction: InteractionRow | Interaction,
    action: EventAction,
    *,
    actor: str = AUTOMATION,
    occurred_at: datetime | None = None,
    playbook: str = "",
    rule_version: str = "",
    data: dict[str, Any] | None = None,
    recorded_at: datetime | None = None,
) -> dict[str, Any]:
    """An event row's column values, for `record_event` and for bulk inserts (`ingest.store`)."""
    now = utcnow()
    return {
        "name": event_name(interaction.platform, interaction.kind, action),
        "interaction_id": interaction.id,
        "platform": Platform(interaction.platform).value,
        "occurred_at": as_utc(occurred_at) if occurred_at else now,
        "recorded_at": recorded_at or now,
        "actor": actor,
        "playbook": playbook,
        "rule_version": rule_version,
        "campaign": interaction.campaign,
        "data": data or {},
    }


@sa.event.listens_for(EventRow, "after_insert")
def _merge_into_kpi_facts(_mapper: object, connection: sa.Connection, event: EventRow) -> None:
    """Every stored event updates its interaction's `kpi_facts` row in the same transaction, so the KPI fast path
    never lags the log (moderation/kpis/stored_facts.py)."""
    if event.interaction_id is None:
        return
    from moderation.kpis.stored_facts import merge_event  # here, not on top: moderation.kpis imports this module

    merge_event(connection, event.id)
