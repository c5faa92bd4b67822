"""Builds the view models the surfaces render, from stored rows."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.views import ApprovalCard, EscalationPage, PauseCard, ReviewCard
from moderation.domain import alternative_replies, as_utc
from moderation.platforms.links import comment_link
from moderation.storage.tables import (
    ActionRow,
    ApprovalRow,
    ClassificationRow,
    EscalationRow,
    InteractionRow,
    ReviewRow,
)

NEGATIVE_POST_KEY = "negative-post:"
WORST_COMMENTS = 3


def latest_scores(session: Session, interaction_id: str) -> ClassificationRow | None:
    return session.exec(
        select(ClassificationRow).where(ClassificationRow.interaction_id == interaction_id)
        .order_by(ClassificationRow.id.desc())
    ).first()


def approval_card(session: Session, approval_id: int) -> ApprovalCard:
    approval = session.get(ApprovalRow, approval_id)
    if approval is None:
        raise LookupError(f"no approval #{approval_id}")
    interaction = session.get(InteractionRow, approval.interaction_id)
    action = session.get(ActionRow, approval.action_id)
    scores = latest_scores(session, approval.interaction_id)
    return ApprovalCard(
        approval_id=approval_id,
        platform=interaction.platform,
        kind=interaction.kind,
        author=interaction.author_name or interaction.author_id,
        text=interaction.text,
        post_id=interaction.post_id,
        intent=scores.intent if scores else "unknown",
        intent_confidence=scores.intent_confidence if scores else 0.0,
        toxicity=scores.toxicity if scores else 0.0,
        sentiment=scores.sentiment if scores else "neutral",
        lang=scores.lang if scores else "",
        draft=approval.draft_text,
        rule=action.rule if action else "",
        reason=str(action.params.get("reason", "")) if action else "",
        due_at=as_utc(approval.due_at) if approval.due_at else None,
        state=approval.state,
        decided_by=approval.decided_by,
        final_text=approval.final_text,
        explanation=scores.explanation if scores else {},
        decided_at=as_utc(approval.decided_at) if approval.decided_at else None,
        verdict_reason=approval.reason,
        alternatives=alternative_replies(action.params if action else {}),
    )


def escalation_page(session: Session, escalation_id: int, oncall: tuple[str, ...] = ()) -> EscalationPage:
    escalation = session.get(EscalationRow, escalation_id)
    if escalation is None:
        raise LookupError(f"no escalation #{escalation_id}")
    interaction = session.get(InteractionRow, escalation.interaction_id)
    negative_post = (escalation.dedupe_key or "").startswith(NEGATIVE_POST_KEY)
    return EscalationPage(
        escalation_id=escalation_id, level=escalation.level, team=escalation.team, platform=interaction.platform,
        author=interaction.author_name or interaction.author_id, text=interaction.text, reason=escalation.reason,
        oncall=oncall, state=escalation.state, step=escalation.step,
        acknowledged_by=escalation.acknowledged_by, resolved_by=escalation.resolved_by,
        link=comment_link(interaction.platform, interaction.post_id,
                          None if negative_post else interaction.external_id),
        post_id=interaction.post_id,
        worst=worst_comments(session, interaction.platform, interaction.post_id) if negative_post else (),
    )


def worst_comments(session: Session, platform: str, post_id: str | None) -> tuple[str, ...]:
    """A post's most negative comments (negative first, then by toxicity), as "@author: text"."""
    if not post_id:
        return ()
    rows = session.exec(
        select(InteractionRow.author_name, InteractionRow.author_id, InteractionRow.text, ClassificationRow.sentiment,
               ClassificationRow.toxicity)
        .join(ClassificationRow, ClassificationRow.interaction_id == InteractionRow.id)
        .where(InteractionRow.platform == platform, InteractionRow.post_id == post_id,
               ClassificationRow.sentiment == "negative")
        .order_by(ClassificationRow.toxicity.desc()).limit(WORST_COMMENTS)).all()
    return tuple(f"@{name or author}: {text}" for name, author, text, _sentiment, _toxicity in rows)


def describe_comment(interaction: InteractionRow, words: int = 8) -> str:
    """How an alert names a comment: platform, author, its first words, and a link when there is one."""
    first = " ".join(interaction.text.split()[:words])
    if len(interaction.text.split()) > words:
        first += "…"
    link = comment_link(interaction.platform, interaction.post_id, interaction.external_id)
    return (f"{interaction.platform} {interaction.kind} by @{interaction.author_name or interaction.author_id}: "
            f"“{first}”" + (f" {link}" if link else f" (post {interaction.post_id})" if interaction.post_id else ""))


def review_card(session: Session, review_id: int) -> ReviewCard:
    review = session.get(ReviewRow, review_id)
    if review is None:
        raise LookupError(f"no review item #{review_id}")
    interaction = session.get(InteractionRow, review.interaction_id)
    scores = latest_scores(session, review.interaction_id)
    explanation = scores.explanation if scores and scores.explanation else {}
    words = [item.get("token", "") for key in ("toxicity_tokens", "intent_tokens")
             for item in explanation.get(key, []) if isinstance(item, dict)]
    return ReviewCard(
        review_id=review_id, platform=interaction.platform, kind=interaction.kind,
        author=interaction.author_name or interaction.author_id, text=interaction.text, post_id=interaction.post_id,
        link=comment_link(interaction.platform, interaction.post_id, interaction.external_id),
        intent=scores.intent if scores else "unknown", intent_confidence=scores.intent_confidence if scores else 0.0,
        toxicity=scores.toxicity if scores else 0.0, sentiment=scores.sentiment if scores else "neutral",
        rule=review.rule, reason=review.reason, operation=review.operation, options=tuple(review.options),
        words=tuple(dict.fromkeys(w for w in words if w))[:6], state=review.state, decided_by=review.decided_by,
        decided_at=as_utc(review.decided_at) if review.decided_at else None,
        created_at=as_utc(review.created_at) if review.created_at else None,
    )


def pause_card(state: object) -> PauseCard:
    """A `moderation.act.pauses.PauseState` as the surfaces show it."""
    return PauseCard(scope=state.scope, label=state.label, paused=state.paused,  # type: ignore[attr-defined]
                     since=state.since, actor=state.actor, reason=state.reason)  # type: ignore[attr-defined]
