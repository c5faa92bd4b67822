"""Shop order webhooks on a real local server: Shopify and WooCommerce signatures, idempotency, bad payloads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from moderation.domain import utcnow
from moderation.domain.attribution import interaction_ref
from moderation.ingest.webhooks import WebhookSecrets, create_webhook_app
from moderation.measure.shop_webhooks import shop_routes
from moderation.storage.tables import ConversionRow, EventRow, InteractionRow

SECRETS = {"shopify": "shp-secret", "woocommerce": "wc-secret"}


def _sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _seed(db) -> str:  # type: ignore[no-untyped-def]
    """A DM the brand answered a day ago: the conversation an order's link points back to."""
    from moderation.domain import EventAction
    from moderation.measure.events import record_event

    at = utcnow() - timedelta(days=1)
    with db.session() as session:
        row = InteractionRow(id="instagram:d1", platform="instagram", kind="dm", external_id="d1", author_id="u1",
                             author_name="sam", text="price?", created_at=at, status="done")
        session.add(row)
        session.flush()
        record_event(session, row, EventAction.received, occurred_at=at)
        record_event(session, row, EventAction.response_sent, occurred_at=at + timedelta(minutes=2))
    return interaction_ref("instagram:d1")


@pytest.fixture
def client(db):  # type: ignore[no-untyped-def]
    app: Starlette = create_webhook_app(db, WebhookSecrets(), extra_routes=shop_routes(db, SECRETS))
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def _shopify(ref: str, order_id: int = 450789469) -> dict:
    return {"id": order_id, "name": "#1001", "created_at": utcnow().isoformat(), "total_price": "199.00",
            "currency": "EUR", "email": "sam@example.org", "discount_codes": [],
            "landing_site": f"/products/jacket?utm_source=instagram&utm_medium=social&utm_content={ref}"}


async def test_signed_shopify_order_is_stored_once_and_attributed(db, client):
    ref = _seed(db)
    body = json.dumps(_shopify(ref)).encode()
    headers = {"X-Shopify-Hmac-Sha256": _sign(SECRETS["shopify"], body), "X-Shopify-Topic": "orders/create",
               "Content-Type": "application/json"}
    async with client:
        first = await client.post("/webhooks/shop/shopify", content=body, headers=headers)
        again = await client.post("/webhooks/shop/shopify", content=body, headers=headers)
        forged = await client.post("/webhooks/shop/shopify", content=body.replace(b"199.00", b"1.00"),
                                   headers=headers)
        unsigned = await client.post("/webhooks/shop/shopify", content=body)
    assert first.status_code == 200 and first.json() == {"order_id": "shopify:450789469", "stored": 1,
                                                         "attributed": 1}
    assert again.status_code == 200 and again.json()["stored"] == 0
    assert forged.status_code == 403 and unsigned.status_code == 403
    with db.session() as session:
        order = session.get(ConversionRow, "shopify:450789469")
        events = session.scalars(sa.select(EventRow).where(EventRow.name == "instagram.dm_converted")).all()
    assert (order.amount, order.utm_content, order.interaction_id, order.matched_by) == (
        199.0, ref, "instagram:d1", "utm_content")
    assert len(events) == 1 and events[0].data["order_id"] == "shopify:450789469"


async def test_woocommerce_order_and_bad_payloads(db, client):
    ref = _seed(db)
    order = {"id": 727, "date_created_gmt": utcnow().replace(tzinfo=None).isoformat(timespec="seconds"),
             "total": "42.50", "currency": "EUR", "billing": {"email": "x@example.org"}, "coupon_lines": [],
             "meta_data": [{"key": "_wc_order_attribution_utm_content", "value": ref}]}
    body = json.dumps(order).encode()
    bad = json.dumps({"id": 728, "total": "12"}).encode()  # no date
    wc = SECRETS["woocommerce"]
    async with client:
        ok = await client.post("/webhooks/shop/woocommerce", content=body, headers={
            "X-WC-Webhook-Signature": _sign(wc, body), "X-WC-Webhook-Topic": "order.created"})
        missing = await client.post("/webhooks/shop/woocommerce", content=bad, headers={
            "X-WC-Webhook-Signature": _sign(wc, bad), "X-WC-Webhook-Topic": "order.created"})
        ping = await client.post("/webhooks/shop/woocommerce", content=b"webhook_id=3", headers={
            "X-WC-Webhook-Signature": _sign(wc, b"webhook_id=3"), "X-WC-Webhook-Topic": "action.woocommerce_ping"})
    assert ok.status_code == 200 and ok.json()["attributed"] == 1
    assert missing.status_code == 422 and missing.json() == {"rejected": "missing time"}
    assert ping.status_code == 200
    with db.session() as session:
        assert session.get(ConversionRow, "woocommerce:727").matched_by == "utm_content"
        assert session.get(ConversionRow, "woocommerce:728") is None


def test_the_webhook_server_mounts_a_shop_only_when_its_secret_is_set(tmp_path, monkeypatch):
    from moderation.storage import Database
    from socialops.compose.core import build_webhook_app
    from socialops.config import load_settings

    (tmp_path / "socialops.yaml").write_text("webhooks: {tiktok_secret_env: null}\n", encoding="utf-8")
    monkeypatch.setenv("META_VERIFY_TOKEN", "v")
    monkeypatch.setenv("META_APP_SECRET", "s")
    monkeypatch.setenv("SHOPIFY_WEBHOOK_SECRET", "shp")
    monkeypatch.delenv("WOOCOMMERCE_WEBHOOK_SECRET", raising=False)
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    app = build_webhook_app(load_settings(tmp_path / "socialops.yaml"), db)
    paths = {getattr(route, "path", "") for route in app.routes}
    assert "/webhooks/shop/shopify" in paths and "/webhooks/shop/woocommerce" not in paths
    db.dispose()
