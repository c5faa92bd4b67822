"""Builds the view models the surfaces render, from stored rows."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.views import ApprovalCard, EscalationPage
from moderation.domain import as_utc
from moderation.storage.tables import ActionRow, ApprovalRow, ClassificationRow, EscalationRow, InteractionRow


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
    )


def escalation_page(session: Session, escalation_id: int, oncall: tuple[str, ...] = ()) -> EscalationPage:
    escalation = session.get(EscalationRow, escalation_id)
    if escalation is None:
        raise LookupError(f"no escalation #{escalation_id}")
    interaction = session.get(InteractionRow, escalation.interaction_id)
    return EscalationPage(
        escalation_id=escalation_id, level=escalation.level, team=escalation.team, platform=interaction.platform,
        author=interaction.author_name or interaction.author_id, text=interaction.text, reason=escalation.reason,
        oncall=oncall, state=escalation.state, step=escalation.step,
        acknowledged_by=escalation.acknowledged_by, resolved_by=escalation.resolved_by,
    )
