"""The CRM queue against a real HTTP server on 127.0.0.1: signed deliveries, retries on 503, dead letters on 400,
never two deliveries under one key, HubSpot contacts."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import sqlalchemy as sa

from moderation.act.crm import CrmOutbox, HubSpotSender, WebhookSender
from moderation.measure.crm_queue import enqueue_delivery
from moderation.storage.tables import CrmDeliveryRow
from tests.measure.crm_server import CrmServer


def _queue(db, key: str, email: str | None = "ana@example.org") -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        enqueue_delivery(session, "lead.created", key, {"lead": {"email": email, "handle": "ana", "phone": None}})
        enqueue_delivery(session, "lead.created", key, {"lead": {"email": "other@example.org"}})  # same key: kept once


def _states(db) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {r.idempotency_key: (r.state, r.attempts) for r in session.scalars(sa.select(CrmDeliveryRow))}


async def test_webhook_retries_then_delivers_once_signed(db):
    with CrmServer() as server:
        server.fail_next = 2
        _queue(db, "lead:1")
        async with httpx.AsyncClient(timeout=5) as client:
            outbox = CrmOutbox(db, WebhookSender(server.url + "/hook", "s3cret", client), base_delay=0.0)
            for _ in range(5):
                await outbox.run_once()
                await outbox.run_once()
    assert _states(db) == {"lead:1": ("done", 3)}
    assert len(server.requests) == 3  # two 503s, then one 200; nothing after done
    last = server.requests[-1]
    assert last["headers"]["Idempotency-Key"] == "lead:1" and last["path"] == "/hook"
    assert last["headers"]["X-Socialops-Signature"] == "sha256=" + hmac.new(b"s3cret", last["body"],
                                                                            hashlib.sha256).hexdigest()
    assert json.loads(last["body"])["lead"]["email"] == "ana@example.org"


async def test_refused_delivery_is_dead_and_not_retried(db):
    with CrmServer() as server:
        server.status = 400
        _queue(db, "lead:2")
        async with httpx.AsyncClient(timeout=5) as client:
            outbox = CrmOutbox(db, WebhookSender(server.url, None, client), base_delay=0.0)
            await outbox.drain()
            await outbox.drain()
    assert _states(db) == {"lead:2": ("dead", 1)} and len(server.requests) == 1
    assert "X-Socialops-Signature" not in server.requests[0]["headers"]  # no secret configured: unsigned
    with db.session() as session:
        assert "HTTP 400" in session.scalars(sa.select(CrmDeliveryRow.last_error)).one()


async def test_unreachable_crm_retries_until_max_attempts(db):
    _queue(db, "lead:3")
    async with httpx.AsyncClient(timeout=1) as client:
        outbox = CrmOutbox(db, WebhookSender("http://127.0.0.1:9", None, client), base_delay=0.0, max_attempts=3)
        for _ in range(5):
            await outbox.run_once()
    assert _states(db) == {"lead:3": ("dead", 3)}


async def test_hubspot_contacts(db):
    with CrmServer() as server:
        _queue(db, "lead:4")
        _queue(db, "lead:5", email=None)  # no email nor phone: not a HubSpot contact
        async with httpx.AsyncClient(timeout=5) as client:
            await CrmOutbox(db, HubSpotSender("pat-token", client, server.url)).drain()
        server.status = 409  # the contact exists already: done, not an error
        _queue(db, "lead:6")
        async with httpx.AsyncClient(timeout=5) as client:
            await CrmOutbox(db, HubSpotSender("pat-token", client, server.url)).drain()
    assert _states(db) == {"lead:4": ("done", 1), "lead:5": ("done", 1), "lead:6": ("done", 1)}
    assert [r["path"] for r in server.requests] == ["/crm/v3/objects/contacts"] * 2
    assert server.requests[0]["headers"]["Authorization"] == "Bearer pat-token"
    assert server.payloads()[0] == {"properties": {"email": "ana@example.org", "firstname": "ana",
                                                   "hs_lead_status": "NEW"}}
