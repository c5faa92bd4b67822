"""A draft without the right fact carries its closest alternatives ready to send: composed like the draft (the
asker's language, tagged links), rendered through the same template, and sent by one click on the card."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import numpy as np
from sqlmodel import select

from bot.approvals import ApprovalError, ApprovalService, Verdict
from moderation.act.outbox import Outbox
from moderation.classifier.encoder import HashingEncoder
from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.domain.ports import NoHumans
from moderation.ingest.store import store_interactions
from moderation.knowledge.judge import FEATURES, Judge, Linear
from moderation.knowledge.posts import PostProducts
from moderation.knowledge.retrieval import Question, Retriever
from moderation.knowledge.stage import KnowledgeStage
from moderation.pipeline.worker import ModerationWorker
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow
from tests.knowledge.conftest import FixedClassifier, library

EMBED = HashingEncoder(256).encode
UNSURE = "can I send it back?"  # the returns answer, as a draft: the rules are not sure
DOUBTING = Judge(Linear(np.zeros(len(FEATURES)), -10.0), keep=0.5, switch=0.5)  # trusts no unsure pick


def test_the_fact_the_judge_set_aside_is_the_first_alternative_composed_in_full(brand) -> None:
    alone = Retriever(brand, EMBED).ground(Question(text=UNSURE, lang="en", intent="refund"))
    judged = Retriever(brand, EMBED, judge=DOUBTING).ground(Question(text=UNSURE, lang="en", intent="refund"))
    assert judged.answer == "" and judged.set_aside == "answer:returns"
    first = judged.alternatives[0]
    assert (first.source, first.answer) == ("answer:returns", alone.answer)
    assert len(judged.alternatives) <= 2 and judged.source not in {a.source for a in judged.alternatives}


def test_alternatives_are_in_the_askers_language_with_tagged_links(brand) -> None:
    retriever = Retriever(brand, EMBED)
    # Two places, two answers: no fact in the draft, the shipping answer offered, in French, its link tagged.
    unsure = retriever.ground(Question(text="livrez-vous en Irlande ou à Paris ?", lang="fr", intent="other",
                                       platform="facebook"))
    assert unsure.answer == "" and unsure.alternatives[0].source == "answer:shipping-ireland"
    assert unsure.alternatives[0].answer.startswith("La livraison en Irlande coûte 6,90 €")
    assert "https://example.com/shipping?utm_source=facebook&utm_medium=social" in unsure.alternatives[0].answer
    # A draft with a fact never offers its own again. (The shipping answer is no longer offered beside it: it
    # had met "horaires" only through "jours ouvrés" in its text, which is business days, not opening hours.)
    both = retriever.ground(Question(text="horaires ou livraison ?", lang="fr", intent="other"))
    assert both.source == "answer:opening-hours" and both.answer.startswith("Notre boutique parisienne est ouverte")
    assert both.source not in {a.source for a in both.alternatives}


def test_a_draft_without_a_fact_under_a_product_post_offers_that_product_first(brand) -> None:
    grounding = Retriever(brand, EMBED).ground(Question(text="does it glow in the dark?", lang="en",
                                                        intent="product_question", post_product="TOTE-1"))
    assert grounding.answer == ""
    assert grounding.alternatives[0].source == "product:TOTE-1"
    assert grounding.alternatives[0].answer.startswith("Chevron Tote is €89, in stock. Leather tote bag")
    assert grounding.alternatives[0].product is not None and grounding.alternatives[0].product.sku == "TOTE-1"


def test_a_product_guessed_from_a_partial_name_is_an_alternative_with_its_facts(brand) -> None:
    retriever = Retriever(brand, EMBED)
    assert retriever._suggested("Chevron Tote: €89 https://example.com/p/tote") == "product:TOTE-1"
    assert retriever._suggested("[returns] You have 30 days to return unworn items.") == "answer:returns"
    assert retriever._suggested("[SERUM-30] Sérum Éclat is €39, sold out.") == "product:SERUM-30"
    assert retriever._suggested("[gone] an answer removed from knowledge.yaml") is None


def _worker_run(db: Database, brand, text: str) -> None:
    retriever = Retriever(brand, EMBED, judge=DOUBTING)
    sandbox = SandboxPlatform(Platform.instagram)
    stage = KnowledgeStage(retriever, PostProducts(db, retriever.caption_product,
                                                   reader=lambda platform, account: sandbox))
    store_interactions(db, [Interaction(platform=Platform.instagram, kind=Kind.comment, external_id="c1",
                                        author_id="a1", author_name="lea", text=text, post_id="post-1",
                                        created_at=utcnow() - timedelta(minutes=5))], source="test")
    worker = ModerationWorker(db, FixedClassifier({text: ("refund", "en")}), library(), NoHumans(), knowledge=stage)
    asyncio.run(worker.run_until_idle())


def test_a_draft_without_the_fact_stores_the_rendered_alternative_and_one_click_sends_it(brand,
                                                                                        sqlite_db: Database) -> None:
    _worker_run(sqlite_db, brand, UNSURE)
    with sqlite_db.session() as session:
        approval = session.exec(select(ApprovalRow)).one()
        action = session.get(ActionRow, approval.action_id)
    assert "30 days" not in approval.draft_text  # the judge left the fact out of the draft...
    [first, *_] = action.params["alternatives"]
    # ...and the card can send it: the same template, rendered with the set-aside fact.
    assert first["source"] == "answer:returns" and "30 days to return unworn items" in first["text"]
    assert "ready to send instead: answer:returns" in action.params["reason"]  # named, not pasted twice

    approvals = ApprovalService(sqlite_db, lambda surface, user: user == "cm")
    try:
        approvals.decide(approval.id, Verdict.edit, surface="console", user="cm", alternative=5)
    except ApprovalError as exc:
        assert "no alternative reply 6" in str(exc)
    else:
        raise AssertionError("an alternative the draft does not have was accepted")
    decided = approvals.decide(approval.id, Verdict.approve, surface="console", user="cm", alternative=0)
    assert (decided.approval.state, decided.approval.final_text) == ("edited", first["text"])
    sandbox = SandboxPlatform(Platform.instagram)
    asyncio.run(Outbox(sqlite_db, {Platform.instagram: sandbox}).drain())
    assert [a.text for a in sandbox.performed.values()] == [first["text"]]


def test_an_alternative_too_long_for_the_platform_even_alone_is_shown_to_shorten_never_sent_as_is(
        sqlite_db: Database) -> None:
    from types import SimpleNamespace

    from moderation.domain import Alternative, Grounding
    from playbooks.engine import _alternatives
    from tests.support.seed import make_draft

    grounding = Grounding(level="none", alternatives=(Alternative(source="answer:short", answer="€6.90"),
                                                      Alternative(source="answer:long", answer="x" * 400)))

    def render(values):  # type: ignore[no-untyped-def]  # a TikTok comment's 150 characters
        long = len(values["answer"]) > 150
        return SimpleNamespace(text=values["answer"], over_limit=150 if long else None)

    stored = _alternatives(render, {"answer": ""}, grounding, None)
    assert stored == [{"source": "answer:short", "text": "€6.90"},
                      {"source": "answer:long", "text": "x" * 400, "over_limit": 150}]
    approval_id = make_draft(sqlite_db, alternatives=stored)
    approvals = ApprovalService(sqlite_db, lambda surface, user: user == "cm")
    try:
        approvals.decide(approval_id, Verdict.edit, surface="console", user="cm", alternative=1)
    except ApprovalError as exc:
        assert "longer than the platform allows (150 characters): shorten it with Edit" in str(exc)
    else:
        raise AssertionError("an alternative too long for the platform was sent as it is")
    with sqlite_db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "pending"
