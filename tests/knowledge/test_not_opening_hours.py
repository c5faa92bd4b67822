"""Words of opening hours that are not about them. A sale named after a day is not that day: the demo brand
drafted its Black Friday answer, at the sure level, to "vous êtes ouverts dimanche ?" and "are you open on
sundays?", because that answer's example "when does black friday start?" seemed to ask when the shop opens. And
"il se conserve combien de temps une fois ouvert ?" asks how long a thing keeps once opened: the demo drafted the
shop's address and hours to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.lexicon import default_lexicon
from tests.knowledge.shops import EMPTY_CATALOGUE, RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: black-friday
    questions:
      en: ["what's the black friday deal?", "when does black friday start?"]
      fr: ["c'est quoi la promo black friday ?", "le black friday commence quand ?"]
    answer:
      en: "Black Friday: 30% off everything, from Friday 27 November 8am to Monday 30 November midnight."
      fr: "Black Friday : -30 % sur tout, du vendredi 27 novembre 8h au lundi 30 novembre minuit."
  - id: stores
    questions:
      en: ["do you have a shop?", "where is your store?"]
      fr: ["vous avez une boutique ?", "où est votre magasin ?"]
    answer:
      en: "Our only shop is in Paris, 12 rue de Saintonge, Tuesday to Saturday 11am-7pm."
      fr: "Notre seule boutique est à Paris, 12 rue de Saintonge, du mardi au samedi de 11h à 19h."
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, SHOP_YAML, EMPTY_CATALOGUE, request.param)


def test_the_day_inside_a_sale_name_is_not_opening_hours() -> None:
    lexicon = default_lexicon()
    for text in ("when does black friday start?", "le Black Friday commence quand ?", "any cyber monday deals?"):
        assert "hours" not in lexicon.mention(text).concepts, text
    for text in ("are you open on black friday?", "vous êtes ouverts vendredi ?", "open on monday?"):
        assert "hours" in lexicon.mention(text).concepts, text


def test_an_opening_hours_question_never_gets_the_sale_answer(shop) -> None:
    for text, lang in (("vous êtes ouverts dimanche ?", "fr"), ("are you open on sundays?", "en"),
                       ("c'est ouvert lundi ?", "fr"), ("what time do you close on saturday?", "en")):
        grounding = ask(shop, text, intent="other", lang=lang)
        assert grounding.source != "answer:black-friday", text


def test_the_sale_is_still_the_sale_answer(shop) -> None:
    grounding = ask(shop, "black friday c'est quand ?", intent="pricing", lang="fr")
    assert grounding.source == "answer:black-friday" and "27 novembre" in grounding.answer


def test_once_opened_is_how_long_it_keeps_not_opening_hours(shop) -> None:
    lexicon = default_lexicon()
    for text in ("il se conserve combien de temps une fois ouvert ?", "does the serum go off quickly once opened?",
                 "date de péremption après ouverture ?"):
        mention = lexicon.mention(text)
        assert "hours" not in mention.concepts and "shelf_life" in mention.concepts, text
    grounding = ask(shop, "il se conserve combien de temps une fois ouvert ?", intent="product_question", lang="fr")
    assert grounding.source != "answer:stores"
