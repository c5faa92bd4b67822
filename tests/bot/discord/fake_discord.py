"""A fake of Discord on 127.0.0.1: the REST API (records every call, answers with payloads shaped like Discord's
API v10) and a gateway websocket (HELLO, IDENTIFY -> READY + GUILD_CREATE, RESUME -> RESUMED, heartbeats,
and drops on demand), so discord.py's own HTTP client, rate-limit handling, gateway and models run unchanged."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = "1100000000000000001"
APP_ID = "1100000000000000002"
OWNER_ID = "1100000000000000003"
TIMESTAMP = "2026-11-20T09:00:00.000000+00:00"


@dataclass
class Call:
    method: str
    path: str  # without the /api/v10 prefix
    body: dict[str, Any] | list[Any] | None
    files: dict[str, bytes] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def _json(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json", as Discord sends it: discord.py compares the header verbatim.
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _user(user_id: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": name, "avatar": None, "bot": bot}


class FakeDiscord:
    def __init__(self, gateway_events: list[tuple[str, dict[str, Any]]] = ()) -> None:
        self.calls: list[Call] = []
        self.gateway_events = list(gateway_events)  # dispatched after each IDENTIFY (READY, GUILD_CREATE)
        self.gateway_ops: list[int] = []  # opcodes received from the client, in order
        self._sockets: list[web.WebSocketResponse] = []
        self.gateway_url = ""
        self.messages: dict[str, dict[str, Any]] = {}  # message id -> current payload
        self._ids = itertools.count(1300000000000000001)
        self.rate_limit_next: dict[str, float] = {}  # path prefix -> retry_after for the next matching call
        self.fail_next: dict[str, int] = {}  # path prefix -> HTTP status for the next matching call
        self._runner: web.AppRunner | None = None
        self.base = ""

    # -- lifecycle

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}/api/v10"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"
        return self.base

    async def stop(self) -> None:
        for socket in self._sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close every gateway connection the way Discord does on a restart of its side (resumable code)."""
        for socket in self._sockets:
            await socket.close(code=code)
        self._sockets.clear()

    # -- the gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        sequence = 0
        async for message in socket:
            frame = json.loads(message.data)
            self.gateway_ops.append(frame["op"])
            if frame["op"] == 1:  # heartbeat
                await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif frame["op"] == 2:  # identify: a new session
                for name, data in self.gateway_events:
                    sequence += 1
                    if name == "READY":  # a resumed session must come back here, not to discord.gg
                        data = {**data, "resume_gateway_url": self.gateway_url}
                    await socket.send_json({"op": 0, "t": name, "s": sequence, "d": data})
            elif frame["op"] == 6:  # resume the session
                sequence = frame["d"]["seq"] or 0
                await socket.send_json({"op": 0, "t": "RESUMED", "s": sequence + 1, "d": {}})
        return socket

    # -- what tests look at

    def find(self, method: str, path_start: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(path_start)]

    def posted(self, channel_id: int | str) -> list[Call]:
        return self.find("POST", f"/channels/{channel_id}/messages")

    def callbacks(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path.endswith("/callback")]

    def next_id(self) -> str:
        return str(next(self._ids))

    # -- the API

    async def _read(self, request: web.Request) -> tuple[Any, dict[str, bytes]]:
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: dict[str, bytes] = {}
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()
                if part.name == "payload_json":
                    body = json.loads(data)
                else:
                    files[part.filename or part.name or "file"] = bytes(data)
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), {}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await self._read(request)
        self.calls.append(Call(request.method, path, body, files, dict(request.query)))
        for prefix, retry_after in list(self.rate_limit_next.items()):
            if path.startswith(prefix):
                del self.rate_limit_next[prefix]
                # Real 429s come through Discord's proxy (Via); discord.py treats one without it as a ban.
                return _json({"message": "You are being rate limited.", "retry_after": retry_after,
                              "global": False}, status=429,
                             headers={"Retry-After": str(retry_after), "X-RateLimit-Scope": "user",
                                      "Via": "1.1 google"})
        for prefix, status in list(self.fail_next.items()):
            if path.startswith(prefix):
                del self.fail_next[prefix]
                return _json({"message": "Service Unavailable", "code": 0}, status=status)
        return self._answer(request.method, path, body, files)

    def _message(self, channel_id: str, body: dict[str, Any], files: dict[str, bytes],
                 message_id: str | None = None) -> dict[str, Any]:
        message_id = message_id or self.next_id()
        previous = self.messages.get(message_id, {})
        message = {
            "id": message_id, "channel_id": channel_id, "author": _user(BOT_ID, "socialops", bot=True),
            "content": body.get("content", previous.get("content", "")), "timestamp": TIMESTAMP,
            "edited_timestamp": TIMESTAMP if previous else None, "tts": False, "mention_everyone": False,
            "mentions": [], "mention_roles": [], "pinned": False, "type": 0, "flags": body.get("flags", 0),
            "embeds": body.get("embeds", previous.get("embeds", [])),
            "components": body.get("components", previous.get("components", [])),
            "attachments": [{"id": self.next_id(), "filename": name, "size": len(data), "url": f"https://cdn/{name}",
                             "proxy_url": f"https://cdn/{name}"} for name, data in files.items()],
        }
        self.messages[message_id] = message
        return message

    def _answer(self, method: str, path: str, body: Any, files: dict[str, bytes]) -> web.StreamResponse:
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/users/@me":
            return _json(_user(BOT_ID, "socialops", bot=True))
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json({"id": APP_ID, "name": "socialops", "description": "", "icon": None,
                                      "bot_public": False, "bot_require_code_grant": False, "verify_key": "00",
                                      "owner": _user(OWNER_ID, "owner"), "flags": 0})
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            guild_id = parts[3] if len(parts) > 4 else None
            return _json([{**command, "id": self.next_id(), "application_id": APP_ID,
                                       "guild_id": guild_id, "version": "1"} for command in body or []])
        if parts[0] == "channels" and parts[2:3] == ["messages"]:
            if method == "POST":
                return _json(self._message(parts[1], body or {}, files))
            if method == "PATCH":
                return _json(self._message(parts[1], body or {}, files, message_id=parts[3]))
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            kind = (body or {}).get("type")
            flags = ((body or {}).get("data") or {}).get("flags", 0) or 0
            return _json({"interaction": {"id": parts[1], "type": 3,
                                                      "response_message_ephemeral": bool(flags & 64)},
                                      "resource": {"type": kind}})
        if parts[0] == "webhooks":
            if method == "POST":
                return _json(self._message("0", body or {}, files))
            if method == "PATCH":
                return _json(self._message("0", body or {}, files, message_id=self.next_id()))
        return _json({"message": f"fake discord: no route {method} {path}", "code": 0}, status=404)
