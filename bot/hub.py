"""ChatHub: the worker's HumanLoop, fanned out to every enabled chat surface, with refs kept for updates."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.approvals import ApprovalService, Decided, Verdict
from bot.cards import approval_card, describe_comment, pause_card, review_card
from bot.delivery import OrderedDelivery
from bot.escalations import EscalationService
from bot.oncall import OnCall
from bot.reminders import ApprovalReminders
from bot.reviews import ReviewService
from bot.surface import ChatSurface
from bot.views import ApprovalCard, PauseCard, ReviewCard
from moderation.act.pauses import PauseState, pause_states
from moderation.act.reviews import ReviewVerdict, due_reminders
from moderation.storage import Database
from moderation.storage.tables import ApprovalRow, InteractionRow, ReviewRow

logger = logging.getLogger(__name__)


class ChatHub:
    def __init__(self, db: Database, surfaces: Sequence[ChatSurface], channels: dict[str, str] | None = None, *,
                 escalations: EscalationService | None = None, reminders: ApprovalReminders | None = None) -> None:
        self.db = db
        self.surfaces = list(surfaces)
        # Playbooks name logical channels (partnerships, alerts); the team config maps them to real ones.
        self.channels = channels or {}
        # Without an on-call configuration an escalation is still shown on every surface, nobody is paged.
        self.escalations = escalations or EscalationService(db, OnCall(), self.surfaces,
                                                            alerts_channel=self.channels.get("alerts", "alerts"))
        self.reminders = reminders
        self.delivery = OrderedDelivery(db)

    def approval_view(self, approval_id: int) -> ApprovalCard:
        with self.db.session() as session:
            return approval_card(session, approval_id)

    async def approval_requested(self, approval_id: int) -> None:
        # Through each surface's ordered backlog: a surface that is rate-limiting gets this card later, after
        # the ones it missed, and one surface down never hides the draft from the others.
        await self.redeliver()
        if self.reminders is not None:
            await self.db.run(self.reminders.schedule, approval_id)  # a row in the timers' job store

    async def redeliver(self, *, holding: int | None = None) -> int:
        """Post every approval and escalation a surface has not shown yet, oldest first (each worker round).
        `holding` is an escalation the EscalationService is about to show itself (with its paging)."""
        delivered = 0
        for surface in self.surfaces:
            delivered += await self.delivery.drain(surface, skip_escalation=holding)
        return delivered

    async def decide(self, approvals: ApprovalService, approval_id: int, verdict: Verdict, *, surface: str,
                     user: str, final_text: str | None = None, reason: str | None = None,
                     at: datetime | None = None, authorized_as: str | None = None,
                     alternative: int | None = None) -> Decided:
        """Apply a verdict from any surface, then show it everywhere and page if it was escalated."""
        decided = await self.db.run(approvals.decide, approval_id, verdict, surface=surface, user=user,
                                    final_text=final_text, reason=reason, at=at, authorized_as=authorized_as,
                                    alternative=alternative)
        await self.approval_changed(approval_id)
        if decided.escalation_id is not None:
            await self.escalation_opened(decided.escalation_id)
        return decided

    def _card_and_refs(self, approval_id: int) -> tuple[ApprovalCard, dict]:
        with self.db.session() as session:
            card = approval_card(session, approval_id)
            return card, dict(session.get(ApprovalRow, approval_id).surface_refs)

    async def approval_changed(self, approval_id: int) -> None:
        card, refs = await self.db.run(self._card_and_refs, approval_id)
        for surface in self.surfaces:
            if surface.name in refs:
                await surface.update_approval(card, refs[surface.name])

    async def escalation_opened(self, escalation_id: int) -> None:
        # What a surface missed earlier goes first, so the new page never overtakes it; if the surface still
        # refuses, this escalation joins its backlog and follows in order.
        await self.redeliver(holding=escalation_id)
        await self.escalations.open(escalation_id)

    async def notify(self, channel: str, text: str, *, interaction_id: str | None = None) -> None:
        if interaction_id is not None:
            # An alert names the comment it is about: platform, author, first words, link.
            text = await self.db.run(self._with_comment, text, interaction_id)
        target = self.channels.get(channel, channel)
        for surface in self.surfaces:
            try:
                await surface.notify(target, text)
            except Exception:  # noqa: BLE001
                logger.exception("bot.hub.notify_failed", extra={"surface": surface.name})

    def _with_comment(self, text: str, interaction_id: str) -> str:
        with self.db.session() as session:
            interaction = session.get(InteractionRow, interaction_id)
            if interaction is not None and describe_comment(interaction) not in text:
                return f"{text} — {describe_comment(interaction)}"
        return text

    # -- the review queue --------------------------------------------------------------------------------

    def review_view(self, review_id: int) -> ReviewCard:
        with self.db.session() as session:
            return review_card(session, review_id)

    async def review_requested(self, review_id: int) -> None:
        """Post the item's card on every surface that shows review cards, through each surface's ordered backlog
        (like approvals): a surface that is down gets it later, in order, and refs are kept to update it."""
        await self.redeliver()

    def _review_and_refs(self, review_id: int) -> tuple[ReviewCard, dict]:
        with self.db.session() as session:
            return review_card(session, review_id), dict(session.get(ReviewRow, review_id).surface_refs)

    async def review_changed(self, review_id: int) -> None:
        card, refs = await self.db.run(self._review_and_refs, review_id)
        for surface in self.surfaces:
            update = getattr(surface, "update_review", None)
            if update is not None and surface.name in refs:
                try:
                    await update(card, refs[surface.name])
                except Exception:  # noqa: BLE001
                    logger.exception("bot.hub.review_update_failed", extra={"surface": surface.name})

    async def decide_review(self, reviews: ReviewService, review_id: int, verdict: ReviewVerdict, *, surface: str,
                            user: str, authorized_as: str | None = None, at: datetime | None = None) -> ReviewRow:
        """Apply a review verdict from any surface, then show it on every card."""
        row = await self.db.run(reviews.decide, review_id, verdict, surface=surface, user=user,
                                authorized_as=authorized_as, at=at)
        await self.review_changed(review_id)
        return row

    async def remind_reviews(self, *, now: datetime, after_minutes: int, max_reminders: int = 3) -> int:
        """Nudge the team about items waiting longer than `after_minutes` (each reminder once)."""
        due = await self.db.run(due_reminders, self.db, now=now, after=timedelta(minutes=after_minutes),
                                max_reminders=max_reminders)
        if due:
            items = ", ".join(f"#{review_id}" for review_id in due[:20])
            await self.notify("approvals", f"{len(due)} moderated item(s) waiting for review for more than "
                                           f"{after_minutes} min: {items} (`socialops review list`)")
        return len(due)

    # -- guardrail pauses ------------------------------------------------------------------------------

    def pause_views(self) -> list[PauseCard]:
        return [pause_card(state) for state in pause_states(self.db)]

    async def automation_paused(self, scope: str) -> None:
        """Show a scope's new pause state: paused with its Resume button, or resumed (automatically)."""
        state = next((s for s in await self.db.run(pause_states, self.db) if s.scope == scope), None)
        if state is None:
            return
        await self._show_pause(pause_card(state))

    async def resume(self, reviews: ReviewService, scope: str, *, surface: str, user: str,
                     authorized_as: str | None = None, at: datetime | None = None) -> PauseState:
        state = await self.db.run(reviews.resume, scope, surface=surface, user=user, authorized_as=authorized_as,
                                  at=at)
        await self._show_pause(pause_card(state))
        return state

    async def _show_pause(self, card: PauseCard) -> None:
        for surface in self.surfaces:
            show = getattr(surface, "post_pause", None)
            if show is None:
                continue
            try:
                await show(card)
            except Exception:  # noqa: BLE001
                logger.exception("bot.hub.pause_post_failed", extra={"surface": surface.name})
