"""Why a text got its scores: the n-grams that pushed intent and toxicity, and the nearest labelled examples."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from moderation.classifier.model import LinearClassifier

logger = logging.getLogger(__name__)

TOP_TOKENS = 5
TOP_EXAMPLES = 3


@lru_cache(maxsize=4)
def _word_names(vectorizer_id: int, vectorizer: Any) -> np.ndarray:
    return vectorizer.get_feature_names_out()


def _top_tokens(row: Any, weights: np.ndarray, names: np.ndarray) -> list[dict[str, float]]:
    """The word/emoji n-grams present in the text with the largest positive contribution."""
    row = row.tocsr()
    n_words = len(names)
    pairs = [(j, v * weights[j]) for j, v in zip(row.indices, row.data, strict=True) if j < n_words]
    pairs.sort(key=lambda p: p[1], reverse=True)
    return [{"token": str(names[j]), "weight": round(float(c), 3)} for j, c in pairs[:TOP_TOKENS] if c > 0]


def explain_one(
    clf: LinearClassifier, text: str, row: Any, embedding: np.ndarray, *, intent_index: int,
    toxic_kind: str = "none",
) -> dict[str, Any]:
    """Explanation dict attached to Scores when `explain=True`."""
    words = clf.artifacts.sparse.transformer_list[0][1]
    names = _word_names(id(words), words)
    intent_coef = np.asarray(clf.intent_head.model.coef_, dtype=np.float64)
    if intent_coef.shape[0] > 1:
        # Multinomial: what favours this intent over the average intent.
        intent_w = intent_coef[intent_index] - intent_coef.mean(axis=0)
    else:
        intent_w = intent_coef[0] if intent_index == 1 else -intent_coef[0]
    tox_w = np.asarray(clf.artifacts.toxicity.coef_[0], dtype=np.float64)
    head = clf.intent_head
    sims = head.example_embeddings @ embedding.astype(np.float32)
    nearest = np.argsort(-sims)[:TOP_EXAMPLES]
    kind_head = clf.artifacts.toxic_kind
    kind_tokens: list[dict[str, float]] = []
    if kind_head is not None and toxic_kind != "none":
        # What favours this kind of harm over the average kind (the head is multinomial over the kinds).
        kind_coef = np.asarray(kind_head.coef_, dtype=np.float64)
        row_of = [str(c) for c in kind_head.classes_].index(toxic_kind)
        kind_tokens = _top_tokens(row, kind_coef[row_of] - kind_coef.mean(axis=0), names)
    return {
        "intent_tokens": _top_tokens(row, intent_w, names),
        "toxicity_tokens": _top_tokens(row, tox_w, names),
        "toxic_kind": toxic_kind,
        "toxic_kind_tokens": kind_tokens,
        "nearest_examples": [
            {"text": head.example_texts[i], "intent": head.example_intents[i], "similarity": round(float(sims[i]), 3)}
            for i in nearest
        ],
    }
