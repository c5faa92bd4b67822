"""Text normalisation for matching: case- and accent-insensitive, done once per decision."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from typing import Protocol

import re2

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


class RegexError(ValueError):
    """A playbook regex RE2 cannot compile (a syntax error, or a backreference or lookaround, which cannot
    be matched in linear time)."""


class Matcher(Protocol):
    def search(self, text: str) -> object | None: ...


MAX_REGEX_MEMORY = 8 << 20  # bytes of compiled program per pattern; a pattern needing more is refused at load


def compile_regex(pattern: str) -> Matcher:
    """A user regex, matched against normalised text in time linear in the text (RE2: no backtracking, so
    `(a+)+$` cannot hang a worker); raises RegexError for a pattern RE2 cannot compile."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # the error is raised to the loader, which names the file and line
    options.max_mem = MAX_REGEX_MEMORY
    try:
        return re2.compile(strip_accents(pattern), options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = ""
        if any(token in pattern for token in ("(?=", "(?!", "(?<", "\\1", "\\2")):
            hint = " (lookarounds and backreferences are not supported: they can make matching take forever)"
        raise RegexError(f"{detail}{hint}") from None
    except (TypeError, ValueError) as exc:
        raise RegexError(str(exc)) from None
