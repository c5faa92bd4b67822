"""An in-process platform for demos and tests: same interface as the real connectors, no network.

By default it allows exactly what the real platform allows (its `spec.py` capabilities), so a demo or a test
sees the fallbacks and refusals a team would see; `permissive()` allows every operation and says so."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from moderation.domain import Platform
from moderation.platforms.base import (
    ActionOutcome,
    Operation,
    PlatformAction,
    TransientActionError,
    UnsupportedOperation,
)


@dataclass
class SandboxPlatform:
    """Remembers every operation by idempotency key, so a doubled call is visible (and not repeated).

    `operations` defaults to the platform's real capabilities. `fail_next` makes the next N calls fail
    transiently, to exercise retries."""

    platform: Platform
    operations: frozenset[Operation] | None = None
    fail_next: int = 0
    performed: dict[str, PlatformAction] = field(default_factory=dict)
    calls: int = 0
    hidden: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    account_id: str = "sandbox"
    banned: set[str] = field(default_factory=set)
    # post id -> caption, served like the real platforms' post APIs; `caption_reads` counts the calls.
    captions: dict[str, str] = field(default_factory=dict)
    caption_reads: int = 0

    def __post_init__(self) -> None:
        if self.operations is None:
            from moderation.platforms.registry import spec_for  # the registry imports this module

            self.operations = spec_for(self.platform).capabilities

    @classmethod
    def permissive(cls, platform: Platform, **kwargs: object) -> SandboxPlatform:
        """Every operation allowed, whatever the platform really offers (opt-in: `sandbox: permissive`)."""
        return cls(platform, frozenset(Operation), **kwargs)  # type: ignore[arg-type]

    @property
    def is_permissive(self) -> bool:
        return self.operations == frozenset(Operation)

    async def fetch_caption(self, post_id: str) -> str | None:
        self.caption_reads += 1
        return self.captions.get(post_id)

    def supports(self, operation: Operation) -> bool:
        return operation in (self.operations or ())

    async def perform(self, action: PlatformAction) -> ActionOutcome:
        self.calls += 1
        if not self.supports(action.operation):
            raise UnsupportedOperation(f"{self.platform.value} sandbox does not allow {action.operation.value}")
        if self.fail_next > 0:
            self.fail_next -= 1
            raise TransientActionError("sandbox: simulated 503")
        if action.key in self.performed:
            return ActionOutcome(external_ref=f"sandbox-{action.key}", data={"replayed": True})
        self.performed[action.key] = action
        if action.operation == Operation.hide:
            self.hidden.add(action.target_id)
        elif action.operation == Operation.unhide:
            self.hidden.discard(action.target_id)
        elif action.operation == Operation.hold:
            self.held.add(action.target_id)
        elif action.operation == Operation.release:
            self.held.discard(action.target_id)
        elif action.operation == Operation.ban_author:
            self.banned.add(action.author_id)
            self.held.discard(action.target_id)
        return ActionOutcome(external_ref=f"sandbox-{self.platform.value}-{next(self._ids)}")


    async def find_existing(self, action: PlatformAction) -> ActionOutcome | None:
        """Whether this key already acted (the real connectors look on the platform; see outbox)."""
        if action.key in self.performed:
            return ActionOutcome(external_ref=f"sandbox-{action.key}", data={"reconciled": True})
        return None


def sandbox_connectors(platforms: Iterable[Platform] = tuple(Platform), *,
                       permissive: bool = False) -> dict[Platform, SandboxPlatform]:
    """One sandbox per platform with its real capabilities (every operation when `permissive`)."""
    if permissive:
        return {platform: SandboxPlatform.permissive(platform) for platform in platforms}
    return {platform: SandboxPlatform(platform) for platform in platforms}
