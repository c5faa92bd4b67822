"""Approving, editing, rejecting or escalating a drafted reply: authorised, atomic, recorded as events."""

from __future__ import annotations

import difflib
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from moderation.domain import AlternativeReply, alternative_replies, utcnow
from moderation.domain.attribution import interaction_ref, tag_text_links
from moderation.measure.events import EventAction, record_event
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow, EscalationRow, InteractionRow

logger = logging.getLogger(__name__)


class Verdict(str, enum.Enum):
    approve = "approve"
    edit = "edit"
    reject = "reject"
    escalate = "escalate"


_STATE = {Verdict.approve: "approved", Verdict.edit: "edited", Verdict.reject: "rejected",
          Verdict.escalate: "escalated"}


class ApprovalError(Exception):
    """The verdict cannot be applied; the message is fit to show the person who clicked."""


class NotAnApprover(ApprovalError):
    pass


class AlreadyDecided(ApprovalError):
    pass


# (surface name, user id on that surface) -> may this person approve?
Authorizer = Callable[[str, str], bool]


@dataclass(frozen=True)
class Decided:
    approval: ApprovalRow
    escalation_id: int | None = None


def _alternative(action: ActionRow | None, approval_id: int, index: int) -> AlternativeReply:
    """The alternative reply `index` of a draft, as its card numbers it (rendered when it was drafted)."""
    stored = alternative_replies(action.params if action is not None else {})
    if not 0 <= index < len(stored):
        raise ApprovalError(f"draft #{approval_id} has no alternative reply {index + 1}")
    if not stored[index].sendable:
        raise ApprovalError(f"alternative reply {index + 1} of draft #{approval_id} is longer than the platform "
                            f"allows ({stored[index].over_limit} characters): shorten it with Edit")
    return stored[index]


class ApprovalService:
    def __init__(self, db: Database, authorize: Authorizer) -> None:
        self.db = db
        self.authorize = authorize

    def decide(self, approval_id: int, verdict: Verdict, *, surface: str, user: str, final_text: str | None = None,
               reason: str | None = None, at: datetime | None = None, authorized_as: str | None = None,
               alternative: int | None = None) -> Decided:
        """Apply one verdict. Exactly one verdict wins per draft: the state change is a compare-and-set,
        so two approvers clicking at once (or one double click) send one reply.

        `authorized_as` is the identity the surface verified (`group:<id>` for a Slack user group member,
        `role:<name>` for a Discord role); the person who clicked (`user`) is still the recorded actor.
        `alternative` (0-based) sends the draft's alternative reply instead ("Send this instead"): an edit
        whose text is that alternative, as stored with the draft."""
        if not self.authorize(surface, authorized_as or user):
            raise NotAnApprover("only configured approvers can act on drafts")
        if alternative is not None:
            verdict = Verdict.edit
        elif verdict == Verdict.edit and not (final_text or "").strip():
            raise ApprovalError("an edited reply cannot be empty")
        now = at or utcnow()
        actor = f"{surface}:{user}"
        with self.db.session() as session:
            approval = session.get(ApprovalRow, approval_id)
            if approval is None:
                raise ApprovalError(f"no draft #{approval_id}")
            chosen = None
            if alternative is not None:
                chosen = _alternative(session.get(ActionRow, approval.action_id), approval_id, alternative)
                final_text = chosen.text
            text = final_text if verdict == Verdict.edit else approval.draft_text
            if verdict == Verdict.edit and text and "http" in text and chosen is None:
                # A link a person typed in gets the same UTM tags and reference as the drafted ones (an
                # alternative was rendered with them, and is sent exactly as shown).
                interaction = session.get(InteractionRow, approval.interaction_id)
                text = tag_text_links(text, interaction.platform, "social", interaction.campaign or "organic",
                                      interaction_ref(interaction.id))
            won = session.execute(
                sa.update(ApprovalRow)
                .where(ApprovalRow.id == approval_id, ApprovalRow.state == "pending")
                .values(state=_STATE[verdict], decided_by=actor, decided_at=now, reason=reason,
                        final_text=text if verdict in (Verdict.approve, Verdict.edit) else None)
            ).rowcount
            if won != 1:
                session.refresh(approval)
                raise AlreadyDecided(f"draft #{approval_id} was already {approval.state} by {approval.decided_by}")
            escalation_id = self._apply(session, approval, verdict, actor, text, reason, now,
                                        chosen.source if chosen else None)
        with self.db.session() as session:
            fresh = session.get(ApprovalRow, approval_id)
        logger.info("bot.approvals.decided", extra={"approval_id": approval_id, "verdict": verdict.value})
        return Decided(fresh, escalation_id)

    def _apply(self, session: Session, approval: ApprovalRow, verdict: Verdict, actor: str, text: str | None,
               reason: str | None, now: datetime, alternative: str | None = None) -> int | None:
        interaction = session.get(InteractionRow, approval.interaction_id)
        action = session.get(ActionRow, approval.action_id)
        common = {"actor": actor, "occurred_at": now, "playbook": action.rule, "rule_version": action.rule_version}
        variant = {key: action.params[key] for key in ("template", "variant") if action.params.get(key)}
        if verdict in (Verdict.approve, Verdict.edit):
            action.params = {**action.params, "text": text}
            action.state = "pending"
            action.actor = actor
            action.next_attempt_at = now
            action.updated_at = now
            if verdict == Verdict.approve:
                record_event(session, interaction, EventAction.reply_approved, **common,
                             data={"approval_id": approval.id, "edited": False, **variant})
            else:
                chosen = {"alternative": alternative} if alternative else {}
                record_event(session, interaction, EventAction.reply_edited, **common,
                             data={"approval_id": approval.id, "edited": True,
                                   "diff": text_diff(approval.draft_text, text or ""), **variant, **chosen})
        else:
            action.state = "cancelled"
            action.updated_at = now
            if verdict == Verdict.reject:
                record_event(session, interaction, EventAction.reply_rejected, **common,
                             data={"approval_id": approval.id, "reason": reason or "", **variant})
            else:
                # One interaction pages one team: a draft escalated while its interaction already has an open
                # escalation joins it (the team paged sees the verdict) instead of paging a second team.
                open_one = session.exec(select(EscalationRow).where(
                    EscalationRow.interaction_id == interaction.id, EscalationRow.state != "resolved")).first()
                if open_one is not None:
                    record_event(session, interaction, EventAction.escalated, **common,
                                 data={"escalation_id": open_one.id, "from_approval": approval.id, "joined": True})
                    session.add(action)
                    return None
                escalation = EscalationRow(interaction_id=interaction.id, level="priority", team="community",
                                           reason=reason or f"escalated from draft #{approval.id}", created_at=now)
                session.add(escalation)
                session.flush()
                record_event(session, interaction, EventAction.escalated, **common,
                             data={"escalation_id": escalation.id, "from_approval": approval.id})
                session.add(action)
                return escalation.id
        session.add(action)
        return None


def text_diff(before: str, after: str) -> str:
    """A unified diff of the draft and the sent text, kept with the event so edits can be studied."""
    return "\n".join(difflib.unified_diff(before.splitlines(), after.splitlines(), "draft", "sent", lineterm=""))
