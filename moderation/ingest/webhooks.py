"""The webhook receiver (Starlette, served by uvicorn): verify, translate, store durably, then answer.

Thin on purpose: a delivery is checked (signature, size), translated by its platform's parser, committed
with `store_interactions`, and only then acknowledged with 200. Classification happens later in the worker.
A delivery that cannot be stored (database down) gets a 503 so the platform delivers it again; a
delivery with some broken entries keeps the good ones, logs which were rejected, and still answers 200,
because a retry could never fix a malformed entry.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from moderation.ingest.batcher import StoreBatcher
from moderation.platforms.base import ParseReport
from moderation.platforms.registry import webhooks
from moderation.platforms.spec import Webhook
from moderation.runtime.health import health_routes
from moderation.storage import Database

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 1024 * 1024


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
                       extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The platforms' routes from the registry; `extra_routes` are other receivers the composition root mounts
    beside them (the shops' order webhooks)."""
    options = options or WebhookOptions()
    batcher = StoreBatcher(db)  # concurrent deliveries share one transaction; each answered once committed

    async def store(report: ParseReport, source: str) -> Response:
        for where, why in report.rejected:
            logger.warning("moderation.webhooks.entry_rejected", extra={"source": source, "where": where,
                                                                         "reason": why})
        try:
            counts = await batcher.store(report.interactions, source)
        except sa.exc.SQLAlchemyError as exc:
            logger.error("moderation.webhooks.store_failed", extra={"source": source,
                                                                    "error": exc.__class__.__name__})
            return JSONResponse({"status": "retry later"}, status_code=503)
        logger.info("moderation.webhooks.delivery", extra={
            "source": source, "stored": counts.stored, "duplicates": counts.duplicates,
            "ignored": len(report.ignored), "rejected": len(report.rejected)})
        return JSONResponse({"stored": counts.stored, "duplicates": counts.duplicates,
                             "ignored": len(report.ignored),
                             "rejected": [where for where, _ in report.rejected]})

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
            payload = _json(body)
            if payload is None:
                return PlainTextResponse("not JSON", status_code=400)
            report = webhook.parse(payload, options.own_account_ids)
            # Meta names the product in `object` (instagram, page): kept as the source of what was stored.
            kind = payload.get("object") if isinstance(payload, dict) else None
            return await store(report, f"webhook:{kind if isinstance(kind, str) and kind else webhook.route}")

        return receive

    routes = []
    for webhook in webhooks().values():
        if webhook.handshake_secret:
            routes.append(Route(f"/webhooks/{webhook.route}", handshake(webhook), methods=["GET"]))
        routes.append(Route(f"/webhooks/{webhook.route}", receiver(webhook), methods=["POST"]))
    return Starlette(routes=[*routes, *extra_routes, *health_routes(db)])


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
