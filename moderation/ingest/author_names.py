"""Display names for authors a platform sent by id only (Meta's DM webhooks): fetched lazily from the
platform, cached in `author_profiles`, and written into the interactions that showed the id meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from moderation.domain import Kind, Platform, utcnow
from moderation.domain.safe_input import clean_text
from moderation.platforms.base import PermanentActionError, TransientActionError
from moderation.platforms.rate_limit import RateLimit, TokenBucket
from moderation.storage import Database
from moderation.storage.tables import AuthorProfileRow, InteractionRow

logger = logging.getLogger(__name__)

# Profile reads share the account's Graph quota with the replies that matter more: kept well below it.
DEFAULT_LIMIT = RateLimit(per_second=0.5, burst=5)
NAMELESS_KINDS = (Kind.dm.value, Kind.story_reply.value)


class AuthorNames:
    """One round (`resolve_once`) names at most what the rate limit allows; the rest waits for the next."""

    def __init__(self, db: Database, connectors: Mapping[Platform, Any], *, limit: RateLimit = DEFAULT_LIMIT,
                 clock: Callable[[], float] = time.monotonic, batch: int = 50) -> None:
        self.db = db
        self.connectors = connectors
        self.bucket = TokenBucket(limit, clock)
        self.batch = batch

    def _lookup(self, platform: str, account_id: str | None) -> Callable[[str], Any] | None:
        try:
            directory = self.connectors
            find = getattr(directory, "find", None)
            connector = find(Platform(platform), account_id) if find else directory.get(Platform(platform))
        except (ValueError, KeyError):
            return None
        return getattr(connector, "profile_name", None)

    async def resolve_once(self) -> int:
        """Fill names already cached, then fetch a few missing ones; returns how many authors were fetched."""
        await asyncio.to_thread(self._fill_from_cache)
        fetched = 0
        for platform, author_id, account_id in await asyncio.to_thread(self._nameless):
            lookup = self._lookup(platform, account_id)
            if lookup is None:
                continue  # this platform cannot look people up: the id stays what is shown
            wait = self.bucket.take()
            if wait > 0:
                break
            try:
                name = clean_text(await lookup(author_id))
            except TransientActionError as exc:
                self.bucket.pause(exc.retry_after or 60.0)
                logger.info("moderation.ingest.author_names.throttled", extra={"platform": platform})
                break
            except PermanentActionError as exc:
                # No permission or no such profile: remembered as nameless, so it is not asked again and again.
                logger.info("moderation.ingest.author_names.unavailable",
                            extra={"platform": platform, "error": exc.__class__.__name__})
                name = ""
            await asyncio.to_thread(self._remember, platform, author_id, name)
            fetched += 1
        return fetched

    def _nameless(self) -> list[tuple[str, str, str | None]]:
        """Authors shown by id whose profile was never asked for, newest first."""
        i, p = InteractionRow.__table__.c, AuthorProfileRow.__table__.c
        known = sa.select(p.author_id).where(p.platform == i.platform, p.author_id == i.author_id)
        query = (sa.select(i.platform, i.author_id, sa.func.max(i.account_id), sa.func.max(i.received_at))
                 .where(i.author_name == "", i.kind.in_(NAMELESS_KINDS), ~sa.exists(known))
                 .group_by(i.platform, i.author_id).order_by(sa.func.max(i.received_at).desc()).limit(self.batch))
        with self.db.session() as session:
            return [(row[0], row[1], row[2]) for row in session.execute(query)]

    def _remember(self, platform: str, author_id: str, name: str) -> None:
        table = AuthorProfileRow.__table__
        with self.db.session() as session:
            session.execute(sa.delete(table).where(table.c.platform == platform, table.c.author_id == author_id))
            session.execute(sa.insert(table).values(platform=platform, author_id=author_id, name=name,
                                                    fetched_at=utcnow()))
            if name:
                i = InteractionRow.__table__.c
                session.execute(sa.update(InteractionRow.__table__).where(
                    i.platform == platform, i.author_id == author_id, i.author_name == "").values(author_name=name))

    def _fill_from_cache(self) -> None:
        """Interactions that arrived nameless from an author whose name is already known."""
        i, p = InteractionRow.__table__.c, AuthorProfileRow.__table__.c
        name = (sa.select(p.name).where(p.platform == i.platform, p.author_id == i.author_id, p.name != "")
                .scalar_subquery())
        known = sa.select(p.author_id).where(p.platform == i.platform, p.author_id == i.author_id, p.name != "")
        with self.db.session() as session:
            session.execute(sa.update(InteractionRow.__table__).where(i.author_name == "", sa.exists(known))
                            .values(author_name=name))


class AuthorNamesComponent:
    """Runs `AuthorNames` every `every_seconds` inside `socialops run`; a failed round is logged, not fatal."""

    name = "author_names"

    def __init__(self, names: AuthorNames, *, every_seconds: float = 10.0) -> None:
        self.names = names
        self.every_seconds = every_seconds

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.names.resolve_once()
            except Exception:  # noqa: BLE001 - a bad round (database restarting) must not end the process
                logger.exception("moderation.ingest.author_names.round_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.every_seconds)
