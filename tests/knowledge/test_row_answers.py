"""Under a product's post, a question the catalogue row answers is that product's, whatever else the message says:
its sizes asked in words nobody's answer uses ("what sizes? I'm tiny lol", "how big is the cod one?"), or a price
with a story after it. Words about something else still get no fact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: shipping
    questions:
      en: ["how much is shipping?"]
      fr: ["combien coûte la livraison ?"]
    answer:
      en: "Shipping is €5.90, free from €60."
      fr: "La livraison coûte 5,90 €, offerte dès 60 €."
"""
SHOP_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
APRON,Tablier Atelier,32.00,EUR,S/M|L/XL,black|ecru,9,https://shop.example/apron,Heavy cotton apron
PLATTER,Travessa Bacalhau,64.00,EUR,38 cm,,4,https://shop.example/platter,Oval platter painted with a cod
SARDINE,Sardinha de parede,16.00,EUR,,,30,https://shop.example/sardine,Hand-painted ceramic wall sardine
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, SHOP_YAML, SHOP_CSV, request.param)


def test_sizes_asked_in_any_words_under_the_post_are_its_sizes(shop) -> None:
    tiny = ask(shop, "what sizes? I'm tiny lol", intent="product_question", post_product="APRON")
    assert tiny.source == "product:APRON" and "S/M and L/XL" in tiny.answer
    tall = ask(shop, "il existe en plus grand ?", intent="product_question", lang="fr", post_product="APRON")
    assert tall.source == "product:APRON" and "S/M et L/XL" in tall.answer
    cod = ask(shop, "how big is the cod one? need something for the xmas turkey lol", post_product="PLATTER")
    assert cod.source == "product:PLATTER" and "38 cm" in cod.answer


def test_the_story_after_a_price_question_is_not_a_question_about_something_else(shop) -> None:
    grounding = ask(shop, "how much are the wall sardines? I want a whole school of them for my bathroom 😂",
                    post_product="SARDINE")
    assert grounding.source == "product:SARDINE" and "€16" in grounding.answer


def test_words_about_something_else_still_get_no_fact(shop) -> None:
    workers = ask(shop, "how much are the workers paid though?", post_product="APRON")
    assert workers.answer == "" and workers.level == "none"
