"""TikTok (API for Business, business accounts): comment webhooks in, replies and hide/unhide out.

Outbound: `POST /business/comment/reply/create/` and `POST /business/comment/hide/` (which needs the video
id: the interaction's post_id). TikTok answers HTTP 200 with an envelope `{"code", "message", "data"}`;
the code says what happened. Others' comments cannot be deleted (only hidden), and there is no hold.

Inbound: TikTok's webhook envelope `{client_key, event, create_time, user_openid, content}` where `content`
is a JSON string; comment events carry the comment and video ids, its author and text.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from moderation.domain import Platform
from moderation.platforms.base import (
    ActionOutcome,
    Operation,
    PermanentActionError,
    PlatformAction,
    UnsupportedOperation,
)
from moderation.platforms.http import JsonApi, Redactor, rate_limited, transient

logger = logging.getLogger(__name__)

DEFAULT_TIKTOK_URL = "https://business-api.tiktok.com/open_api/v1.3"
RATE_LIMIT_CODES = frozenset({40100, 40133})
SERVER_CODES = frozenset({50000, 50002, 51021})
PERMISSION_CODES = frozenset({40001, 40002, 40102})
NEW_COMMENT_ACTIONS = frozenset({"insert", "create", "created", "add"})


class TikTokApi(JsonApi):
    platform_name = "tiktok"

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str, *, redactor: Redactor,
                 timeout: float | None = None) -> None:
        super().__init__(client, base_url, redactor=redactor, timeout=timeout)
        self._token = token
        redactor.add(token)

    def auth_headers(self) -> dict[str, str]:
        return {"Access-Token": self._token}

    async def envelope(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> dict[str, Any]:
        body = await self.request(method, path, idempotent=idempotent, **kwargs)
        code = body.get("code", 0) if isinstance(body, dict) else -1
        if code == 0:
            return body.get("data") or {}
        what = self.redact(f"tiktok {path}: code {code} {str(body.get('message', ''))[:200]}")
        if code in RATE_LIMIT_CODES:
            raise rate_limited(what, 60.0)
        if code in SERVER_CODES:
            raise transient(what, maybe_applied=not idempotent)
        if code in PERMISSION_CODES:
            raise UnsupportedOperation(what)
        raise PermanentActionError(what)


class TikTokConnector:
    platform = Platform.tiktok
    operations = frozenset({Operation.reply, Operation.hide, Operation.unhide})

    def __init__(self, client: httpx.AsyncClient, *, account_id: str, token: str, base_url: str = DEFAULT_TIKTOK_URL,
                 allowed: frozenset[Operation] | None = None, timeout: float | None = None,
                 redactor: Redactor | None = None) -> None:
        self.account_id = account_id  # the business_id
        self.redact = redactor or Redactor()
        self.api = TikTokApi(client, base_url, token, redactor=self.redact, timeout=timeout)
        self.allowed = self.operations if allowed is None else self.operations & allowed

    def __repr__(self) -> str:
        return f"TikTokConnector(account_id={self.account_id!r})"

    def supports(self, operation: Operation) -> bool:
        return operation in self.allowed

    def _video(self, action: PlatformAction) -> str:
        video = action.post_id or action.params.get("video_id")
        if not video:
            raise PermanentActionError(f"tiktok {action.operation.value} needs the video id of comment "
                                       f"{action.target_id}")
        return str(video)

    async def perform(self, action: PlatformAction) -> ActionOutcome:
        if not self.supports(action.operation):
            raise UnsupportedOperation(f"tiktok account {self.account_id} cannot {action.operation.value}")
        base = {"business_id": self.account_id, "video_id": self._video(action), "comment_id": action.target_id}
        if action.operation == Operation.reply:
            data = await self.api.envelope("POST", "business/comment/reply/create/", idempotent=False,
                                           json={**base, "text": action.text})
            return ActionOutcome(external_ref=str(data.get("comment_id")) if data.get("comment_id") else None)
        verb = "HIDE" if action.operation == Operation.hide else "UNHIDE"
        await self.api.envelope("POST", "business/comment/hide/", idempotent=True, json={**base, "action": verb})
        return ActionOutcome(external_ref=action.target_id)

    async def fetch_caption(self, post_id: str) -> str | None:
        """`GET business/video/list/` filtered on the video id, asking for its caption."""
        data = await self.api.envelope("GET", "business/video/list/", idempotent=True, params={
            "business_id": self.account_id, "fields": json.dumps(["item_id", "caption"]),
            "filters": json.dumps({"video_ids": [post_id]})})
        for video in data.get("videos", []):
            if str(video.get("item_id")) == post_id and video.get("caption"):
                return str(video["caption"])
        return None

    async def find_existing(self, action: PlatformAction) -> ActionOutcome | None:
        if action.operation != Operation.reply:
            return None
        data = await self.api.envelope("GET", "business/comment/reply/list/", idempotent=True, params={
            "business_id": self.account_id, "video_id": self._video(action), "comment_id": action.target_id})
        for reply in data.get("comments", []):
            ours = reply.get("owner") is True or str(reply.get("user_id")) == self.account_id
            if ours and reply.get("text") == action.text:
                return ActionOutcome(external_ref=str(reply.get("comment_id")), data={"reconciled": True})
        return None
