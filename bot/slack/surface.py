"""SlackSurface: the ChatSurface protocol on the Slack Web API (cards posted, updated in place; digest + chart)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import digest_chart
from bot.slack import blocks
from bot.surface import SurfaceRef
from bot.views import ApprovalCard, DigestView, EscalationPage, PauseCard, ReviewCard
from moderation.domain import utcnow

logger = logging.getLogger(__name__)


class SlackSurface:
    name = "slack"

    def __init__(self, client: AsyncWebClient, *, channels: Mapping[str, str], people: Mapping[str, str] = {},
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.client = client
        # Logical channel (approvals, escalations, digest, alerts, ...) or its team-wide name -> Slack channel id.
        self.channels = dict(channels)
        self.people = dict(people)  # on-call person name -> Slack user id
        self.clock = clock

    def channel(self, name: str) -> str:
        return self.channels.get(name, name)

    async def post_approval(self, card: ApprovalCard) -> SurfaceRef:
        response = await self.client.chat_postMessage(
            channel=self.channel("approvals"), text=blocks.approval_text(card),
            blocks=blocks.approval_blocks(card, now=self.clock()), unfurl_links=False)
        return {"channel": response["channel"], "ts": response["ts"]}

    async def update_approval(self, card: ApprovalCard, ref: SurfaceRef) -> None:
        await self.client.chat_update(channel=ref["channel"], ts=ref["ts"], text=blocks.approval_text(card),
                                      blocks=blocks.approval_blocks(card, now=self.clock()))

    async def post_escalation(self, page: EscalationPage) -> SurfaceRef:
        response = await self.client.chat_postMessage(
            channel=self.channel("escalations"), text=blocks.escalation_text(page, people=self.people),
            blocks=blocks.escalation_blocks(page, people=self.people), unfurl_links=False)
        return {"channel": response["channel"], "ts": response["ts"]}

    async def update_escalation(self, page: EscalationPage, ref: SurfaceRef) -> None:
        await self.client.chat_update(channel=ref["channel"], ts=ref["ts"],
                                      text=blocks.escalation_text(page, people=self.people),
                                      blocks=blocks.escalation_blocks(page, people=self.people))

    async def post_review(self, card: ReviewCard) -> SurfaceRef:
        response = await self.client.chat_postMessage(channel=self.channel("approvals"), text=blocks.review_text(card),
                                                      blocks=blocks.review_blocks(card), unfurl_links=False)
        return {"channel": response["channel"], "ts": response["ts"]}

    async def update_review(self, card: ReviewCard, ref: SurfaceRef) -> None:
        await self.client.chat_update(channel=ref["channel"], ts=ref["ts"], text=blocks.review_text(card),
                                      blocks=blocks.review_blocks(card))

    async def post_pause(self, card: PauseCard) -> None:
        verb = "paused" if card.paused else "resumed"
        await self.client.chat_postMessage(channel=self.channel("alerts"), text=f"Automation {verb}: {card.label}",
                                           blocks=blocks.pause_blocks(card), unfurl_links=False)

    async def post_digest(self, digest: DigestView) -> None:
        channel = self.channel("digest")
        response = await self.client.chat_postMessage(channel=channel, text=f"{digest.title} — {digest.window}",
                                                      blocks=blocks.digest_blocks(digest))
        chart = digest.chart_png or digest_chart(digest)
        if chart is None:
            return
        # files_upload_v2: files.getUploadURLExternal, the upload itself, files.completeUploadExternal.
        await self.client.files_upload_v2(channel=response["channel"], thread_ts=response["ts"], content=chart,
                                          filename="kpi-digest.png", title=digest.title,
                                          alt_txt=f"Chart: {digest.title}")

    async def notify(self, channel: str, text: str) -> None:
        await self.client.chat_postMessage(channel=self.channel(channel), text=blocks.escape(text))

    async def ephemeral(self, channel: str, user: str, text: str) -> None:
        """Only `user` sees it (refusals, "already decided")."""
        await self.client.chat_postEphemeral(channel=channel, user=user, text=blocks.escape(text))
