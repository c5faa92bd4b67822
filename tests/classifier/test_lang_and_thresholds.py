"""Language identification and the toxicity policy thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.classifier.lang import FALLBACK_LANG, detect_language
from moderation.classifier.policy import HIDE_PRECISION, choose_thresholds
from moderation.classifier.text import dedupe_key


@pytest.mark.parametrize(("text", "lang"), [
    ("where can I buy this?", "en"), ("le lien pour commander svp", "fr"), ("colis pas reçu 😡", "fr"),
    ("ça taille grand ?", "fr"), ("does it run small", "en"), ("¿cuánto cuesta el envío?", "es"),
    ("Wie viel kostet das?", "de"), ("Сколько стоит?", "ru"), ("これはいくらですか", "ja"),
    ("😍😍😍", FALLBACK_LANG), ("@user123", FALLBACK_LANG),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_near_duplicates_share_a_key() -> None:
    assert dedupe_key("LOVE it!!!") == dedupe_key("love   it")
    assert dedupe_key("love it 😍") != dedupe_key("love it")


def test_auto_hide_threshold_meets_precision_on_its_data() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 4000)
    scores = np.clip(rng.normal(0.3 + 0.4 * y, 0.18), 0, 1)
    t = choose_thresholds(scores, y)
    hidden = scores >= t["auto_hide"]
    assert y[hidden].mean() >= HIDE_PRECISION
    assert t["review"] < t["auto_hide"]
    assert ((scores >= t["review"]) & (y == 1)).sum() / y.sum() >= 0.8


def test_macro_f1_cut_is_the_best_balanced_cut_on_its_data() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.3).astype(int)  # a minority class, like OLID's offensive third
    scores = np.clip(rng.normal(0.3 + 0.3 * y, 0.15), 0, 1)
    cut = choose_thresholds(scores, y)["macro_f1_cut"]
    best = f1_score(y, scores >= cut, average="macro")
    assert all(best >= f1_score(y, scores >= c, average="macro") for c in (0.3, 0.4, 0.5, 0.6))
    assert 0.1 <= cut < 0.9
