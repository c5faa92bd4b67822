"""Retrieval that does not depend on the brand's wording: places by their country or region, topics by other
words in either language, the post's product among several, colours in French, and no fact for a topic the
knowledge base does not cover."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from moderation.domain import Interaction, Kind, Platform, Scores, Sentiment
from moderation.knowledge.lexicon import default_lexicon
from moderation.knowledge.posts import PostProducts
from moderation.knowledge.retrieval import Retriever, asks_question
from moderation.knowledge.stage import KnowledgeStage
from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: shipping-ireland
    questions:
      en: ["how much is shipping to Ireland?"]
      fr: ["combien pour livrer en Irlande ?"]
    answer:
      en: "Shipping to Ireland is €6.90, 3-5 working days."
      fr: "La livraison en Irlande coûte 6,90 €, sous 3 à 5 jours ouvrés."
  - id: shipping-eu
    questions:
      en: ["do you ship to Germany?", "delivery in Europe?"]
    answer:
      en: "Shipping in the EU is €4.90, 2-4 working days."
  - id: shipping-world
    questions:
      en: ["do you ship to the US?"]
    answer:
      en: "We ship worldwide for €15, 5-10 working days."
  - id: gift-cards
    questions:
      en: ["do you sell gift cards?"]
      fr: ["vous avez des cartes cadeaux ?"]
    answer:
      en: "Gift cards go from €25 to €500."
      fr: "Les cartes cadeaux vont de 25 € à 500 €."
  - id: stores
    questions:
      en: ["where is your shop?"]
      fr: ["où est votre boutique ?"]
    answer:
      en: "Our only shop is in Lyon, 3 rue Mercière, Tuesday to Saturday."
      fr: "Notre seule boutique est à Lyon, 3 rue Mercière, du mardi au samedi."
"""

SHOP_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
TRENCH,Trench Léon,289.00,EUR,S|M|L,beige|navy,12,https://example.com/p/trench,"Cotton trench coat"
JEAN,Jean droit,99.00,EUR,26|28|30,indigo,20,https://example.com/p/jean,"Straight-leg jeans"
MILL,Comandante hand grinder,259.00,EUR,,black|walnut,6,https://example.com/p/mill,"Hand grinder (moulin)"
SERUM-30,Sérum Éclat 30 ml,39.00,EUR,30ml,,120,https://example.com/p/serum-30,"Vitamin C serum"
SERUM-50,Sérum Éclat 50 ml,55.00,EUR,50ml,,60,https://example.com/p/serum-50,"Vitamin C serum, the big bottle"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(request, tmp_path: Path) -> Retriever:
    return retriever_for(tmp_path, SHOP_YAML, SHOP_CSV, request.param)



def test_a_city_finds_the_answer_naming_its_country(shop) -> None:
    cork = ask(shop, "what would postage to Cork cost me?")
    assert cork.source == "answer:shipping-ireland" and "€6.90" in cork.answer
    galway = ask(shop, "c'est combien l'envoi vers Galway ?", lang="fr")
    assert galway.source == "answer:shipping-ireland" and "6,90 €" in galway.answer


def test_a_country_no_answer_names_finds_its_regions_answer(shop) -> None:
    assert ask(shop, "how much to send a parcel to Spain?").source == "answer:shipping-eu"
    assert ask(shop, "can you ship to Japan?", intent="other").source == "answer:shipping-world"
    assert ask(shop, "do you deliver to New York?", intent="other").source == "answer:shipping-world"


def test_other_words_for_the_same_topic_meet(shop) -> None:
    # "voucher" is never written in the knowledge base; the lexicon knows it is a gift card.
    voucher = ask(shop, "do you do vouchers?", intent="other")
    assert voucher.source == "answer:gift-cards" and voucher.level in ("high", "low")


def test_a_topic_no_answer_covers_gets_no_fact(shop) -> None:
    # A shop answer exists, but the question is about hiring: no shop address offered as if it answered.
    hiring = ask(shop, "vous recrutez des vendeurs pour la boutique ?", intent="other", lang="fr")
    assert hiring.level == "none" and hiring.answer == ""


def test_a_size_or_colour_picks_the_product_among_the_posts(shop) -> None:
    # An outfit post names the trench and the jeans: "in navy?" is the trench (the only one in navy).
    navy = ask(shop, "does it come in navy?", intent="product_question", post_products=("TRENCH", "JEAN"))
    assert navy.source == "product:TRENCH" and "navy" in navy.answer
    # A colour asked in French finds its English name in the catalogue.
    walnut = ask(shop, "la comandante elle existe en noyer ?", intent="product_question", lang="fr")
    assert walnut.source == "product:MILL" and "walnut" in walnut.answer


def test_a_caption_naming_one_products_sizes_means_the_size_it_says(shop) -> None:
    assert shop.caption_products("Nouveau : le Sérum Éclat 50 ml") == ("SERUM-50",)
    # Without a size, the first variant in the catalogue; two different products are both candidates.
    assert shop.caption_products("The Sérum Éclat is here") == ("SERUM-30",)
    assert shop.caption_products("Outfit: Trench Léon, jean droit") == ("TRENCH", "JEAN")
    assert shop.caption_product("Outfit: Trench Léon, jean droit") is None


def test_this_under_a_product_post_is_that_products_price(shop) -> None:
    grounding = ask(shop, "c'est combien ?", lang="fr", post_product="SERUM-30")
    assert grounding.source == "product:SERUM-30" and "39 €" in grounding.answer


def test_a_short_question_the_classifier_could_not_place_is_answered_in_french(shop) -> None:
    # The classifier said Spanish ("en" is a Spanish word too); the knowledge base's French questions say French.
    grounding = ask(shop, "dispo en M ?", intent="product_question", lang="es", post_product="TRENCH")
    assert grounding.source == "product:TRENCH" and "Il existe en M" in grounding.answer


def test_lexicon_places_and_codes() -> None:
    lexicon = default_lexicon()
    assert lexicon.mention("vous envoyez en Irlande du Nord ? Belfast").countries == {"gb"}
    assert lexicon.mention("postage to Cork?").countries == {"ie"}
    # "US" is the country only in capitals: "tell us" is a pronoun.
    assert lexicon.mention("do you ship to the US?").countries == {"us"}
    assert lexicon.mention("can you tell us the price?").countries == frozenset()
    assert lexicon.region("es") == "eu" and lexicon.region("jp") == "world"
    assert "shipping" in lexicon.mention("what's the postage?").concepts


def test_questions_are_told_from_remarks() -> None:
    assert asks_question("love it! do you ship to Canada")
    assert asks_question("Great video. How long does delivery take")
    assert not asks_question("love this colour")
    # An emoji ends a sentence as a full stop would.
    assert asks_question("parcel came today and the box was soaked 😩 what do I do")
    assert not asks_question("love it 😍 great colour")


def _scores(intent: str, toxicity: float = 0.0, confidence: float = 0.9) -> Scores:
    return Scores(intent=intent, intent_confidence=confidence, toxicity=toxicity, toxic=toxicity >= 0.5,
                  sentiment=Sentiment.positive, lang="en")


def _interaction(text: str) -> Interaction:
    return Interaction(platform=Platform.instagram, kind=Kind.comment, external_id="x", author_id="a", text=text,
                       created_at=datetime(2026, 12, 1, tzinfo=UTC))


def test_a_question_under_any_intent_is_grounded_but_never_a_toxic_one(shop) -> None:
    stage = KnowledgeStage(shop, PostProducts(None, shop.caption_product))
    question = _interaction("love your stuff! do you ship to Japan?")
    assert stage.wanted(question, _scores("praise"))
    assert stage.wanted(question, _scores("other"))
    # Spam may be a customer's short question ("carte cadeau possible ?"): the playbooks decide.
    assert stage.wanted(question, _scores("spam", confidence=0.3))
    assert not stage.wanted(_interaction("follow us for free followers"), _scores("spam", confidence=0.3))
    assert not stage.wanted(question, _scores("praise", toxicity=0.9))
    assert not stage.wanted(_interaction("love your stuff"), _scores("praise"))
    assert not KnowledgeStage(shop, PostProducts(None, shop.caption_product), any_question=False).wanted(
        question, _scores("praise"))


def test_a_place_alone_does_not_make_an_answer_about_the_question(shop) -> None:
    # Belgium is in the EU shipping answer's region, but the question is about a shop.
    grounding = ask(shop, "is there a shop in Brussels?", intent="other")
    assert grounding.source == "answer:stores" and "Lyon" in grounding.answer


def test_a_colour_asked_is_a_product_question_whatever_the_intent(shop) -> None:
    grounding = ask(shop, "vous avez encore le trench en navy ?", intent="other", lang="fr")
    assert grounding.source == "product:TRENCH" and "navy" in grounding.answer


def test_the_question_sentence_of_a_long_message_is_its_topic(shop) -> None:
    text = ("Been following you for ages, my whole family loves your things and the packaging is lovely. "
            "Do you do vouchers? Birthday coming up next week")
    grounding = ask(shop, text, intent="praise")
    assert grounding.source == "answer:gift-cards"
