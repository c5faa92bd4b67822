"""The CRM queue: leads and conversions as JSON deliveries to the team's CRM webhook (or HubSpot contacts),
HMAC-signed, retried with backoff, never sent twice under one idempotency key.

A delivery is a row first (written in the transaction that creates the lead or attributes the order), then a
call; the same compare-and-set on `in_flight` as the platform outbox keeps two processes from both finishing it.
The receiver gets `Idempotency-Key` (the row's key) so a delivery retried after a timeout can be recognised.
Rows are queued by `moderation.measure.crm_queue` (leads here in act, conversions in measure).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlmodel import select

from moderation.domain import utcnow
from moderation.runtime.redaction import scrub
from moderation.storage import Database
from moderation.storage.tables import CrmDeliveryRow

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Socialops-Signature"


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the shared secret (check it before parsing)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry = retry
        self.retry_after = retry_after


class CrmSender(Protocol):
    async def send(self, delivery: CrmDeliveryRow) -> dict[str, Any]: ...


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 300:
        return
    retry_after = response.headers.get("Retry-After")
    wait = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
    retry = response.status_code in (408, 425, 429) or response.status_code >= 500
    raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}", retry=retry, retry_after=wait)


@dataclass
class WebhookSender:
    """POST the payload as JSON to a Zapier/Make/HubSpot-workflow/Pipedrive-style hook, signed."""

    url: str
    secret: str | None
    client: httpx.AsyncClient

    async def send(self, delivery: CrmDeliveryRow) -> dict[str, Any]:
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True, default=str).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": delivery.idempotency_key,
                   "X-Socialops-Event": delivery.kind}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}", retry=True) from exc
        _raise_for(response)
        return {"status": response.status_code}


@dataclass
class HubSpotSender:
    """Leads as HubSpot contacts (CRM v3 objects API); a contact that already exists (409) counts as done.
    Conversions have no contact to create and are recorded as done with a note."""

    token: str
    client: httpx.AsyncClient
    base_url: str = "https://api.hubapi.com"

    async def send(self, delivery: CrmDeliveryRow) -> dict[str, Any]:
        lead = delivery.payload.get("lead") or {}
        if not delivery.kind.startswith("lead.") or not (lead.get("email") or lead.get("phone")):
            return {"skipped": "HubSpot contacts need a lead with an email or a phone"}
        properties = {k: v for k, v in {
            "email": lead.get("email"), "phone": lead.get("phone"), "company": lead.get("company"),
            "firstname": lead.get("handle") or None, "hs_lead_status": "NEW",
        }.items() if v}
        try:
            response = await self.client.post(f"{self.base_url}/crm/v3/objects/contacts",
                                              json={"properties": properties},
                                              headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}", retry=True) from exc
        if response.status_code == 409:
            return {"status": 409, "existing": True}
        _raise_for(response)
        return {"status": response.status_code, "hubspot_id": response.json().get("id")}


class CrmOutbox:
    """Delivers due CRM rows: done on 2xx, retried with backoff on timeouts, 429 and 5xx, dead otherwise."""

    def __init__(self, db: Database, sender: CrmSender, *, max_attempts: int = 8, base_delay: float = 5.0,
                 max_delay: float = 3600.0, lease_seconds: float = 120.0,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.sender = sender
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock

    def _claim(self, limit: int) -> list[int]:
        now = self.clock()
        with self.db.session() as session:
            query = (select(CrmDeliveryRow)
                     .where(((CrmDeliveryRow.state == "pending") & (CrmDeliveryRow.next_attempt_at <= now))
                            | ((CrmDeliveryRow.state == "in_flight") & (CrmDeliveryRow.updated_at < now - self.lease)))
                     .order_by(CrmDeliveryRow.next_attempt_at, CrmDeliveryRow.id).limit(limit)
                     .with_for_update(skip_locked=True))
            rows = session.exec(query).all()
            for row in rows:
                row.state, row.updated_at = "in_flight", now
                session.add(row)
            return [row.id for row in rows if row.id is not None]

    async def run_once(self, limit: int = 50) -> int:
        # Database steps in the database's threads (`Database.run`): this queue shares the event loop.
        ids = await self.db.run(self._claim, limit)
        for delivery_id in ids:
            await self._deliver(delivery_id)
        return len(ids)

    async def drain(self, *, max_rounds: int = 1000) -> None:
        for _ in range(max_rounds):
            if not await self.run_once():
                return

    def _load(self, delivery_id: int) -> CrmDeliveryRow | None:
        with self.db.session() as session:
            return session.get(CrmDeliveryRow, delivery_id)

    async def _deliver(self, delivery_id: int) -> None:
        row = await self.db.run(self._load, delivery_id)
        if row is None:
            return
        try:
            result = await self.sender.send(row)
        except DeliveryError as exc:
            await self.db.run(self._failed, row, scrub(str(exc)), retry=exc.retry, retry_after=exc.retry_after)
        except Exception as exc:  # noqa: BLE001 - a sender bug must not stop the queue
            logger.exception("moderation.act.crm.sender_crashed", extra={"delivery_id": delivery_id})
            await self.db.run(self._failed, row, scrub(f"{exc.__class__.__name__}: {exc}"), retry=True,
                              retry_after=None)
        else:
            await self.db.run(self._finish, row, "done", result=result)

    def _finish(self, row: CrmDeliveryRow, state: str, *, result: dict[str, Any] | None = None,
                error: str | None = None, delay: float | None = None) -> None:
        now = self.clock()
        with self.db.session() as session:
            fresh = session.get(CrmDeliveryRow, row.id, with_for_update=True)
            if fresh is None or fresh.state != "in_flight":
                return  # finished by whoever took our lease over
            fresh.attempts += 1
            fresh.state = state
            fresh.updated_at = now
            if result is not None:
                fresh.result = {**fresh.result, **result}
            if error is not None:
                fresh.last_error = error[:2000]
            if state == "done":
                fresh.done_at = now
            if delay is not None:
                fresh.next_attempt_at = now + timedelta(seconds=delay)
            session.add(fresh)
        log = logger.info if state == "done" else logger.warning
        log(f"moderation.act.crm.{state}", extra={"delivery_id": row.id, "kind": row.kind})

    def _failed(self, row: CrmDeliveryRow, error: str, *, retry: bool, retry_after: float | None) -> None:
        if not retry or row.attempts + 1 >= self.max_attempts:
            self._finish(row, "dead", error=error)
            return
        delay = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** row.attempts))
        self._finish(row, "pending", error=error, delay=max(delay, retry_after or 0.0))

    async def aclose(self) -> None:
        """Close the sender's HTTP client (built by the composition root for this outbox)."""
        client = getattr(self.sender, "client", None)
        if client is not None:
            await client.aclose()

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            states = session.exec(select(CrmDeliveryRow.state)).all()
        return {state: states.count(state) for state in set(states)}
