"""Shop order webhooks: Shopify `orders/create` (X-Shopify-Hmac-Sha256) and WooCommerce `order.created`
(X-WC-Webhook-Signature), each a base64 HMAC-SHA256 of the raw body. A verified order is stored and attributed
before the 200; a database error answers 503 so the shop delivers it again; a re-delivery stores nothing twice.

Routes: POST /webhooks/shop/shopify and /webhooks/shop/woocommerce, mounted on the webhook server by the
composition root beside the platforms' routes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from moderation.measure.attribution import DEFAULT_WINDOW, attribute
from moderation.measure.conversions import Order, OrderError, parse_order, store_orders
from moderation.storage import Database

logger = logging.getLogger(__name__)

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
MAX_BODY = 1024 * 1024


def valid_signature(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def _utm_from_url(url: Any) -> dict[str, str]:
    if not isinstance(url, str) or "utm_" not in url:
        return {}
    return {k: v for k, v in parse_qsl(urlsplit(url).query) if k in UTM_KEYS and v}


def shopify_order(payload: dict[str, Any]) -> Order:
    """A Shopify order (REST Admin API shape) -> an Order: UTM from `landing_site` or `note_attributes`."""
    if not isinstance(payload, dict):
        raise OrderError("not an order object")
    customer = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
    codes = [c.get("code") for c in payload.get("discount_codes") or [] if isinstance(c, dict) and c.get("code")]
    notes = {str(n.get("name")): n.get("value") for n in payload.get("note_attributes") or [] if isinstance(n, dict)}
    utm = {**_utm_from_url(payload.get("landing_site")), **{k: str(v) for k, v in notes.items() if k in UTM_KEYS}}
    record = {
        "order_id": f"shopify:{payload.get('id')}" if payload.get("id") is not None else None,
        "time": payload.get("created_at"), "amount": payload.get("total_price"), "currency": payload.get("currency"),
        **utm, "discount_code": codes[0] if codes else None,
        "customer_email": payload.get("email") or customer.get("email"),
        "customer_handle": notes.get("instagram") or notes.get("handle"),
    }
    return parse_order(record, source="shopify")


def woocommerce_order(payload: dict[str, Any]) -> Order:
    """A WooCommerce order (REST API v3 shape) -> an Order: UTM from WooCommerce's order-attribution meta."""
    if not isinstance(payload, dict):
        raise OrderError("not an order object")
    billing = payload.get("billing") if isinstance(payload.get("billing"), dict) else {}
    meta = {str(m.get("key")): m.get("value") for m in payload.get("meta_data") or [] if isinstance(m, dict)}
    utm = {key: str(meta[f"_wc_order_attribution_{key}"]) for key in UTM_KEYS
           if meta.get(f"_wc_order_attribution_{key}")}
    codes = [c.get("code") for c in payload.get("coupon_lines") or [] if isinstance(c, dict) and c.get("code")]
    time = payload.get("date_created_gmt")
    record = {
        "order_id": f"woocommerce:{payload.get('id')}" if payload.get("id") is not None else None,
        "time": f"{time}Z" if isinstance(time, str) and time and not time.endswith("Z") else time,
        "amount": payload.get("total"), "currency": payload.get("currency"), **utm,
        "discount_code": codes[0] if codes else None, "customer_email": billing.get("email"),
    }
    return parse_order(record, source="woocommerce")


SHOPS: dict[str, tuple[str, Callable[[dict[str, Any]], Order], str, tuple[str, ...]]] = {
    # name: (signature header, parser, topic header, topics that are orders)
    "shopify": ("x-shopify-hmac-sha256", shopify_order, "x-shopify-topic", ("orders/create", "orders/paid")),
    "woocommerce": ("x-wc-webhook-signature", woocommerce_order, "x-wc-webhook-topic", ("order.created",)),
}


def _store(db: Database, order: Order, window: timedelta) -> dict[str, Any]:
    for attempt in (1, 2):
        try:
            with db.session() as session:
                new_ids, _ = store_orders(session, [order])
                session.flush()
                result = attribute(session, new_ids, window=window)
            return {"stored": len(new_ids), "attributed": result.attributed}
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise
            # The same order arrived twice at once (a retry, the file import): the other insert won.
    return {"stored": 0, "attributed": 0}


def shop_routes(db: Database, secrets: Mapping[str, str], *, window: timedelta = DEFAULT_WINDOW,
                max_body: int = MAX_BODY) -> list[Route]:
    """One POST route per shop whose secret is set (`secrets`: shop name -> webhook secret)."""

    def receiver(shop: str):  # type: ignore[no-untyped-def]
        header, parse, topic_header, topics = SHOPS[shop]
        secret = secrets[shop]

        async def receive(request: Request) -> Response:
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_body:
                return PlainTextResponse("payload too large", status_code=413)
            body = await request.body()
            if len(body) > max_body:
                return PlainTextResponse("payload too large", status_code=413)
            if not valid_signature(secret, body, request.headers.get(header)):
                logger.warning("moderation.measure.shop.bad_signature", extra={"shop": shop})
                return PlainTextResponse("forbidden", status_code=403)
            topic = request.headers.get(topic_header)
            if topic is not None and topic not in topics:
                return JSONResponse({"ignored": topic})  # a ping or another topic: nothing to store
            try:
                payload = json.loads(body)
                order = parse(payload)
            except (ValueError, UnicodeDecodeError) as exc:
                # A retry could never fix it: say why, keep the shop from retrying forever.
                reason = str(exc) if isinstance(exc, OrderError) else "not JSON"
                logger.warning("moderation.measure.shop.rejected", extra={"shop": shop, "reason": reason})
                return JSONResponse({"rejected": reason}, status_code=422 if isinstance(exc, OrderError) else 400)
            try:
                counts = await asyncio.to_thread(_store, db, order, window)
            except sa.exc.SQLAlchemyError as exc:
                logger.error("moderation.measure.shop.store_failed", extra={"shop": shop,
                                                                            "error": exc.__class__.__name__})
                return JSONResponse({"status": "retry later"}, status_code=503)
            logger.info("moderation.measure.shop.order", extra={"shop": shop, "order_id": order.order_id, **counts})
            return JSONResponse({"order_id": order.order_id, **counts})

        return receive

    return [Route(f"/webhooks/shop/{shop}", receiver(shop), methods=["POST"]) for shop in SHOPS if secrets.get(shop)]
