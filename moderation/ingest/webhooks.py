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
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from moderation.ingest.batcher import StoreBatcher
from moderation.metrics import metrics_route
from moderation.platforms.meta_webhook import ParseReport, parse_meta_delivery
from moderation.platforms.signatures import verify_meta_signature, verify_tiktok_signature
from moderation.platforms.tiktok import parse_tiktok_event
from moderation.storage import Database

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class WebhookSecrets:
    """Resolved secrets (never logged). Empty means that platform's endpoint refuses everything."""

    meta_verify_token: str = ""
    meta_app_secret: str = ""
    tiktok_client_secret: str = ""

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
                       *, clock: Callable[[], float] | None = None) -> Starlette:
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

    async def meta_verify(request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "")
        expected = secrets.meta_verify_token
        if (params.get("hub.mode") == "subscribe" and expected
                and hmac.compare_digest(token.encode(), expected.encode())):
            return PlainTextResponse(params.get("hub.challenge", ""))
        logger.warning("moderation.webhooks.verify_refused")
        return PlainTextResponse("forbidden", status_code=403)

    async def meta_receive(request: Request) -> Response:
        try:
            body = await read_body(request, options.max_body_bytes)
        except BodyTooLarge:
            return PlainTextResponse("payload too large", status_code=413)
        if not verify_meta_signature(body, request.headers.get("x-hub-signature-256"), secrets.meta_app_secret):
            logger.warning("moderation.webhooks.bad_signature", extra={"source": "meta"})
            return PlainTextResponse("forbidden", status_code=403)
        payload = _json(body)
        if payload is None:
            return PlainTextResponse("not JSON", status_code=400)
        report = parse_meta_delivery(payload, options.own_account_ids)
        source = f"webhook:{payload.get('object', 'meta')}" if isinstance(payload, dict) else "webhook:meta"
        return await store(report, source)

    async def tiktok_receive(request: Request) -> Response:
        try:
            body = await read_body(request, options.max_body_bytes)
        except BodyTooLarge:
            return PlainTextResponse("payload too large", status_code=413)
        if not verify_tiktok_signature(body, request.headers.get("tiktok-signature"), secrets.tiktok_client_secret,
                                       tolerance_seconds=options.tiktok_tolerance_seconds,
                                       now=clock() if clock else None):
            logger.warning("moderation.webhooks.bad_signature", extra={"source": "tiktok"})
            return PlainTextResponse("forbidden", status_code=403)
        payload = _json(body)
        if payload is None:
            return PlainTextResponse("not JSON", status_code=400)
        return await store(parse_tiktok_event(payload), "webhook:tiktok")

    async def healthz(request: Request) -> Response:
        def ping() -> None:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))

        try:
            await run_in_threadpool(ping)
        except sa.exc.SQLAlchemyError:
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[
        Route("/webhooks/meta", meta_verify, methods=["GET"]),
        Route("/webhooks/meta", meta_receive, methods=["POST"]),
        Route("/webhooks/tiktok", tiktok_receive, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        metrics_route(db),
    ])


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
