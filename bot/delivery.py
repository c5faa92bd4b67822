"""Ordered, durable delivery of approval cards and escalation pages to each chat surface.

A surface that fails (Slack answering 429, an outage) keeps its backlog in the database: an item counts as
delivered only once the surface's ref is stored on its row. Each drain posts a surface's undelivered items
oldest first and stops at the first failure, so the team sees them later but in the order they happened.
Only one drain per surface runs at a time across processes (a PostgreSQL advisory lock), so nothing is posted
twice by two workers.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from bot.cards import approval_card, escalation_page, review_card
from bot.surface import ChatSurface
from bot.views import ApprovalCard, EscalationPage
from moderation.storage import Database
from moderation.storage.tables import ApprovalRow, EscalationRow, ReviewRow

logger = logging.getLogger(__name__)

BACKLOG_LIMIT = 200  # per drain; the rest follows on the next one


class OrderedDelivery:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._local: dict[str, asyncio.Lock] = {}

    async def drain(self, surface: ChatSurface, *, skip_escalation: int | None = None) -> int:
        """Post what `surface` has not shown yet, oldest first; returns how many were delivered."""
        lock = self._local.setdefault(surface.name, asyncio.Lock())
        if lock.locked():
            return 0  # this process is already draining it; the running drain picks new items up
        async with lock:
            connection = await self.db.run(self._lock_surface, surface.name)
            if connection is False:
                return 0  # another process drains this surface now
            try:
                return await self._drain(surface, skip_escalation)
            finally:
                if connection is not True:
                    await self.db.run(self._unlock_surface, connection, surface.name)

    async def _drain(self, surface: ChatSurface, skip_escalation: int | None) -> int:
        delivered = 0
        for kind, row_id in await self.db.run(self._backlog, surface.name, surface):
            if kind == "escalation" and row_id == skip_escalation:
                continue
            try:
                if kind == "approval":
                    ref = await surface.post_approval(await self.db.run(self._approval_card, row_id))
                elif kind == "review":
                    review = await self.db.run(self._review_card, row_id)
                    ref = await surface.post_review(review)  # type: ignore[attr-defined]
                else:
                    ref = await surface.post_escalation(await self.db.run(self._escalation_page, row_id))
            except Exception:  # noqa: BLE001 - e.g. 429: stop here so later items never overtake this one
                logger.warning("bot.delivery.deferred", exc_info=True,
                               extra={"surface": surface.name, "kind": kind, "ref_id": row_id})
                break
            # Escalations keep a list of messages per surface (each page is a new message), approvals one.
            table = {"approval": ApprovalRow, "review": ReviewRow}.get(kind, EscalationRow)
            await self.db.run(self._save_ref, table, row_id, surface.name, [ref] if kind == "escalation" else ref)
            delivered += 1
        if delivered:
            logger.info("bot.delivery.delivered", extra={"surface": surface.name, "count": delivered})
        return delivered

    # The synchronous steps below run in the database's threads (`Database.run`).

    def _approval_card(self, approval_id: int) -> ApprovalCard:
        with self.db.session() as session:
            return approval_card(session, approval_id)

    def _review_card(self, review_id: int) -> Any:
        with self.db.session() as session:
            return review_card(session, review_id)

    def _escalation_page(self, escalation_id: int) -> EscalationPage:
        with self.db.session() as session:
            row = session.get(EscalationRow, escalation_id)
            return escalation_page(session, escalation_id, oncall=tuple(row.paged))

    def _backlog(self, surface: str, surface_obj: object = None) -> list[tuple[str, int]]:
        with self.db.session() as session:
            approvals = session.exec(select(ApprovalRow.id, ApprovalRow.created_at, ApprovalRow.surface_refs)
                                     .where(ApprovalRow.state == "pending").order_by(ApprovalRow.id)).all()
            escalations = session.exec(select(EscalationRow.id, EscalationRow.created_at, EscalationRow.surface_refs)
                                       .where(EscalationRow.state == "open").order_by(EscalationRow.id)).all()
            reviews = session.exec(select(ReviewRow.id, ReviewRow.created_at, ReviewRow.surface_refs)
                                   .where(ReviewRow.state == "pending").order_by(ReviewRow.id)).all() \
                if hasattr(surface_obj, "post_review") else []
        items = [(created, 0, "approval", row_id) for row_id, created, refs in approvals if surface not in refs]
        items += [(created, 1, "escalation", row_id) for row_id, created, refs in escalations if surface not in refs]
        # Review cards (hidden or held items) too, on the surfaces that show them.
        items += [(created, 2, "review", row_id) for row_id, created, refs in reviews if surface not in refs]
        items.sort(key=lambda item: (item[0], item[1], item[3]))
        return [(kind, row_id) for _, _, kind, row_id in items[:BACKLOG_LIMIT]]

    def _save_ref(self, table: type[ApprovalRow] | type[EscalationRow] | type[ReviewRow], row_id: int, surface: str,
                  ref: dict | list) -> None:
        with self.db.session() as session:
            row = session.get(table, row_id)
            row.surface_refs = {**row.surface_refs, surface: ref}
            session.add(row)

    def _lock_surface(self, surface: str) -> sa.Connection | bool:
        """True when no lock is needed (SQLite: one process), False when another process holds it, else the
        connection holding the session-level advisory lock until `_unlock_surface`."""
        if self.db.is_sqlite:
            return True
        connection = self.db.engine.connect()
        try:
            got = bool(connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"),
                                          {"k": _lock_key(surface)}).scalar())
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        return connection

    @staticmethod
    def _unlock_surface(connection: sa.Connection, surface: str) -> None:
        try:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(surface)})
            connection.commit()
        finally:
            connection.close()


def _lock_key(surface: str) -> int:
    return zlib.crc32(f"socialops.delivery:{surface}".encode())
