"""A brand's caption naming a product by the one word of its name no other product has ("Manon time 🤍" of the
"Boîte de 9 Manons") is about that product, even when an answer uses that word too (how long Manons keep)."""

from __future__ import annotations

from pathlib import Path

from tests.knowledge.shops import ask, retriever_for

SHOP_YAML = """\
answers:
  - id: manons-fresh
    questions:
      en: ["how long do Manons keep?"]
      fr: ["les Manons se conservent combien de temps ?"]
    answer:
      en: "Manons are made with fresh cream: keep them cool and eat them within 3 days."
      fr: "Les Manons sont à la crème fraîche : au frais, et à manger dans les 3 jours."
"""
SHOP_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
MANON9,Boîte de 9 Manons,17.00,EUR,,,24,https://shop.example/manons-9,Le manon bruxellois à la crème fraîche
VEG12,Ballotin Vegan 12 pralines,22.00,EUR,,green,18,https://shop.example/vegan-12,"Twelve pralines, the green box"
"""


def test_a_caption_naming_a_product_by_a_word_only_its_name_has_is_about_it(tmp_path: Path) -> None:
    shop = retriever_for(tmp_path, SHOP_YAML, SHOP_CSV, "words")
    assert shop.caption_product("Manon time 🤍 Fresh cream, walnut, a coat of white chocolate.") == "MANON9"
    # "this" under that post is the box of Manons, not the box another description mentions.
    grounding = ask(shop, "how much for a box of 9?", post_product="MANON9")
    assert grounding.source == "product:MANON9" and "€17" in grounding.answer
    # Nothing only one name has: no product. Nor does a colour ("green" of the green box).
    assert shop.caption_product("Made this morning, gone by tonight.") is None
    assert shop.caption_product("Green Monday at the shop 💚") is None
    # A word of the name in lower case is a common word: "on a fait un manon géant" is no post about the box.
    assert shop.caption_product("Atelier du jour : on a fait un manon géant pour la vitrine") is None


def test_a_caption_naming_several_products_lists_the_best_named_first(tmp_path: Path) -> None:
    # The album's title says "Brumes" and "noir & blanc" too; the statue is named best. "This" is guessed as the first.
    catalogue = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
ALBUM,Les Brumes de Molenbeek – Intégrale noir & blanc,45.00,EUR,,,7,https://shop.example/album,Omnibus (tomes 1-3)
STATUE,Figurine Inspecteur Brume – résine 22 cm,129.00,EUR,,,5,https://shop.example/statue,Statue peinte à la main
MINI,Figurine Inspecteur Brume – mini PVC 9 cm,24.90,EUR,,,19,https://shop.example/mini,Petite figurine PVC
"""
    shop = retriever_for(tmp_path, SHOP_YAML, catalogue, "words")
    caption = ("Unboxing time 🕵️ La statue résine de l'Inspecteur Brume vient d'arriver en boutique : 22 cm d'imper et "
               "de mauvaise humeur, peinte à la main. Dispo aussi en version noir et blanc.")
    assert shop.caption_products(caption) == ("STATUE", "ALBUM")
    assert ask(shop, "prix ?", lang="fr", post_products=shop.caption_products(caption)).source == "product:STATUE"
