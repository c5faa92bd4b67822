"""Text normalisation for matching: case- and accent-insensitive, done once per decision."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable

# Combining marks left behind by NFKD decomposition ("é" -> "e" + U+0301). A translate table is an order of
# magnitude faster than filtering characters one by one with unicodedata.combining().
_COMBINING = {
    cp: None
    for cp in range(sys.maxunicode + 1)
    if unicodedata.combining(chr(cp)) and not 0xD800 <= cp <= 0xDFFF
}


def normalise(text: str) -> str:
    """Casefold and strip accents, so "Où", "OU" and "où" compare equal."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).translate(_COMBINING)


def strip_accents(pattern: str) -> str:
    """Accents out of a regex, case kept: casefolding a pattern would turn `\\D` into `\\d`."""
    if pattern.isascii():
        return pattern
    return unicodedata.normalize("NFKD", pattern).translate(_COMBINING)


def keywords_pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for a keyword list, whole words only ("link" does not match "linkedin")."""
    words = sorted({normalise(word).strip() for word in keywords} - {""}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def compile_regex(pattern: str) -> re.Pattern[str]:
    """A user regex, matched against normalised text; raises re.error for a broken pattern."""
    return re.compile(strip_accents(pattern), re.IGNORECASE)
