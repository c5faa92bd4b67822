"""Which connector answers an interaction: one per configured account, found by platform and account.

An agency runs many accounts on one platform (ten Instagram brands, each with its own token), so the
outbox must act as the account that received the comment, never as another one. Interactions carry the
receiving account's id (the webhook entry, the polled channel); rows without one (files, the demo, rows
stored before accounts were recorded) go to the platform's only account, and are refused when the
platform has several, because guessing would answer as the wrong brand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from moderation.domain import Platform
from moderation.platforms.base import PlatformConnector


class ConnectorDirectory(Mapping[Platform, PlatformConnector]):
    """Connectors by (platform, account id). As a Mapping it gives each platform's first configured
    connector, which is what single-account set-ups (and callers that only know the platform) need."""

    def __init__(self) -> None:
        self._by_account: dict[tuple[Platform, str], PlatformConnector] = {}
        self._by_platform: dict[Platform, list[PlatformConnector]] = {}

    @classmethod
    def of(cls, connectors: Mapping[Platform, PlatformConnector]) -> ConnectorDirectory:
        if isinstance(connectors, ConnectorDirectory):
            return connectors
        directory = cls()
        for platform, connector in connectors.items():
            directory.add(platform, connector)
        return directory

    def add(self, platform: Platform, connector: PlatformConnector) -> None:
        account = _account_of(connector)
        if account is not None:
            if (platform, account) in self._by_account:
                raise ValueError(f"{platform.value} account {account} is configured twice")
            self._by_account[(platform, account)] = connector
        self._by_platform.setdefault(platform, []).append(connector)

    def find(self, platform: Platform, account_id: str | None) -> PlatformConnector | None:
        """The connector acting as `account_id` on `platform`, or None when no configured account fits."""
        candidates = self._by_platform.get(platform, [])
        if account_id:
            found = self._by_account.get((platform, account_id))
            if found is not None:
                return found
            # A connector that does not know its own account (a test double, a bare sandbox) can only be
            # the platform's single connector; one that does know it belongs to another account.
            return candidates[0] if len(candidates) == 1 and _account_of(candidates[0]) is None else None
        return candidates[0] if len(candidates) == 1 else None

    def accounts(self, platform: Platform) -> list[str]:
        return [account for (p, account) in self._by_account if p == platform]

    def __getitem__(self, platform: Platform) -> PlatformConnector:
        connectors = self._by_platform.get(platform)
        if not connectors:
            raise KeyError(platform)
        return connectors[0]

    def __iter__(self) -> Iterator[Platform]:
        return iter(self._by_platform)

    def __len__(self) -> int:
        return len(self._by_platform)


def _account_of(connector: PlatformConnector) -> str | None:
    account = getattr(connector, "account_id", None)
    return str(account) if account else None
