"""Generic knowledge retrieval adds to the words of a text: the topics it names (shop vocabulary in English and
French, data/concepts.yaml) and the places (data/places.yaml: a city means its country, a country its region).

The extra words are markers ("#shipping", "#ie", "#eu") that cannot collide with real words; retrieval adds them
to both the question and the knowledge base's texts, so "postage to Cork?" meets "shipping to Ireland".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from moderation.knowledge.text import fold, stem

DATA = Path(__file__).with_name("data")
_WORD = re.compile(r"[a-z0-9]+")
MARK = "#"
MAX_PHRASE = 4  # the longest phrase in either file, in words


@dataclass(frozen=True)
class Mention:
    """What a text names beyond its words: topics and places, and which of its words named a place."""

    concepts: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()  # regions named outright ("Europe", "worldwide")
    place_words: frozenset[str] = frozenset()  # the folded words that named a place (not topic words then)
    concept_words: frozenset[str] = frozenset()  # the folded words that named a topic (its marker stands for them)
    # Each topic with the words that named it: one word may name two topics ("parcel": shipping or tracking).
    concept_sources: dict[str, frozenset[str]] = field(default_factory=dict)

    def markers(self) -> list[str]:
        return [MARK + c for c in sorted(self.concepts)] + [MARK + c for c in sorted(self.countries)] + [
            MARK + r for r in sorted(self.regions)]


@dataclass
class Lexicon:
    """Phrases (tuples of folded words) to topic and place markers; `prefixes` for entries written "word*"."""

    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # (prefix, concept)
    places: dict[tuple[str, ...], str] = field(default_factory=dict)  # phrase -> country code or region
    codes: dict[str, str] = field(default_factory=dict)  # "US" -> "us", matched with its case
    country_region: dict[str, str] = field(default_factory=dict)
    colors: dict[str, frozenset[str]] = field(default_factory=dict)  # a colour word -> every name of that colour
    prefix_concepts: dict[str, set[str]] = field(default_factory=dict)  # `prefixes` indexed for lookup
    prefix_lengths: tuple[int, ...] = ()
    _mentions: dict[str, Mention] = field(default_factory=dict, repr=False)
    concept_names: set[str] = field(default_factory=set)
    # Entries written "!word" or "!a phrase": that exact word, or any word inside that phrase, never names the
    # topic, whatever prefix or plural would match it ("jours ouvrés" are not opening hours, nor is the Friday
    # of "Black Friday").
    not_naming: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    # A French word -> the English words it may be (folded, singular): data/gloss.yaml, then the classifier's gloss.
    gloss: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def mention(self, text: str) -> Mention:
        """Topics and places a text names (remembered: retrieval asks about each question more than once)."""
        found = self._mentions.get(text)
        if found is None:
            found = self._mention(text)
            if len(self._mentions) > 8192:
                self._mentions.clear()
            self._mentions[text] = found
        return found

    def _mention(self, text: str) -> Mention:
        words = _WORD.findall(fold(text))
        concepts: set[str] = set()
        countries: set[str] = set()
        regions: set[str] = set()
        place_words: set[str] = set()
        concept_words: set[str] = set()
        sources: dict[str, set[str]] = {}
        unnamed = self._not_named(words)
        i = 0
        while i < len(words):
            matched = 0
            for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
                phrase = tuple(words[i:i + n])
                place = self.places.get(phrase) or (self.places.get((stem(phrase[0]),)) if n == 1 else None)
                if place is not None and not matched:  # the longest name only: "irlande du nord" is not "irlande"
                    (regions if place in REGIONS else countries).add(place)
                    place_words.update(phrase)
                    matched = max(matched, n)
                found = self.phrases.get(phrase) or (self.phrases.get((stem(phrase[0]),)) if n == 1 else None)
                if found:
                    found = found - {c for j in range(i, i + n) for c in unnamed.get(j, ())}
                if found:
                    concepts.update(found)
                    concept_words.update(phrase)
                    for concept in found:
                        sources.setdefault(concept, set()).add(" ".join(phrase))
            if len(words[i]) >= 3:
                prefixed = {concept for n in self.prefix_lengths for concept in
                            self.prefix_concepts.get(words[i][:n], ()) if len(words[i]) >= n}
                prefixed -= unnamed.get(i, set())
                if prefixed:
                    concepts.update(prefixed)
                    concept_words.add(words[i])
                    for concept in prefixed:
                        sources.setdefault(concept, set()).add(words[i])
            i += max(matched, 1)
        for token in re.findall(r"[A-Za-z.]+", text):
            code = self.codes.get(token.rstrip(".")) or self.codes.get(token)
            if code is not None:
                countries.add(code)
                place_words.add(fold(token).strip("."))
        return Mention(frozenset(concepts), frozenset(countries), frozenset(regions), frozenset(place_words),
                       frozenset(concept_words), {c: frozenset(w) for c, w in sources.items()})

    def _not_named(self, words: list[str]) -> dict[int, set[str]]:
        """Per word position, the topics the word may not name there: it is, or is inside, a "!" entry."""
        out: dict[int, set[str]] = {}
        if not self.not_naming:
            return out
        for i in range(len(words)):
            for n in range(1, min(MAX_PHRASE, len(words) - i) + 1):
                for concept in self.not_naming.get(tuple(words[i:i + n]), ()):
                    for j in range(i, i + n):
                        out.setdefault(j, set()).add(concept)
        return out

    def region(self, country: str) -> str | None:
        return self.country_region.get(country)


REGIONS = frozenset({"eu", "europe", "world"})


def _gloss() -> dict[str, tuple[str, ...]]:
    """French word -> English words, ours first (shop vocabulary), then the classifier's (intent vocabulary)."""
    from moderation.classifier.gloss import WORDS

    ours = yaml.safe_load((DATA / "gloss.yaml").read_text(encoding="utf-8"))["gloss"]
    out: dict[str, tuple[str, ...]] = {}
    for source in (ours, WORDS):
        for french, english in source.items():
            words = english if isinstance(english, list) else [english]
            key = stem(fold(str(french)))
            if " " not in key and key not in out:
                out[key] = tuple(stem(w) for phrase in words for w in _WORD.findall(fold(str(phrase))))
    return out


def _phrase(entry: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(entry)))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon (read once per process)."""
    concepts = yaml.safe_load((DATA / "concepts.yaml").read_text(encoding="utf-8"))["concepts"]
    places = yaml.safe_load((DATA / "places.yaml").read_text(encoding="utf-8"))
    lexicon = Lexicon()
    for concept, entries in concepts.items():
        lexicon.concept_names.add(concept)
        for entry in entries:
            entry = str(entry)
            if entry.startswith("!"):
                lexicon.not_naming.setdefault(_phrase(entry[1:]), set()).add(concept)
            elif entry.endswith("*"):
                lexicon.prefixes.append((fold(entry[:-1]), concept))
            else:
                lexicon.phrases.setdefault(_phrase(entry), set()).add(concept)
    for prefix, concept in lexicon.prefixes:
        lexicon.prefix_concepts.setdefault(prefix, set()).add(concept)
    lexicon.prefix_lengths = tuple(sorted({len(prefix) for prefix, _ in lexicon.prefixes}))
    for names in yaml.safe_load((DATA / "colors.yaml").read_text(encoding="utf-8"))["colors"]:
        folded = frozenset(fold(str(name)) for name in names)
        for name in folded:
            lexicon.colors[name] = folded
    lexicon.gloss = _gloss()
    for region, spec in places["regions"].items():
        for name in spec.get("names", []):
            lexicon.places[_phrase(name)] = region
        for code in spec.get("codes", []):
            lexicon.codes[code] = region
    for country, spec in places["countries"].items():
        country = str(country)
        lexicon.country_region[country] = spec["region"]
        for name in [*spec.get("names", []), *spec.get("cities", [])]:
            lexicon.places.setdefault(_phrase(str(name)), country)
        for code in spec.get("codes", []):
            lexicon.codes[str(code)] = country
            if len(str(code).strip(".")) >= 3:  # "usa", "uae": no pronoun to confuse them with
                lexicon.places.setdefault(_phrase(str(code)), country)
    return lexicon
