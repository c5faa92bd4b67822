"""Reminders for drafts nobody has decided on: the card is refreshed (time left) and the approvers are nudged."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from moderation.domain import as_utc, utcnow
from moderation.runtime.timers import Timers, register_handler
from moderation.storage import Database
from moderation.storage.tables import ApprovalRow, InteractionRow

logger = logging.getLogger(__name__)

REMIND_HANDLER = "approval.remind"


def _job(approval_id: int) -> str:
    return f"approval:{approval_id}:remind"


def sla_left(due_at: datetime | None, now: datetime) -> str:
    """"12 min left", "1.5 h left" or "overdue by 4 min": what the cards and reminders show."""
    if due_at is None:
        return ""
    minutes = (as_utc(due_at) - now).total_seconds() / 60
    amount = abs(minutes)
    figure = f"{amount:.0f} min" if amount < 120 else f"{amount / 60:.1f} h"
    return f"{figure} left" if minutes >= 0 else f"overdue by {figure}"


class ApprovalReminders:
    """Every `every_minutes` a still-pending draft gets a reminder, at most `limit` times."""

    def __init__(self, db: Database, timers: Timers | None, *, refresh: Callable[[int], Awaitable[None]],
                 notify: Callable[[str], Awaitable[None]], every_minutes: int = 15, limit: int = 3,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.timers = timers
        self.refresh = refresh  # re-render the card everywhere (the SLA time left moves)
        self.notify = notify  # a message to the approvals channel
        self.every = timedelta(minutes=every_minutes)
        self.limit = limit
        self.clock = clock

    def register(self) -> None:
        register_handler(REMIND_HANDLER, self.remind)

    def schedule(self, approval_id: int, number: int = 1) -> None:
        if self.timers is None or number > self.limit:
            return
        self.timers.at(_job(approval_id), self.clock() + self.every, REMIND_HANDLER, approval_id, number)

    async def remind(self, approval_id: int, number: int) -> bool:
        """Send reminder `number` once, and only while the draft is still pending."""
        text = await self.db.run(self._claim_reminder, approval_id, number)
        if text is None:
            return False
        await self.refresh(approval_id)
        await self.notify(text)
        logger.info("bot.reminders.sent", extra={"approval_id": approval_id, "number": number})
        await self.db.run(self.schedule, approval_id, number + 1)  # a row in the timers' job store
        return True

    def _claim_reminder(self, approval_id: int, number: int) -> str | None:
        """The reminder's text if this call won reminder `number` (a compare-and-set), else None."""
        with self.db.session() as session:
            won = session.execute(
                sa.update(ApprovalRow)
                .where(ApprovalRow.id == approval_id, ApprovalRow.state == "pending",
                       ApprovalRow.reminders_sent == number - 1)
                .values(reminders_sent=number)
            ).rowcount
            if won != 1:
                return None
            approval = session.get(ApprovalRow, approval_id)
            interaction = session.get(InteractionRow, approval.interaction_id)
            waited = (self.clock() - as_utc(interaction.created_at)).total_seconds() / 60  # the author's wait
            left = sla_left(approval.due_at, self.clock())
            who = interaction.author_name or interaction.author_id
        return (f"Reminder: draft #{approval_id} for {interaction.platform} @{who}: the author has waited "
                f"{waited:.0f} min" + (f" — SLA {left}." if left else "."))
