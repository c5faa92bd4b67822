"""Topics a shop answers apart stay apart: sensitive skin is not pregnancy, and "fragrance-free" (without
fragrance) never answers "is it free?" (no charge)."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.lexicon import default_lexicon
from moderation.knowledge.retrieval import Question, Retriever
from moderation.knowledge.text import fold
from tests.knowledge.shops import EMPTY_CATALOGUE, RETRIEVER_KINDS, retriever_for

SKINCARE_YAML = """\
answers:
  - id: sensitive
    questions:
      en: ["what do you recommend for sensitive skin?"]
      fr: ["quoi pour une peau sensible ?"]
    answer:
      en: "Our Calm range is fragrance-free and free of essential oils."
      fr: "Notre gamme Calme est sans parfum et sans huiles essentielles."
  - id: pregnancy
    questions:
      en: ["can I use your products while pregnant?"]
      fr: ["je peux utiliser vos produits enceinte ?"]
    answer:
      en: "All our creams are safe during pregnancy except the retinol serum."
      fr: "Toutes nos crèmes conviennent pendant la grossesse, sauf le sérum au rétinol."
  - id: pickup
    questions:
      en: ["can I order online and pick up in the shop?"]
      fr: ["je peux retirer ma commande en boutique ?"]
    answer:
      en: "Choose pick-up at checkout: it costs nothing and is ready in 2 hours."
      fr: "Choisissez le retrait en boutique : c'est gratuit et prêt en 2 heures."
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def skincare(request, tmp_path: Path) -> Retriever:
    return retriever_for(tmp_path, SKINCARE_YAML, EMPTY_CATALOGUE, request.param)


def test_pregnancy_and_sensitive_skin_are_separate_topics() -> None:
    lexicon = default_lexicon()
    pregnant = lexicon.mention("enceinte de 4 mois, c'est sans risque ?").concepts
    sensitive = lexicon.mention("j'ai la peau très sensible").concepts
    assert "pregnancy" in pregnant and "sensitive" not in pregnant
    assert "sensitive" in sensitive and "pregnancy" not in sensitive


def test_a_pregnancy_question_never_gets_the_sensitive_skin_answer(skincare) -> None:
    grounding = skincare.ground(Question(text="enceinte de 4 mois, je peux mettre vos crèmes sans risque ?",
                                         lang="fr", intent="product_question"))
    assert grounding.source != "answer:sensitive"


def test_without_something_is_not_free_of_charge(skincare) -> None:
    assert fold("Fragrance-free cream") == "fragrancefree cream"
    assert "free" not in default_lexicon().mention("a fragrance-free cream").concepts
    grounding = skincare.ground(Question(text="is pick up in the shop free?", lang="en", intent="purchase"))
    assert grounding.source != "answer:sensitive"
