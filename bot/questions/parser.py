"""One question parser for every surface: a KPI question in English or French -> what was asked, or why not."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from bot.questions import vocabulary as v
from bot.questions.periods import Period, resolve
from bot.questions.text import fold, normalise, stem, tokens
from bot.questions.when import PERIOD_WORDS, find_period

DEFAULT_PERIOD = "last_7_days"
# A channel's KPI -> the KPI over both channels, for questions naming comments and DMs together.
BOTH_CHANNELS = {"dm_volume": "volume", "comment_volume": "volume", "dm_response_rate": "response_rate",
                 "comment_response_rate": "response_rate", "dm_first_response_minutes": "first_response_minutes",
                 "dm_conversion_rate": "conversion_rate", "comment_conversion_rate": "conversion_rate"}
# Other names a KPI source may give the same measure (older sources, test doubles).
ALIASES = {"first_response_minutes": ("first_response_time",), "average_response_minutes": ("average_response_time",),
           "dm_first_response_minutes": ("dm_first_response_time",), "escalations": ("escalation_count",),
           "leads": ("leads_captured",), "dm_volume": ("dms",)}
# Asked about the earlier period only ("vs last week"): the period that is compared with it.
_COUNTERPART = {"last_week": "this_week", "last_month": "this_month", "yesterday": "today"}


@dataclass(frozen=True)
class Interpretation:
    """What a question asks. `problem` is set when it cannot be answered as asked (then nothing is measured)."""

    text: str
    lang: str  # "en" | "fr"
    kpi: str | None = None
    platform: str | None = None
    campaign: str | None = None
    period: Period | None = None
    compare: bool = False
    goals: bool = False
    problem: str | None = None  # a code: no_kpi, not_measured, other_platform, future, ...
    detail: str = ""  # the words behind the problem ("linkedin")
    period_said: bool = False  # False: the default period was used
    options: tuple[str, ...] = field(default_factory=tuple)  # KPIs to choose from when ambiguous

    @property
    def answerable(self) -> bool:
        return self.problem is None


@lru_cache(maxsize=8)
def _vocabulary(campaigns: tuple[str, ...]) -> frozenset[str]:
    words: set[str] = set(PERIOD_WORDS) | set(v.FRENCH_WORDS) | set(v.ENGLISH_WORDS)
    phrases: list[str] = [*v.PLATFORMS, *v.OTHER_PLATFORMS, *v.NOT_MEASURED, *v.GOAL_WORDS, *v.COMPARE_SPLIT,
                          *v.TREND_WORDS]
    for pattern in v.PATTERNS:
        for group in pattern.groups:
            phrases.extend(group)
    for phrase in phrases:
        for word in tokens(phrase):
            words.add(word)
            words.add(stem(word))
    words.update(fold(c) for c in campaigns)
    return frozenset(words)


def _has(haystack: str, phrase: str) -> bool:
    """`haystack` is " word word " (spaces at both ends); `phrase` is matched on whole words."""
    return f" {phrase} " in haystack


def _stemmed(phrase: str) -> str:
    return " ".join(stem(word) for word in tokens(phrase))


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, int, tuple[tuple[str, ...], ...]], ...]:
    return tuple((p.kpi, p.weight, tuple(tuple(_stemmed(x) for x in g) for g in p.groups)) for p in v.PATTERNS)


def _offered(labels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, int, tuple[tuple[str, ...], ...]], ...]:
    """A source's own metric names and labels are phrases too ("first_response_time", "First response time")."""
    return tuple((name, 0, ((_stemmed(name.replace("_", " ")), _stemmed(text)),)) for name, text in labels)


@lru_cache(maxsize=1)
def _channel_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_stemmed(x) for x in group) for group in (v.DM, v.COMMENT))


def _positions(stems: str, phrase: str) -> set[int]:
    """The word positions `phrase` covers in `stems` (every occurrence)."""
    found: set[int] = set()
    for match in re.finditer(rf"(?<= ){re.escape(phrase)}(?= )", stems):
        first = stems[:match.start()].count(" ") - 1
        found.update(range(first, first + len(phrase.split())))
    return found


def _kpi(stems: str, known: dict[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """The most specific KPI pattern that matches in full: weight, then groups, then words covered. Two KPIs
    named apart and joined ("leads and conversions") are asked back: one figure a question."""
    best: tuple[tuple[int, int, int], str, set[int]] | None = None
    matched: list[tuple[str, int, set[int]]] = []
    channels = _channel_groups()
    # "comments and DMs": both channels, so the KPI over both, not one channel's.
    both = all(any(_has(stems, phrase) for phrase in group) for group in channels)
    for kpi, weight, groups in (*_patterns(), *_offered(tuple(known.items()))):
        if both and any(group in channels for group in groups):
            kpi = BOTH_CHANNELS.get(kpi, kpi)
        if kpi not in known and kpi != "sentiment":
            kpi = next((alias for alias in ALIASES.get(kpi, ()) if alias in known), "")
            if not kpi:
                continue
        covered = 0
        words: set[int] = set()
        for group in groups:
            hits = [phrase for phrase in group if _has(stems, phrase)]
            if not hits:
                break
            covered += max(len(hit.split()) for hit in hits)
            for hit in hits:
                words |= _positions(stems, hit)
        else:
            score = (weight, len(groups), covered)
            matched.append((kpi, weight, words))
            if best is None or score > best[0]:
                best = (score, kpi, words)
    if best is None:
        return None, ()
    if best[1] == "sentiment":  # which share? asking beats guessing
        return "sentiment", ("positive_share", "neutral_share", "negative_share")
    if re.search(r" (and|et|&|\+|plus|as well as|ainsi que) ", stems):
        others = sorted({kpi for kpi, weight, words in matched
                         if weight and kpi not in (best[1], "sentiment") and not words & best[2]})
        if others:
            return best[1], (best[1], *others)
    return best[1], ()


def _language(words: list[str]) -> str:
    fr = sum(word in v.FRENCH_WORDS for word in words)
    en = sum(word in v.ENGLISH_WORDS for word in words)
    return "fr" if fr > en else "en"


def _slug_pattern(slug: str) -> str:
    """A slug as people type it: "black-friday", "black friday", "black_friday", "blackfriday"."""
    parts = [re.escape(part) for part in re.split(r"[-_\s]+", slug) if part]
    return r"(?<![\w-])" + r"[-_\s]?".join(parts) + r"(?![\w-])"


CAMPAIGN_WORD = re.compile(r"\b(?:campaign|campaigns|campagne|campagnes)\b")


def _campaign(raw: str, text: str, campaigns: Iterable[str],
              vocabulary: frozenset[str]) -> tuple[str | None, str | None]:
    """(campaign, unknown slug): a known slug anywhere, or the word next to "campaign"/"campagne", or "#slug".
    The unknown slug is "" when a campaign was mentioned without a name ("for the campaign")."""
    known = {fold(c): c for c in campaigns}
    for slug, name in sorted(known.items(), key=lambda item: -len(item[0])):
        if re.search(_slug_pattern(slug), text):
            return name, None
    said = re.search(r"#([\w-]+)", raw)
    after = r"\b(?:campaign|campagne|camp|cmp)\s+(?:de\s+|du\s+|:\s*)?([a-z0-9][\w-]*)"
    before = r"([a-z0-9][\w-]*)\s+(?:campaign|campagne)\b"
    for found in (() if said else (*re.finditer(after, text), *re.finditer(before, text))):
        word = found.group(1)
        # "the campaign last week", "leads campaign this month": a common word is not a slug.
        if word not in vocabulary and stem(word) not in vocabulary and word not in _NOT_SLUGS:
            said = found
            break
    if said is None:
        return (None, "") if CAMPAIGN_WORD.search(text) else (None, None)
    slug = fold(said.group(1))
    # "la campagne de Noël" for "noel-2026": the first word of exactly one known slug.
    first_words = [name for key, name in known.items() if re.split(r"[-_]", key)[0] == slug]
    if len(first_words) == 1:
        return first_words[0], None
    if known:
        return None, slug
    return slug, None


_NOT_SLUGS = frozenset({"the", "a", "an", "our", "this", "that", "each", "every", "per", "by", "for", "la", "le",
                        "les", "une", "un", "chaque", "par", "cette", "ce", "notre", "nos", "de", "du", "des",
                        "which", "quelle", "current", "en", "cours", "active", "actives", "all", "toutes"})


def interpret(text: str, *, now: datetime, tz: str, kpis: Iterable[str] | Mapping[str, str],
              campaigns: Iterable[str] = ()) -> Interpretation:
    """Parse one question. `kpis`: the KPI names the source offers (a name -> label mapping adds the labels as
    phrases); `campaigns`: the known campaign slugs."""
    campaigns = tuple(campaigns)
    raw_words = tokens(text)
    words = normalise(text, _vocabulary(campaigns))
    lang = _language(words)
    folded = " " + " ".join(words) + " "
    stems = " " + " ".join(stem(word) for word in words) + " "
    if not raw_words:
        return Interpretation(text, lang, problem="empty")
    campaign, unknown_campaign = _campaign(text, fold(text), campaigns, _vocabulary(campaigns))
    if campaign:  # "noel-2026" is not a date, "black friday" not a weekday
        folded = re.sub(_slug_pattern(fold(campaign)), " ", folded)
    platforms = sorted({name for phrase, name in v.PLATFORMS.items() if _has(folded, phrase)})
    goals = any(_has(stems, _stemmed(word)) for word in v.GOAL_WORDS)
    known = dict(kpis) if isinstance(kpis, Mapping) else {name: name.replace("_", " ") for name in kpis}
    kpi, options = _kpi(stems, known)

    left, right = folded, ""
    for marker in v.COMPARE_SPLIT:
        if _has(folded, marker):
            left, right = folded.split(f" {marker} ", 1)
            left, right = left + " ", " " + right
            break
    compare = bool(right) or any(_has(folded, word) for word in v.TREND_WORDS)
    found = find_period(left, lang=lang, now=now, tz=tz)
    baseline = find_period(right, lang=lang, now=now, tz=tz) if right else None
    period, said = found.period, found.period is not None
    if period is None and found.problem is None and baseline is not None and baseline.period is not None:
        period, said = resolve(_COUNTERPART.get(baseline.period.kind, DEFAULT_PERIOD), now, tz), True

    base = {"kpi": kpi if kpi != "sentiment" else None, "platform": platforms[0] if len(platforms) == 1 else None,
            "campaign": campaign, "compare": compare, "goals": goals}

    def refuse(problem: str, detail: str = "", **extra: object) -> Interpretation:
        return Interpretation(text, lang, problem=problem, detail=detail, **{**base, **extra})  # type: ignore[arg-type]

    if other := next((p for p in v.OTHER_PLATFORMS if _has(folded, p)), None):
        return refuse("other_platform", other)
    # Matched as written, not stemmed: "likes" is not measured, "what does it look like" is fine.
    if missing := next((w for w in v.NOT_MEASURED if _has(folded, " ".join(tokens(w)))), None):
        return refuse("not_measured", missing)
    for problem in (found.problem, baseline.problem if baseline else None):
        if problem:
            return refuse(problem, found.detail or (baseline.detail if baseline else ""))
    if len(platforms) > 1:
        return refuse("several_platforms", ", ".join(platforms))
    if unknown_campaign == "":
        return refuse("which_campaign")
    if unknown_campaign:
        return refuse("unknown_campaign", unknown_campaign)
    if goals:  # several KPIs named: every goal
        return Interpretation(text, lang, **{**base, "kpi": None if options else base["kpi"]})  # type: ignore[arg-type]
    if kpi is None:
        return refuse("no_kpi")
    if options:
        return refuse("which_kpi", options=options, kpi=None)
    if period is None:
        period = resolve(DEFAULT_PERIOD, now, tz)
    return Interpretation(text, lang, period=period, period_said=said, **base)  # type: ignore[arg-type]
