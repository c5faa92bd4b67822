"""Outbound calls to Meta's Graph API, shared by the Instagram and Facebook connectors.

The access token travels in the Authorization header, never in the URL (URLs end up in exception messages
and proxy logs). Graph signals throttling with error codes as well as 429; permission errors become
UnsupportedOperation so the outbox falls back (delete -> hide -> hold) instead of dead-lettering.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from moderation.domain import Kind, Platform
from moderation.platforms.base import (
    ActionOutcome,
    Operation,
    PermanentActionError,
    PlatformAction,
    UnsupportedOperation,
)
from moderation.platforms.http import JsonApi, Redactor

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v21.0"
THROTTLE_CODES = frozenset({4, 17, 32, 613}) | frozenset(range(80001, 80015))
PERMISSION_CODES = frozenset({3, 10}) | frozenset(range(200, 300))
GONE_SUBCODES = frozenset({33})  # "object does not exist, cannot be loaded due to missing permissions, ..."
DEFAULT_THROTTLE_WAIT = 60.0


def graph_error(body: Any) -> dict[str, Any]:
    return body.get("error") or {} if isinstance(body, dict) else {}


def usage_wait(response: httpx.Response) -> float | None:
    """Graph's X-Business-Use-Case-Usage says how many minutes until access is regained."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
        minutes = max(int(item.get("estimated_time_to_regain_access", 0))
                      for items in usage.values() for item in items)
    except (ValueError, TypeError, AttributeError):
        return None
    return minutes * 60.0 if minutes else None


class GraphApi(JsonApi):
    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str, *, platform: Platform,
                 redactor: Redactor, timeout: float | None = None) -> None:
        super().__init__(client, base_url, redactor=redactor, timeout=timeout)
        self._token = token
        self.platform_name = platform.value
        redactor.add(token)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def throttled(self, response: httpx.Response, body: Any) -> bool:
        return graph_error(body).get("code") in THROTTLE_CODES

    def rate_limit_wait(self, response: httpx.Response) -> float | None:
        # Graph throttling rarely sends Retry-After; without any hint, wait a minute rather than hammer it.
        return super().rate_limit_wait(response) or usage_wait(response) or DEFAULT_THROTTLE_WAIT

    def client_error(self, response: httpx.Response, body: Any, what: str) -> PermanentActionError:
        error = graph_error(body)
        code, subcode = error.get("code"), error.get("error_subcode")
        detail = str(error.get("message", ""))[:200]
        message = self.redact(f"{what}: {response.status_code} (#{code}/{subcode}) {detail}")
        if code in PERMISSION_CODES:
            return UnsupportedOperation(message)
        if code == 100 and subcode in GONE_SUBCODES:
            return ObjectGone(message)
        return PermanentActionError(message)


class ObjectGone(PermanentActionError):
    """The comment is no longer there (its author deleted it, or a previous attempt of ours did)."""


class GraphConnector:
    """Common Graph behaviour; subclasses name the edges that differ between Instagram and Facebook."""

    platform: Platform
    replies_edge: str  # where replies to a comment live
    reply_text_field: str  # the field holding a reply's text when listed
    hide_param: str
    caption_field: str  # the field holding a post's text
    operations: frozenset[Operation]

    def __init__(self, client: httpx.AsyncClient, *, account_id: str, token: str, base_url: str = DEFAULT_GRAPH_URL,
                 api_version: str = DEFAULT_GRAPH_VERSION, allowed: frozenset[Operation] | None = None,
                 timeout: float | None = None, redactor: Redactor | None = None) -> None:
        self.account_id = account_id
        self.redact = redactor or Redactor()
        self.api = GraphApi(client, f"{base_url.rstrip('/')}/{api_version}", token, platform=self.platform,
                            redactor=self.redact, timeout=timeout)
        self.allowed = self.operations if allowed is None else self.operations & allowed

    def __repr__(self) -> str:  # never show the token
        return f"{self.__class__.__name__}(account_id={self.account_id!r})"

    def supports(self, operation: Operation) -> bool:
        return operation in self.allowed

    async def perform(self, action: PlatformAction) -> ActionOutcome:
        if not self.supports(action.operation):
            raise UnsupportedOperation(f"{self.platform.value} account {self.account_id} cannot "
                                       f"{action.operation.value}")
        target = action.target_id
        if action.operation == Operation.reply:
            body = await self.api.request("POST", f"{target}/{self.replies_edge}", json={"message": action.text},
                                          idempotent=False)
            return ActionOutcome(external_ref=str(body.get("id")) if isinstance(body, dict) else None)
        if action.operation in (Operation.hide, Operation.unhide):
            hidden = "true" if action.operation == Operation.hide else "false"
            await self.api.request("POST", target, params={self.hide_param: hidden}, idempotent=True)
            return ActionOutcome(external_ref=target)
        if action.operation == Operation.delete:
            try:
                await self.api.request("DELETE", target, idempotent=True)
            except ObjectGone:
                # Deleting is idempotent in effect: an earlier attempt whose answer was lost already did it.
                return ActionOutcome(external_ref=target, data={"already_gone": True})
            return ActionOutcome(external_ref=target)
        if action.operation == Operation.dm:
            body = await self.api.request("POST", f"{self.account_id}/messages", json=self.dm_body(action),
                                          idempotent=False)
            mid = body.get("message_id") if isinstance(body, dict) else None
            return ActionOutcome(external_ref=str(mid) if mid else None)
        raise UnsupportedOperation(f"{self.platform.value} has no {action.operation.value}")

    async def fetch_caption(self, post_id: str) -> str | None:
        """`GET /{media-id}?fields=caption` (Instagram) or `GET /{post-id}?fields=message` (Facebook)."""
        body = await self.api.request("GET", post_id, params={"fields": self.caption_field}, idempotent=True)
        caption = body.get(self.caption_field) if isinstance(body, dict) else None
        return str(caption) if caption else None

    def dm_body(self, action: PlatformAction) -> dict[str, Any]:
        # A DM answering a public comment is a "private reply", addressed by comment id.
        recipient = {"comment_id": action.target_id} if action.kind == Kind.comment else {"id": action.author_id}
        return {"recipient": recipient, "message": {"text": action.text}}

    async def find_existing(self, action: PlatformAction) -> ActionOutcome | None:
        """Our reply or DM with this exact text, if an earlier attempt created it although we saw no answer."""
        if action.operation == Operation.reply:
            body = await self.api.request("GET", f"{action.target_id}/{self.replies_edge}",
                                          params={"fields": f"id,{self.reply_text_field},from", "limit": 100},
                                          idempotent=True)
            for item in body.get("data", []) if isinstance(body, dict) else []:
                if self._ours(item) and item.get(self.reply_text_field) == action.text:
                    return ActionOutcome(external_ref=str(item["id"]), data={"reconciled": True})
            return None
        if action.operation == Operation.dm:
            body = await self.api.request(
                "GET", f"{self.account_id}/conversations",
                params={"user_id": action.author_id, "fields": "messages.limit(25){id,message,from}",
                        **self.conversation_params()}, idempotent=True)
            for conversation in body.get("data", []) if isinstance(body, dict) else []:
                for message in (conversation.get("messages") or {}).get("data", []):
                    if self._ours(message) and message.get("message") == action.text:
                        return ActionOutcome(external_ref=str(message["id"]), data={"reconciled": True})
            return None
        return None

    def conversation_params(self) -> dict[str, str]:
        return {}

    def _ours(self, item: dict[str, Any]) -> bool:
        return str((item.get("from") or {}).get("id")) == self.account_id
