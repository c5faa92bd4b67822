"""Persistent buttons for approval cards and escalation pages.

Every button is a `DynamicItem` whose custom id carries the verb and the row id
(`socialops:approve:42`), so a click on a card posted before a restart is parsed from the id alone: nothing
about the card has to be kept in memory, and the client registers these classes once at start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, Protocol

import discord

from bot.discord.answers import FAILED, answer_privately
from bot.views import ApprovalCard, EscalationPage, PauseCard, ReviewCard

logger = logging.getLogger(__name__)

APPROVAL_VERBS = ("approve", "edit", "reject", "escalate")
ALTERNATIVE_VERBS = ("use1", "use2")  # "Send this instead": the card's alternative replies, in order
ESCALATION_VERBS = ("ack", "resolve")

_APPROVAL_STYLE = {
    "approve": (discord.ButtonStyle.success, "Approve"), "edit": (discord.ButtonStyle.primary, "Edit"),
    "reject": (discord.ButtonStyle.danger, "Reject"), "escalate": (discord.ButtonStyle.secondary, "Escalate"),
    "use1": (discord.ButtonStyle.secondary, "Send alternative 1"),
    "use2": (discord.ButtonStyle.secondary, "Send alternative 2"),
}
_ESCALATION_STYLE = {"ack": (discord.ButtonStyle.primary, "Acknowledge"),
                     "resolve": (discord.ButtonStyle.success, "Resolve")}


class ButtonHandler(Protocol):
    """What a click is handed to (bot.discord.interactions.DiscordInteractions)."""

    async def approval_clicked(self, interaction: discord.Interaction, verb: str, approval_id: int) -> None: ...

    async def escalation_clicked(self, interaction: discord.Interaction, verb: str, escalation_id: int) -> None: ...

    async def review_clicked(self, interaction: discord.Interaction, verb: str, review_id: int) -> None: ...

    async def resume_clicked(self, interaction: discord.Interaction, scope: str) -> None: ...


def handler_of(interaction: discord.Interaction) -> ButtonHandler:
    return interaction.client.handler  # type: ignore[attr-defined]  # set by SocialopsClient


async def _answering(interaction: discord.Interaction, work: Awaitable[None]) -> None:
    """Run a click's handler; if it fails, the person is told (discord.py would only log it, and Discord
    would show "This interaction failed")."""
    try:
        await work
    except Exception:  # noqa: BLE001 - logged with its traceback, and answered
        logger.exception("bot.discord.click_failed", extra={"custom_id": (interaction.data or {}).get("custom_id")})
        await answer_privately(interaction, FAILED)


def approval_custom_id(verb: str, approval_id: int) -> str:
    return f"socialops:{verb}:{approval_id}"


def escalation_custom_id(verb: str, escalation_id: int) -> str:
    return f"socialops:{verb}:{escalation_id}"


class ApprovalButton(discord.ui.DynamicItem[discord.ui.Button],
                     template=r"^socialops:(?P<verb>approve|edit|reject|escalate|use1|use2):(?P<id>[0-9]+)$"):
    def __init__(self, verb: str, approval_id: int) -> None:
        style, label = _APPROVAL_STYLE[verb]
        super().__init__(discord.ui.Button(style=style, label=label, custom_id=approval_custom_id(verb, approval_id)))
        self.verb = verb
        self.approval_id = approval_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: Any) -> ApprovalButton:
        return cls(match["verb"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _answering(interaction, handler_of(interaction).approval_clicked(interaction, self.verb,
                                                                               self.approval_id))


class EscalationButton(discord.ui.DynamicItem[discord.ui.Button],
                       template=r"^socialops:(?P<verb>ack|resolve):(?P<id>[0-9]+)$"):
    def __init__(self, verb: str, escalation_id: int) -> None:
        style, label = _ESCALATION_STYLE[verb]
        super().__init__(discord.ui.Button(style=style, label=label,
                                           custom_id=escalation_custom_id(verb, escalation_id)))
        self.verb = verb
        self.escalation_id = escalation_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: Any) -> EscalationButton:
        return cls(match["verb"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _answering(interaction, handler_of(interaction).escalation_clicked(interaction, self.verb,
                                                                                 self.escalation_id))


_REVIEW_STYLE = {"keep": (discord.ButtonStyle.secondary, "Keep hidden"),
                 "restore": (discord.ButtonStyle.primary, "Restore"),
                 "delete": (discord.ButtonStyle.danger, "Delete"),
                 "ban_author": (discord.ButtonStyle.danger, "Ban author")}


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button],
                   template=r"^socialops:review-(?P<verb>keep|restore|delete|ban_author):(?P<id>[0-9]+)$"):
    def __init__(self, verb: str, review_id: int, label: str | None = None) -> None:
        style, default = _REVIEW_STYLE[verb]
        super().__init__(discord.ui.Button(style=style, label=label or default,
                                           custom_id=f"socialops:review-{verb}:{review_id}"))
        self.verb = verb
        self.review_id = review_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: Any) -> ReviewButton:
        return cls(match["verb"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _answering(interaction, handler_of(interaction).review_clicked(interaction, self.verb, self.review_id))


class ResumeButton(discord.ui.DynamicItem[discord.ui.Button], template=r"^socialops:resume:(?P<scope>.+)$"):
    """The scope (a campaign tag or account:<platform>:<id>) rides in the custom id (Discord allows 100 chars)."""

    def __init__(self, scope: str) -> None:
        super().__init__(discord.ui.Button(style=discord.ButtonStyle.success, label="Resume",
                                           custom_id=f"socialops:resume:{scope}"[:100]))
        self.scope = scope

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: Any) -> ResumeButton:
        return cls(match["scope"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _answering(interaction, handler_of(interaction).resume_clicked(interaction, self.scope))


PERSISTENT_ITEMS = (ApprovalButton, EscalationButton, ReviewButton, ResumeButton)


def review_view(card: ReviewCard) -> discord.ui.View | None:
    if card.state != "pending":
        return None
    view = discord.ui.View(timeout=None)
    for verb in card.options:
        label = "Done" if verb == "keep" and card.operation == "none" else None
        view.add_item(ReviewButton(verb, card.review_id, label))
    return view


def pause_view(card: PauseCard) -> discord.ui.View | None:
    if not card.paused:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ResumeButton(card.scope))
    return view


def approval_view(card: ApprovalCard) -> discord.ui.View | None:
    """The buttons under a pending card; a decided card has none (its embed says who did what)."""
    if card.state != "pending":
        return None
    view = discord.ui.View(timeout=None)
    sendable = [verb for verb, alternative in zip(ALTERNATIVE_VERBS, card.alternatives, strict=False)
                if alternative.sendable]
    for verb in (*APPROVAL_VERBS, *sendable):
        view.add_item(ApprovalButton(verb, card.approval_id))
    return view


def escalation_view(page: EscalationPage) -> discord.ui.View | None:
    verbs = {"open": ESCALATION_VERBS, "acknowledged": ("resolve",)}.get(page.state, ())
    if not verbs:
        return None
    view = discord.ui.View(timeout=None)
    for verb in verbs:
        view.add_item(EscalationButton(verb, page.escalation_id))
    return view
