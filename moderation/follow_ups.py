"""Follow-ups: a planned action that runs after a delay unless the author answered in the meantime."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from moderation.domain import as_utc
from moderation.events import EventAction, record_event
from moderation.plan_executor import HumanWork, execute_plan
from moderation.storage import Database
from moderation.storage.tables import ActionRow, InteractionRow
from playbooks.plan import Action, Plan

logger = logging.getLogger(__name__)


def due_follow_ups(db: Database, now: datetime) -> list[int]:
    with db.session() as session:
        return list(session.exec(
            select(ActionRow.id).where(ActionRow.state == "scheduled", ActionRow.next_attempt_at <= now)
            .order_by(ActionRow.next_attempt_at)
        ).all())


def author_answered(db: Database, interaction: InteractionRow, since: datetime) -> bool:
    """Did the author write again (a reply or a DM) on this platform after `since`?"""
    with db.session() as session:
        return session.exec(
            select(InteractionRow.id).where(
                InteractionRow.platform == interaction.platform,
                InteractionRow.author_id == interaction.author_id,
                InteractionRow.created_at > since,
            ).limit(1)
        ).first() is not None


def fire_follow_up(db: Database, action_id: int, *, now: datetime, approval_minutes: int = 30) -> HumanWork:
    """Run one follow-up exactly once: the state change is a compare-and-set, so a timer that fires twice
    (two schedulers, a retry after a crash) does nothing the second time."""
    with db.session() as session:
        won = session.execute(
            sa.update(ActionRow).where(ActionRow.id == action_id, ActionRow.state == "scheduled")
            .values(state="in_flight", updated_at=now)
        ).rowcount
        if won != 1:
            return HumanWork()
        row = session.get(ActionRow, action_id)
        interaction = session.get(InteractionRow, row.interaction_id)
    if author_answered(db, interaction, as_utc(interaction.created_at)):
        with db.session() as session:
            fresh = session.get(ActionRow, action_id)
            fresh.state = "cancelled"
            fresh.done_at = now
            session.add(fresh)
            record_event(session, interaction, EventAction.follow_up_cancelled, occurred_at=now,
                         playbook=fresh.rule, rule_version=fresh.rule_version, data={"action_id": action_id,
                                                                                     "why": "author answered"})
        return HumanWork()
    actions = tuple(
        Action.model_validate({**spec, "rule": spec.get("rule", row.rule), "rule_version": row.rule_version})
        for spec in row.params.get("actions", [])
    )
    with db.session() as session:
        fresh = session.get(ActionRow, action_id)
        interaction = session.get(InteractionRow, fresh.interaction_id)
        plan = Plan(interaction_id=interaction.id, actions=actions, matched_rules=(fresh.rule,))
        # The follow-up's own keys are namespaced by its action id, so they never collide with the first plan.
        work = execute_plan(session, interaction, plan, library_version=fresh.rule_version,
                            approval_minutes=approval_minutes, key_prefix=f"followup{action_id}", now=now)
        fresh.state = "done"
        fresh.done_at = now
        session.add(fresh)
    logger.info("moderation.follow_ups.fired", extra={"action_id": action_id, "actions": len(actions)})
    return work
