"""A product sold in one size (a second-hand sweater in XL): "what size is this one?" is answered by its catalogue
row, not by the sizing guide, which still answers how sizes fit and the size of a product sold in several."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.knowledge.shops import EMPTY_CATALOGUE, RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: sizing
    questions:
      en: ["what size is it?", "how do I know which size to order?", "do vintage sizes run small?"]
      fr: ["c'est quelle taille ?", "comment choisir ma taille ?"]
    answer:
      en: "We list the modern equivalent size and measurements taken flat on every product page."
      fr: "Nous indiquons la taille actuelle équivalente et les mesures à plat sur chaque fiche."
"""
SHOP_CSV = EMPTY_CATALOGUE + (
    "SW04,Chandail Cowichan,240.00,CAD,XL,Grey|Cream,1,https://shop.example/cowichan,Hand-knit sweater\n"
    "TEE,Tee-shirt logo,35.00,CAD,S|M|L,White,20,https://shop.example/tee,Cotton tee\n")


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, SHOP_YAML, SHOP_CSV, request.param)


def test_the_size_of_a_product_sold_in_one_is_its_catalogue_row(shop) -> None:
    for text, lang in (("what size is this one? 😍", "en"), ("c'est quelle grandeur?", "fr"),
                       ("is this still available and what size", "en")):
        grounding = ask(shop, text, intent="product_question", lang=lang, post_product="SW04")
        assert grounding.source == "product:SW04" and "XL" in grounding.answer, text


def test_the_sizing_guide_still_answers_how_sizes_fit_and_products_sold_in_several(shop) -> None:
    fits = ask(shop, "does it run small?", intent="product_question", post_product="SW04")
    assert fits.source != "product:SW04"
    several = ask(shop, "what size is this one?", intent="product_question", post_product="TEE")
    assert several.source == "answer:sizing"
