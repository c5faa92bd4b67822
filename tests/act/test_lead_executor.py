"""create_lead: one lead per author, filled in as the conversation goes on; the CRM hears of a new lead once and
of each new detail once."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from moderation.act.executors.registry import ExecutionContext, HumanWork, executor_for
from moderation.domain import Action, ActionType
from moderation.storage.tables import CrmDeliveryRow, EventRow, InteractionRow, LeadRow

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)


def _lead(db, n: int, text: str, params: dict | None = None) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        row = InteractionRow(id=f"facebook:m{n}", platform="facebook", kind="dm", external_id=f"m{n}",
                             author_id="u7", author_name="Nadia", text=text, created_at=NOW)
        session.add(row)
        session.flush()
        action = Action(type=ActionType.create_lead, params=params or {"source": "signals"}, rule="cross/x")
        executor_for(ActionType.create_lead)(ExecutionContext(
            session=session, interaction=row, action=action, key=f"k{n}", decision_id=None, approval_minutes=60,
            now=NOW, work=HumanWork()))


def test_one_lead_per_author_filled_in_and_sent_once_per_change(db):
    _lead(db, 1, "Bonjour, on est 30 au CSE, budget 2 000 €")
    _lead(db, 2, "mon mail : nadia@cse-exemple.fr", {"source": "messenger", "stage": "qualified"})
    _lead(db, 3, "mon mail : nadia@cse-exemple.fr")  # nothing new
    with db.session() as session:
        lead = session.scalars(sa.select(LeadRow)).one()
        deliveries = [(d.kind, d.payload["lead"]["email"]) for d in session.scalars(
            sa.select(CrmDeliveryRow).order_by(CrmDeliveryRow.id))]
        events = session.scalars(sa.select(EventRow).where(EventRow.name == "facebook.dm_lead_created")).all()
    assert (lead.key, lead.headcount, lead.budget, lead.company, lead.email, lead.stage) == (
        "facebook:u7", "30", "2000 EUR", "CSE", "nadia@cse-exemple.fr", "qualified")
    assert (lead.interaction_id, lead.last_interaction_id) == ("facebook:m1", "facebook:m3")
    assert deliveries == [("lead.created", None), ("lead.updated", "nadia@cse-exemple.fr")]
    assert [e.data["new_lead"] for e in events] == [True, False, False]
