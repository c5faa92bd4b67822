"""Domain types shared by every layer: interactions, scores, actions and plans. No SDK types here."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from moderation.domain.safe_input import clean_text

MAX_TEXT_CHARS = 10_000


class Platform(str, enum.Enum):
    instagram = "instagram"
    facebook = "facebook"
    tiktok = "tiktok"
    youtube = "youtube"


class Kind(str, enum.Enum):
    comment = "comment"
    dm = "dm"
    story_reply = "story_reply"
    mention = "mention"


# Where a reply to each kind goes by default: under the post for everyone to read, or in private.
PUBLIC_KINDS = frozenset({Kind.comment, Kind.mention})
PRIVATE_KINDS = frozenset({Kind.dm, Kind.story_reply})


def reply_channel(kind: Kind) -> str:
    """Where a reply to this kind goes by default ("public" or "dm"), as playbooks' length limits name them."""
    return "public" if kind in PUBLIC_KINDS else "dm"


class Sentiment(str, enum.Enum):
    negative = "negative"
    neutral = "neutral"
    positive = "positive"


# Day names as the team configuration writes them, Monday first (datetime.weekday() indexes this).
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

DEFAULT_INTENTS: tuple[str, ...] = (
    "pricing",
    "purchase",
    "product_question",
    "order_support",
    "complaint",
    "refund",
    "collab",
    "praise",
    "spam",
    "other",
)


def check_timezone(value: str) -> str:
    """An IANA timezone name, or a ValueError that says what is expected (for config and playbook validators)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Europe/Paris)") from None
    return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (SQLite drops the offset); aware ones are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Interaction(BaseModel):
    """One inbound comment, DM, story reply or mention, normalised from any platform."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Platform
    kind: Kind
    external_id: str = Field(min_length=1, max_length=256)
    author_id: str = Field(min_length=1, max_length=256)
    author_name: str = ""  # display only: cut to 256 characters, the column's size on every database
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    # Bounded like their columns: PostgreSQL refused what SQLite stored (the same input, two outcomes).
    post_id: str | None = Field(default=None, max_length=256)
    created_at: datetime
    is_follower: bool = False
    is_vip: bool = False
    campaign: str | None = Field(default=None, max_length=128)
    # The platform object this one answers (a reply to our comment, a thread id), when known.
    parent_id: str | None = Field(default=None, max_length=256)
    # Which of our accounts received it (Instagram business account, Facebook Page, YouTube channel, TikTok
    # business id): the answer must go out as that account. None when the source does not say (files).
    account_id: str | None = Field(default=None, max_length=256)
    # What the platform says beside the text that people act on (Instagram `media_product_type`: LIVE or FEED;
    # Messenger `quick_reply_payload`, `is_self_reply`). Plain JSON values only; stored as is.
    details: dict[str, str | int | bool] = Field(default_factory=dict)

    @field_validator("external_id", "author_id", "author_name", "text", "post_id", "campaign", "parent_id",
                     "account_id", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        # NUL and lone surrogates out before anything stores or compares them: the same on every database.
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("author_name")
    @classmethod
    def _name_fits(cls, value: str) -> str:
        return value[:256]

    @field_validator("details")
    @classmethod
    def _clean_details(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {clean_text(k): clean_text(v) if isinstance(v, str) else v for k, v in value.items()}

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value

    @field_validator("created_at")
    @classmethod
    def _created_at_utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    @property
    def id(self) -> str:
        """Stable id across re-deliveries: the platform plus the platform's own id."""
        return interaction_id(self.platform, self.external_id)


def interaction_id(platform: Platform | str, external_id: str) -> str:
    return f"{Platform(platform).value}:{external_id}"


# The kind of harm behind a toxic text (`none` when it is not toxic): part of the `classify` contract.
TOXIC_KINDS: tuple[str, ...] = ("insult", "threat", "hate", "harassment", "sexual", "self_harm", "none")


class Scores(BaseModel):
    """What the classifier says about one text (the `classify` contract, minus the input fields)."""

    model_config = ConfigDict(frozen=True)

    intent: str
    intent_confidence: float = Field(ge=0.0, le=1.0)
    toxicity: float = Field(ge=0.0, le=1.0)
    sentiment: Sentiment
    lang: str
    explanation: dict[str, Any] | None = None
    toxic_kind: str = "none"
    # Probability of each kind (summing to 1 with `none` = 1 - toxicity); None from classifiers without a kind head.
    toxic_kind_scores: dict[str, float] | None = None

    @property
    def toxic(self) -> bool:
        return self.toxicity >= 0.5
