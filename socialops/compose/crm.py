"""The CRM queue's sender and its long-running component, built from `crm:` in the settings."""

from __future__ import annotations

import asyncio
import logging

import httpx

from moderation.act.crm import CrmOutbox, CrmSender, HubSpotSender, WebhookSender
from moderation.storage import Database
from socialops.config import Settings

logger = logging.getLogger(__name__)


def build_crm_outbox(settings: Settings, db: Database, *, client: httpx.AsyncClient | None = None) -> CrmOutbox | None:
    """None when no CRM is configured (deliveries then wait in `crm_outbox` until one is)."""
    crm = settings.crm
    if not crm.enabled:
        return None
    client = client or httpx.AsyncClient(timeout=crm.timeout_seconds)
    sender: CrmSender
    if crm.hubspot_token_env:
        sender = HubSpotSender(settings.secret(crm.hubspot_token_env), client, crm.hubspot_base_url)
    else:
        secret = settings.secret(crm.secret_env) if crm.secret_env else None
        sender = WebhookSender(str(crm.webhook_url), secret, client)
    return CrmOutbox(db, sender, max_attempts=crm.max_attempts, base_delay=crm.base_delay_seconds)


class CrmComponent:
    """Delivers due CRM rows every `poll_seconds`, until the process stops."""

    name = "crm"

    def __init__(self, outbox: CrmOutbox, *, poll_seconds: float = 2.0) -> None:
        self.outbox = outbox
        self.poll_seconds = poll_seconds

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            while not stopping.is_set():
                try:
                    sent = await self.outbox.run_once()
                except Exception:  # noqa: BLE001 - e.g. the database restarting: next round
                    logger.exception("socialops.crm.round_failed")
                    sent = 0
                if not sent:
                    try:
                        await asyncio.wait_for(stopping.wait(), timeout=self.poll_seconds)
                    except TimeoutError:
                        pass
        finally:
            await self.outbox.aclose()
