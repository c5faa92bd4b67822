"""The review queue's record: open a card for an item automation hid, held or routed to a person, and apply a
person's verdict on it (keep hidden, restore, delete, ban the author) in one transaction, exactly once.

Restoring reverses the hide or hold through the outbox (`..._unhidden` / `..._released` events), which is what
the reversal-rate KPI counts; a delete or a ban is queued as a platform action of its own."""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from moderation.act.outbox import enqueue
from moderation.act.undo import undo_in_session
from moderation.domain import Action, as_utc, utcnow
from moderation.measure.events import EventAction, record_event
from moderation.platforms.base import Operation
from moderation.storage import Database
from moderation.storage.tables import ActionRow, InteractionRow, ReviewRow

logger = logging.getLogger(__name__)


class ReviewVerdict(str, enum.Enum):
    keep = "keep"
    restore = "restore"
    delete = "delete"
    ban_author = "ban_author"


STATE = {ReviewVerdict.keep: "kept", ReviewVerdict.restore: "restored", ReviewVerdict.delete: "deleted",
         ReviewVerdict.ban_author: "banned"}


class ReviewError(Exception):
    """The verdict cannot be applied; the message is fit to show the person who clicked."""


class AlreadyReviewed(ReviewError):
    pass


def open_review(session: Session, interaction: InteractionRow, action_row: ActionRow, action: Action, *,
                operation: str, now: datetime) -> int | None:
    """Add the item's review card (once per interaction); returns its id when it is new."""
    existing = session.exec(select(ReviewRow).where(ReviewRow.interaction_id == interaction.id)).first()
    if existing is not None:
        return None
    review = ReviewRow(interaction_id=interaction.id, action_id=action_row.id, operation=operation,
                       platform=interaction.platform, rule=action.rule, reason=action.reason,
                       options=list(action.params.get("review_options") or ["keep"]), created_at=now)
    session.add(review)
    session.flush()
    record_event(session, interaction, EventAction.review_opened, playbook=action.rule,
                 rule_version=action.rule_version, occurred_at=now,
                 data={"review_id": review.id, "operation": operation, "reason": action.reason})
    return review.id


def decide_review(db: Database, review_id: int, verdict: ReviewVerdict, *, actor: str,
                  at: datetime | None = None) -> ReviewRow:
    """Apply one verdict; a second click (or a second person) gets AlreadyReviewed and changes nothing."""
    now = at or utcnow()
    with db.session() as session:
        review = session.get(ReviewRow, review_id)
        if review is None:
            raise ReviewError(f"no review item #{review_id}")
        if verdict.value not in review.options:
            raise ReviewError(f"{verdict.value.replace('_', ' ')} is not possible for this item on "
                              f"{review.platform}")
        won = session.execute(
            sa.update(ReviewRow).where(ReviewRow.id == review_id, ReviewRow.state == "pending")
            .values(state=STATE[verdict], decided_by=actor, decided_at=now)
        ).rowcount
        if won != 1:
            session.refresh(review)
            raise AlreadyReviewed(f"item #{review_id} was already {review.state} by {review.decided_by}")
        interaction = session.get(InteractionRow, review.interaction_id)
        original = session.get(ActionRow, review.action_id) if review.action_id else None
        queued = _carry_out(session, review, verdict, interaction, original, actor, now)
        record_event(session, interaction, EventAction.reviewed, actor=actor, occurred_at=now,
                     playbook=review.rule, data={"review_id": review_id, "verdict": verdict.value,
                                                 "queued_action": queued})
    logger.info("moderation.act.reviews.decided", extra={"review_id": review_id, "verdict": verdict.value})
    with db.session() as session:
        return session.get(ReviewRow, review_id)


def _carry_out(session: Session, review: ReviewRow, verdict: ReviewVerdict, interaction: InteractionRow,
               original: ActionRow | None, actor: str, now: datetime) -> int | None:
    if verdict is ReviewVerdict.keep:
        return None
    if verdict is ReviewVerdict.restore:
        if original is None or original.operation not in (Operation.hide.value, Operation.hold.value):
            return None  # nothing was removed from view
        return undo_in_session(session, original.id, actor, now=now).reversal_id
    operation = Operation.delete if verdict is ReviewVerdict.delete else Operation.ban_author
    if original is not None and original.state in ("pending", "awaiting_approval", "scheduled"):
        original.state = "cancelled"  # the delete supersedes a hide that has not run yet
        original.updated_at = now
        session.add(original)
    row = enqueue(session, interaction, operation, key=f"{interaction.id}/review/{review.id}/{operation.value}",
                  action_type="review", params={"review_id": review.id}, rule=review.rule, actor=actor, now=now)
    session.flush()
    return row.id


def list_reviews(db: Database, *, state: str | None = "pending", limit: int = 50) -> list[ReviewRow]:
    with db.session() as session:
        query = select(ReviewRow)
        if state:
            query = query.where(ReviewRow.state == state)
        return list(session.exec(query.order_by(ReviewRow.id).limit(limit)).all())


def due_reminders(db: Database, *, now: datetime, after: timedelta, max_reminders: int) -> list[int]:
    """Items waiting longer than `after` (and `after` again since each reminder), each claimed once: the
    reminder count is a compare-and-set, so two processes never remind twice."""
    due: list[int] = []
    with db.session() as session:
        rows = session.exec(select(ReviewRow.id, ReviewRow.created_at, ReviewRow.reminders_sent)
                            .where(ReviewRow.state == "pending", ReviewRow.reminders_sent < max_reminders)).all()
        for review_id, created_at, sent in rows:
            if now - as_utc(created_at) < after * (sent + 1):
                continue
            won = session.execute(sa.update(ReviewRow).where(ReviewRow.id == review_id,
                                                             ReviewRow.reminders_sent == sent)
                                  .values(reminders_sent=sent + 1)).rowcount
            if won == 1:
                due.append(review_id)
    return due
