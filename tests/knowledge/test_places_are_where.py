"""A place is where, not what: a question naming a place about something else ("c'est ouvert à la France le
concours ?", "on peut la trouver en magasin en France ?") does not get the shipping answer whose text names that
very place; and "jours ouvrables" (business days), which French shipping answers say, is not opening hours."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.lexicon import default_lexicon
from tests.knowledge.shops import EMPTY_CATALOGUE, RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: shipping-europe
    questions:
      en: ["do you ship to France?"]
      fr: ["vous livrez en France ?"]
    answer:
      en: "To France and Germany shipping is €9.90 (free from €90), 2 to 4 working days."
      fr: "Vers la France et l'Allemagne, la livraison coûte 9,90 € (offerte dès 90 €) en 2 à 4 jours ouvrables."
  - id: shop-hours
    questions:
      en: ["when are you open?"]
      fr: ["vous êtes ouverts quand ?"]
    answer:
      en: "Our shop, Rue Haute 142 in Brussels, is open Tuesday to Saturday, 10am to 6pm."
      fr: "La boutique, rue Haute 142 à Bruxelles, est ouverte du mardi au samedi, de 10 h à 18 h."
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, SHOP_YAML, EMPTY_CATALOGUE, request.param)


def test_business_days_are_not_opening_hours() -> None:
    lexicon = default_lexicon()
    assert "hours" not in lexicon.mention("livré en 3 jours ouvrables").concepts
    assert "hours" not in lexicon.mention("expédié sous 2 jours ouvrés").concepts
    for text in ("vous ouvrez à quelle heure ?", "c'est ouvert dimanche ?", "l'ouverture de la boutique"):
        assert "hours" in lexicon.mention(text).concepts, text


def test_a_question_naming_a_place_about_something_else_gets_no_shipping_answer(shop) -> None:
    for text in ("c'est ouvert à la France le concours ?",
                 "On peut la trouver en magasin en France ou c'est que sur votre site ?"):
        grounding = ask(shop, text, intent="product_question", lang="fr")
        assert grounding.source != "answer:shipping-europe", text


def test_delivery_to_the_place_is_still_the_shipping_answer(shop) -> None:
    grounding = ask(shop, "vous livrez en France ?", intent="other", lang="fr")
    assert grounding.source == "answer:shipping-europe" and grounding.level == "high"
    opening = ask(shop, "vous êtes ouverts le dimanche ?", intent="other", lang="fr")
    assert opening.source == "answer:shop-hours"


BALM_CSV = EMPTY_CATALOGUE + "BALM,Baume pour le cuir,18.50,EUR,,,9,https://shop.example/balm,Cire d'abeille\n"


def test_the_story_around_a_price_question_does_not_make_it_an_opening_hours_question(tmp_path: Path) -> None:
    shop = retriever_for(tmp_path, SHOP_YAML, BALM_CSV, "words")
    story = ask(shop, "le baume pour le cuir il est à combien ? je l'ai pas trouvé en boutique samedi", lang="fr")
    assert story.source == "product:BALM" and "18,50 €" in story.answer
    # Asked in a sentence of its own, the opening hours are a question too.
    both = ask(shop, "le baume pour le cuir il est à combien ? et vous êtes ouverts samedi ?", lang="fr")
    assert both.source == "answer:shop-hours"


HALF_NAMED_CSV = EMPTY_CATALOGUE + (
    "BALM,Baume d'entretien cuir,18.50,CHF,50 ml,,44,https://shop.example/balm,Cire d'abeille pour les bracelets\n")

CARE_ANSWER = """\
  - id: leather-care
    questions:
      en: ["how do I care for a leather strap?"]
      fr: ["comment entretenir un bracelet en cuir ?"]
    answer:
      en: "Nourish the leather with our balm every 3 to 6 months."
      fr: "Nourrissez le cuir avec notre baume tous les 3 à 6 mois."
"""


def test_the_story_around_a_price_question_of_a_product_half_named_is_not_opening_hours(tmp_path: Path) -> None:
    # "le baume pour le cuir" names "Baume d'entretien cuir" only in part, by words the care answer uses too.
    shop = retriever_for(tmp_path, SHOP_YAML + CARE_ANSWER, HALF_NAMED_CSV, "words")
    story = ask(shop, "le baume pour le cuir il est à combien ? je l'ai pas trouvé en boutique samedi", lang="fr")
    assert story.source == "product:BALM" and "18,50 CHF" in story.answer
    both = ask(shop, "le baume pour le cuir il est à combien ? et vous êtes ouverts samedi ?", lang="fr")
    assert both.source == "answer:shop-hours"
