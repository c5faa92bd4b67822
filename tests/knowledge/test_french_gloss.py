"""A French question meets a catalogue described in English: words the knowledge base does not use are read as
the English words it does ("théière" the Teapot, "fumé" the smoked tea); a word naming a shop topic stays that
topic ("renvoyer" is still a return)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

ANSWERS = """\
answers:
  - id: returns
    questions:
      en: ["can I return an item?"]
      fr: ["je peux retourner un article ?"]
    answer:
      en: "Unopened items can be returned within 28 days."
      fr: "Les articles non ouverts peuvent être retournés sous 28 jours."
  - id: tearoom
    questions:
      fr: ["le salon de thé sert quoi ?"]
    answer:
      fr: "Notre salon de thé sert une théière pour deux et des scones."
"""
CATALOGUE = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
POT,Cramond Teapot,42.00,GBP,,slate|sea green,6,https://tea.example/teapot,"Handmade stoneware, 1 litre"
LAPS,Peat Smoke Lapsang,9.50,GBP,100 g,,0,https://tea.example/lapsang,"Pine-smoked black tea, loose leaf"
EARL,Leith Earl Grey,8.00,GBP,100 g,,20,https://tea.example/earl,"Black tea with bergamot, loose leaf"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, ANSWERS, CATALOGUE, request.param)


def test_a_french_product_word_finds_the_product_named_in_english(shop) -> None:
    grounding = ask(shop, "la théière elle fait combien ?", lang="fr")
    assert grounding.source == "product:POT" and "42" in grounding.answer


def test_a_french_flavour_finds_the_product_described_in_english(shop) -> None:
    grounding = ask(shop, "le thé fumé est en rupture ?", intent="product_question", lang="fr")
    assert grounding.source == "product:LAPS" and "épuisé" in grounding.answer


def test_a_word_naming_a_shop_topic_is_not_glossed_away(shop) -> None:
    grounding = ask(shop, "je peux renvoyer un article pas ouvert ?", intent="refund", lang="fr")
    assert grounding.source == "answer:returns"


def test_a_french_word_an_answer_uses_still_finds_the_product_named_in_english(shop) -> None:
    # "théière" is in the tearoom answer; the teapot is still the product asked, in the colour asked.
    grounding = ask(shop, "la théière en gris ardoise vous l'avez ? elle fait combien", lang="fr", intent="other")
    assert grounding.source == "product:POT" and "42" in grounding.answer


def test_praise_words_do_not_hide_the_posts_product(shop) -> None:
    grounding = ask(shop, "how much is this lovely thing", post_product="POT")
    assert grounding.source == "product:POT" and "42" in grounding.answer


STORY_CATALOGUE = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
DECO,Coffret Découverte,39.00,EUR,,,15,https://shop.example/coffret,"Discovery gift box with five minis"
SOAP,Savon Canut,8.00,EUR,,,30,https://shop.example/savon,"Cold-process soap with silk"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def story_shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, ANSWERS, STORY_CATALOGUE, request.param)


def test_a_long_message_names_its_product_in_the_sentence_that_asks(story_shop) -> None:
    text = ("Hi! Looking for a birthday present for my sister who loves skincare. Is the discovery box still "
            "available and how much is it?")
    grounding = ask(story_shop, text)
    assert grounding.source == "product:DECO" and "39" in grounding.answer
