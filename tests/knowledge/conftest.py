"""A small brand (answers and catalogue in the public format) and a fixed-answer classifier for the tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from moderation.domain import Scores, Sentiment
from moderation.knowledge import KnowledgeBase, load_knowledge

KNOWLEDGE_YAML = """\
answers:
  - id: shipping-ireland
    questions:
      en: ["how much is shipping to Ireland?", "do you deliver to Dublin?"]
      fr: ["combien pour livrer en Irlande ?"]
    answer:
      en: "Shipping to Ireland is €6.90 (free from €80), 3-5 working days."
      fr: "La livraison en Irlande coûte 6,90 € (offerte dès 80 €), sous 3 à 5 jours ouvrés."
    link: https://example.com/shipping
  - id: opening-hours
    questions:
      en: ["when is your shop open?", "what are your opening hours?"]
      fr: ["quels sont vos horaires d'ouverture ?"]
    answer:
      en: "Our Paris shop is open Tuesday to Saturday, 11am-7pm."
      fr: "Notre boutique parisienne est ouverte du mardi au samedi, de 11h à 19h."
  - id: returns
    questions:
      en: ["can I return an item?", "what is your return policy?"]
    answer:
      en: "You have 30 days to return unworn items."
    human: true
"""

CATALOGUE_CSV = """\
sku,name,price,currency,sizes,colors,in_stock,url,description
TOTE-1,Chevron Tote,89.00,EUR,,black|tan,4,https://example.com/p/tote,"Leather tote bag, the chevron bag"
SERUM-30,Sérum Éclat,39.00,EUR,30ml,,0,https://example.com/p/serum,"Vitamin C face serum"
JACKET-G,Veste Lin,179.50,EUR,S|M|L,green,7,https://example.com/p/veste,"Green linen jacket"
"""


@pytest.fixture
def brand_files(tmp_path: Path) -> tuple[Path, Path]:
    answers = tmp_path / "knowledge.yaml"
    catalogue = tmp_path / "catalogue.csv"
    answers.write_text(KNOWLEDGE_YAML, encoding="utf-8")
    catalogue.write_text(CATALOGUE_CSV, encoding="utf-8")
    return answers, catalogue


@pytest.fixture
def brand(brand_files: tuple[Path, Path]) -> KnowledgeBase:
    return load_knowledge(*brand_files)


def library():  # type: ignore[no-untyped-def]
    """The bundled playbooks with each platform's own text limits, as the composition root builds them."""
    from moderation.platforms.registry import text_limits
    from playbooks import load_library

    return load_library().with_text_limits(text_limits())


class FixedClassifier:
    """Intent and language looked up by text (default: other/en); the tests decide what the model said."""

    name = "fixed"
    version = "1"

    def __init__(self, answers: dict[str, tuple[str, str]]) -> None:
        self.answers = answers

    def classify(self, texts: Sequence[str], *, explain: bool = False) -> list[Scores]:
        out = []
        for text in texts:
            intent, lang = self.answers.get(text, ("other", "en"))
            out.append(Scores(intent=intent, intent_confidence=0.9, toxicity=0.01, sentiment=Sentiment.neutral,
                              lang=lang))
        return out
