"""A complaint about a damaged parcel gets the damaged-order answer (a shop topic of its own, in English and
French, whatever words say it), even when it asks nothing; a size with its unit the shop does not sell ("250g"
of teas sold in 100 g) is answered with the sizes it does sell."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from moderation.domain import Interaction, Kind, Platform, Scores
from moderation.knowledge.lexicon import default_lexicon
from moderation.knowledge.posts import PostProducts
from moderation.knowledge.stage import KnowledgeStage
from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

TEA_YAML = """\
answers:
  - id: damaged-order
    questions:
      en: ["my order arrived damaged"]
      fr: ["ma commande est arrivée abîmée"]
    answer:
      en: "So sorry! Send a photo and your order number to help@tea.example: we send a new one."
      fr: "Désolés ! Envoyez une photo et votre numéro de commande à help@tea.example : on vous en renvoie un."
  - id: shipping
    questions:
      en: ["how much is delivery?"]
      fr: ["combien coûte la livraison ?"]
    answer:
      en: "Delivery is £3.50, free from £40."
      fr: "La livraison coûte 3,50 £, offerte dès 40 £."
"""
TEA_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
T-ROOI,Highland Rooibos,7.00,GBP,100 g,,40,https://tea.example/rooibos,"Caffeine-free rooibos, loose leaf"
T-MUG,Gannet Mug,14.00,GBP,,,12,https://tea.example/mug,"Enamel mug with a gannet"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def tea(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, TEA_YAML, TEA_CSV, request.param)


def test_damage_is_one_topic_in_english_and_french() -> None:
    lexicon = default_lexicon()
    for text in ("mug tout cabossé à la réception", "le pot est fendu", "the lid arrived in three pieces",
                 "box turned up soaked", "my order arrived damaged"):
        assert "damaged" in lexicon.mention(text).concepts, text
    assert "damaged" not in lexicon.mention("broke out in a rash").concepts


def test_a_damaged_parcel_complaint_gets_the_damaged_order_answer(tea) -> None:
    grounding = ask(tea, "le mug est arrivé tout cabossé", intent="complaint", lang="fr")
    assert grounding.source == "answer:damaged-order" and "help@tea.example" in grounding.answer


async def test_a_complaint_that_asks_nothing_is_grounded_too(tea) -> None:
    stage = KnowledgeStage(tea, PostProducts(None, tea.caption_product))
    complaint = Interaction(platform=Platform.instagram, kind=Kind.comment, external_id="c1", author_id="a",
                            text="my parcel arrived all crushed, not happy", created_at=datetime.now(UTC))
    score = Scores(intent="complaint", intent_confidence=0.9, toxicity=0.0, sentiment="negative", lang="en")
    [grounding] = await stage.ground([complaint], [score])
    assert grounding is not None and grounding.source == "answer:damaged-order"


def test_a_size_with_its_unit_not_sold_is_answered_with_the_sizes_sold(tea) -> None:
    grounding = ask(tea, "dispo en 250g ?", intent="purchase", lang="fr", post_product="T-ROOI")
    assert grounding.source == "product:T-ROOI" and "100 g" in grounding.answer and "Pas de 250g" in grounding.answer
    sold = ask(tea, "the rooibos in 100g?", intent="purchase")
    assert sold.source == "product:T-ROOI" and "It comes in 100 g." in sold.answer  # as the catalogue writes it


RETURNS_YAML = """\
answers:
  - id: returns
    questions:
      en: ["what is your return policy?"]
    answer:
      en: "Unopened items can be returned within 28 days; the label is £3."
  - id: brewing
    questions:
      en: ["how do I brew the earl grey?"]
    answer:
      en: "Brew the earl grey 3 minutes at 95°C."
  - id: shipping
    questions:
      en: ["how much is delivery?"]
    answer:
      en: "Delivery is £3.50."
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def returns_shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, RETURNS_YAML, TEA_CSV, request.param)


def test_a_refund_request_naming_a_return_gets_the_returns_answer_among_many_other_words(returns_shop) -> None:
    text = "opened the earl grey and don't love it at all, honestly gutted, can I send it back?"
    grounding = ask(returns_shop, text, intent="refund")
    assert grounding.source == "answer:returns" and grounding.level == "low"  # a draft: refunds reach a person


GEAR_YAML = """\
answers:
  - id: rentals
    questions:
      en: ["how much is a snowshoe rental?"]
    answer:
      en: "We rent snowshoes for $18 a day."
"""
GEAR_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
SHOE,Raquettes Mont-Valin,219.00,CAD,M|L,,10,https://gear.example/raquettes,\
"Aluminium snowshoes; M up to 90 kg, L up to 125 kg"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def gear(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, GEAR_YAML, GEAR_CSV, request.param)


def test_a_measure_in_the_question_does_not_hide_the_product_its_description_names(gear) -> None:
    grounding = ask(gear, "looking for snowshoes for someone around 110 kg, which ones and how much?")
    assert grounding.source == "product:SHOE" and "219" in grounding.answer


COMICS_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
OMNI,Les Brumes – Intégrale noir & blanc,45.00,EUR,,,7,https://comics.example/p/integrale,Omnibus of tomes 1-3.
TEE,T-shirt « Bulle »,25.00,EUR,S|M|L|XL,blanc|noir,22,https://comics.example/p/tee,Organic cotton tee.
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def comics(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, GEAR_YAML, COMICS_CSV, request.param)


def test_a_colour_alone_never_names_the_product_whose_name_holds_it(comics) -> None:
    # "noir & blanc" in the album's name is what it is, not a word that names it: the t-shirt post's caption and
    # "dispo en noir ?" under it are about the t-shirt.
    assert comics.caption_product("Le t-shirt Bulle est de retour, en blanc et en noir, coton bio") == "TEE"
    grounding = ask(comics, "dispo en noir ?", intent="product_question", lang="fr", post_product="TEE")
    assert grounding.source == "product:TEE" and "noir" in grounding.answer
    assert ask(comics, "l'intégrale noir et blanc c'est combien ?", lang="fr").source == "product:OMNI"
