"""Reversing and re-trying outbox actions from the record: undo a hide or hold, re-queue a dead letter."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from moderation.act.outbox import enqueue
from moderation.domain import utcnow
from moderation.platforms.base import REVERSAL, Operation
from moderation.storage import Database
from moderation.storage.tables import ActionRow, InteractionRow

logger = logging.getLogger(__name__)

UNDOABLE_STATES = ("done", "dead")  # a dead hide may still have reached the platform; unhiding is harmless
CANCELLABLE_STATES = ("pending", "scheduled", "awaiting_approval")


class ActionNotFound(LookupError):
    pass


class CannotUndo(ValueError):
    """The action is not a hide or hold, is already reversed, or is in flight right now."""


@dataclass(frozen=True)
class UndoResult:
    original_id: int
    reversal_id: int | None  # None when the original had not run yet and was simply cancelled
    operation: str | None


def undo_action(db: Database, action_id: int, actor: str) -> UndoResult:
    """Queue the reversal of a hide or hold (unhide / release) and mark the original `reversed`.

    The reversal has its own idempotency key (`<original key>/undo`), so asking twice queues it once; its
    `..._unhidden` / `..._released` event is recorded by the outbox when the platform confirms. An action
    that has not run yet is cancelled instead: nothing reached the platform, nothing to reverse.
    """
    with db.session() as session:
        return undo_in_session(session, action_id, actor)


def undo_in_session(session: Session, action_id: int, actor: str, *, now: datetime | None = None) -> UndoResult:
    """`undo_action` in the caller's transaction (a review verdict and its reversal commit together); `now` is
    when the reversal is due (the caller's clock: replays run on their own)."""
    now = now or utcnow()
    row = session.get(ActionRow, action_id, with_for_update=True)
    if row is None:
        raise ActionNotFound(f"no action {action_id}")
    operation = Operation(row.operation) if row.operation else None
    if operation not in REVERSAL:
        raise CannotUndo(f"action {action_id} is a {row.operation or row.type}: only hide and hold can be undone")
    if row.state == "reversed":
        raise CannotUndo(f"action {action_id} is already reversed")
    if row.state in CANCELLABLE_STATES:
        row.state = "cancelled"
        row.last_error = f"cancelled by {actor} before it ran"
        row.updated_at = now
        session.add(row)
        logger.info("moderation.act.undo.cancelled", extra={"action_id": action_id})
        return UndoResult(action_id, None, None)
    if row.state not in UNDOABLE_STATES:
        raise CannotUndo(f"action {action_id} is {row.state}; try again in a moment")
    interaction = session.get(InteractionRow, row.interaction_id)
    reversal = REVERSAL[operation]
    undo = enqueue(session, interaction, reversal, key=f"{row.idempotency_key}/undo", action_type="undo",
                   params={"target_id": row.params.get("target_id") or interaction.external_id,
                           "reverses": row.id}, rule=row.rule, rule_version=row.rule_version, actor=actor,
                   decision_id=row.decision_id, now=now)
    row.state = "reversed"
    row.updated_at = now
    session.add(row)
    session.flush()
    logger.info("moderation.act.undo.queued", extra={"action_id": action_id, "reversal_id": undo.id})
    return UndoResult(action_id, undo.id, reversal.value)


def retry_action(db: Database, action_id: int, actor: str, *, checked: bool = False) -> ActionRow:
    """Put a dead letter back in the queue with a fresh attempt budget. If an earlier attempt may have been
    applied, the row stays marked uncertain, so the outbox checks the platform before posting again;
    `checked=True` says a person looked and it is not there (for platforms the outbox cannot check)."""
    with db.session() as session:
        row = session.get(ActionRow, action_id, with_for_update=True)
        if row is None:
            raise ActionNotFound(f"no action {action_id}")
        if row.state != "dead":
            raise CannotUndo(f"action {action_id} is {row.state}, not dead")
        row.state = "pending"
        row.attempts = 0
        row.result = {**row.result, "rate_limited": 0, "retried_by": actor,
                      **({"uncertain": False} if checked else {})}
        row.next_attempt_at = utcnow()
        row.updated_at = utcnow()
        session.add(row)
        logger.info("moderation.act.undo.retry_queued", extra={"action_id": action_id})
        return row


def list_actions(db: Database, *, state: str | None = None, limit: int = 50) -> list[ActionRow]:
    with db.session() as session:
        query = select(ActionRow).where(ActionRow.operation.is_not(None))
        if state:
            query = query.where(ActionRow.state == state)
        return list(session.exec(query.order_by(ActionRow.id.desc()).limit(limit)).all())
