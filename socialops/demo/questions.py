"""The demo's knowledge setup (the brand's answers, catalogue and post captions) and its question summary."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlmodel import select

from moderation.domain import Platform, alternative_replies
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ClassificationRow, DecisionRow
from socialops.config import Knowledge, Settings

KNOWLEDGE_DIR = Path(__file__).with_name("knowledge")
QUESTION_INTENTS = ("pricing", "purchase", "product_question")


def demo_settings() -> Settings:
    """Embedded defaults plus Maison Lumière's knowledge.yaml and catalogue.csv."""
    return Settings(knowledge=Knowledge(answers=KNOWLEDGE_DIR / "knowledge.yaml",
                                        catalogue=KNOWLEDGE_DIR / "catalogue.csv"))


def load_captions(connectors: dict[Platform, SandboxPlatform]) -> None:
    """The sandbox serves the demo posts' captions, as the platforms' post APIs would."""
    for key, caption in json.loads((KNOWLEDGE_DIR / "posts.json").read_text(encoding="utf-8")).items():
        platform, post_id = key.split(":", 1)
        connectors[Platform(platform)].captions[post_id] = caption


def question_outcomes(db: Database) -> dict[str, Counter[str]]:
    """Per question intent: answered (a fact sent automatically), drafted (a fact in a draft; "warming up" counts
    those retrieval was sure of, held for a person's first approvals), unanswered (no fact found: a draft saying
    so, or a human task; "one click" counts the drafts whose card offers a fact to send instead), fell through
    (nothing at all)."""
    with db.session() as session:
        intents = {i: intent for i, intent in session.exec(select(ClassificationRow.interaction_id,
                                                                   ClassificationRow.intent))
                   if intent in QUESTION_INTENTS}
        contexts = {i: context for i, context in session.exec(select(DecisionRow.interaction_id, DecisionRow.context))
                    if i in intents}
        actions: dict[str, set[str]] = {}
        one_click: set[str] = set()  # drafts whose card can send another fact with one click
        for interaction_id, kind, params in session.exec(select(ActionRow.interaction_id, ActionRow.type,
                                                                ActionRow.params)):
            if interaction_id in intents:
                actions.setdefault(interaction_id, set()).add(kind)
                if any(alternative.sendable for alternative in alternative_replies(params or {})):
                    one_click.add(interaction_id)
    out: dict[str, Counter[str]] = {intent: Counter() for intent in QUESTION_INTENTS}
    for interaction_id, intent in intents.items():
        knowledge = (contexts.get(interaction_id) or {}).get("knowledge") or {}
        kinds = actions.get(interaction_id, set())
        has_fact = bool(knowledge.get("answer")) and knowledge.get("level") in ("high", "low")
        if has_fact and kinds & {"auto_reply", "send_dm"}:
            out[intent]["answered"] += 1
        elif has_fact and "draft_reply" in kinds:
            out[intent]["drafted"] += 1
            # Sure, but its answer had not yet been approved unedited often enough (knowledge.auto_send_after).
            out[intent]["warming up"] += bool(knowledge.get("level") == "high" and knowledge.get("awaiting_approvals"))
        elif kinds & {"draft_reply", "auto_reply", "send_dm", "escalate", "hold_for_review", "hide"}:
            out[intent]["unanswered"] += 1
            # The card offers a fact to send instead, one click away ("Send this instead").
            out[intent]["one click"] += interaction_id in one_click
        else:
            out[intent]["fell through"] += 1
    return out


def print_questions(db: Database, console: Console) -> None:
    table = Table(show_lines=False)
    for column in ("questions", "answered (fact sent)", "drafted (fact in draft)", "unanswered (no fact: draft "
                   "or human task)", "fell through"):
        table.add_column(column)
    for intent, counts in question_outcomes(db).items():
        table.add_row(intent, str(counts["answered"]), str(counts["drafted"]), str(counts["unanswered"]),
                      str(counts["fell through"]))
    console.print(table)
