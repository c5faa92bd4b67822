"""Text normalisation: the dedupe/cache key and the form the sparse features see."""

from __future__ import annotations

import re
import unicodedata

from moderation.classifier import gloss

_WS = re.compile(r"\s+")
_REPEAT = re.compile(r"(.)\1{2,}")
_MENTION = re.compile(r"@\w[\w.]*")
_URL = re.compile(r"https?://\S+|www\.\S+")
_EDGE_PUNCT = re.compile(r"^[\s.!?,;:~*]+|[\s.!?,;:~*]+$")

# The encoder never needs more than this many characters: comments are short, and a 10,000-character text
# is cut to the model's token window anyway; cutting first keeps tokenisation cheap.
ENCODER_MAX_CHARS = 1_000


def normalise(text: str) -> str:
    """Canonical form for features: NFKC, lowercase, @mentions and URLs as placeholders, runs squeezed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    text = _REPEAT.sub(r"\1\1", text)
    return _WS.sub(" ", text).strip()


def dedupe_key(text: str) -> str:
    """Key under which near-duplicates (case, spacing, trailing punctuation, stretched letters) share scores."""
    return _EDGE_PUNCT.sub("", normalise(text))


def encoder_text(text: str) -> str:
    """What the sentence encoder sees: the normalised text, cut to a bounded length, then (for French) its
    English gloss, since the encoder only knows English."""
    cut = normalise(text[: ENCODER_MAX_CHARS * 2])[:ENCODER_MAX_CHARS]
    return gloss.with_gloss(cut) if gloss.ENABLED else cut


def has_letters(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)
