"""A fake of the Graph API, YouTube Data API and TikTok Business API, served for real on 127.0.0.1.

It keeps what a platform would keep (replies, hidden flags, moderation statuses, messages) and counts the
effects per target, so a doubled reply is visible. `script` makes the next mutating calls misbehave:
"429", "429-date", "500", "hang" (never answers), "apply-then-500" and "apply-then-hang" (the platform acts,
the answer is lost).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "EAAG-test-token-0123456789-SECRET"


class FakePlatforms:
    def __init__(self, account_id: str = "17841400000000000") -> None:
        self.account_id = account_id
        # Which account each token acts as: an agency's second brand has a token of its own.
        self.tokens: dict[str, str] = {TOKEN: account_id}
        self.script: list[str] = []
        self.retry_after = "0"
        self.replies: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.messages: list[dict[str, Any]] = []
        self.hidden: dict[str, bool] = {}
        self.status: dict[str, str] = {}
        self.deleted: set[str] = set()
        self.effects: Counter[tuple[str, str]] = Counter()
        self.calls: Counter[str] = Counter()
        self.thread_pages: list[dict[str, Any]] = []
        self.threads: set[str] = set()  # thread ids commentThreads.list?id= knows (besides those with replies)
        self.list_calls = 0
        self.captions: dict[str, str] = {}  # post or video id -> its caption (title + description on YouTube)
        self.echo_token_in_errors = False
        self._ids = itertools.count(1)
        self._hang = asyncio.Event()

    # --- assertions -------------------------------------------------------------------------------------
    def reply_counts(self) -> Counter[tuple[str, str]]:
        return Counter((parent, r["text"]) for parent, items in self.replies.items() for r in items)

    def assert_nothing_doubled(self) -> None:
        doubled = {k: n for k, n in self.reply_counts().items() if n > 1}
        dms = Counter((m["to"], m["text"]) for m in self.messages)
        assert not doubled, f"doubled replies: {doubled}"
        assert all(n == 1 for n in dms.values()), f"doubled DMs: {dms}"

    # --- behaviour ---------------------------------------------------------------------------------------
    async def misbehave(self, request: Request, apply: Any) -> Response | None:
        """Runs `apply` (the real effect) unless the script says otherwise; returns a response to send instead."""
        step = self.script.pop(0) if self.script else None
        if step == "429":
            return JSONResponse({"error": {"message": "rate limited", "code": 4}}, status_code=429,
                                headers={"Retry-After": self.retry_after})
        if step == "429-date":
            when = datetime.now(UTC) + timedelta(seconds=120)
            return JSONResponse({"error": {"message": "slow down"}}, status_code=429,
                                headers={"Retry-After": format_datetime(when, usegmt=True)})
        if step == "500":
            return JSONResponse({"error": {"message": "internal", "code": 2}}, status_code=500)
        if step == "hang":
            await self._hang.wait()
        if step == "apply-then-500":
            apply()
            return JSONResponse({"error": {"message": "internal", "code": 2}}, status_code=500)
        if step == "apply-then-hang":
            apply()
            await self._hang.wait()
        return None

    def authorised(self, request: Request) -> bool:
        return self.acting_as(request) is not None

    def acting_as(self, request: Request) -> str | None:
        given = request.headers.get("authorization", "").removeprefix("Bearer ") or request.headers.get("access-token")
        return self.tokens.get(given or "")

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def add_reply(self, parent: str, text: str, author: str) -> str:
        reply_id = self.new_id("reply-")
        self.replies[parent].append({"id": reply_id, "text": text, "from": author})
        self.effects[("reply", parent)] += 1
        return reply_id


def _refuse(fake: FakePlatforms, request: Request) -> Response:
    token = request.headers.get("authorization", "") or request.headers.get("access-token", "")
    detail = f"Invalid OAuth access token: {token}" if fake.echo_token_in_errors else "Invalid OAuth access token"
    return JSONResponse({"error": {"message": detail, "type": "OAuthException", "code": 190}}, status_code=401)


def create_app(fake: FakePlatforms) -> Starlette:
    async def dispatch(request: Request) -> Response:
        path = request.url.path
        fake.calls[f"{request.method} {path}"] += 1
        if fake.echo_token_in_errors:
            token = request.headers.get("authorization", "") or request.headers.get("access-token", "")
            return JSONResponse({"error": {"message": f"bad request for {token}", "code": 100}}, status_code=400)
        if not fake.authorised(request):
            return _refuse(fake, request)
        if path.startswith("/graph/"):
            return await graph(fake, request, path.split("/", 3)[3])
        if path.startswith("/youtube/v3/"):
            return await youtube(fake, request, path.removeprefix("/youtube/v3/"))
        if path.startswith("/tiktok/"):
            return await tiktok(fake, request, path.removeprefix("/tiktok/"))
        return JSONResponse({"error": "no such endpoint"}, status_code=404)

    return Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET", "POST", "DELETE"])])


async def graph(fake: FakePlatforms, request: Request, rest: str) -> Response:
    parts = rest.strip("/").split("/")
    body = await request.json() if request.method == "POST" and await request.body() else {}
    if request.method == "GET" and len(parts) == 2 and parts[1] in ("replies", "comments"):
        field = "text" if parts[1] == "replies" else "message"
        return JSONResponse({"data": [{"id": r["id"], field: r["text"], "from": {"id": r["from"]}}
                                      for r in fake.replies.get(parts[0], [])]})
    if request.method == "GET" and len(parts) == 2 and parts[1] == "conversations":
        user = request.query_params.get("user_id")
        messages = [{"id": m["id"], "message": m["text"], "from": {"id": fake.account_id}}
                    for m in fake.messages if m["to"] == user]
        return JSONResponse({"data": [{"messages": {"data": messages}}]})
    if request.method == "GET" and len(parts) == 1 and parts[0] in fake.captions:
        wanted = request.query_params.get("fields", "")  # Instagram media: caption; Facebook post: message
        return JSONResponse({"id": parts[0], wanted: fake.captions[parts[0]]})
    if request.method == "POST" and len(parts) == 2 and parts[1] in ("replies", "comments"):
        result: dict[str, str] = {}
        step = await fake.misbehave(request, lambda: result.setdefault(
            "id", fake.add_reply(parts[0], body["message"], fake.acting_as(request))))
        if step is not None:
            return step
        reply_id = result.get("id") or fake.add_reply(parts[0], body["message"], fake.acting_as(request))
        return JSONResponse({"id": reply_id})
    if request.method == "POST" and len(parts) == 2 and parts[1] == "messages":
        recipient = body["recipient"].get("id") or body["recipient"].get("comment_id")

        def send() -> str:
            mid = fake.new_id("mid.")
            fake.messages.append({"id": mid, "to": recipient, "text": body["message"]["text"]})
            return mid

        sent: dict[str, str] = {}
        step = await fake.misbehave(request, lambda: sent.setdefault("mid", send()))
        if step is not None:
            return step
        return JSONResponse({"recipient_id": recipient, "message_id": sent.get("mid") or send()})
    if len(parts) == 1 and request.method == "POST":
        flag = request.query_params.get("hide", request.query_params.get("is_hidden"))
        step = await fake.misbehave(request, lambda: None)
        if step is not None:
            return step
        fake.hidden[parts[0]] = flag == "true"
        fake.effects[("hide" if flag == "true" else "unhide", parts[0])] += 1
        return JSONResponse({"success": True})
    if len(parts) == 1 and request.method == "DELETE":
        if parts[0] in fake.deleted:
            return JSONResponse({"error": {"message": "Object does not exist", "code": 100, "error_subcode": 33}},
                                status_code=400)
        step = await fake.misbehave(request, lambda: fake.deleted.add(parts[0]))
        if step is not None:
            return step
        fake.deleted.add(parts[0])
        fake.effects[("delete", parts[0])] += 1
        return JSONResponse({"success": True})
    return JSONResponse({"error": {"message": f"unknown edge {rest}", "code": 100}}, status_code=400)


async def youtube(fake: FakePlatforms, request: Request, rest: str) -> Response:
    q = request.query_params
    if request.method == "GET" and rest == "commentThreads" and "id" in q:
        wanted = q["id"].split(",")
        return JSONResponse({"items": [{"id": t, "snippet": {"videoId": "v1", "totalReplyCount": len(
            fake.replies.get(t, []))}} for t in wanted if t in fake.replies or t in fake.threads]})
    if request.method == "GET" and rest == "commentThreads":
        fake.list_calls += 1
        token = q.get("pageToken")
        index = int(token.removeprefix("page-")) if token else 0
        page = dict(fake.thread_pages[index]) if index < len(fake.thread_pages) else {"items": []}
        if index + 1 < len(fake.thread_pages):
            page["nextPageToken"] = f"page-{index + 1}"
        return JSONResponse(page)
    if request.method == "GET" and rest == "videos":
        title, _, description = fake.captions.get(q["id"], "").partition("\n")
        return JSONResponse({"items": [{"id": q["id"], "snippet": {"title": title, "description": description}}]
                             if q["id"] in fake.captions else []})
    if request.method == "GET" and rest == "comments":
        parent = q["parentId"]
        return JSONResponse({"items": [{"id": r["id"], "snippet": {
            "textOriginal": r["text"], "parentId": parent, "authorChannelId": {"value": r["from"]},
            "authorDisplayName": r["from"], "publishedAt": r.get("at", "2025-11-22T12:00:00Z")}}
            for r in fake.replies.get(parent, [])]})
    if request.method == "POST" and rest == "comments":
        snippet = (await request.json())["snippet"]
        made: dict[str, str] = {}
        step = await fake.misbehave(request, lambda: made.setdefault(
            "id", fake.add_reply(snippet["parentId"], snippet["textOriginal"], fake.account_id)))
        if step is not None:
            return step
        reply_id = made.get("id") or fake.add_reply(snippet["parentId"], snippet["textOriginal"], fake.account_id)
        return JSONResponse({"kind": "youtube#comment", "id": reply_id, "snippet": snippet})
    if request.method == "POST" and rest == "comments/setModerationStatus":
        if q.get("id") in fake.deleted:
            return JSONResponse({"error": {"code": 404, "errors": [{"reason": "commentNotFound"}]}}, status_code=404)
        step = await fake.misbehave(request, lambda: None)
        if step is not None:
            return step
        fake.status[q["id"]] = q["moderationStatus"] + ("+ban" if q.get("banAuthor") == "true" else "")
        fake.effects[(q["moderationStatus"], q["id"])] += 1
        return Response(status_code=204)
    return JSONResponse({"error": {"code": 404, "errors": [{"reason": "notFound"}]}}, status_code=404)


async def tiktok(fake: FakePlatforms, request: Request, rest: str) -> Response:
    rest = rest.strip("/")
    if request.method == "GET" and rest == "business/comment/reply/list":
        parent = request.query_params["comment_id"]
        return JSONResponse({"code": 0, "message": "OK", "data": {"comments": [
            {"comment_id": r["id"], "text": r["text"], "user_id": r["from"], "owner": r["from"] == fake.account_id}
            for r in fake.replies.get(parent, [])]}})
    if request.method == "GET" and rest == "business/video/list":
        wanted = json.loads(request.query_params["filters"])["video_ids"]
        return JSONResponse({"code": 0, "message": "OK", "data": {"videos": [
            {"item_id": video, "caption": fake.captions[video]} for video in wanted if video in fake.captions]}})
    body = await request.json()
    if not body.get("video_id"):
        return JSONResponse({"code": 40002, "message": "video_id is required"})
    if rest == "business/comment/reply/create":
        made: dict[str, str] = {}
        step = await fake.misbehave(request, lambda: made.setdefault(
            "id", fake.add_reply(body["comment_id"], body["text"], fake.account_id)))
        if step is not None:
            return step
        reply_id = made.get("id") or fake.add_reply(body["comment_id"], body["text"], fake.account_id)
        return JSONResponse({"code": 0, "message": "OK", "data": {"comment_id": reply_id}})
    if rest == "business/comment/hide":
        step = await fake.misbehave(request, lambda: None)
        if step is not None:
            return step
        fake.hidden[body["comment_id"]] = body["action"] == "HIDE"
        fake.effects[(body["action"].lower(), body["comment_id"])] += 1
        return JSONResponse({"code": 0, "message": "OK", "data": {}})
    return JSONResponse({"code": 40001, "message": "unknown"})
