"""Seeding helpers shared by the test suites: a stored interaction with a pending draft, as the worker makes it."""

from __future__ import annotations

from datetime import timedelta

from moderation.act.executor import execute_plan
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.storage import Database
from moderation.storage.tables import InteractionRow


def make_draft(db: Database, *, external_id: str = "Ugx9", text: str = "how much is the serum?",
               alternatives: list[dict[str, str]] | None = None) -> int:
    """A YouTube comment with a drafted reply awaiting approval (and, if given, the alternative replies the
    engine stores with a grounded draft); returns the approval id."""
    interaction = Interaction(platform=Platform.youtube, kind=Kind.comment, external_id=external_id,
                              author_id="a1", author_name="anna", text=text, post_id="v1",
                              created_at=utcnow() - timedelta(minutes=3))
    store_interactions(db, [interaction], source="test")
    plan = Plan(interaction_id=interaction.id, actions=(
        Action(type=ActionType.draft_reply,
               params={"text": "It is 39 €!", **({"alternatives": alternatives} if alternatives else {})},
               rule="yt/pricing", rule_version="v1"),))
    with db.session() as session:
        work = execute_plan(session, session.get(InteractionRow, interaction.id), plan, library_version="v1",
                            approval_minutes=30)
    return work.approvals[0]
