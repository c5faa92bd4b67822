"""Escalations: page the on-call people, re-page the next level when nobody acknowledges, acknowledge, resolve.

Surface-independent: Slack and Discord both call `acknowledge`/`resolve`, and every page goes to every
surface. Re-page timers are persistent APScheduler jobs (`moderation.runtime.timers`); each handler does a
compare-and-set on the escalation row, so a timer that fires twice, or fires after an acknowledgement,
changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.cards import escalation_page
from bot.oncall import ROTATION_PREFIX, OnCall
from bot.surface import ChatSurface
from bot.views import EscalationPage
from moderation.domain import utcnow
from moderation.measure.events import EventAction, record_event
from moderation.runtime.timers import Timers, register_handler
from moderation.storage import Database
from moderation.storage.tables import EscalationRow, InteractionRow

logger = logging.getLogger(__name__)

TIMEOUT_HANDLER = "escalation.timeout"
PAGE_HANDLER = "escalation.page"


class EscalationError(Exception):
    """The action cannot be applied; the message is fit to show the person who clicked."""


class NotAResponder(EscalationError):
    """The person who clicked was not paged, is not in the team's rotation and is not an approver."""


@dataclass(frozen=True)
class Responder:
    """Who clicked, as the surface verified it: the on-call person names they are, and whether an approver."""

    people: frozenset[str] = frozenset()
    approver: bool = False


def _timeout_job(escalation_id: int) -> str:
    return f"escalation:{escalation_id}:timeout"


def _page_job(escalation_id: int) -> str:
    return f"escalation:{escalation_id}:page"


class EscalationService:
    def __init__(self, db: Database, oncall: OnCall, surfaces: Sequence[ChatSurface], *,
                 timers: Timers | None = None, clock: Callable[[], datetime] = utcnow,
                 alerts_channel: str = "alerts") -> None:
        self.db = db
        self.oncall = oncall
        self.surfaces = surfaces
        self.timers = timers
        self.clock = clock
        self.alerts_channel = alerts_channel

    def register(self) -> None:
        """Give the persistent timers their handlers in this process (before the scheduler starts)."""
        register_handler(TIMEOUT_HANDLER, self.timed_out)
        register_handler(PAGE_HANDLER, self.page_due)

    async def open(self, escalation_id: int) -> None:
        await self._page(escalation_id, 0)

    async def page_due(self, escalation_id: int, step: int) -> None:
        """Quiet hours are over for a held-back page."""
        await self._page(escalation_id, step)

    async def timed_out(self, escalation_id: int, step: int) -> None:
        """Nobody acknowledged within the wait: move to the next level, once."""
        won, row = await self.db.run(self._next_step, escalation_id, step)
        if won != 1 or row is None:
            logger.info("bot.escalations.timeout_ignored", extra={"escalation_id": escalation_id, "step": step})
            return
        policy = self.oncall.policy_for(row.team)
        if policy is None or policy.level_at(step + 1) is None:
            await self._notify(f"Escalation #{escalation_id} ({row.level}) is still not acknowledged after "
                               f"{step + 1} page(s): every level of the policy has been tried.")
            await self._show(escalation_id, new_message=False)
            return
        await self._page(escalation_id, step + 1)

    def team_members(self, team: str) -> frozenset[str]:
        """Everyone the team's policy can page: named people and every member of its rotations."""
        policy = self.oncall.policy_for(team)
        members: set[str] = set()
        for level in policy.levels if policy else ():
            for target in level.targets:
                if target.startswith(ROTATION_PREFIX):
                    rotation = self.oncall.rotations.get(target[len(ROTATION_PREFIX):])
                    if rotation is not None:
                        members |= set(rotation.members) | {o.person for o in rotation.overrides}
                else:
                    members.add(target)
        return frozenset(members)

    def check_responder(self, escalation_id: int, responder: Responder | None, verb: str) -> None:
        """Only the people paged, the team's rotation members and approvers may act on an escalation.
        `responder` None: an internal caller (the demo's script, the command line) that vouches for itself."""
        if responder is None or responder.approver:
            return
        with self.db.session() as session:
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                raise EscalationError(f"no escalation #{escalation_id}")
            paged, team = set(row.paged), row.team
        if responder.people & (paged | self.team_members(team)):
            return
        raise NotAResponder(f"Sorry, only the people paged for escalation #{escalation_id}, the {team} on-call "
                            f"rotation and approvers can {verb} it. It is in good hands; ask them if you can help.")

    async def acknowledge(self, escalation_id: int, actor: str, *,
                          responder: Responder | None = None) -> EscalationPage:
        await self.db.run(self.check_responder, escalation_id, responder, "acknowledge")
        await self.db.run(self._acknowledge, escalation_id, actor, self.clock())
        logger.info("bot.escalations.acknowledged", extra={"escalation_id": escalation_id})
        return await self._show(escalation_id, new_message=False)

    def _acknowledge(self, escalation_id: int, actor: str, now: datetime) -> None:
        with self.db.session() as session:
            won = session.execute(
                sa.update(EscalationRow).where(EscalationRow.id == escalation_id, EscalationRow.state == "open")
                .values(state="acknowledged", acknowledged_by=actor, acknowledged_at=now)
            ).rowcount
            row = self._row_or_fail(session, escalation_id, won, "acknowledged")
            record_event(session, session.get(InteractionRow, row.interaction_id),
                         EventAction.escalation_acknowledged, actor=actor, occurred_at=now,
                         data={"escalation_id": escalation_id, "step": row.step})
        self._cancel(escalation_id)

    async def resolve(self, escalation_id: int, actor: str, *, responder: Responder | None = None) -> EscalationPage:
        await self.db.run(self.check_responder, escalation_id, responder, "resolve")
        await self.db.run(self._resolve, escalation_id, actor, self.clock())
        logger.info("bot.escalations.resolved", extra={"escalation_id": escalation_id})
        return await self._show(escalation_id, new_message=False)

    def _resolve(self, escalation_id: int, actor: str, now: datetime) -> None:
        with self.db.session() as session:
            won = session.execute(
                sa.update(EscalationRow)
                .where(EscalationRow.id == escalation_id, EscalationRow.state.in_(("open", "acknowledged")))
                .values(state="resolved", resolved_by=actor, resolved_at=now)
            ).rowcount
            row = self._row_or_fail(session, escalation_id, won, "resolved")
            record_event(session, session.get(InteractionRow, row.interaction_id), EventAction.resolved,
                         actor=actor, occurred_at=now, data={"escalation_id": escalation_id})
        self._cancel(escalation_id)

    def page_view(self, escalation_id: int) -> EscalationPage:
        with self.db.session() as session:
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                raise EscalationError(f"no escalation #{escalation_id}")
            return escalation_page(session, escalation_id, oncall=self._current_people(row))

    # -- internals (the synchronous ones run in the database's threads, see `Database.run`)

    def _next_step(self, escalation_id: int, step: int) -> tuple[int, EscalationRow | None]:
        with self.db.session() as session:
            won = session.execute(
                sa.update(EscalationRow)
                .where(EscalationRow.id == escalation_id, EscalationRow.state == "open",
                       EscalationRow.step == step, EscalationRow.paged_step == step)
                .values(step=step + 1)
            ).rowcount
            return won, session.get(EscalationRow, escalation_id)

    @staticmethod
    def _row_or_fail(session: sa.orm.Session, escalation_id: int, won: int, verb: str) -> EscalationRow:
        row = session.get(EscalationRow, escalation_id)
        if row is None:
            raise EscalationError(f"no escalation #{escalation_id}")
        if won != 1:
            who = row.resolved_by if row.state == "resolved" else row.acknowledged_by
            raise EscalationError(f"escalation #{escalation_id} is already {row.state}" + (f" by {who}" if who else ""))
        return row

    @staticmethod
    def _current_people(row: EscalationRow) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row.paged))  # everyone paged so far, in order, once each

    def _due_page(self, escalation_id: int, step: int) -> tuple[str, str, bool] | None:
        """(level, team, has a card) of an escalation still waiting for page `step`, else None."""
        with self.db.session() as session:
            row = session.get(EscalationRow, escalation_id)
            if row is None or row.state != "open" or row.step != step or row.paged_step >= step:
                return None
            return row.level, row.team, bool(row.surface_refs)

    def _mark_paged(self, escalation_id: int, step: int, people: tuple[str, ...], now: datetime) -> bool:
        with self.db.session() as session:
            won = session.execute(
                sa.update(EscalationRow)
                .where(EscalationRow.id == escalation_id, EscalationRow.state == "open",
                       EscalationRow.step == step, EscalationRow.paged_step < step)
                .values(paged_step=step)
            ).rowcount
            if won != 1:
                return False
            row = session.get(EscalationRow, escalation_id)
            row.paged = [*row.paged, *people]
            session.add(row)
            if step > 0:  # nobody acknowledged: a re-page, recorded so the weekly check can count them
                record_event(session, session.get(InteractionRow, row.interaction_id),
                             EventAction.escalation_repaged, occurred_at=now,
                             data={"escalation_id": escalation_id, "step": step, "people": list(people)})
        return True

    async def _page(self, escalation_id: int, step: int) -> None:
        now = self.clock()
        due = await self.db.run(self._due_page, escalation_id, step)
        if due is None:
            return
        level_name, team, has_card = due
        policy = self.oncall.policy_for(team)
        level = policy.level_at(step) if policy else None
        if level is None:  # no policy for this team: the card goes to the channel, nobody is paged
            if not has_card:
                await self._show(escalation_id, new_message=True)
            return
        held_until = self.oncall.holds_back(level_name, now)
        if held_until is not None:
            if self.timers is not None:
                await self.db.run(self.timers.at, _page_job(escalation_id), held_until, PAGE_HANDLER,
                                  escalation_id, step)
            logger.info("bot.escalations.held_for_quiet_hours", extra={"escalation_id": escalation_id})
            if not has_card:
                await self._show(escalation_id, new_message=True, deferred_until=held_until)
            return
        people = self.oncall.resolve(level, now)
        if not await self.db.run(self._mark_paged, escalation_id, step, people, now):
            return
        next_page_at = now + timedelta(minutes=level.wait_minutes)
        if self.timers is not None:
            await self.db.run(self.timers.at, _timeout_job(escalation_id), next_page_at, TIMEOUT_HANDLER,
                              escalation_id, step)
        logger.info("bot.escalations.paged", extra={"escalation_id": escalation_id, "step": step,
                                                     "people": len(people)})
        await self._show(escalation_id, new_message=True, oncall=people,
                         next_page_at=next_page_at if self.timers is not None else None)

    async def _show(self, escalation_id: int, *, new_message: bool, oncall: tuple[str, ...] | None = None,
                    next_page_at: datetime | None = None, deferred_until: datetime | None = None) -> EscalationPage:
        """A page is a new message (so the people named are notified); earlier messages are updated in place."""
        page, refs = await self.db.run(self._page_and_refs, escalation_id, oncall)
        page = _with(page, next_page_at=next_page_at, deferred_until=deferred_until)
        for surface in self.surfaces:
            earlier = refs.get(surface.name, [])
            try:
                for ref in earlier:
                    await surface.update_escalation(page, ref)
                if new_message:
                    refs[surface.name] = [*earlier, await surface.post_escalation(page)]
            except Exception:  # noqa: BLE001 - one surface down must not stop the page on the others
                logger.exception("bot.escalations.surface_failed", extra={"surface": surface.name,
                                                                          "escalation_id": escalation_id})
        if new_message:
            await self.db.run(self._save_refs, escalation_id, refs)
        return page

    def _page_and_refs(self, escalation_id: int,
                       oncall: tuple[str, ...] | None) -> tuple[EscalationPage, dict[str, list]]:
        with self.db.session() as session:
            row = session.get(EscalationRow, escalation_id)
            people = oncall if oncall is not None else self._current_people(row)
            page = escalation_page(session, escalation_id, oncall=people)
            refs: dict[str, list] = {name: list(value) if isinstance(value, list) else [value]
                                     for name, value in row.surface_refs.items()}
        return page, refs

    def _save_refs(self, escalation_id: int, refs: dict[str, list]) -> None:
        with self.db.session() as session:
            row = session.get(EscalationRow, escalation_id)
            row.surface_refs = refs
            session.add(row)

    def _cancel(self, escalation_id: int) -> None:
        if self.timers is not None:
            self.timers.cancel(_timeout_job(escalation_id))
            self.timers.cancel(_page_job(escalation_id))

    async def _notify(self, text: str) -> None:
        for surface in self.surfaces:
            try:
                await surface.notify(self.alerts_channel, text)
            except Exception:  # noqa: BLE001
                logger.exception("bot.escalations.notify_failed", extra={"surface": surface.name})


def _with(page: EscalationPage, **changes: object) -> EscalationPage:
    return replace(page, **{key: value for key, value in changes.items() if value is not None})
