"""The worker grounds questions before deciding: sure answers go out with their facts and tagged links, unsure
ones and `human: true` ones are drafts, no match is a draft that says so; captions are read once and cached."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.domain.ports import NoHumans
from moderation.ingest.store import store_interactions
from moderation.knowledge.posts import PostProducts
from moderation.knowledge.retrieval import Retriever
from moderation.knowledge.stage import KnowledgeStage
from moderation.pipeline.worker import ModerationWorker
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow, DecisionRow, PostCaptionRow
from tests.knowledge.conftest import FixedClassifier, library

QUESTIONS = {
    "how much is shipping to ireland?": ("pricing", "en"),
    "how much is this?": ("pricing", "en"),
    "c'est combien ?": ("pricing", "fr"),
    "can I return an item?": ("product_question", "en"),
    "what song is playing?": ("product_question", "en"),
}


def _stage(brand, db: Database, sandbox: SandboxPlatform) -> KnowledgeStage:
    retriever = Retriever(brand)
    posts = PostProducts(db, retriever.caption_product, reader=lambda platform, account: sandbox)
    return KnowledgeStage(retriever, posts)


def _store(db: Database, texts: list[str], post_id: str = "post-1") -> None:
    at = utcnow() - timedelta(minutes=30)
    store_interactions(db, [
        Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=f"c{k}", author_id=f"a{k}",
                    author_name=f"asker{k}", text=text, post_id=post_id, created_at=at + timedelta(seconds=k))
        for k, text in enumerate(texts)], source="test")


def _run(db: Database, stage: KnowledgeStage | None) -> None:
    worker = ModerationWorker(db, FixedClassifier(QUESTIONS), library(), NoHumans(), knowledge=stage)
    asyncio.run(worker.run_until_idle())


def _replies(db: Database) -> dict[str, tuple[str, str, str]]:
    """interaction id -> (action type, text, reason) of its reply or draft."""
    with db.session() as session:
        return {row.interaction_id: (row.type, str(row.params.get("text", "")), str(row.params.get("reason", "")))
                for row in session.exec(select(ActionRow))
                if row.type in ("auto_reply", "draft_reply", "send_dm")}


def test_questions_get_facts_drafts_or_a_draft_saying_nothing_matched(brand, sqlite_db: Database) -> None:
    sandbox = SandboxPlatform(Platform.instagram, captions={"post-1": "New in: the Chevron Tote 🖤"})
    _store(sqlite_db, list(QUESTIONS))
    _run(sqlite_db, _stage(brand, sqlite_db, sandbox))
    replies = _replies(sqlite_db)

    kind, text, _ = replies["instagram:c0"]
    assert kind == "auto_reply" and "€6.90" in text
    assert "https://example.com/shipping?utm_source=instagram&utm_medium=social&utm_campaign=organic" in text
    kind, text, _ = replies["instagram:c1"]  # "this" = the post's product, found from its caption
    assert kind == "auto_reply" and "Chevron Tote is €89, in stock" in text
    kind, text, _ = replies["instagram:c2"]
    assert kind == "auto_reply" and "Chevron Tote : 89 €, en stock" in text
    kind, text, reason = replies["instagram:c3"]  # human: true -> a person approves
    assert kind == "draft_reply" and "30 days" in text and "human: true" in reason
    kind, text, reason = replies["instagram:c4"]
    assert kind == "draft_reply" and "€" not in text and "no answer in the knowledge base matched" in reason

    # The caption was read once for the five questions under the post, and stored.
    assert sandbox.caption_reads == 1
    with sqlite_db.session() as session:
        cached = session.get(PostCaptionRow, "instagram:post-1")
        decision = session.exec(select(DecisionRow).where(DecisionRow.interaction_id == "instagram:c1")).one()
        pending = session.exec(select(ApprovalRow)).all()
    assert cached is not None and cached.caption == "New in: the Chevron Tote 🖤"
    assert decision.context["knowledge"]["source"] == "product:TOTE-1"
    assert len(pending) == 2


def test_a_restarted_worker_reads_the_caption_from_the_database(brand, sqlite_db: Database) -> None:
    sandbox = SandboxPlatform(Platform.instagram, captions={"post-1": "the Chevron Tote"})
    _store(sqlite_db, ["how much is this?"])
    _run(sqlite_db, _stage(brand, sqlite_db, sandbox))
    _store(sqlite_db, ["c'est combien ?"], post_id="post-1")
    fresh = _stage(brand, sqlite_db, SandboxPlatform(Platform.instagram))  # a new process: empty memory
    asyncio.run(fresh.posts.caption("instagram", "post-1"))
    assert sandbox.caption_reads == 1
    assert asyncio.run(fresh.posts.sku_for("instagram", "post-1", None)) == "TOTE-1"


def test_a_failing_caption_read_is_not_cached_and_the_question_still_gets_a_reply(brand, sqlite_db: Database) -> None:
    class Broken(SandboxPlatform):
        async def fetch_caption(self, post_id: str) -> str | None:
            self.caption_reads += 1
            raise RuntimeError("platform down")

    broken = Broken(Platform.instagram)
    _store(sqlite_db, ["how much is this?"])
    _run(sqlite_db, _stage(brand, sqlite_db, broken))
    kind, text, reason = _replies(sqlite_db)["instagram:c0"]
    assert kind == "draft_reply" and "€" not in text
    with sqlite_db.session() as session:
        assert session.get(PostCaptionRow, "instagram:post-1") is None


def test_mapping_a_post_or_campaign_to_a_sku_needs_no_caption(brand) -> None:
    retriever = Retriever(brand)
    posts = PostProducts(None, retriever.caption_product, posts={"instagram:p9": "JACKET-G", "p8": "SERUM-30"},
                         campaigns={"launch": "TOTE-1"})
    assert asyncio.run(posts.sku_for("instagram", "p9", None)) == "JACKET-G"
    assert asyncio.run(posts.sku_for("tiktok", "p8", None)) == "SERUM-30"
    assert asyncio.run(posts.sku_for("tiktok", "p1", "launch")) == "TOTE-1"
    assert asyncio.run(posts.sku_for("tiktok", None, None)) is None


def test_without_knowledge_the_worker_decides_as_before(brand, sqlite_db: Database, tmp_path: Path) -> None:
    _store(sqlite_db, ["how much is shipping to ireland?"])
    _run(sqlite_db, None)
    kind, text, reason = _replies(sqlite_db)["instagram:c0"]
    assert kind == "draft_reply" and "€" not in text and "no knowledge base configured" in reason


def test_questions_under_other_intents_and_messenger_prices_get_the_answer(brand, sqlite_db: Database) -> None:
    answers = {
        "love it!! do you ship to Cork?": ("praise", "en"),
        "so annoyed. what are your opening hours??": ("complaint", "en"),
        "what's the price of the chevron tote?": ("pricing", "en"),
        "love it!!": ("praise", "en"),
    }
    at = utcnow() - timedelta(minutes=30)
    items = [("instagram", "comment", "love it!! do you ship to Cork?"),
             ("instagram", "comment", "so annoyed. what are your opening hours??"),
             ("facebook", "dm", "what's the price of the chevron tote?"),
             ("instagram", "comment", "love it!!")]
    store_interactions(sqlite_db, [
        Interaction(platform=Platform(platform), kind=Kind(kind), external_id=f"m{k}", author_id=f"a{k}",
                    author_name=f"asker{k}", text=text, created_at=at + timedelta(seconds=k))
        for k, (platform, kind, text) in enumerate(items)], source="test")
    sandbox = SandboxPlatform(Platform.instagram)
    worker = ModerationWorker(sqlite_db, FixedClassifier(answers), library(), NoHumans(),
                              knowledge=_stage(brand, sqlite_db, sandbox))
    asyncio.run(worker.run_until_idle())
    replies = _replies(sqlite_db)

    # Praise that asks something: the city's country's answer (cross/question-answer), not only a thank-you.
    assert "€6.90" in replies["instagram:m0"][1]
    # A complaint that asks something: an apology drafted with the answer; it still reaches a person.
    kind, text, _ = replies["instagram:m1"]
    assert kind == "draft_reply" and "sorry" in text and "Tuesday to Saturday" in text
    # A shop's price question in Messenger gets the price, not the demo-qualifying questions.
    kind, text, _ = replies["facebook:m2"]
    assert "€89" in text and "demo" not in text
    # Praise that asks nothing is not grounded.
    with sqlite_db.session() as session:
        praise = session.exec(select(DecisionRow).where(DecisionRow.interaction_id == "instagram:m3")).one()
    assert not (praise.context or {}).get("knowledge")
