"""Question text made comparable: lower case, no accents, tokens, light stemming and typo-tolerant matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Kept inside tokens: hyphens and underscores (campaign slugs), slashes (11/05), % (a share), dots (3.5).
_TOKEN = re.compile(r"[a-z0-9%]+(?:[-_/.][a-z0-9]+)*|%")


def fold(text: str) -> str:
    """Lower case without accents; a Slack mention (<@U123>) and apostrophes become spaces."""
    text = re.sub(r"<[@#!][^>]*>", " ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[‐‑‒–—―−]", "-", text)  # en and em dashes are the hyphen people meant ("Nov 3–9")
    return re.sub(r"[’'`´]", " ", text)


def stem(word: str) -> str:
    """Plural and singular compare equal ("escalades", "escalade"); both sides go through it."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and not word[-2].isdigit():
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [SAME.get(token, token) for token in _TOKEN.findall(fold(text))]


def distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (adjacent swaps count once: "repsonse"), stopping early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# Cognates spelled one way on both sides (questions and vocabulary), so an English "reponse" typo and the
# French word meet the same phrases.
SAME = {"reponse": "response", "reponses": "responses", "responce": "response", "repons": "response",
        # Abbreviations leads type in chat.
        "rep": "response", "tps": "temps", "msg": "messages", "msgs": "messages", "cb": "combien", "resp": "response"}


@lru_cache(maxsize=4096)
def _correct(word: str, vocabulary: frozenset[str]) -> str:
    # Short words are too easy to confuse ("dm"/"de"); longer ones may carry one typo, long ones two.
    word = SAME.get(word, word)
    if word in vocabulary or stem(word) in vocabulary or len(word) < 5 or not word.isalpha():
        return word
    limit = 1 if len(word) < 8 else 2
    best, best_distance = word, limit + 1
    tied: set[str] = set()
    for candidate in vocabulary:
        if abs(len(candidate) - len(word)) > limit or candidate[0] != word[0] and len(word) < 8:
            continue
        d = distance(word, candidate, limit)
        if d < best_distance:
            best, best_distance, tied = candidate, d, set()
        elif d == best_distance:
            tied.add(candidate)
    if best_distance > limit:
        return word
    # Equally close words: the one of the same length (a swapped or mistyped letter) over a missing letter.
    same_length = sorted(c for c in {best, *tied} if len(c) == len(word))
    if tied and len(same_length) != 1:
        return word
    return SAME.get(same_length[0] if tied else best, same_length[0] if tied else best)


def normalise(text: str, vocabulary: Iterable[str]) -> list[str]:
    """Tokens, each typo corrected to a vocabulary word when exactly one is that close."""
    vocab = vocabulary if isinstance(vocabulary, frozenset) else frozenset(vocabulary)
    return [_correct(token, vocab) for token in tokens(text)]
