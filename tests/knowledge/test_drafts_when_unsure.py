"""An answer met by its shop topic alone, the question's own word unknown to every answer ("is there parking
near the shop?"), and an answer winning over the post's product by a plain word ("c'est combien le paquet ?"
under a tea's post) are drafts for a person, never sent alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

ANSWERS = """\
answers:
  - id: shop
    questions:
      en: ["where is your shop?", "when is the shop open?"]
      fr: ["où est la boutique ?"]
    answer:
      en: "The shop is at 27 Raeburn Place, open 9:30-17:30."
      fr: "La boutique est au 27 Raeburn Place, ouverte de 9h30 à 17h30."
  - id: gift-wrap
    questions:
      en: ["can you gift wrap it?"]
      fr: ["vous faites des paquets cadeaux ?"]
    answer:
      en: "Gift wrapping is £3.50 per parcel."
      fr: "L'emballage cadeau coûte 3,50 £ par colis."
"""
CATALOGUE = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
BRK,Stockbridge Breakfast,7.50,GBP,100 g,,86,https://tea.example/breakfast,"Strong black tea, loose leaf"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, ANSWERS, CATALOGUE, request.param)


def test_an_answer_met_by_its_topic_alone_with_an_unknown_word_is_a_draft(shop) -> None:
    grounding = ask(shop, "is there parking near the shop?", intent="product_question")
    assert grounding.level != "high"
    assert ask(shop, "where is your shop?", intent="product_question").level == "high"


def test_an_answer_winning_over_the_posts_product_by_a_plain_word_is_a_draft(shop) -> None:
    grounding = ask(shop, "c'est combien le paquet ?", lang="fr", post_product="BRK")
    assert grounding.level != "high"
    # A shop topic named ("gift wrap") under the same post is that answer, sure.
    wrap = ask(shop, "how much to gift wrap it?", post_product="BRK")
    assert wrap.source == "answer:gift-wrap"


TEAROOM = """\
answers:
  - id: shop-hours
    questions:
      en: ["when are you open?", "what are your opening hours?"]
      fr: ["vous êtes ouverts quand ?", "quels sont vos horaires ?"]
    answer:
      en: "The shop is open Monday to Saturday, 9:30 to 17:30."
      fr: "La boutique est ouverte du lundi au samedi, de 9h30 à 17h30."
  - id: tearoom
    questions:
      en: ["do you have a tearoom?"]
      fr: ["vous avez un salon de thé ?"]
    answer:
      en: "Our tearoom at the back is open Wednesday to Sunday, 10:00 to 16:00."
      fr: "Notre salon de thé, au fond, est ouvert du mercredi au dimanche, de 10h à 16h."
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def tearoom(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, TEAROOM, CATALOGUE, request.param)


def test_an_answer_a_little_behind_that_covers_far_more_of_the_question_is_the_draft(tearoom) -> None:
    grounding = ask(tearoom, "le salon de thé est ouvert le lundi ?", intent="product_question", lang="fr")
    assert grounding.source == "answer:tearoom"
    assert ask(tearoom, "vous êtes ouverts le lundi ?", intent="product_question", lang="fr").source == (
        "answer:shop-hours")


BALMS = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
LIP,Baume Teinté Lèvres,13.00,EUR,,nude|rouge,20,https://shop.example/baume,"Tinted lip balm"
BB,Crème Teintée Fourvière,29.00,EUR,40 ml,clair|medium|ambré,18,https://shop.example/creme,"Tinted moisturiser"
"""


def test_a_caption_naming_a_product_in_full_is_that_products_not_one_sharing_a_word(tmp_path: Path) -> None:
    retriever = retriever_for(tmp_path, TEAROOM, BALMS, "words")
    assert retriever.caption_products("Crème Teintée Fourvière, quatre teintes, SPF 15") == ("BB",)
    assert retriever.caption_products("Le Baume Teinté Lèvres et la Crème Teintée Fourvière") == ("LIP", "BB")
