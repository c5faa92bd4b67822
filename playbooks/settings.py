"""Library-wide settings: thresholds, guardrails, links, products, length limits; all with safe defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from moderation.domain import DEFAULT_INTENTS, Platform


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    """Toxicity policy. Defaults until the classifier exposes calibrated values (`Library.with_thresholds`)."""

    auto_hide: float = Field(0.8, ge=0.0, le=1.0)
    review: float = Field(0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _review_below_hide(self) -> Thresholds:
        if self.review > self.auto_hide:
            raise ValueError(f"review ({self.review}) must not be above auto_hide ({self.auto_hide})")
        return self


class Guardrails(_Strict):
    """Self-pausing and crisis mode, from the field: 10% negative, conversions under half, 5x toxic volume."""

    negative_share: float = Field(0.10, gt=0.0, le=1.0)
    # The worker counts the last `negative_window` interactions of the campaign; below `negative_min_sample`
    # a single angry comment would be 100% negative, so no pause.
    negative_window: int = Field(50, ge=1)
    negative_min_sample: int = Field(20, ge=1)
    conversion_floor: float = Field(0.5, gt=0.0, le=1.0)
    crisis_multiplier: float = Field(5.0, gt=1.0)
    # With a baseline near zero, two toxic comments would already be "5x"; a crisis needs some volume too.
    crisis_min_toxic: int = Field(5, ge=1)
    alert_channel: str = "community-alerts"
    crisis_team: str = "community"
    human_team: str = "support"
    # A paused campaign (or account) resumes by itself once its negative share has been back under
    # `negative_share` and the pause is at least this old (0: only a person resumes it).
    resume_after_minutes: int = Field(120, ge=0)
    # Interactions without a campaign are watched per receiving account by the same self-pause, with its own
    # limit: an account's organic comments and DMs carry the everyday complaints and support questions that a
    # campaign's do not, so the campaign's 10% would keep an account paused for good.
    guard_accounts: bool = True
    account_negative_share: float = Field(0.25, gt=0.0, le=1.0)
    # Negative-post escalation: a post whose last `negative_post_window` comments are more than
    # `negative_post_share` negative (at least `negative_post_min_sample` of them) pages on-call once, and
    # again only when the share reaches a worse band (`negative_post_step`, 10 points by default).
    negative_post_share: float = Field(0.10, gt=0.0, le=1.0)
    negative_post_window: int = Field(20, ge=1)
    negative_post_min_sample: int = Field(10, ge=1)
    negative_post_step: float = Field(0.10, gt=0.0, le=1.0)
    negative_post_team: str = "community"
    negative_post_level: str = "urgent"
    # Who gets a DM that looked like spam but shows lead signals or answers our own messages.
    lead_team: str = "sales"


class Utm(_Strict):
    """UTM parameters added to every link: utm_source=<platform>, utm_medium, utm_campaign=<campaign>."""

    medium: str = "social"
    default_campaign: str = "organic"
    # utm_content carries the interaction's reference (moderation.domain.attribution) unless turned off.
    content_ref: bool = True
    discount_prefix: str = Field("SO", pattern=r"^[A-Za-z0-9]{1,8}$")  # per-conversation codes: SO-4F9KX2


# Characters per reply when neither the platform registry (`Library.with_text_limits`) nor the playbooks give
# one: the strictest platform's (TikTok comments 150, Instagram DMs 1,000), so no platform gets an over-long text.
FALLBACK_TEXT_LIMITS: dict[str, int] = {"public": 150, "dm": 1000}

DEFAULT_SENSITIVE_KEYWORDS = (
    "lawyer", "attorney", "lawsuit", "sue you", "police", "injured", "injury", "allergic", "allergy",
    "hospital", "suicide", "self harm", "harassment", "data breach", "gdpr",
    "avocat", "plainte", "proces", "blesse", "blessure", "allergie", "hopital", "harcelement", "rgpd",
)


class Settings(_Strict):
    """The `settings:` block of a library (declared in one file, usually cross_platform.yaml)."""

    thresholds: Thresholds = Thresholds()
    guardrails: Guardrails = Guardrails()
    utm: Utm = Utm()
    links: dict[str, str] = Field(default_factory=dict)
    products: dict[str, str] = Field(default_factory=dict)  # campaign tag -> product name
    default_product: str = ""
    intents: tuple[str, ...] = DEFAULT_INTENTS
    # Intents that always reach a human, whatever a rule says (refunds: money and law).
    human_intents: tuple[str, ...] = ("refund",)
    spam_intents: tuple[str, ...] = ("spam",)
    sensitive_keywords: tuple[str, ...] = DEFAULT_SENSITIVE_KEYWORDS
    languages: tuple[str, ...] = ("en", "fr")
    default_language: str = "en"
    # Per platform and channel; the platforms' own limits come from the platform registry at start.
    length_limits: dict[Platform, dict[str, int]] = Field(default_factory=dict)

    @field_validator("links")
    @classmethod
    def _links_are_urls(cls, links: dict[str, str]) -> dict[str, str]:
        for name, url in links.items():
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"link '{name}' must start with https:// (got {url!r})")
        return links

    @field_validator("length_limits")
    @classmethod
    def _limits_per_channel(cls, limits: dict[Platform, dict[str, int]]) -> dict[Platform, dict[str, int]]:
        for platform, channels in limits.items():
            unknown = set(channels) - set(FALLBACK_TEXT_LIMITS)
            if unknown:
                raise ValueError(f"length_limits.{platform.value}: unknown channel(s) {sorted(unknown)}; "
                                 "valid: dm, public")
        return limits

    def text_limit(self, platform: Platform, channel: str) -> int:
        return self.length_limits.get(platform, {}).get(channel, FALLBACK_TEXT_LIMITS[channel])

    @model_validator(mode="after")
    def _default_language_known(self) -> Settings:
        if self.default_language not in self.languages:
            raise ValueError(f"default_language '{self.default_language}' is not in languages {self.languages}")
        return self
