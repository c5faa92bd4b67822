"""The port through which the worker brings humans in. `bot/` implements it; moderation never imports bot."""

from __future__ import annotations

from typing import Protocol


class HumanLoop(Protocol):
    async def approval_requested(self, approval_id: int) -> None:
        """A draft waits for an approver (the row is committed before this is called)."""

    async def escalation_opened(self, escalation_id: int) -> None:
        """Someone must look at this now; the on-call policy decides who."""

    async def notify(self, channel: str, text: str, *, interaction_id: str | None = None) -> None:
        """An informational message to a team channel (partnerships, alerts, ...)."""

    async def review_requested(self, review_id: int) -> None:
        """An item was hidden, held or routed to a person: its review card goes to the team."""

    async def automation_paused(self, scope: str) -> None:
        """A guardrail paused (or resumed) automation for a campaign or an account: show it (Resume button)."""


class NoHumans:
    """For headless runs (benchmarks, replays): requests are stored, nobody is told."""

    async def approval_requested(self, approval_id: int) -> None:
        return None

    async def escalation_opened(self, escalation_id: int) -> None:
        return None

    async def notify(self, channel: str, text: str, *, interaction_id: str | None = None) -> None:
        return None

    async def review_requested(self, review_id: int) -> None:
        return None

    async def automation_paused(self, scope: str) -> None:
        return None

    async def redeliver(self) -> int:
        return 0
