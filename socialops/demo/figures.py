"""The moderation figures of a replayed week (issue 16): dead letters, toxic items hidden or held, review cards
posted, leads lost to spam. Read from the record only, so the demo, its test and the bench agree."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import select

from moderation.pipeline.lead_signals import detect_lead_signals
from moderation.storage import Database
from moderation.storage.tables import (
    ActionRow,
    ApprovalRow,
    ClassificationRow,
    EscalationRow,
    InteractionRow,
    ReviewRow,
)
from playbooks.guardrails import PROTECTING_SIGNALS

REMOVING = ("hide", "hold", "delete", "ban_author")
PRIVATE = ("dm", "story_reply")


@dataclass(frozen=True)
class ModerationFigures:
    dead_letters: int
    capability_dead_letters: int  # dead letters whose error is a platform refusing the operation
    fallbacks: int  # actions the outbox had to rewrite (the planner should leave none)
    toxic: int  # interactions scored toxic (>= 0.5)
    toxic_removed: int  # of those, hidden, held, deleted (done on the platform) or routed to a person (DMs)
    review_cards: int
    lead_dms: int  # DMs showing lead signals (budget, headcount, event date, email, phone)
    leads_lost_to_spam: int  # lead DMs hidden or held, or scored spam and seen by no person

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def moderation_figures(db: Database) -> ModerationFigures:
    with db.session() as session:
        interactions = {row.id: row for row in session.exec(select(InteractionRow)).all()}
        scores = {row.interaction_id: row for row in session.exec(select(ClassificationRow)).all()}
        actions = session.exec(select(ActionRow)).all()
        reviewed = set(session.exec(select(ReviewRow.interaction_id)).all())
        escalated = set(session.exec(select(EscalationRow.interaction_id)).all())
        drafted = set(session.exec(select(ApprovalRow.interaction_id)).all())
    dead = [a for a in actions if a.state == "dead"]
    refused = [a for a in dead if "not allow" in (a.last_error or "") or "cannot" in (a.last_error or "")]
    removed = {a.interaction_id for a in actions if a.operation in REMOVING and a.state in ("done", "reversed")}
    toxic = {i for i, s in scores.items() if s.toxicity >= 0.5}
    routed = {i for i in toxic & reviewed if interactions[i].kind in PRIVATE}
    lead_dms = {i for i, row in interactions.items()
                if row.kind in PRIVATE and set(detect_lead_signals(row.text)) & PROTECTING_SIGNALS}
    seen_by_person = reviewed | escalated | drafted
    lost = {i for i in lead_dms if i in removed
            or (scores.get(i) is not None and scores[i].intent == "spam" and i not in seen_by_person)}
    return ModerationFigures(
        dead_letters=len(dead), capability_dead_letters=len(refused),
        fallbacks=sum(1 for a in actions if a.fallback_of), toxic=len(toxic),
        toxic_removed=len(toxic & (removed | routed)), review_cards=len(reviewed), lead_dms=len(lead_dms),
        leads_lost_to_spam=len(lost))
