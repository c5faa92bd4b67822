"""The team configuration: one YAML file, validated in full at start; secrets only from the environment."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from moderation.domain import Platform

CONFIG_ENV = "SOCIALOPS_CONFIG"
DEFAULT_CONFIG_PATH = Path("socialops.yaml")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        raise ValueError(f"{value!r} must be the NAME of an environment variable (A-Z, 0-9, _), not a secret")
    return value


class BusinessHours(_Strict):
    start: int = Field(9, ge=0, le=23)
    end: int = Field(18, ge=1, le=24)
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = ("mon", "tue", "wed", "thu", "fri")

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("business_hours.end must be after start")
        return self

    @property
    def day_numbers(self) -> tuple[int, ...]:
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return tuple(names.index(day) for day in self.days)


class Team(_Strict):
    name: str = "My team"
    timezone: str = "UTC"
    business_hours: BusinessHours = BusinessHours()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Europe/Paris)") from None
        return value


class Account(_Strict):
    """One social account. Its token is read from the environment variable named here."""

    platform: Platform
    id: str = Field(min_length=1)
    name: str = ""
    token_env: str | None = None
    # What the platform lets this account do; anything else falls back (delete -> hide -> hold).
    capabilities: tuple[Literal["reply", "hide", "delete", "dm", "hold"], ...] = ("reply", "hide", "dm")
    sandbox: bool = False

    _check_env = field_validator("token_env")(_env_name)


class Approvers(_Strict):
    console: tuple[str, ...] = ("demo-manager",)
    slack_users: tuple[str, ...] = ()
    slack_usergroup: str | None = None
    discord_role: str | None = None


class Channels(_Strict):
    approvals: str = "approvals"
    escalations: str = "escalations"
    digest: str = "community-kpis"
    partnerships: str = "partnerships"
    alerts: str = "social-alerts"


class ConsoleChat(_Strict):
    enabled: bool = True


class Chat(_Strict):
    console: ConsoleChat = ConsoleChat()
    channels: Channels = Channels()


class Sla(_Strict):
    first_response_minutes_comment: int = Field(120, ge=1)
    first_response_minutes_dm: int = Field(30, ge=1)
    approval_minutes: int = Field(30, ge=1)


class Digest(_Strict):
    enabled: bool = True
    time: str = "09:00"

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError("digest.time must be HH:MM (24 h)")
        return value


class Worker(_Strict):
    enabled: bool = True
    batch_size: int = Field(64, ge=1, le=1000)
    poll_seconds: float = Field(1.0, gt=0, le=60)


class Classifier(_Strict):
    encoder: str | None = None  # a sentence-transformers name or path; default: the bundled all-MiniLM-L6-v2
    models_dir: Path | None = None


class Roi(_Strict):
    """Money inputs for `socialops roi` (per month); command-line options override them."""

    currency: str = Field("$", max_length=4)
    tools_monthly_cost: Decimal = Field(Decimal(0), ge=0)
    support_monthly_cost: Decimal = Field(Decimal(0), ge=0)  # people + tools handling interactions
    hourly_cost: Decimal = Field(Decimal(0), ge=0)
    average_order_value: Decimal = Field(Decimal(0), ge=0)
    margin_per_sale: Decimal = Field(Decimal(0), ge=0)
    minutes_saved_per_automated_reply: Decimal = Field(Decimal(3), ge=0)


class Settings(_Strict):
    team: Team = Team()
    database_url: str | None = None  # SOCIALOPS_DATABASE_URL wins; a password belongs there, not here
    playbooks_dir: Path | None = None  # default: the bundled library
    accounts: tuple[Account, ...] = ()
    approvers: Approvers = Approvers()
    chat: Chat = Chat()
    sla: Sla = Sla()
    digest: Digest = Digest()
    worker: Worker = Worker()
    classifier: Classifier = Classifier()
    roi: Roi = Roi()

    @field_validator("database_url")
    @classmethod
    def _no_password_in_file(cls, value: str | None) -> str | None:
        if value and re.search(r"://[^/@:]+:[^/@]+@", value):
            raise ValueError("put database passwords in SOCIALOPS_DATABASE_URL, not in the config file")
        return value

    def secret(self, env_name: str) -> str:
        """Read a secret from the environment; its value never enters the settings object or a log."""
        value = os.environ.get(env_name)
        if not value:
            raise ConfigError(f"environment variable {env_name} is not set")
        return value


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate the team file; with no file anywhere, the embedded defaults."""
    path = path or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    if path is None:
        if not DEFAULT_CONFIG_PATH.exists():
            return Settings()
        path = DEFAULT_CONFIG_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (create one with `socialops init`)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} invalid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_settings(raw or {}, source=str(path))


def parse_settings(raw: Any, *, source: str = "config") -> Settings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping")
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None
