"""DiscordSurface: the ChatSurface protocol over Discord's REST API (cards posted and edited in place)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace

import discord

from bot.charts import digest_chart
from bot.discord import embeds
from bot.discord.pacing import ChannelPacer
from bot.discord.views import approval_view, escalation_view, pause_view, review_view
from bot.surface import SurfaceRef
from bot.views import ApprovalCard, DigestView, EscalationPage, PauseCard, ReviewCard

logger = logging.getLogger(__name__)

_PAGE_MENTIONS = discord.AllowedMentions(everyone=False, users=True, roles=True)
_NO_MENTIONS = discord.AllowedMentions.none()


class People:
    """Maps person names from the on-call configuration to Discord mentions, with the on-call role as fallback."""

    def __init__(self, client: discord.Client, *, members: Mapping[str, int] = {}, guild_id: int | None = None,
                 oncall_role: str | None = None) -> None:
        self.client = client
        self.members = dict(members)
        self.guild_id = guild_id
        self.oncall_role = oncall_role

    def mention(self, person: str) -> str:
        member_id = self.members.get(person)
        return f"<@{member_id}>" if member_id else person

    def role_mention(self) -> str | None:
        if not self.oncall_role:
            return None
        if self.oncall_role.isdigit():
            return f"<@&{self.oncall_role}>"
        guild = self.client.get_guild(self.guild_id) if self.guild_id else None
        role = discord.utils.get(guild.roles, name=self.oncall_role) if guild else None
        return role.mention if role else f"@{self.oncall_role}"

    def page_mentions(self, people: Iterable[str]) -> list[str]:
        """Mapped people are mentioned; when nobody maps to a member, the on-call role is."""
        names = list(people)
        mapped = [self.mention(name) for name in names if name in self.members]
        if mapped:
            return mapped + [name for name in names if name not in self.members]
        role = self.role_mention()
        return ([role] if role else []) + names


class DiscordSurface:
    name = "discord"

    def __init__(self, client: discord.Client, *, channels: Mapping[str, int], people: People,
                 pacer: ChannelPacer | None = None) -> None:
        self.client = client
        # Logical channel (approvals, escalations, digest, alerts, ...) or its team-wide name -> channel id.
        self.channels = dict(channels)
        self.people = people
        self.pacer = pacer or ChannelPacer()

    def channel_id(self, name: str) -> int:
        if name in self.channels:
            return int(self.channels[name])
        if name.isdigit():
            return int(name)
        raise LookupError(f"no Discord channel is configured for {name!r} (chat.discord.channels)")

    async def _send(self, channel_id: int, **message: object) -> discord.Message:
        await self.pacer.wait(channel_id)
        channel = self.client.get_partial_messageable(channel_id, guild_id=self.people.guild_id)
        return await channel.send(**message)  # type: ignore[arg-type]

    async def _edit(self, ref: SurfaceRef, **message: object) -> None:
        channel_id = int(ref["channel"])
        await self.pacer.wait(channel_id)
        channel = self.client.get_partial_messageable(channel_id, guild_id=self.people.guild_id)
        await channel.get_partial_message(int(ref["message"])).edit(**message)  # type: ignore[arg-type]

    @staticmethod
    def _ref(message: discord.Message) -> SurfaceRef:
        # Snowflakes as strings: JSON readers outside Python lose precision on 64-bit integers.
        return {"channel": str(message.channel.id), "message": str(message.id)}

    async def post_approval(self, card: ApprovalCard) -> SurfaceRef:
        view = approval_view(card)
        message = await self._send(self.channel_id("approvals"), content=embeds.approval_content(card),
                                   embed=embeds.approval_embed(card), allowed_mentions=_NO_MENTIONS,
                                   **({"view": view} if view else {}))
        return self._ref(message)

    async def update_approval(self, card: ApprovalCard, ref: SurfaceRef) -> None:
        await self._edit(ref, content=embeds.approval_content(card), embed=embeds.approval_embed(card),
                         view=approval_view(card), allowed_mentions=_NO_MENTIONS)

    async def post_escalation(self, page: EscalationPage) -> SurfaceRef:
        view = escalation_view(page)
        # A page held back for quiet hours is shown without pinging anyone; the real page follows at the end.
        paging = page.state == "open" and page.deferred_until is None
        mentions = self.people.page_mentions(page.oncall) if paging else list(page.oncall)
        message = await self._send(self.channel_id("escalations"), content=embeds.escalation_content(page, mentions),
                                   embed=embeds.escalation_embed(page), allowed_mentions=_PAGE_MENTIONS,
                                   **({"view": view} if view else {}))
        return self._ref(message)

    async def update_escalation(self, page: EscalationPage, ref: SurfaceRef) -> None:
        # An edit does not notify anyone again; re-pages are new messages (EscalationService decides).
        mentions = self.people.page_mentions(page.oncall) if page.state == "open" else []
        await self._edit(ref, content=embeds.escalation_content(page, mentions), embed=embeds.escalation_embed(page),
                         view=escalation_view(page), allowed_mentions=_NO_MENTIONS)

    async def post_review(self, card: ReviewCard) -> SurfaceRef:
        view = review_view(card)
        message = await self._send(self.channel_id("approvals"), content=embeds.review_content(card),
                                   embed=embeds.review_embed(card), allowed_mentions=_NO_MENTIONS,
                                   **({"view": view} if view else {}))
        return self._ref(message)

    async def update_review(self, card: ReviewCard, ref: SurfaceRef) -> None:
        await self._edit(ref, content=embeds.review_content(card), embed=embeds.review_embed(card),
                         view=review_view(card), allowed_mentions=_NO_MENTIONS)

    async def post_pause(self, card: PauseCard) -> None:
        try:
            channel_id = self.channel_id("alerts")
        except LookupError:
            channel_id = self.channel_id("approvals")
        view = pause_view(card)
        await self._send(channel_id, content=embeds.pause_content(card), allowed_mentions=_NO_MENTIONS,
                         **({"view": view} if view else {}))

    async def post_digest(self, digest: DigestView) -> None:
        chart = digest.chart_png or await asyncio.to_thread(digest_chart, digest)  # matplotlib: off the loop
        if chart is not None:
            digest = replace(digest, chart_png=chart)
        files = embeds.digest_files(digest)
        await self._send(self.channel_id("digest"), content=embeds.cut(f"{digest.title} — {digest.window}", 2000),
                         embed=embeds.digest_embed(digest), files=files, allowed_mentions=_NO_MENTIONS)

    async def notify(self, channel: str, text: str) -> None:
        try:
            channel_id = self.channel_id(channel)
        except LookupError:
            # Only approvals, escalations and digest are required on Discord; a team may leave the others out.
            logger.info("bot.discord.notice_skipped", extra={"channel": channel})
            return
        await self._send(channel_id, content=embeds.cut(text, embeds.CONTENT_MAX), allowed_mentions=_NO_MENTIONS)
