"""Graph API connector factory shared by the Meta platforms' specs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from moderation.platforms.meta.graph import DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, GraphConnector

if TYPE_CHECKING:
    import httpx

    from moderation.platforms.spec import AccountSpec
    from moderation.storage import Database


def graph_factory(cls: type[GraphConnector]):  # type: ignore[no-untyped-def]
    def build(client: httpx.AsyncClient, account: AccountSpec, _db: Database | None) -> GraphConnector:
        return cls(client, account_id=account.account_id, token=account.token, allowed=account.allowed,
                   timeout=account.timeout, redactor=account.redactor,
                   base_url=account.base_url or DEFAULT_GRAPH_URL,
                   api_version=account.api_version or DEFAULT_GRAPH_VERSION)

    return build
