"""Feature building: sparse TF-IDF n-grams (words, emoji, characters) joined with sentence embeddings."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from moderation.classifier import gloss
from moderation.classifier.text import ENCODER_MAX_CHARS, normalise

logger = logging.getLogger(__name__)

# Words, single characters that are neither word nor space (emoji, "?", "!"), kept as tokens.
WORD_TOKEN_PATTERN = r"(?u)\b\w+\b|[^\w\s]"
# Weight of the dense embedding block relative to the unit-norm sparse blocks (measured on the tune split).
EMBEDDING_WEIGHT = 1.0


def make_sparse_featurizer(max_char: int = 60_000, max_word: int = 30_000) -> FeatureUnion:
    """Word 1-2-grams and within-word character 2-5-grams: robust to typos, slang and French accents."""
    words = TfidfVectorizer(
        token_pattern=WORD_TOKEN_PATTERN,
        ngram_range=(1, 2),
        min_df=2,
        max_features=max_word,
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        min_df=2,
        max_features=max_char,
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def sparse_inputs(texts: Sequence[str]) -> list[str]:
    """Normalised and without diacritics: "reçu", "recu" and "reçu" typed on a phone share n-grams; French
    texts carry their English gloss, so "remboursement" also lights up the n-grams of "refund"."""
    if gloss.ENABLED:
        return [_strip_accents(normalise(gloss.with_gloss(t[: ENCODER_MAX_CHARS * 2]))) for t in texts]
    return [_strip_accents(normalise(t)) for t in texts]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def join(sparse: sp.spmatrix, embeddings: np.ndarray) -> sp.csr_matrix:
    """One design matrix: sparse n-grams then the (weighted) dense embedding block."""
    dense = sp.csr_matrix(embeddings.astype(np.float32) * EMBEDDING_WEIGHT)
    return sp.hstack([sparse, dense], format="csr", dtype=np.float32)


def drop_fit_only_state(featurizer: FeatureUnion) -> FeatureUnion:
    """Remove `stop_words_` (every n-gram cut by max_features): only needed for introspection, and huge."""
    for _, vectorizer in featurizer.transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
    return featurizer


def scale_embedding(X: sp.csr_matrix, dim: int, factor: float) -> sp.csr_matrix:
    """The same design matrix with its trailing `dim` embedding columns multiplied by `factor`."""
    if factor == 1.0:
        return X
    scale = np.ones(X.shape[1], dtype=np.float32)
    scale[-dim:] = factor
    return (X @ sp.diags(scale)).tocsr()
