"""Two readings the demo week got wrong: a percentage is a discount, never a size ("So is it 30% on everything?"
under the sneaker's post drafted "No 30ml: sizes 36…", after the serum's 30 ml); and "dispo chez Sephora ?" asks
where the brand is sold, like "vendu chez Sephora ?"."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.lexicon import default_lexicon
from tests.knowledge.shops import RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: stockists
    questions:
      en: ["is it sold in Sephora?"]
      fr: ["vendu chez Sephora ?"]
    answer:
      en: "We only sell on our site and in our Paris shop."
      fr: "Nous vendons uniquement sur notre site et dans notre boutique."
"""
SHOP_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
SNEAKER,Lumière 01 sneaker,149.00,EUR,36|37|38|39|40,white,42,https://shop.example/01,Leather sneaker
SERUM,Sérum Éclat 30 ml,39.00,EUR,30ml,,120,https://shop.example/serum,Vitamin C serum
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, SHOP_YAML, SHOP_CSV, request.param)


def test_a_percentage_is_never_a_size(shop) -> None:
    for text, lang in (("is the lumière 01 sneaker 30% off?", "en"), ("la lumière 01 sneaker est à -30 % ?", "fr")):
        grounding = ask(shop, text, lang=lang)
        assert grounding.source == "product:SNEAKER" and "30" not in grounding.answer, text
    # A size asked is still one: "en 38 ?" and a half size "42.5".
    assert "It comes in 38" in ask(shop, "dispo en 38 ?", intent="purchase", post_product="SNEAKER").answer


def test_available_at_a_retailer_is_the_stockist_topic(shop) -> None:
    for text in ("dispo chez Sephora ?", "is it available at Boots?", "disponible chez Monoprix ?"):
        assert "stockist" in default_lexicon().mention(text).concepts, text
    grounding = ask(shop, "dispo chez Sephora ?", intent="purchase", lang="fr", post_product="SERUM")
    assert grounding.source == "answer:stockists" and grounding.level == "high"
