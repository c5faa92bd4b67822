"""What the listeners do after the ack: check who clicked, call the surface-independent service, answer."""

from __future__ import annotations

import logging

from bot.approvals import ApprovalError, Verdict
from bot.escalations import EscalationError, Responder
from bot.reviews import NOT_AN_APPROVER as NOT_AN_APPROVER_REVIEW
from bot.slack import blocks
from bot.slack.deps import SlackDeps
from bot.slack.inbound import Click
from moderation.act.reviews import ReviewError, ReviewVerdict

logger = logging.getLogger(__name__)

NOT_AN_APPROVER = "Only the configured approvers can act on drafts. Ask a community lead to add you."


async def _approver(deps: SlackDeps, user: str, channel: str) -> str | None:
    identity = await deps.approvers.identity(user)
    if identity is None:
        logger.info("bot.slack.refused", extra={"user": user})
        await deps.surface.ephemeral(channel, user, NOT_AN_APPROVER)
    return identity


async def decide(deps: SlackDeps, approval_id: int, verdict: Verdict, *, user: str, channel: str,
                 final_text: str | None = None, reason: str | None = None, alternative: int | None = None) -> None:
    identity = await _approver(deps, user, channel)
    if identity is None:
        return
    try:
        await deps.hub.decide(deps.approvals, approval_id, verdict, surface="slack", user=user,
                              authorized_as=identity, final_text=final_text, reason=reason, alternative=alternative)
    except ApprovalError as exc:
        await deps.surface.ephemeral(channel, user, str(exc))


async def open_modal(deps: SlackDeps, click: Click, kind: str) -> None:
    """Edit or Reject: a modal, opened only for approvers and only while the draft is still pending."""
    if await _approver(deps, click.user, click.channel) is None:
        return
    card = await deps.hub.db.run(deps.hub.approval_view, click.item_id)
    if card.state != "pending":
        await deps.surface.ephemeral(click.channel, click.user,
                                     f"draft #{card.approval_id} was already {card.state} by {card.decided_by}")
        return
    metadata = {"approval_id": card.approval_id, "channel": click.channel}
    view = blocks.edit_modal(card, metadata) if kind == "edit" else blocks.reject_modal(card, metadata)
    await deps.surface.client.views_open(trigger_id=click.trigger_id, view=view)


async def escalation(deps: SlackDeps, click: Click) -> None:
    """Only the people paged, the team's rotation and approvers may act; others get a polite ephemeral no."""
    actor = f"slack:{click.user}"
    people = frozenset(name for name, slack_id in deps.surface.people.items() if slack_id == click.user)
    responder = Responder(people=people, approver=await deps.approvers.identity(click.user) is not None)
    try:
        if click.action_id == blocks.ACKNOWLEDGE:
            await deps.escalations.acknowledge(click.item_id, actor, responder=responder)
        else:
            await deps.escalations.resolve(click.item_id, actor, responder=responder)
    except EscalationError as exc:
        await deps.surface.ephemeral(click.channel, click.user, str(exc))


async def review(deps: SlackDeps, click: Click) -> None:
    """A verdict on a review card (Keep hidden / Restore / Delete / Ban author): approvers only."""
    identity = await deps.approvers.identity(click.user)
    if identity is None:
        await deps.surface.ephemeral(click.channel, click.user, NOT_AN_APPROVER_REVIEW)
        return
    verdict = ReviewVerdict(click.action_id.removeprefix(blocks.REVIEW_PREFIX))
    try:
        await deps.hub.decide_review(deps.reviews, click.item_id, verdict, surface="slack", user=click.user,
                                     authorized_as=identity)
    except ReviewError as exc:
        await deps.surface.ephemeral(click.channel, click.user, str(exc))


async def resume(deps: SlackDeps, click: Click) -> None:
    """Resume on a paused campaign (or account): approvers only."""
    identity = await deps.approvers.identity(click.user)
    if identity is None:
        await deps.surface.ephemeral(click.channel, click.user, NOT_AN_APPROVER_REVIEW)
        return
    try:
        await deps.hub.resume(deps.reviews, click.value, surface="slack", user=click.user, authorized_as=identity)
    except ReviewError as exc:
        await deps.surface.ephemeral(click.channel, click.user, str(exc))
