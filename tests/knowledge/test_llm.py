"""Optional LLM wording against a local fake OpenAI-compatible server: facts kept or the template answer stands."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from moderation.domain import DecisionContext, Interaction, Kind, Platform, Scores, Sentiment
from moderation.knowledge.llm import LlmWriter, sent_length, ungrounded
from moderation.knowledge.retrieval import Question, Retriever
from tests.knowledge.conftest import library
from tests.knowledge.fake_openai import FakeOpenAI, fake_openai

QUESTION = Question(text="what does shipping to Ireland cost?", lang="en", intent="pricing")


def _writer(state: FakeOpenAI, brand, **kwargs) -> LlmWriter:
    return LlmWriter(base_url=state.url, model="small-model", catalogue_names=[p.name for p in brand.products],
                     voice=["Hey you! Loved this one 💛"], **kwargs)


def _reword(writer: LlmWriter, brand):  # type: ignore[no-untyped-def]
    grounding = Retriever(brand).ground(QUESTION)
    assert grounding.source == "answer:shipping-ireland"
    return grounding, asyncio.run(writer.reword_many([QUESTION], [grounding]))[0]


def test_a_faithful_rewording_is_used_and_stays_a_draft(brand) -> None:
    reply = ("Cork is €6.90 away, free from €80, in 3-5 working days 💛 "
             "https://example.com/shipping?utm_source=instagram")
    with fake_openai(FakeOpenAI(reply=reply)) as state:
        grounding, worded = _reword(_writer(state, brand, api_key="sk-test"), brand)
    assert worded.answer == reply and worded.worded_by == "llm"
    request = state.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "small-model"
    system, user = request["body"]["messages"]
    assert "Loved this one" in system["content"] and "English" in system["content"]
    assert "€6.90" in user["content"] and "what does shipping to Ireland cost?" in user["content"]
    # The playbook auto-replies on a sure answer, but LLM wording goes to a person unless the rule allows it.
    plan = library().decide(
        Interaction(platform=Platform.instagram, kind=Kind.comment, external_id="1", author_id="a", text=QUESTION.text,
                    post_id="p", created_at=datetime(2026, 12, 7, 10, tzinfo=UTC)),
        Scores(intent="pricing", intent_confidence=0.9, toxicity=0.0, sentiment=Sentiment.neutral, lang="en"),
        DecisionContext(now=datetime(2026, 12, 7, 10, tzinfo=UTC), knowledge=worded))
    reply_action = plan.actions[0]
    assert reply_action.type.value == "draft_reply" and "€6.90 away" in reply_action.params["text"]
    assert "worded by the LLM" in reply_action.reason


def test_a_draft_with_an_invented_price_link_or_product_falls_back_to_the_template(brand) -> None:
    for invented in ("Shipping to Cork is €5.90!", "Free shipping on everything: https://other.example/deal",
                     "€6.90 to Ireland, and the Veste Lin is a must."):
        with fake_openai(FakeOpenAI(reply=invented)) as state:
            grounding, worded = _reword(_writer(state, brand), brand)
        assert worded == grounding, invented
        assert state.requests[0]["auth"] is None


def test_timeouts_and_errors_fall_back_to_the_template(brand) -> None:
    with fake_openai(FakeOpenAI(reply="€6.90", delay=2.0)) as state:
        writer = _writer(state, brand, timeout=0.3)
        grounding, worded = _reword(writer, brand)
    assert worded == grounding and writer.stats["failed"] == 1
    with fake_openai(FakeOpenAI(reply="€6.90", status=500)) as state:
        grounding, worded = _reword(_writer(state, brand), brand)
    assert worded == grounding


def test_the_fact_check_itself() -> None:
    facts = "Shipping to Ireland is €6.90 (free from €80), 3-5 days. https://example.com/shipping"
    assert ungrounded("Only 6,90 € to Ireland, free from 80 €: https://example.com/shipping?utm_source=x",
                      facts, [], []) == []
    assert ungrounded("It's €7 to Ireland", facts, [], []) == ["number 7"]
    assert ungrounded("See https://example.com/other", facts, [], []) == ["link https://example.com/other"]
    assert ungrounded("Try the Chevron Tote", facts, [], ["Chevron Tote"]) == ["product Chevron Tote"]
    assert ungrounded("Try the Chevron Tote", facts, ["Chevron Tote"], ["Chevron Tote"]) == []


TIKTOK = Question(text="what does shipping to Ireland cost?", lang="en", intent="pricing", platform="tiktok",
                  limit=150)


def test_on_a_platform_with_a_short_limit_the_wording_must_fit_or_the_template_stands(brand) -> None:
    grounding = Retriever(brand).ground(TIKTOK)
    short = "€6.90 to Ireland, free from €80, 3-5 working days 💛"
    with fake_openai(FakeOpenAI(reply=short)) as state:
        worded = asyncio.run(_writer(state, brand).reword_many([TIKTOK], [grounding]))[0]
    assert worded.answer == short and worded.worded_by == "llm"
    system = state.requests[0]["body"]["messages"][0]["content"]
    assert "must fit in 120 characters" in system  # 150, less the room its links' tags take
    # Faithful but too long once its link is tagged: the card could not send it, so the template answer stays.
    long = ("Shipping to Ireland is €6.90, and it is free from €80; parcels take 3-5 working days to arrive. "
            "Details: https://example.com/shipping")
    assert len(long) < 150 < sent_length(long) and not ungrounded(long, grounding.answer, [], [])
    with fake_openai(FakeOpenAI(reply=long)) as state:
        writer = _writer(state, brand)
        assert asyncio.run(writer.reword_many([TIKTOK], [grounding]))[0] == grounding
    assert writer.stats["rejected"] == 1
    # Instagram's 2,200 characters need no word about length.
    with fake_openai(FakeOpenAI(reply=short)) as state:
        asyncio.run(_writer(state, brand).reword_many([QUESTION], [Retriever(brand).ground(QUESTION)]))
    assert "characters" not in state.requests[0]["body"]["messages"][0]["content"]


def test_the_limit_is_the_platforms_for_a_comment_or_a_private_reply(brand) -> None:
    from moderation.knowledge.posts import PostProducts
    from moderation.knowledge.stage import KnowledgeStage
    retriever = Retriever(brand)
    stage = KnowledgeStage(retriever, PostProducts(None, retriever.caption_product),
                           text_limit=library().settings.text_limit)

    def limit(platform: Platform, kind: Kind) -> int | None:
        return stage._limit(Interaction(platform=platform, kind=kind, external_id="1", author_id="a", text="?",
                                        created_at=datetime(2026, 12, 7, tzinfo=UTC)))

    assert limit(Platform.tiktok, Kind.comment) == 150 and limit(Platform.tiktok, Kind.dm) == 1000
    assert limit(Platform.instagram, Kind.story_reply) == 1000 and limit(Platform.instagram, Kind.mention) == 2200
    # A team's own `length_limits` in the playbooks is the limit the wording keeps within, as the render does.
    tighter = library().settings.model_copy(update={"length_limits": {Platform.tiktok: {"public": 100}}})
    assert KnowledgeStage(retriever, PostProducts(None, retriever.caption_product),
                          text_limit=tighter.text_limit)._limit(
        Interaction(platform=Platform.tiktok, kind=Kind.mention, external_id="1", author_id="a", text="?",
                    created_at=datetime(2026, 12, 7, tzinfo=UTC))) == 100
    assert KnowledgeStage(retriever, PostProducts(None, retriever.caption_product))._limit(
        Interaction(platform=Platform.tiktok, kind=Kind.comment, external_id="1", author_id="a", text="?",
                    created_at=datetime(2026, 12, 7, tzinfo=UTC))) is None
