"""Who may act on drafts from Slack: listed user ids, or members of a user group (cached usergroups.users.list)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)


class SlackApprovers:
    def __init__(self, client: AsyncWebClient, *, users: Iterable[str] = (), usergroup: str | None = None,
                 cache_seconds: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.users = frozenset(users)
        self.usergroup = usergroup
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._members: frozenset[str] | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def identity(self, user_id: str) -> str | None:
        """The identity ApprovalService authorises (`U…` or `group:S…`), or None for anyone else."""
        if user_id in self.users:
            return user_id
        if self.usergroup and user_id in await self.members():
            return f"group:{self.usergroup}"
        return None

    async def members(self) -> frozenset[str]:
        async with self._lock:  # one lookup for a burst of clicks
            fresh = self._members is not None and self.clock() - self._fetched_at < self.cache_seconds
            if not fresh:
                try:
                    response = await self.client.usergroups_users_list(usergroup=self.usergroup)
                    self._members = frozenset(response.get("users") or ())
                    self._fetched_at = self.clock()
                except SlackApiError as exc:
                    # Keep the last known members rather than locking every approver out during an outage.
                    logger.warning("bot.slack.usergroup_lookup_failed", extra={"error": exc.response.get("error")})
                    if self._members is None:
                        return frozenset()
            return self._members or frozenset()
