"""Issue 18, fourth round: refills and empties are their own topic, pick-up has its French phrasing, words that
say what is asked stay themselves, product words in a question name a product (a bracketed nickname, a whole name
inside a longer one), a region-wide answer covers the region's countries, and "do you sell X?" of a product only
described by a word of X is a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.lexicon import default_lexicon
from moderation.knowledge.retrieval import Question, Retriever
from tests.knowledge.shops import EMPTY_CATALOGUE, RETRIEVER_KINDS, retriever_for

SHOP_YAML = """\
answers:
  - id: shipping-home
    questions:
      en: ["how much is delivery in France?", "do you ship to Paris?"]
      fr: ["combien coûte la livraison en France ?"]
    answer:
      en: "Delivery in France is €4.50, free from €49."
      fr: "La livraison en France coûte 4,50 €, offerte dès 49 €."
  - id: shipping-eu
    questions:
      en: ["do you ship to Germany?", "shipping cost to Belgium?"]
      fr: ["vous livrez en Belgique ?"]
    answer:
      en: "We ship across the EU for €7.90, in 3-6 working days."
      fr: "Nous livrons dans toute l'UE pour 7,90 €, sous 3 à 6 jours ouvrés."
  - id: returns
    questions:
      en: ["what is your return policy?", "can I send a product back?"]
      fr: ["je peux retourner un produit ?"]
    answer:
      en: "Unopened products can be returned within 30 days."
      fr: "Les produits non ouverts peuvent être retournés sous 30 jours."
  - id: refills
    questions:
      en: ["do you do refills?", "can I bring back empty jars?"]
      fr: ["vous faites des recharges ?"]
    answer:
      en: "The Lotion Douce comes in a refill pouch, and each empty jar brought back gets you €1 off."
      fr: "La Lotion Douce existe en recharge, et chaque pot vide rapporté vous fait gagner 1 €."
  - id: click-collect
    questions:
      en: ["can I order online and pick up in store?"]
      fr: ["je peux retirer ma commande en boutique ?"]
    answer:
      en: "Choose store pick-up at checkout: free, ready within 2 hours."
      fr: "Choisissez le retrait en boutique au paiement : gratuit, prêt sous 2 heures."
  - id: shelf-life
    questions:
      en: ["how long does a cream keep once opened?"]
      fr: ["ça se conserve combien de temps ?"]
    answer:
      en: "Creams keep 6 months after opening; please keep them in a private, cool place."
      fr: "Les crèmes se gardent 6 mois après ouverture, dans un endroit frais et privé."
"""

CATALOGUE = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
LO-DOUCE,Lotion Douce,22.00,EUR,50 ml,,10,https://s.example/lotion,"Gentle lotion for dry skin, glass jar"
LO-RECH,Recharge Lotion Douce,17.00,EUR,50 ml,,10,https://s.example/recharge,"Refill pouch for the Lotion Douce"
ST-MENTHE,Stick Menthe,9.00,EUR,50 g,,10,https://s.example/stick,"Deodorant balm without alcohol (le stick)"
CR-TEINT,Crème Garance,25.00,EUR,40 ml,clair|medium|ambré,10,https://s.example/cc,"Tinted moisturiser (la CC crème)"
GO-SCRUB,Gommage Sel,15.00,EUR,100 ml,,10,https://s.example/gommage,"Salt body scrub with sweet almond oil"
SH-BAR,Pain Lavant Vert,11.00,EUR,80 g,,10,https://s.example/pain,"Solid shampoo bar for oily hair with nettle"
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(request, tmp_path: Path) -> Retriever:
    return retriever_for(tmp_path, SHOP_YAML, CATALOGUE, request.param)


def _ask(retriever: Retriever, text: str, intent: str = "product_question", lang: str = "en"):
    return retriever.ground(Question(text=text, lang=lang, intent=intent))


def test_empties_and_refills_are_one_topic_apart_from_returns(shop) -> None:
    lexicon = default_lexicon()
    assert "refill" in lexicon.mention("do you take empties back?").concepts
    assert "refill" in lexicon.mention("on peut rapporter les pots vides ?").concepts
    assert "refill" not in lexicon.mention("can I send it back?").concepts
    assert _ask(shop, "do you take empties back?").source == "answer:refills"


def test_passer_la_chercher_is_pick_up(shop) -> None:
    assert "pickup" in default_lexicon().mention("je passe la chercher demain").concepts
    grounding = _ask(shop, "je passe la chercher ?", "purchase", "fr")
    assert grounding.source == "answer:click-collect"


def test_a_word_that_says_what_is_asked_is_never_a_typo_of_an_answer_word(shop) -> None:
    # "price" is one letter from "private" / "privé" in the shelf-life answer's text.
    assert shop._canonical(["price", "colour"]) == ["price", "colour"]
    grounding = _ask(shop, "price for the scrub?", "pricing")
    assert grounding.source == "product:GO-SCRUB"


def test_a_bracketed_description_word_names_the_product(shop) -> None:
    grounding = _ask(shop, "vous avez un stick sans parfum ?", lang="fr")
    assert grounding.source == "product:ST-MENTHE"
    # ...and "shades" asks its colours: the tinted cream, not how long a cream keeps.
    assert _ask(shop, "the CC cream comes in which shades?").source == "product:CR-TEINT"


def test_a_whole_name_inside_a_longer_whole_name_is_the_longer_product(shop) -> None:
    grounding = _ask(shop, "la recharge de la lotion douce c combien", "pricing", "fr")
    assert grounding.source == "product:LO-RECH"
    assert grounding.level == "high"
    # The shorter name alone is its own product, named outright though the refill answer uses its words.
    assert _ask(shop, "la lotion douce c combien", "pricing", "fr").source == "product:LO-DOUCE"
    assert shop.caption_product("Notre Lotion Douce, pour les peaux sèches") == "LO-DOUCE"


def test_a_country_no_answer_names_is_the_region_wide_answer(shop) -> None:
    # France is in the EU too, but the answer naming only France is not the one for the Netherlands.
    grounding = _ask(shop, "would it get to Amsterdam and for how much", "pricing")
    assert grounding.source == "answer:shipping-eu"
    assert _ask(shop, "do you ship to Paris?", "purchase").source == "answer:shipping-home"


def test_do_you_sell_something_only_half_described_is_a_guess(shop) -> None:
    grounding = _ask(shop, "do you sell hair dye?", "purchase")
    assert grounding.answer == ""
    assert grounding.source != "product:SH-BAR"


def test_sans_or_without_is_no_topic_of_its_own(shop) -> None:
    from moderation.knowledge.text import content_tokens

    assert content_tokens("une crème sans parfum") == ["creme", "parfum"]
    assert content_tokens("a balm without alcohol") == ["balm", "alcohol"]


def test_a_colour_only_one_of_two_named_products_has_picks_it(tmp_path: Path) -> None:
    retriever = retriever_for(tmp_path, SHOP_YAML, EMPTY_CATALOGUE
                              + "BA-MIEL,Baume Miel,14.00,EUR,15 ml,,10,https://s.example/miel,Honey balm for hands\n"
                              + "BA-LEV,Baume Couleur Lèvres,13.00,EUR,,corail|prune,10,https://s.example/levres,"
                              "Tinted lip balm\n", "words")
    grounding = _ask(retriever, "le baume en prune vous l'avez ? combien", "pricing", "fr")
    assert grounding.source == "product:BA-LEV"


def test_this_only_described_as_another_products_jar_is_the_posts_product(shop) -> None:
    # "jar" is in the Lotion Douce's description, but the question is under the scrub's post.
    grounding = shop.ground(Question(text="how much is this small jar?", lang="en", intent="pricing",
                                     post_product="GO-SCRUB"))
    assert grounding.source == "product:GO-SCRUB"
