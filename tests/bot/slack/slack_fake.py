"""A local fake of the Slack Web API: a real aiohttp server on 127.0.0.1 that records every call.

Modelled on bolt-python's tests/mock_web_api_server: `assert_received_request_count`, scripted failures
(429 with Retry-After, 5xx), file upload URLs and response_url endpoints that answer like Slack.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    raw: bytes = b""


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=lambda: {"ok": False, "error": "ratelimited"})


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[Failure]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self._changed = asyncio.Event()
        # Socket Mode: the websocket Slack opens for apps.connections.open, the envelopes sent over it and
        # the acknowledgements that came back.
        self.socket: web.WebSocketResponse | None = None
        self.socket_connected = asyncio.Event()
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self.socket_connections = 0  # websockets opened so far (a reconnect opens another)
        self.app_token_error: str | None = None  # e.g. "invalid_auth": apps.connections.open refuses the token
        self.bot_token_error: str | None = None  # e.g. "invalid_auth": every bot-token method refuses it
        self.socket_url: str | None = None  # where apps.connections.open points (default: this fake's /link)

    # -- lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # -- scripting and assertions

    def fail(self, method: str, status: int, *, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self.failures.setdefault(method, []).extend(Failure(status, headers or {}) for _ in range(times))

    def received(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def assert_received_request_count(self, method: str, count: int) -> None:
        got = len(self.received(method))
        assert got == count, f"{method}: expected {count} call(s), got {got}: {[c.params for c in self.calls]}"

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Lazy listeners run after the HTTP ack: wait until the calls they make have arrived."""
        deadline = time.monotonic() + timeout
        while len(self.received(method)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"waited for {count} {method} call(s), got {len(self.received(method))}: "
                                     f"{[c.method for c in self.calls]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=remaining)
            except TimeoutError:
                pass
        return self.received(method)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    # -- handlers

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], bytes]:
        raw = await request.read()
        params: dict[str, Any] = dict(request.query)
        ctype = request.headers.get("Content-Type", "")
        if "json" in ctype and raw:
            params.update(json.loads(raw))
        elif raw:
            params.update(dict(parse_qsl(raw.decode())))
        for key in ("blocks", "view", "files"):  # form-encoded JSON arguments
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        return params, raw

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, raw = await self._params(request)
        self._record(Call(method, params, dict(request.headers), raw))
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        # apps.connections.open takes the app-level token; everything else the bot token.
        prefix = "Bearer xapp-" if method == "apps.connections.open" else "Bearer xoxb-"
        if not request.headers.get("Authorization", "").startswith(prefix):
            return web.json_response({"ok": False, "error": "not_authed"})
        refused = self.app_token_error if method == "apps.connections.open" else self.bot_token_error
        if refused:  # what Slack answers for a revoked or mistyped token: HTTP 200, ok false
            return web.json_response({"ok": False, "error": refused})
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "team": "Test",
                    "url": "https://test.slack.com/", "user": "socialops"}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url or self.url.replace("http://", "ws://") + "/link"}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts,
                    "message": {"ts": ts, "text": params.get("text", "")}}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000001.{next(self._ts):06d}"}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V1", **(params.get("view") or {})}}
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.usergroups.get(params.get("usergroup", ""), [])}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._files):04d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files") or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": True}

    async def send_envelope(self, kind: str, payload: dict[str, Any], envelope_id: str,
                            timeout: float = 10.0) -> dict[str, Any]:
        """Push one Socket Mode envelope (as Slack does) and wait for the app's acknowledgement."""
        await asyncio.wait_for(self.socket_connected.wait(), timeout)
        assert self.socket is not None
        await self.socket.send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                     "accepts_response_payload": kind != "events_api", "retry_attempt": 0})
        deadline = time.monotonic() + timeout
        while envelope_id not in self.socket_acks:
            if time.monotonic() > deadline:
                raise AssertionError(f"envelope {envelope_id} was never acknowledged")
            await asyncio.sleep(0.01)
        return self.socket_acks[envelope_id]

    async def disconnect_socket(self, reason: str = "refresh_requested") -> None:
        """Slack's `disconnect` message (it refreshes connections every few hours): the app must open a new
        websocket through apps.connections.open and keep working."""
        assert self.socket is not None
        self.socket_connected.clear()
        await self.socket.send_json({"type": "disconnect", "reason": reason,
                                     "debug_info": {"host": "fake"}})

    async def wait_for_socket_connections(self, count: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.socket_connections < count or not self.socket_connected.is_set():
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} websocket connection(s), got {self.socket_connections}")
            await asyncio.sleep(0.02)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket = socket
        self.socket_connections += 1
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "connection_info": {"app_id": "A1"}, "debug_info": {"host": "fake"}})
        self.socket_connected.set()
        async for message in socket:
            if message.type == web.WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.socket_acks[ack["envelope_id"]] = ack
        return socket

    async def _upload(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self._record(Call("upload", {"file_id": request.match_info["file_id"]}, dict(request.headers), raw))
        return web.Response(text=f"OK - {len(raw)}")

    async def _respond(self, request: web.Request) -> web.Response:
        params, raw = await self._params(request)
        self._record(Call("response_url", params, dict(request.headers), raw))
        return web.Response(text="ok")


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def form(payload: dict[str, Any]) -> str:
    """Interactivity requests are form-encoded with the JSON in `payload`."""
    return urlencode({"payload": json.dumps(payload)})
