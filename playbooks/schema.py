"""The playbook file schema: triggers, conditions, actions, templates and rule order, validated in full."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from moderation.domain import TOXIC_KINDS, Kind, Platform, Sentiment
from playbooks.actions import ActionSpec
from playbooks.conditions import CONDITIONS
from playbooks.settings import Settings
from playbooks.text import RegexError, compile_regex

# A threshold in a trigger is a number or the name of a library threshold, so that calibrated values from
# the classifier change every rule at once.
ThresholdRef = float | Literal["auto_hide", "review"]
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANG = re.compile(r"^[a-z]{2}$")


def _regex_compiles(pattern: str) -> str:
    # Per item, so the error's location (and so its line) is the pattern's own, not the list's.
    try:
        compile_regex(pattern)
    except RegexError as exc:
        raise ValueError(f"regex {pattern!r} does not compile under RE2: {exc}") from None
    return pattern


RegexPattern = Annotated[str, AfterValidator(_regex_compiles)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToxicityBand(_Strict):
    """toxicity >= min, and < below when given (a band: review <= t < auto_hide)."""

    min: ThresholdRef = 0.0
    below: ThresholdRef | None = None

    @field_validator("min", "below")
    @classmethod
    def _in_unit_range(cls, value: ThresholdRef | None) -> ThresholdRef | None:
        if isinstance(value, float) and not 0.0 <= value <= 1.0:
            raise ValueError("a toxicity threshold is between 0 and 1")
        return value


class Trigger(_Strict):
    """What an interaction must look like for a rule to fire; every field given must match (AND)."""

    platforms: tuple[Platform, ...] = ()
    kinds: tuple[Kind, ...] = ()
    intents: tuple[str, ...] = ()
    min_confidence: float = Field(0.0, ge=0.0, le=1.0)
    keywords: tuple[str, ...] = ()
    regex: tuple[RegexPattern, ...] = ()
    toxicity: ToxicityBand | None = None
    # The classifier's kind of harm (`threat`, `self_harm`, ...); `none` unless the text is toxic.
    toxic_kind: tuple[str, ...] = ()
    sentiment: tuple[Sentiment, ...] = ()
    languages: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    posts: tuple[str, ...] = ()

    @field_validator("toxic_kind")
    @classmethod
    def _known_kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        for kind in kinds:
            if kind not in TOXIC_KINDS:
                raise ValueError(f"unknown toxic_kind {kind!r}; valid: {', '.join(TOXIC_KINDS)}")
        return kinds

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, languages: tuple[str, ...]) -> tuple[str, ...]:
        for lang in languages:
            if not LANG.match(lang):
                raise ValueError(f"language {lang!r} is not an ISO 639-1 code like 'en' or 'fr'")
        return languages


# Built from the registry so the schema and the checks cannot drift; extra="forbid" makes a mistyped
# condition a load error (the loader lists the valid names).
Conditions: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "Conditions",
    __config__=ConfigDict(extra="forbid", frozen=True),
    **{name: (condition.param | None, None) for name, condition in CONDITIONS.items()},
)


def check_languages(by_lang: dict[str, str]) -> dict[str, str]:
    for lang in by_lang:
        if not LANG.match(lang):
            raise ValueError(f"language {lang!r} is not an ISO 639-1 code like 'en' or 'fr'")
    return by_lang


class Texts(BaseModel):
    """One text per language, plus per-platform overrides (a 150-character TikTok version)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: dict[str, str]
    platforms: dict[Platform, dict[str, str]] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _text_languages(cls, value: dict[str, str]) -> dict[str, str]:
        return check_languages(value)

    @field_validator("platforms")
    @classmethod
    def _platform_languages(cls, value: dict[Platform, dict[str, str]]) -> dict[Platform, dict[str, str]]:
        for by_lang in value.values():
            check_languages(by_lang)
        return value


class Template(_Strict):
    """A reply text: `text` (one version) or `variants` (an A/B test; assignment is a hash of the interaction)."""

    text: dict[str, str] | None = None
    platforms: dict[Platform, dict[str, str]] = Field(default_factory=dict)
    variants: dict[str, Texts] | None = None
    max_length: int | None = Field(None, ge=1)

    @field_validator("text")
    @classmethod
    def _text_languages(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else check_languages(value)

    @field_validator("platforms")
    @classmethod
    def _platform_languages(cls, value: dict[Platform, dict[str, str]]) -> dict[Platform, dict[str, str]]:
        for by_lang in value.values():
            check_languages(by_lang)
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Template:
        if (self.text is None) == (self.variants is None):
            raise ValueError("a template has either `text` or `variants` (for an A/B test), not both or neither")
        if self.variants is not None and (self.platforms or len(self.variants) < 2):
            raise ValueError("`variants` needs at least two entries, each with its own `text` and `platforms`")
        return self

    def all_variants(self) -> dict[str, Texts]:
        if self.variants is not None:
            return self.variants
        return {"default": Texts(text=self.text or {}, platforms=self.platforms)}


class Rule(_Strict):
    """Trigger -> conditions -> actions. Higher priority runs first; `stop: true` ends matching."""

    id: str
    description: str = ""
    priority: int = 0
    stop: bool = False
    when: Trigger = Trigger()
    conditions: Conditions = Field(default_factory=Conditions)
    actions: list[ActionSpec] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"rule id {value!r}: use lowercase letters, digits, '-' and '_'")
        return value


class PlaybookFile(_Strict):
    """One YAML file: a name, optional library settings, templates and rules."""

    name: str
    description: str = ""
    settings: Settings | None = None
    templates: dict[str, Template] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> PlaybookFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id '{rule.id}' appears twice")
            seen.add(rule.id)
        return self


SECTION_NAMES: dict[str, tuple[str, list[str]]] = {
    # parent key in the YAML -> (what it holds, valid names), for "unknown X" errors.
    "conditions": ("condition", sorted(CONDITIONS)),
    "when": ("trigger", sorted(Trigger.model_fields)),
    "settings": ("setting", sorted(Settings.model_fields)),
}
