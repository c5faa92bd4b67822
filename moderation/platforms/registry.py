"""The platforms, keyed by name, collected from each platform folder's `spec.py`; everything per platform is
derived from here: connectors for the configured accounts, pollers, webhook routes, rate and text limits.

Adding a platform is one folder `moderation/platforms/<name>/` with its inbound parser, its connector and a
`spec.py` declaring `SPEC`, plus the platform's name in `moderation.domain.Platform`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import httpx

import moderation.platforms as platforms_package
from moderation.domain import Platform
from moderation.platforms.base import Operation, PlatformConnector
from moderation.platforms.directory import ConnectorDirectory
from moderation.platforms.http import Redactor
from moderation.platforms.rate_limit import RateLimit
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.platforms.spec import AccountSpec, PlatformSpec, Poller, StoreInteractions, Webhook
from moderation.storage import Database

CAPABILITY_OPERATIONS: dict[str, frozenset[Operation]] = {
    "reply": frozenset({Operation.reply}),
    "dm": frozenset({Operation.dm}),
    "hide": frozenset({Operation.hide, Operation.unhide}),
    "delete": frozenset({Operation.delete}),
    "hold": frozenset({Operation.hold, Operation.release}),
    "ban_author": frozenset({Operation.ban_author}),
}
PERMISSIVE = "permissive"  # `sandbox: permissive`: a sandbox account that allows every operation

SecretReader = Callable[[str], str]


class AccountConfig(Protocol):
    """What the registry reads of one configured account (the application's config model has these fields)."""

    platform: Platform
    id: str
    token_env: str | None
    capabilities: Sequence[str] | None  # None: the platform's real capabilities (its spec)
    sandbox: bool | str  # True, False or "permissive"


class ConnectorConfigError(ValueError):
    """A real (non-sandbox) account cannot be connected: no token variable named, for instance."""


@cache
def platform_specs() -> Mapping[Platform, PlatformSpec]:
    """Every platform folder with a `spec.py`, imported once."""
    specs: dict[Platform, PlatformSpec] = {}
    for module in pkgutil.iter_modules(platforms_package.__path__):
        if not module.ispkg:
            continue
        try:
            spec_module = importlib.import_module(f"{platforms_package.__name__}.{module.name}.spec")
        except ModuleNotFoundError as exc:
            if exc.name != f"{platforms_package.__name__}.{module.name}.spec":
                raise
            continue  # a shared folder (meta) or the sandbox: not a platform of its own
        spec: PlatformSpec = spec_module.SPEC
        specs[spec.platform] = spec
    missing = set(Platform) - set(specs)
    if missing:
        raise RuntimeError(f"no spec.py for platform(s) {sorted(p.value for p in missing)}")
    return specs


def spec_for(platform: Platform | str) -> PlatformSpec:
    try:
        return platform_specs()[Platform(platform)]
    except ValueError:
        raise KeyError(f"unknown platform {platform!r}; known: {sorted(p.value for p in Platform)}") from None


def webhooks() -> dict[str, Webhook]:
    """The webhook endpoints by route (Instagram and Facebook share Meta's)."""
    return {spec.webhook.route: spec.webhook for spec in platform_specs().values() if spec.webhook is not None}


def text_limits() -> dict[Platform, dict[str, int]]:
    return {platform: dict(spec.text_limits) for platform, spec in platform_specs().items()}


def rate_limits() -> dict[str, RateLimit]:
    return {platform.value: spec.rate_limit for platform, spec in platform_specs().items()}


@dataclass(frozen=True)
class ConnectorOptions:
    """Overrides of each API's base URL, named `<PlatformSpec.api>_base_url` (None: the public API)."""

    graph_base_url: str | None = None
    youtube_base_url: str | None = None
    tiktok_base_url: str | None = None
    graph_api_version: str | None = None
    timeout_seconds: float = 10.0
    youtube_daily_quota: int | None = None

    def base_url(self, api: str) -> str | None:
        return getattr(self, f"{api}_base_url", None)


def operations_for(capabilities: Sequence[str]) -> frozenset[Operation]:
    """Capability names (`reply`, `hide`, ...) as the operations they allow."""
    allowed: set[Operation] = set()
    for capability in capabilities:
        allowed |= CAPABILITY_OPERATIONS[capability]
    return frozenset(allowed)


def account_operations(account: AccountConfig) -> frozenset[Operation]:
    """What one configured account may do: the platform's real capabilities, narrowed by the account's own
    `capabilities` list when it has one; every operation for a permissive sandbox."""
    if account.sandbox == PERMISSIVE:
        return frozenset(Operation)
    real = spec_for(account.platform).capabilities
    if account.capabilities is None:
        return real
    return real & operations_for(account.capabilities)


@dataclass(frozen=True)
class AccountCapabilities:
    """The operations each configured account allows, for the planner (an unknown account: the platform's)."""

    by_account: Mapping[tuple[Platform, str], frozenset[Operation]]
    by_platform: Mapping[Platform, frozenset[Operation]]

    def of(self, platform: Platform | str, account_id: str | None = None) -> frozenset[Operation]:
        platform = Platform(platform)
        if account_id and (platform, account_id) in self.by_account:
            return self.by_account[(platform, account_id)]
        if platform in self.by_platform:
            return self.by_platform[platform]
        return spec_for(platform).capabilities

    @classmethod
    def real(cls) -> AccountCapabilities:
        """Every platform as its spec declares it (no accounts configured)."""
        return cls({}, {})

    @classmethod
    def permissive(cls) -> AccountCapabilities:
        return cls({}, {platform: frozenset(Operation) for platform in Platform})

    @classmethod
    def of_accounts(cls, accounts: Sequence[AccountConfig]) -> AccountCapabilities:
        by_account: dict[tuple[Platform, str], frozenset[Operation]] = {}
        by_platform: dict[Platform, frozenset[Operation]] = {}
        for account in accounts:
            allowed = account_operations(account)
            by_account[(account.platform, account.id)] = allowed
            # An interaction that does not say which account received it goes to the platform's only account.
            by_platform[account.platform] = by_platform.get(account.platform, frozenset()) | allowed
        return cls(by_account, by_platform)


def default_client(timeout_seconds: float = 10.0) -> httpx.AsyncClient:
    # Short connect timeout: a platform that does not answer at all should not hold the outbox.
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
                             headers={"User-Agent": "socialops"})


def _token(account: AccountConfig, secret: SecretReader | None) -> str:
    if not account.token_env:
        raise ConnectorConfigError(f"{account.platform.value} account {account.id}: set token_env (or sandbox: true)")
    if secret is None:
        raise ConnectorConfigError("real accounts need a secret reader")
    return secret(account.token_env)


def _account_spec(account: AccountConfig, spec: PlatformSpec, token: str, options: ConnectorOptions,
                  redactor: Redactor) -> AccountSpec:
    return AccountSpec(account_id=account.id, token=token, allowed=account_operations(account),
                       timeout=options.timeout_seconds, redactor=redactor,
                       base_url=options.base_url(spec.api), api_version=options.graph_api_version,
                       daily_quota=options.youtube_daily_quota)


def build_connectors(accounts: Sequence[AccountConfig], *, secret: SecretReader | None = None,
                     client: httpx.AsyncClient | None = None, options: ConnectorOptions | None = None,
                     db: Database | None = None, redactor: Redactor | None = None) -> ConnectorDirectory:
    """One connector per configured account (several per platform for an agency). Real connectors share one
    client and one Redactor (so an error from any of them is scrubbed of every token); quota-bound platforms
    charge their calls to the ledger when `db` is given."""
    options = options or ConnectorOptions()
    redactor = redactor or Redactor()
    connectors = ConnectorDirectory()
    for account in accounts:
        if account.sandbox:
            connectors.add(account.platform, SandboxPlatform(account.platform, account_operations(account),
                                                             account_id=account.id))
            continue
        spec = spec_for(account.platform)
        token = _token(account, secret)
        client = client or default_client(options.timeout_seconds)
        connector: PlatformConnector = spec.connector(client, _account_spec(account, spec, token, options, redactor),
                                                      db)
        connectors.add(account.platform, connector)
    return connectors


def build_pollers(accounts: Sequence[AccountConfig], db: Database, *, secret: SecretReader, store: StoreInteractions,
                  client: httpx.AsyncClient | None = None, options: ConnectorOptions | None = None) -> list[Poller]:
    """A poller per real account of a platform that is read by polling (YouTube)."""
    options = options or ConnectorOptions()
    pollers = []
    for account in accounts:
        spec = spec_for(account.platform)
        if spec.poller is None or account.sandbox:
            continue
        client = client or default_client(options.timeout_seconds)
        token = _token(account, secret)
        pollers.append(spec.poller(db, client, _account_spec(account, spec, token, options, Redactor([token])), store))
    return pollers
