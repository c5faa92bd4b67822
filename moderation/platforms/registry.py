"""Which connector serves each platform, from the configured accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from moderation.domain import Platform
from moderation.platforms.base import Operation, PlatformConnector
from moderation.platforms.sandbox import SandboxPlatform

if TYPE_CHECKING:
    from socialops.config import Account

CAPABILITY_OPERATIONS: dict[str, frozenset[Operation]] = {
    "reply": frozenset({Operation.reply}),
    "dm": frozenset({Operation.dm}),
    "hide": frozenset({Operation.hide, Operation.unhide}),
    "delete": frozenset({Operation.delete}),
    "hold": frozenset({Operation.hold, Operation.release}),
}


def operations_for(capabilities: Sequence[str]) -> frozenset[Operation]:
    allowed: set[Operation] = set()
    for capability in capabilities:
        allowed |= CAPABILITY_OPERATIONS[capability]
    return frozenset(allowed)


def build_connectors(accounts: Sequence[Account]) -> dict[Platform, PlatformConnector]:
    connectors: dict[Platform, PlatformConnector] = {}
    for account in accounts:
        if account.sandbox:
            connectors[account.platform] = SandboxPlatform(account.platform, operations_for(account.capabilities))
    return connectors
