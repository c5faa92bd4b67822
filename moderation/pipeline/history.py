"""Stored history for playbook replays: each decided interaction with its scores, the context the engine saw,
what was done, and what humans said about it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlmodel import select

from moderation.domain import DecisionContext, Scores, Sentiment
from moderation.pipeline.worker import to_interaction
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow, ClassificationRow, DecisionRow, InteractionRow
from playbooks.replay import HistoryRecord

# A reversed hide or hold is the human verdict that the automation was wrong.
REVERSED_VERDICT = {"hide": "unhidden", "delete": "restored", "hold_for_review": "released"}


def load_history(db: Database, start: datetime, *, batch: int = 500) -> Iterator[HistoryRecord]:
    with db.session() as session:
        decisions = session.exec(
            select(DecisionRow, InteractionRow)
            .join(InteractionRow, InteractionRow.id == DecisionRow.interaction_id)
            .where(InteractionRow.created_at >= start, DecisionRow.dry_run.is_(False))
            .order_by(InteractionRow.created_at)
        ).all()
    for offset in range(0, len(decisions), batch):
        chunk = decisions[offset : offset + batch]
        yield from _records(db, chunk)


def _records(db: Database, chunk: list[tuple[DecisionRow, InteractionRow]]) -> Iterator[HistoryRecord]:
    ids = [interaction.id for _decision, interaction in chunk]
    with db.session() as session:
        scores: dict[str, ClassificationRow] = {}
        for row in session.exec(select(ClassificationRow).where(ClassificationRow.interaction_id.in_(ids))
                                .order_by(ClassificationRow.id)):
            scores[row.interaction_id] = row  # the latest wins
        actions: dict[str, list[ActionRow]] = {}
        for row in session.exec(select(ActionRow).where(ActionRow.interaction_id.in_(ids))):
            # Only what the decision planned; actions a fired follow-up added are not the engine's first answer.
            # (an undo queued by a person carries its original's key and is a verdict, not a plan: its outcome is
            # read from the original's `reversed` state)
            if "/plan/" in row.idempotency_key and row.type != "undo":
                actions.setdefault(row.interaction_id, []).append(row)
        approvals = {row.action_id: row.state for row in
                     session.exec(select(ApprovalRow).where(ApprovalRow.interaction_id.in_(ids)))}
    for decision, interaction in chunk:
        score = scores.get(interaction.id)
        if score is None or decision.context is None:
            continue
        done = actions.get(interaction.id, [])
        outcomes: dict[str, str] = {}
        for action in done:
            if action.id in approvals and approvals[action.id] != "pending":
                outcomes[action.type] = approvals[action.id]
            elif action.state == "reversed":
                outcomes[action.type] = REVERSED_VERDICT.get(action.type, "reversed")
        yield HistoryRecord(
            interaction=to_interaction(interaction),
            scores=Scores(intent=score.intent, intent_confidence=score.intent_confidence, toxicity=score.toxicity,
                          sentiment=Sentiment(score.sentiment), lang=score.lang, toxic_kind=score.toxic_kind),
            context=DecisionContext.model_validate(decision.context),
            actual_actions=sorted({action.type for action in done}),
            outcomes=outcomes,
        )
