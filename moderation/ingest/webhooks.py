"""The webhook receiver (Starlette, served by uvicorn): verify, translate, store durably, then answer.

Thin on purpose: a delivery is checked (signature, size), translated by its platform's parser, committed
with `store_interactions`, and only then acknowledged with 200. Classification happens later in the worker.
A delivery that cannot be stored (database down) gets a 503 so the platform delivers it again; a
delivery with some broken entries keeps the good ones, logs which were rejected, and still answers 200,
because a retry could never fix a malformed entry. A signed body that is not usable JSON (broken, nested
too deep, a number too long) is 400; a body, a header block or a number of items over its limit is
413/431. A row the database refuses is dead-lettered and the delivery still answered 200: it never makes
the platform resend it for days.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from moderation.domain.limits import MAX_STORE_BATCH, LimitExceeded
from moderation.domain.safe_input import JsonInputError, loads
from moderation.ingest.batcher import StoreBatcher
from moderation.platforms.base import ParseReport
from moderation.platforms.registry import webhooks
from moderation.platforms.spec import Webhook
from moderation.runtime.health import health_routes
from moderation.storage import Database

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_MAX_HEADER_BYTES = 16 * 1024  # all request headers together (names and values)
DEFAULT_MAX_HEADERS = 100


class WebhookSecrets:
    """Resolved secrets by the name each platform's `Webhook` declares (`meta_app_secret`, `meta_verify_token`,
    `tiktok_client_secret`, ...); never logged. Empty or missing: that endpoint refuses everything."""

    def __init__(self, **values: str) -> None:
        self._values = dict(values)

    def get(self, name: str) -> str:
        return self._values.get(name, "")

    def __repr__(self) -> str:
        return "WebhookSecrets(***)"


@dataclass(frozen=True)
class WebhookOptions:
    max_body_bytes: int = DEFAULT_MAX_BODY
    tiktok_tolerance_seconds: float = 300.0
    own_account_ids: Collection[str] = field(default_factory=tuple)
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    max_headers: int = DEFAULT_MAX_HEADERS
    max_items: int = MAX_STORE_BATCH  # comments and messages in one delivery


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body (signatures are over the exact bytes), refused past `limit` without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_webhook_app(db: Database, secrets: WebhookSecrets, options: WebhookOptions | None = None,
                       *, clock: Callable[[], float] | None = None,
                       extra_routes: Sequence[BaseRoute] = (),
                       alert: Callable[[str], Awaitable[None]] | None = None) -> Starlette:
    """The platforms' routes from the registry; `extra_routes` are other receivers the composition root mounts
    beside them (the shops' order webhooks); `alert` (a team channel, in `socialops run`) hears of every
    dead-lettered item."""
    options = options or WebhookOptions()
    batcher = StoreBatcher(db)  # concurrent deliveries share one transaction; each answered once committed

    async def store(report: ParseReport, source: str, body: bytes) -> Response:
        for where, why in report.rejected:
            logger.warning("moderation.webhooks.entry_rejected", extra={"source": source, "where": where,
                                                                         "reason": why})
        if len(report.interactions) > options.max_items:
            # Refused whole, nothing stored: the platform's next delivery will be smaller.
            logger.warning("moderation.webhooks.too_many_items", extra={"source": source,
                                                                         "items": len(report.interactions)})
            return PlainTextResponse(f"too many items: {len(report.interactions)}, the limit is {options.max_items}",
                                     status_code=413)
        try:
            counts = await batcher.store(report.interactions, source, body.decode("utf-8", "backslashreplace"))
        except LimitExceeded as exc:
            return PlainTextResponse(str(exc), status_code=413)
        except sa.exc.SQLAlchemyError as exc:
            logger.error("moderation.webhooks.store_failed", extra={"source": source,
                                                                    "error": exc.__class__.__name__})
            return JSONResponse({"status": "retry later"}, status_code=503)
        logger.info("moderation.webhooks.delivery", extra={
            "source": source, "stored": counts.stored, "duplicates": counts.duplicates,
            "ignored": len(report.ignored), "rejected": len(report.rejected),
            "dead_lettered": len(counts.dead_lettered)})
        answer: dict[str, Any] = {"stored": counts.stored, "duplicates": counts.duplicates,
                                  "ignored": len(report.ignored),
                                  "rejected": [where for where, _ in report.rejected]}
        if counts.dead_lettered:
            answer["dead_lettered"] = [ident for ident, _ in counts.dead_lettered]
            if alert is not None:
                try:
                    await alert(f"inbound dead letter: {len(counts.dead_lettered)} item(s) of a {source} delivery "
                                f"refused by the database ({', '.join(answer['dead_lettered'][:5])}); kept with "
                                "the delivery in inbound_dead_letters")
                except Exception:  # noqa: BLE001 - a chat outage must not turn a stored delivery into a 5xx
                    logger.exception("moderation.webhooks.alert_failed")
        return JSONResponse(answer)

    def handshake(webhook: Webhook):  # type: ignore[no-untyped-def]
        async def verify(request: Request) -> Response:
            params = request.query_params
            token = params.get("hub.verify_token", "")
            expected = secrets.get(webhook.handshake_secret or "")
            if (params.get("hub.mode") == "subscribe" and expected
                    and hmac.compare_digest(token.encode(), expected.encode())):
                return PlainTextResponse(params.get("hub.challenge", ""))
            logger.warning("moderation.webhooks.verify_refused", extra={"source": webhook.route})
            return PlainTextResponse("forbidden", status_code=403)

        return verify

    def receiver(webhook: Webhook):  # type: ignore[no-untyped-def]
        async def receive(request: Request) -> Response:
            try:
                body = await read_body(request, options.max_body_bytes)
            except BodyTooLarge:
                return PlainTextResponse("payload too large", status_code=413)
            if not webhook.verify(body, request.headers, secrets.get(webhook.secret),
                                  now=clock() if clock else None, tolerance_seconds=options.tiktok_tolerance_seconds):
                logger.warning("moderation.webhooks.bad_signature", extra={"source": webhook.route})
                return PlainTextResponse("forbidden", status_code=403)
            try:
                payload = loads(body)
            except JsonInputError as exc:
                logger.warning("moderation.webhooks.malformed", extra={"source": webhook.route, "reason": str(exc)})
                return PlainTextResponse(f"malformed delivery: {exc}", status_code=400)
            try:
                report = webhook.parse(payload, options.own_account_ids)
            except Exception:  # noqa: BLE001 - parsers report per item; a miss there is still the sender's 400
                logger.exception("moderation.webhooks.parser_failed", extra={"source": webhook.route})
                return PlainTextResponse("malformed delivery", status_code=400)
            # Meta names the product in `object` (instagram, page): kept as the source of what was stored.
            kind = payload.get("object") if isinstance(payload, dict) else None
            source = f"webhook:{kind if isinstance(kind, str) and kind else webhook.route}"
            return await store(report, source[:64], body)

        return receive

    routes = []
    for webhook in webhooks().values():
        if webhook.handshake_secret:
            routes.append(Route(f"/webhooks/{webhook.route}", handshake(webhook), methods=["GET"]))
        routes.append(Route(f"/webhooks/{webhook.route}", receiver(webhook), methods=["POST"]))
    app = Starlette(routes=[*routes, *extra_routes, *health_routes(db)])
    app.add_middleware(HeaderLimits, max_bytes=options.max_header_bytes, max_count=options.max_headers)
    return app


class HeaderLimits:
    """ASGI middleware: 431 for a request whose headers are too many or too large, whatever HTTP parser
    uvicorn runs (httptools and h11 each have their own, different and unconfigurable, bounds)."""

    def __init__(self, app: Any, *, max_bytes: int, max_count: int) -> None:
        self.app, self.max_bytes, self.max_count = app, max_bytes, max_count

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers") or []
            size = sum(len(name) + len(value) for name, value in headers)
            if len(headers) > self.max_count or size > self.max_bytes:
                logger.warning("moderation.webhooks.headers_too_large", extra={"headers": len(headers),
                                                                                "header_bytes": size})
                response = PlainTextResponse(
                    f"request headers too large (limits: {self.max_count} headers, {self.max_bytes} bytes)",
                    status_code=431)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
