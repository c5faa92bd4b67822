"""The one interface every chat surface (console, Slack, Discord) implements."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from bot.views import ApprovalCard, DigestView, EscalationPage

SurfaceRef = dict[str, Any]  # where a message landed (channel, ts / message id), to update it in place


@runtime_checkable
class ChatSurface(Protocol):
    name: str

    async def post_approval(self, card: ApprovalCard) -> SurfaceRef: ...

    async def update_approval(self, card: ApprovalCard, ref: SurfaceRef) -> None: ...

    async def post_escalation(self, page: EscalationPage) -> SurfaceRef: ...

    async def update_escalation(self, page: EscalationPage, ref: SurfaceRef) -> None: ...

    async def post_digest(self, digest: DigestView) -> None: ...

    async def notify(self, channel: str, text: str) -> None: ...
