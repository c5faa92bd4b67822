"""The event log: the one function that appends an event (names live in `moderation.domain.events`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import Interaction, Platform, as_utc, utcnow
from moderation.domain.events import AUTOMATION, EventAction, event_name
from moderation.storage.tables import EventRow, InteractionRow


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
    never lags the log (moderation/measure/kpis/stored_facts.py)."""
    if event.interaction_id is None:
        return
    from moderation.measure.kpis.stored_facts import (
        merge_event,  # here, not on top: moderation.measure.kpis imports this module
    )

    merge_event(connection, event.id)
