"""Earned trust: a sure fact of a new answer is a draft until people approved it unedited `needed` times; an
edited approval does not count; then sure matches of it go out alone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot.approvals import ApprovalService, Verdict
from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.domain.ports import NoHumans
from moderation.ingest.store import store_interactions
from moderation.knowledge.posts import PostProducts
from moderation.knowledge.retrieval import Retriever
from moderation.knowledge.stage import KnowledgeStage
from moderation.knowledge.trust import ApprovalTrust
from moderation.pipeline.worker import ModerationWorker
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow
from socialops.compose.core import authorizer
from socialops.config import Settings
from tests.knowledge.conftest import FixedClassifier, library

SHIPPING = "how much is shipping to ireland?"


def _ask(db: Database, stage: KnowledgeStage, n: int, first: int) -> None:
    at = utcnow() - timedelta(minutes=30)
    store_interactions(db, [
        Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=f"c{k}", author_id=f"a{k}",
                    author_name=f"asker{k}", text=SHIPPING, post_id="post-1", created_at=at + timedelta(seconds=k))
        for k in range(first, first + n)], source="test")
    worker = ModerationWorker(db, FixedClassifier({SHIPPING: ("pricing", "en")}), library(), NoHumans(),
                              knowledge=stage)
    asyncio.run(worker.run_until_idle())


def _kinds(db: Database) -> dict[str, str]:
    with db.session() as session:
        return {row.interaction_id: row.type for row in session.exec(select(ActionRow))
                if row.type in ("auto_reply", "draft_reply")}


def _decide(db: Database, verdict: Verdict) -> None:
    service = ApprovalService(db, authorizer(Settings()))
    with db.session() as session:
        pending = session.exec(select(ApprovalRow).where(ApprovalRow.state == "pending")).all()
    for approval in pending:
        final = approval.draft_text + " Safe travels!" if verdict is Verdict.edit else None
        service.decide(approval.id, verdict, surface="console", user="demo-manager", final_text=final)


def test_a_sure_fact_waits_for_unedited_approvals_before_it_goes_out_alone(brand, sqlite_db: Database) -> None:
    retriever = Retriever(brand)
    sandbox = SandboxPlatform(Platform.instagram, captions={"post-1": "Sunday in Paris"})
    stage = KnowledgeStage(retriever, PostProducts(sqlite_db, retriever.caption_product,
                                                   reader=lambda platform, account: sandbox),
                           trust=ApprovalTrust(sqlite_db, needed=2))
    _ask(sqlite_db, stage, 1, 0)
    kinds = _kinds(sqlite_db)
    assert kinds == {"instagram:c0": "draft_reply"}  # sure, but new: a person approves it
    with sqlite_db.session() as session:
        action = session.exec(select(ActionRow).where(ActionRow.type == "draft_reply")).one()
    assert action.params["knowledge"]["level"] == "high" and action.params["knowledge"]["awaiting_approvals"] == 2
    assert "sent alone once approved unedited 2 more times" in action.params["reason"]

    _decide(sqlite_db, Verdict.edit)  # an edit is not an approval of what would have been sent
    _ask(sqlite_db, stage, 1, 1)
    assert _kinds(sqlite_db)["instagram:c1"] == "draft_reply"
    _decide(sqlite_db, Verdict.approve)
    _ask(sqlite_db, stage, 1, 2)
    assert _kinds(sqlite_db)["instagram:c2"] == "draft_reply"  # one unedited approval of two
    _decide(sqlite_db, Verdict.approve)

    _ask(sqlite_db, stage, 2, 3)
    kinds = _kinds(sqlite_db)
    assert kinds["instagram:c3"] == kinds["instagram:c4"] == "auto_reply"


def test_no_warm_up_when_the_team_turns_it_off(sqlite_db: Database) -> None:
    assert ApprovalTrust(sqlite_db, needed=0).awaiting({"answer:shipping-ireland"}) == {"answer:shipping-ireland": 0}
    assert ApprovalTrust(sqlite_db, needed=3).awaiting({"answer:shipping-ireland"}) == {"answer:shipping-ireland": 3}
