"""Candidates for knowledge.yaml: questions that got no confident answer, and answers people keep editing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select

from moderation.domain import alternative_replies
from moderation.knowledge.text import tokens
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow, DecisionRow, InteractionRow


@dataclass
class Unanswered:
    text: str  # the first wording seen
    count: int
    level: str  # none | low
    best_guess: str  # the source retrieval offered, if any


@dataclass
class Edited:
    source: str  # answer:<id> or product:<sku>
    drafts: int
    edits: int
    examples: list[tuple[str, str]] = field(default_factory=list)  # (draft, sent), the latest first


@dataclass
class SentInstead:
    """A question people answered with one of the draft's alternatives ("Send this instead"): a wording to add
    to that answer's example questions, so that the next one like it is drafted with it."""

    text: str
    lang: str
    source: str  # the alternative sent: answer:<id> or product:<sku>
    count: int


@dataclass
class Suggestions:
    unanswered: list[Unanswered]
    edited: list[Edited]
    sent_instead: list[SentInstead] = field(default_factory=list)


def suggest(db: Database, since: datetime, *, limit: int = 20) -> Suggestions:
    """Read decisions and approvals since `since` (one pass each; a week is a few thousand rows)."""
    with db.session() as session:
        rows = session.exec(
            select(InteractionRow.text, DecisionRow.context)
            .join(DecisionRow, DecisionRow.interaction_id == InteractionRow.id)
            .where(InteractionRow.created_at >= since, DecisionRow.dry_run == False)  # noqa: E712
        ).all()
        approvals = session.exec(
            select(ApprovalRow.draft_text, ApprovalRow.final_text, ApprovalRow.state, ActionRow.params,
                   InteractionRow.text)
            .join(ActionRow, ActionRow.id == ApprovalRow.action_id)
            .join(InteractionRow, InteractionRow.id == ApprovalRow.interaction_id)
            .where(ApprovalRow.created_at >= since)
            .order_by(ApprovalRow.created_at.desc())
        ).all()
    questions: dict[str, Unanswered] = {}
    for text, context in rows:
        knowledge = (context or {}).get("knowledge")
        if not knowledge or knowledge.get("level") == "high":
            continue
        key = " ".join(tokens(text))  # same question whatever the case, accents and punctuation
        entry = questions.setdefault(key, Unanswered(text, 0, knowledge.get("level", "none"),
                                                     knowledge.get("source", "")))
        entry.count += 1
    edited: dict[str, Edited] = {}
    instead: dict[tuple[str, str], SentInstead] = {}
    for draft, final, state, params, question in approvals:
        chosen = _alternative_sent(params or {}, state, final)
        if chosen is not None:
            key = (" ".join(tokens(question)), chosen)
            entry_instead = instead.setdefault(key, SentInstead(question, str((params or {}).get("lang", "")),
                                                                chosen, 0))
            entry_instead.count += 1
            continue  # the draft's fact was swapped, not edited
        source = ((params or {}).get("knowledge") or {}).get("source")
        if not source:
            continue
        entry = edited.setdefault(source, Edited(source, 0, 0))
        entry.drafts += 1
        if state == "edited" and final and final != draft:
            entry.edits += 1
            if len(entry.examples) < 3:
                entry.examples.append((draft, final))
    ranked = sorted(questions.values(), key=lambda q: (-q.count, q.text))[:limit]
    often = sorted((e for e in edited.values() if e.edits), key=lambda e: (-e.edits / e.drafts, -e.edits))[:limit]
    swapped = sorted(instead.values(), key=lambda e: (-e.count, e.source, e.text))[:limit]
    return Suggestions(unanswered=ranked, edited=often, sent_instead=swapped)


def _alternative_sent(params: dict, state: str, final: str | None) -> str | None:  # type: ignore[type-arg]
    """The source of the alternative a person sent instead of the draft (sent exactly as stored), if that is
    what was sent."""
    if state != "edited" or not final:
        return None
    return next((alternative.source for alternative in alternative_replies(params) if alternative.text == final),
                None)


def counts_by_level(db: Database, since: datetime) -> Counter[str]:
    with db.session() as session:
        contexts = session.exec(select(DecisionRow.context).where(DecisionRow.created_at >= since)).all()
    return Counter(((c or {}).get("knowledge") or {}).get("level", "not grounded") for c in contexts)
