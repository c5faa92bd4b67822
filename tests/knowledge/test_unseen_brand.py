"""Mechanisms that carry to a brand retrieval was never tuned on: a product named outright or by its nickname
wins its price question, a restock question is the product's stock, a size asked never describes a product, a
word several products share names none of them, and the gazetteer knows provinces, states and towns."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.lexicon import default_lexicon
from moderation.knowledge.retrieval import Retriever
from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

OUTDOOR_YAML = """\
answers:
  - id: sizing
    questions:
      en: ["do your coats fit true to size?", "what size should I take?"]
    answer:
      en: "Our coats are true to size; between two sizes, take the bigger one."
  - id: shipping
    questions:
      en: ["how much is shipping?", "do you ship to Canada?"]
    answer:
      en: "Shipping is $12 anywhere in Canada, free over $100."
  - id: warranty
    questions:
      en: ["what is your warranty?"]
      fr: ["c'est garanti combien de temps ?"]
    answer:
      en: "Our own-brand gear is guaranteed 2 years against defects."
      fr: "Nos produits sont garantis 2 ans contre les défauts."
  - id: restock
    questions:
      en: ["when do sold out items come back?"]
    answer:
      en: "Sold out items are restocked every month; sign up for an alert on the product page."
"""

OUTDOOR_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
PARKA,Parka Nordique,399.00,USD,S|M|L,black,0,https://example.com/p/parka,"Winter coat, down-free insulation"
SHELL,Veste Fjord,199.00,USD,S|M|L,green,8,https://example.com/p/shell,"Rain coat (the Skerry), taped seams"
SKI,Skis Alpin 170,499.00,USD,,red,4,https://example.com/p/ski,"Touring skis, M up to 80 kg and L up to 100 kg"
BOOT-W,Hiking boot Cascade,159.00,USD,,brown,5,https://example.com/p/boot-w,"Leather hiking boot"
BOOT-M,Hiking boot Summit,169.00,USD,,black|charcoal,5,https://example.com/p/boot-m,"Suede hiking boot"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def outdoor(request, tmp_path: Path) -> Retriever:
    return retriever_for(tmp_path, OUTDOOR_YAML, OUTDOOR_CSV, request.param)



def test_a_product_named_outright_wins_its_price_question_over_an_answer_sharing_its_words(outdoor) -> None:
    # "coat" is in the sizing answer and in the parka's description: the name says which, the price is asked.
    parka = ask(outdoor, "how much is the nordique coat?")
    assert parka.source == "product:PARKA" and "$399" in parka.answer.replace(".00", "")


def test_a_nickname_in_the_description_names_the_product(outdoor) -> None:
    skerry = ask(outdoor, "what does the Skerry cost?")
    assert skerry.source == "product:SHELL" and skerry.answer
    assert "skerry" in outdoor.nicknames[1] and not outdoor.nicknames[0]  # "Winter" opens a sentence


def test_a_restock_question_about_a_named_product_is_its_stock(outdoor) -> None:
    back = ask(outdoor, "is the parka nordique back in stock?", intent="product_question")
    assert back.source == "product:PARKA" and "sold out" in back.answer
    # Sold out, and when sold-out things come back: the shop's restock answer, before the product's link.
    assert "restocked every month" in back.answer and back.answer.endswith("utm_campaign=organic")
    # Not where it would push the facts over the platform's limit (a TikTok comment).
    short = ask(outdoor, "is the parka nordique back in stock?", intent="product_question", limit=150)
    assert "sold out" in short.answer and "restocked" not in short.answer
    # Its price asked, or a product in stock: no restock sentence.
    assert "restocked" not in ask(outdoor, "how much is the parka nordique?").answer
    assert "restocked" not in ask(outdoor, "is the veste fjord back in stock?", intent="product_question").answer


def test_a_size_asked_never_describes_a_product(outdoor) -> None:
    # The skis' description says "M up to 80 kg": "dispo en M ?" under a post of the two coats is a coat.
    grounding = ask(outdoor, "dispo en M ?", intent="purchase", lang="fr", post_products=("SHELL", "SKI"))
    assert grounding.source == "product:SHELL" and "Il existe en M" in grounding.answer


def test_a_word_several_products_share_names_none_of_them(outdoor) -> None:
    boots = ask(outdoor, "do you have any boots?", intent="other")
    assert boots.answer == "" and boots.level == "none" and boots.suggestions


def test_the_gazetteer_knows_provinces_states_and_towns() -> None:
    lexicon = default_lexicon()
    assert lexicon.mention("c combien le shipping pour Sherbrooke ?").countries == {"ca"}
    assert lexicon.mention("can you send one out to Nova Scotia").countries == {"ca"}
    assert lexicon.mention("Do you deliver to Vermont?").countries == {"us"}
    assert lexicon.mention("livraison à Besançon ?").countries == {"fr"}
    assert lexicon.mention("ship to Albania?").countries == {"al"}
    assert "shipping" in lexicon.mention("could you send a bike out there?").concepts
    assert "restock" in lexicon.mention("le manteau revient quand ?").concepts


def test_a_topic_the_named_product_does_not_explain_is_never_answered_with_its_price(outdoor) -> None:
    # The coat is named and "combien" asks a price, but the question is about its warranty.
    warranty = ask(outdoor, "la veste fjord est garantie combien d'années ?", lang="fr")
    assert warranty.source != "product:SHELL"
    assert warranty.answer == "" or warranty.source == "answer:warranty"


def test_when_will_it_ship_of_a_sold_out_product_is_its_stock_not_the_shipping(outdoor) -> None:
    grounding = ask(outdoor, "how much and when will it ship?", post_product="PARKA")
    assert grounding.source == "product:PARKA" and "sold out" in grounding.answer


def test_a_colour_of_two_words_is_that_colour_not_its_first_word(outdoor) -> None:
    # "gris foncé" (dark grey) is the catalogue's charcoal.
    grounding = ask(outdoor, "elle existe en gris foncé ?", intent="product_question", lang="fr", post_product="BOOT-M")
    assert grounding.source == "product:BOOT-M" and "Il existe en charcoal" in grounding.answer
