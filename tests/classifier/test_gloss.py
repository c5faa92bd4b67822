"""The French -> English gloss fed to the English-only encoder and to the n-gram features."""

from __future__ import annotations

import pytest

from moderation.classifier import gloss
from moderation.classifier.features import sparse_inputs
from moderation.classifier.text import encoder_text


def test_french_gets_an_english_gloss_accents_or_not() -> None:
    assert gloss.with_gloss("colis pas reçu") == "colis pas reçu || parcel not received"
    assert gloss.english_gloss("colis pas recu") == "parcel not received"
    assert gloss.english_gloss("Remboursez-moi SVP") == "refund me please"
    assert "partnership" in gloss.english_gloss("partenariat possible ?")


@pytest.mark.parametrize("text", ["how much is it", "you retard", "faux leather, rose gold", "ship to CA?", "😂😂",
                                  "je", "", "do the earrings contain nickel"])
def test_english_and_empty_texts_are_left_alone(text: str) -> None:
    assert gloss.with_gloss(text) == text


def test_encoder_and_ngrams_see_the_gloss_only_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    assert encoder_text("Colis pas reçu!!!") == "colis pas reçu!! || parcel not received"
    assert sparse_inputs(["Colis pas reçu"]) == ["colis pas recu || parcel not received"]
    enabled_tag = gloss.cache_tag()
    monkeypatch.setattr(gloss, "ENABLED", False)
    assert encoder_text("Colis pas reçu") == "colis pas reçu"
    assert gloss.cache_tag() == "plain" != enabled_tag


def test_lexicon_is_written_in_the_folded_form_it_is_looked_up_in() -> None:
    for word in [*gloss.WORDS, *gloss.PHRASES]:
        assert gloss.fold(word) == word, word
