"""Follow-ups: a planned action that runs after a delay unless the author answered in the meantime."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from moderation.act.executor import HumanWork, execute_plan
from moderation.domain import Action, ActionType, Plan, as_utc
from moderation.measure.events import EventAction, record_event
from moderation.storage import Database
from moderation.storage.tables import ActionRow, InteractionRow
from playbooks.followups import follow_up_actions

logger = logging.getLogger(__name__)


def due_follow_ups(db: Database, now: datetime) -> list[int]:
    with db.session() as session:
        return list(session.exec(
            select(ActionRow.id).where(ActionRow.state == "scheduled", ActionRow.next_attempt_at <= now)
            .order_by(ActionRow.next_attempt_at)
        ).all())


def author_activity(session: Session, interaction: InteractionRow, since: datetime) -> tuple[bool, bool]:
    """(replied publicly, sent a DM): what the author wrote on this platform after `since`."""
    kinds = set(session.exec(
        select(InteractionRow.kind).where(
            InteractionRow.platform == interaction.platform,
            InteractionRow.author_id == interaction.author_id,
            InteractionRow.created_at > since,
        ).distinct()
    ).all())
    return bool(kinds - {"dm"}), "dm" in kinds


def fire_follow_up(db: Database, action_id: int, *, now: datetime, approval_minutes: int = 30) -> HumanWork:
    """Run one follow-up exactly once, in ONE transaction: the state change is a compare-and-set, so a timer
    that fires twice (two schedulers, a retry after a crash) does nothing the second time, and a process that
    dies half-way leaves the row `scheduled` for the next scheduler to fire (never stuck in flight)."""
    with db.session() as session:
        # The UPDATE takes the row lock: a concurrent second firing waits, then matches no row.
        won = session.execute(
            sa.update(ActionRow).where(ActionRow.id == action_id, ActionRow.state == "scheduled")
            .values(state="in_flight", updated_at=now)
        ).rowcount
        if won != 1:
            return HumanWork()
        row = session.get(ActionRow, action_id)
        interaction = session.get(InteractionRow, row.interaction_id)
        replied, sent_dm = author_activity(session, interaction, as_utc(interaction.created_at))
        # The playbook's `unless` list decides which answers cancel it (e.g. only a DM, not a public reply).
        planned = Action(type=ActionType.follow_up, params=row.params, rule=row.rule, rule_version=row.rule_version)
        nested = follow_up_actions(planned, author_replied=replied, author_sent_dm=sent_dm)
        if not nested:
            row.state = "cancelled"
            row.done_at = now
            session.add(row)
            record_event(session, interaction, EventAction.follow_up_cancelled, occurred_at=now,
                         playbook=row.rule, rule_version=row.rule_version,
                         data={"action_id": action_id, "author_replied": replied, "author_sent_dm": sent_dm})
            return HumanWork()
        actions = tuple(action.model_copy(update={"rule": action.rule or row.rule, "rule_version": row.rule_version})
                        for action in nested)
        plan = Plan(interaction_id=interaction.id, actions=actions, matched_rules=(row.rule,))
        # The follow-up's own keys are namespaced by its action id, so they never collide with the first plan.
        work = execute_plan(session, interaction, plan, library_version=row.rule_version,
                            approval_minutes=approval_minutes, key_prefix=f"followup{action_id}", now=now)
        row.state = "done"
        row.done_at = now
        session.add(row)
    logger.info("moderation.act.follow_ups.fired", extra={"action_id": action_id, "actions": len(actions)})
    return work
