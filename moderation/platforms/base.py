"""The two small interfaces every platform implements, in domain terms only: inbound (a delivery or a polled
page -> a ParseReport of Interactions) and outbound (a PlatformConnector performing operations)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from moderation.domain import ActionType, Interaction, Kind, Platform


class Operation(str, enum.Enum):
    """What a platform API is asked to do. Plans speak ActionType; connectors speak operations."""

    reply = "reply"
    dm = "dm"
    hide = "hide"
    unhide = "unhide"
    delete = "delete"
    hold = "hold"
    release = "release"
    ban_author = "ban_author"  # remove the comment and bar its author from the channel (YouTube)


OPERATION_FOR_ACTION: dict[ActionType, Operation] = {
    ActionType.auto_reply: Operation.reply,
    ActionType.draft_reply: Operation.reply,  # once approved
    ActionType.send_dm: Operation.dm,
    ActionType.hide: Operation.hide,
    ActionType.delete: Operation.delete,
    ActionType.hold_for_review: Operation.hold,
}

# When an account may not do something, the next milder operation that still protects the community.
FALLBACK: dict[Operation, Operation] = {Operation.delete: Operation.hide, Operation.hide: Operation.hold}

# The operation that reverses another (undo).
REVERSAL: dict[Operation, Operation] = {Operation.hide: Operation.unhide, Operation.hold: Operation.release}

# Calls that create something new: repeating them after an unknown outcome could post twice. Every other
# operation sets a state (hidden, held, gone) and may be repeated safely.
NON_IDEMPOTENT: frozenset[Operation] = frozenset({Operation.reply, Operation.dm})


@dataclass(frozen=True)
class PlatformAction:
    """One call to make. `key` is the idempotency key: the same key must never act twice."""

    key: str
    operation: Operation
    platform: Platform
    kind: Kind
    target_id: str  # the platform's id of the comment or message acted on
    author_id: str
    post_id: str | None = None
    text: str | None = None
    account_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionOutcome:
    external_ref: str | None = None  # e.g. the id of the reply the platform created
    data: dict[str, Any] = field(default_factory=dict)


class PlatformActionError(Exception):
    """Base for connector failures. Messages must never contain tokens."""


class TransientActionError(PlatformActionError):
    """Worth retrying (timeout, 5xx, 429). `retry_after` seconds when the platform said so.

    `maybe_applied`: the platform may have acted although we saw no answer (a read timeout, a 5xx after the
    request was sent); before repeating a non-idempotent call the outbox asks the connector to look first.
    `rate_limited`: the platform refused to act (429 or a throttling code); it has its own retry budget."""

    def __init__(self, message: str, retry_after: float | None = None, *, maybe_applied: bool = False,
                 rate_limited: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.maybe_applied = maybe_applied
        self.rate_limited = rate_limited


class PermanentActionError(PlatformActionError):
    """Retrying cannot help (4xx other than 429, object gone)."""


class UnsupportedOperation(PermanentActionError):
    """The platform or account does not allow this operation; the outbox falls back."""


@runtime_checkable
class PlatformConnector(Protocol):
    platform: Platform

    def supports(self, operation: Operation) -> bool: ...

    async def perform(self, action: PlatformAction) -> ActionOutcome: ...


@runtime_checkable
class CaptionSource(Protocol):
    """A connector that can read a post's caption (or a video's title and description), for "how much is this?"."""

    async def fetch_caption(self, post_id: str) -> str | None: ...


@runtime_checkable
class ReconcilingConnector(Protocol):
    """A connector that can tell whether a non-idempotent action already happened (e.g. our reply is there)."""

    async def find_existing(self, action: PlatformAction) -> ActionOutcome | None: ...


# Inbound

@dataclass
class ParseReport:
    interactions: list[Interaction] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where in the payload, why)
    ignored: list[tuple[str, str]] = field(default_factory=list)


def to_datetime(value: Any) -> datetime:
    """Meta mixes epoch seconds (changes), epoch milliseconds (messaging) and ISO strings (Graph objects)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"bad timestamp {value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        if value.isdigit():
            return to_datetime(int(value))
        return datetime.fromisoformat(value.replace("Z", "+00:00").replace("+0000", "+00:00"))
    raise ValueError(f"bad timestamp {value!r}")
