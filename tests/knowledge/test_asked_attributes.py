"""A product's reply answers the attribute asked: the colours it comes in when a colour is named in any words
("en vert ?" of "vert forêt", "in brown?" of cocoa), its sizes when a measure is asked ("combien de ml ?", "any
bigger?"), and a size it sells as the catalogue writes it. Found on brand weeks where the right product was
drafted without the fact asked, which a person then had to look up."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.retrieval import Question
from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: shipping
    questions:
      en: ["how much is delivery?"]
      fr: ["combien coûte la livraison ?"]
    answer:
      en: "Delivery is €4.90, free from €50."
      fr: "La livraison coûte 4,90 €, offerte dès 50 €."
"""
SHOP_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
APRON,Tablier Atelier,32.00,EUR,S/M|L/XL,black|cocoa|ecru,9,https://shop.example/apron,Heavy cotton apron
CAN,Arrosoir Petit Bec,34.00,EUR,1 L,laiton|noir mat,5,https://shop.example/can,Arrosoir à long bec fin
POT,Pot Erdre,24.00,EUR,17 cm,vert sauge|blanc craie,7,https://shop.example/pot,Pot en terre cuite émaillée
SYRUP,Coffret dégustation,24.00,EUR,4 x 50 ml,,12,https://shop.example/syrup,Quatre bouteilles de sirop
STRAP,Bracelet Rallye,99.00,EUR,18 mm|19 mm|20 mm,,3,https://shop.example/strap,Perforated racing strap
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, SHOP_YAML, SHOP_CSV, request.param)


def test_a_colour_the_product_lacks_lists_the_colours_it_has(shop) -> None:
    grounding = ask(shop, "does it come in brown?", intent="product_question", post_product="APRON")
    assert grounding.source == "product:APRON" and "Colours: black, cocoa and ecru." in grounding.answer


def test_a_colour_named_by_one_of_its_words_or_another_language_is_that_colour(shop) -> None:
    white = ask(shop, "Dispo en blanc ?", intent="purchase", lang="fr", post_product="POT")
    assert "Il existe en blanc craie." in white.answer
    black = ask(shop, "is it available in black?", intent="purchase", post_product="CAN")
    assert "It comes in noir mat." in black.answer


def test_two_colours_named_are_both_answered(shop) -> None:
    grounding = ask(shop, "l'arrosoir en laiton, il existe aussi en noir ou bien ?", intent="product_question",
                    lang="fr", post_product="CAN")
    assert "Il existe en laiton et noir mat." in grounding.answer


def test_a_measure_asked_lists_the_sizes(shop) -> None:
    volume = ask(shop, "Le coffret c'est des bouteilles de combien de ml chaque?", intent="pricing", lang="fr",
                 post_product="SYRUP")
    assert volume.source == "product:SYRUP" and "4 x 50 ml" in volume.answer
    bigger = ask(shop, "does it come any bigger?", intent="product_question",
                 post_product="POT")
    assert "17 cm" in bigger.answer


def test_a_size_sold_is_written_as_the_catalogue_writes_it(shop) -> None:
    grounding = ask(shop, "le rallye existe en 19 ?", intent="product_question", lang="fr", post_product="STRAP")
    assert "Il existe en 19 mm." in grounding.answer and "19MM" not in grounding.answer


def test_a_question_asking_no_colour_or_measure_keeps_the_short_reply(shop) -> None:
    grounding = ask(shop, "how much is it?", post_product="APRON")
    assert grounding.answer.startswith("Tablier Atelier is €32, in stock. https://shop.example/apron")


def test_a_colour_in_the_product_name_is_not_a_colour_asked(tmp_path: Path) -> None:
    shop = retriever_for(tmp_path, SHOP_YAML, SHOP_CSV + "COAT,Manteau camel,349.00,EUR,S|M,camel,7,"
                         "https://shop.example/coat,Wool coat\n", "words")
    black = ask(shop, "does the camel coat come in black?", intent="product_question")
    assert black.source == "product:COAT" and "Colours: camel." in black.answer
    price = ask(shop, "how much is the camel coat?")
    assert "Colours" not in price.answer and "comes in" not in price.answer
    # Nor does it make a message that names the product ask something of it: an order problem is no price question.
    order = ask(shop, "ordered the manteau camel last week, no email yet?", intent="order_support")
    assert order.source != "product:COAT"


def test_the_cards_alternatives_answer_the_attribute_asked_too(shop) -> None:
    """An alternative ("Send this instead") is composed without the rules' aspects: it reads the question."""
    sizes = shop._drafted(Question(text="what sizes? I'm tiny lol", lang="en", intent="other"), "product:APRON",
                          0.5, ())
    assert "Sizes: S/M and L/XL." in sizes.answer
    colours = shop._drafted(Question(text="love the black! what other colours does it come in?", lang="en",
                                     intent="product_question"), "product:APRON", 0.5, ())
    assert "Colours: black, cocoa and ecru." in colours.answer
