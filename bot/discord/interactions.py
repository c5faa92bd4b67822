"""What a click, a modal submission or a slash command does: check who it is, call the surface-independent
service (ApprovalService through ChatHub, EscalationService, KpiResponder), answer the person.

Every path answers Discord within its 3 s window first (a modal, a deferral or an ephemeral refusal); the
database work and the card updates on every surface run after that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import discord

from bot.approvals import ApprovalError, ApprovalService, Authorizer, Verdict
from bot.discord import embeds
from bot.discord.modals import ModalSubmission, edit_modal, reject_modal
from bot.discord.surface import People
from bot.discord.views import ALTERNATIVE_VERBS
from bot.escalations import EscalationError, Responder
from bot.hub import ChatHub
from bot.kpi_questions import GOALS, KpiResponder
from bot.questions import DEFAULT_PERIOD
from bot.reviews import NOT_AN_APPROVER as NOT_AN_APPROVER_REVIEW
from bot.reviews import ReviewService
from moderation.act.reviews import ReviewError, ReviewVerdict
from moderation.domain import utcnow

logger = logging.getLogger(__name__)

PERIOD_WORDS = {"today": "today", "yesterday": "yesterday", "this_week": "this week", "last_week": "last week",
                "last_24_hours": "last 24 hours", "last_7_days": "last 7 days", "last_30_days": "last 30 days",
                "this_month": "this month", "last_month": "last month"}

SURFACE = "discord"
NOT_AN_APPROVER = "Only members with the approver role can act on drafts. Ask a community lead to add you."
_VERDICTS = {"approve": Verdict.approve, "escalate": Verdict.escalate, "edit": Verdict.edit, "reject": Verdict.reject}


def identities(user: discord.User | discord.Member) -> list[str]:
    """Everything Discord verified about who clicked: the user id, then each role by name and by id."""
    found = [str(user.id)]
    for role in getattr(user, "roles", ()):
        if not role.is_default():
            found += [f"role:{role.name}", f"role:{role.id}"]
    return found


class DiscordInteractions:
    def __init__(self, hub: ChatHub, approvals: ApprovalService, *, authorize: Authorizer, people: People,
                 kpis: KpiResponder | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.hub = hub
        self.approvals = approvals
        self.authorize = authorize
        self.people = people
        self.kpis = kpis
        self.clock = clock
        self.reviews = ReviewService(approvals.db, authorize)

    # -- who may act

    def approver_identity(self, interaction: discord.Interaction) -> str | None:
        """The identity the authorizer accepts (a configured role, or the user id), or None."""
        return next((who for who in identities(interaction.user) if self.authorize(SURFACE, who)), None)

    async def _refuse(self, interaction: discord.Interaction, text: str) -> None:
        logger.info("bot.discord.refused", extra={"user": str(interaction.user.id)})
        await interaction.response.send_message(text, ephemeral=True)

    async def _tell(self, interaction: discord.Interaction, text: str) -> None:
        """An ephemeral answer, whether or not the interaction was already answered (deferred)."""
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    # -- approval cards

    async def approval_clicked(self, interaction: discord.Interaction, verb: str, approval_id: int) -> None:
        identity = self.approver_identity(interaction)
        if identity is None:
            await self._refuse(interaction, NOT_AN_APPROVER)
            return
        if verb in ("edit", "reject"):
            try:
                card = await self.hub.db.run(self.hub.approval_view, approval_id)
            except LookupError:
                await self._tell(interaction, f"draft #{approval_id} no longer exists")
                return
            if card.state != "pending":
                await self._tell(interaction, f"draft #{approval_id} was already {card.state} by "
                                              f"{embeds.actor(card.decided_by)}")
                return
            modal = edit_modal(approval_id, card.draft) if verb == "edit" else reject_modal(approval_id)
            await interaction.response.send_modal(modal)
            return
        await interaction.response.defer()  # a silent "update the message later"; the card edit follows
        if verb in ALTERNATIVE_VERBS:
            await self._decide(interaction, approval_id, Verdict.edit, identity,
                               alternative=ALTERNATIVE_VERBS.index(verb))
            return
        # Free of Discord syntax: the reason shows on every surface; who escalated is the recorded actor.
        reason = "escalated from the approval card" if verb == "escalate" else None
        await self._decide(interaction, approval_id, _VERDICTS[verb], identity, reason=reason)

    async def modal_submitted(self, interaction: discord.Interaction, submission: ModalSubmission) -> None:
        identity = self.approver_identity(interaction)
        if identity is None:
            await self._refuse(interaction, NOT_AN_APPROVER)
            return
        await interaction.response.defer()
        if submission.verb == "edit":
            await self._decide(interaction, submission.approval_id, Verdict.edit, identity,
                               final_text=submission.values.get("text", ""))
        else:
            await self._decide(interaction, submission.approval_id, Verdict.reject, identity,
                               reason=submission.values.get("reason", "").strip() or None)

    async def _decide(self, interaction: discord.Interaction, approval_id: int, verdict: Verdict, identity: str, *,
                      final_text: str | None = None, reason: str | None = None,
                      alternative: int | None = None) -> None:
        try:
            await self.hub.decide(self.approvals, approval_id, verdict, surface=SURFACE, user=str(interaction.user.id),
                                  authorized_as=identity, final_text=final_text, reason=reason,
                                  alternative=alternative)
        except ApprovalError as exc:
            await self._tell(interaction, str(exc))
        except Exception:  # noqa: BLE001 - e.g. another surface failed to update; the person must hear of it
            logger.exception("bot.discord.decide_failed", extra={"approval_id": approval_id})
            await self._tell(interaction, f"Something went wrong with draft #{approval_id}; its card shows the "
                                          "state it is in. Try again, or use another surface.")
        else:
            logger.info("bot.discord.decided", extra={"approval_id": approval_id, "verdict": verdict.value})

    # -- escalation pages

    async def escalation_clicked(self, interaction: discord.Interaction, verb: str, escalation_id: int) -> None:
        # Only the people paged, the team's rotation members and approvers may act; anyone else gets a polite
        # ephemeral refusal before anything changes.
        user_id = interaction.user.id
        people = frozenset(name for name, member in self.people.members.items() if int(member) == user_id)
        responder = Responder(people=people, approver=self.approver_identity(interaction) is not None)
        try:
            await self.hub.db.run(self.hub.escalations.check_responder, escalation_id, responder,
                                  "acknowledge" if verb == "ack" else "resolve")
        except EscalationError as exc:
            await self._refuse(interaction, str(exc))
            return
        await interaction.response.defer()
        actor = f"{SURFACE}:{user_id}"
        try:
            if verb == "ack":
                await self.hub.escalations.acknowledge(escalation_id, actor, responder=responder)
            else:
                await self.hub.escalations.resolve(escalation_id, actor, responder=responder)
        except EscalationError as exc:
            await self._tell(interaction, str(exc))

    # -- review cards and paused guardrails

    async def review_clicked(self, interaction: discord.Interaction, verb: str, review_id: int) -> None:
        identity = self.approver_identity(interaction)
        if identity is None:
            await self._refuse(interaction, NOT_AN_APPROVER_REVIEW)
            return
        await interaction.response.defer()
        try:
            await self.hub.decide_review(self.reviews, review_id, ReviewVerdict(verb), surface=SURFACE,
                                         user=str(interaction.user.id), authorized_as=identity)
        except ReviewError as exc:
            await self._tell(interaction, str(exc))

    async def resume_clicked(self, interaction: discord.Interaction, scope: str) -> None:
        identity = self.approver_identity(interaction)
        if identity is None:
            await self._refuse(interaction, NOT_AN_APPROVER_REVIEW)
            return
        await interaction.response.defer()
        try:
            await self.hub.resume(self.reviews, scope, surface=SURFACE, user=str(interaction.user.id),
                                  authorized_as=identity)
        except ReviewError as exc:
            await self._tell(interaction, str(exc))

    # -- slash commands

    def metric_choices(self, current: str) -> list[tuple[str, str]]:
        """(label, name) pairs for autocomplete; Discord shows at most 25."""
        if self.kpis is None:
            return []
        offered = {**self.kpis.source.metrics(), GOALS: "Goals"}
        needle = current.lower().strip()
        return [(label, name) for name, label in offered.items()
                if needle in name.lower() or needle in label.lower()][:25]

    async def kpi(self, interaction: discord.Interaction, metric: str, platform: str | None,
                  window: str | None) -> None:
        if self.kpis is None:
            await self._tell(interaction, "KPI answers are not configured on this installation.")
            return
        metrics = self.kpis.source.metrics()
        await interaction.response.defer(thinking=True)
        if metric in metrics or metric == GOALS:  # picked from the menu
            reply = await self.hub.db.run(self.kpis.answer_period, metric, platform, window or DEFAULT_PERIOD)
        else:  # typed in words ("response rate instagram last week"); menu options add to the words
            words = " ".join(x for x in (metric, platform, window and PERIOD_WORDS.get(window)) if x)
            reply = await self.hub.db.run(self.kpis.ask, words)
        if reply.help:
            await interaction.followup.send(reply.help, ephemeral=True)
            return
        logger.info("bot.discord.kpi_answered", extra={"metric": metric, "platform": platform})
        if reply.is_goals or not reply.answers:
            await interaction.followup.send(embed=embeds.goals_embed(reply))
            return
        await interaction.followup.send(embed=embeds.kpi_embed(reply.answers[0]))

    async def goals(self, interaction: discord.Interaction, platform: str | None, window: str | None) -> None:
        await self.kpi(interaction, GOALS, platform, window)

    async def oncall(self, interaction: discord.Interaction) -> None:
        who = self.hub.escalations.oncall.who(self.clock())
        await interaction.response.send_message(embed=embeds.oncall_embed(who, self.people.mention),
                                                allowed_mentions=discord.AllowedMentions.none())
