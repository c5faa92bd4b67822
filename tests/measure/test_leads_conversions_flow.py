"""The welcome-DM-with-email-capture flow end to end: a first DM gets the welcome message, the email answer makes
a lead (sent, signed, to a CRM on 127.0.0.1) and gets a personal code; orders imported later are attributed by
that code, by the link's reference and by the lead's email; `export interactions` shows it all."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from moderation.domain import utcnow
from moderation.domain.attribution import discount_code, interaction_ref
from moderation.ingest.importer import ingest_file
from moderation.measure import export
from moderation.measure.conversions import import_orders, read_orders
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ConversionRow, CrmDeliveryRow, EventRow, LeadRow
from socialops.compose.batch import run_until_idle
from socialops.config import load_settings
from tests.measure.crm_server import CrmServer
from tests.scale.support import KeywordClassifier

CONFIG = """
team: {name: Flow, timezone: UTC, business_hours: {start: 0, end: 24, days: [mon, tue, wed, thu, fri, sat, sun]}}
accounts:
  - {platform: instagram, id: "1", sandbox: true, capabilities: [reply, hide, delete, dm]}
chat: {console: {enabled: false}}
digest: {enabled: false}
crm: {webhook_url: "%s", secret_env: FLOW_CRM_SECRET, base_delay_seconds: 0.01}
"""
SECRET = "flow-secret-123"


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _dm(n: int, text: str, minutes_ago: int) -> dict:
    return {"platform": "instagram", "kind": "dm", "id": f"dm{n}", "author": "lea.martin", "author_id": "u-lea",
            "text": text, "time": (utcnow() - timedelta(minutes=minutes_ago)).isoformat()}


def test_welcome_email_capture_lead_crm_and_attribution(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLOW_CRM_SECRET", SECRET)
    db = Database(f"sqlite:///{tmp_path / 'flow.db'}")
    with CrmServer() as crm:
        (tmp_path / "socialops.yaml").write_text(CONFIG % crm.url, encoding="utf-8")
        settings = load_settings(tmp_path / "socialops.yaml")

        def batch():  # type: ignore[no-untyped-def]
            return asyncio.run(run_until_idle(settings, db, classifier=KeywordClassifier()))

        ingest_file(db, _write(tmp_path / "a.jsonl", [_dm(1, "hey just discovered your page", 30)]))
        batch()
        with db.session() as session:
            sent = session.scalars(sa.select(ActionRow).where(ActionRow.interaction_id == "instagram:dm1")).all()
        assert [(a.type, a.state, a.params.get("template")) for a in sent] == [("auto_reply", "done", "welcome_dm")]

        ingest_file(db, _write(tmp_path / "b.jsonl", [_dm(2, "sure! lea.martin@example.org", 20)]))
        report = batch()
        assert report.crm == 1
        with db.session() as session:
            lead = session.scalars(sa.select(LeadRow)).one()
            offer = session.scalars(sa.select(ActionRow).where(ActionRow.interaction_id == "instagram:dm2",
                                                               ActionRow.type == "auto_reply")).one()
        assert (lead.email, lead.stage, lead.source, lead.handle) == ("lea.martin@example.org", "subscriber",
                                                                     "welcome-dm", "lea.martin")
        code = discount_code("instagram:dm2")
        assert code in offer.params["text"]
        assert f"utm_content={interaction_ref('instagram:dm2')}" in offer.params["text"]

        # The CRM got the lead once, signed over the exact body, with the idempotency key.
        [request] = crm.requests
        expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
        assert request["headers"]["X-Socialops-Signature"] == expected
        assert request["headers"]["Idempotency-Key"] == f"lead:{lead.id}"
        assert json.loads(request["body"])["lead"]["email"] == "lea.martin@example.org"

        now = utcnow()
        orders = tmp_path / "orders.csv"
        orders.write_text(
            "order_id,time,amount,currency,utm_source,utm_medium,utm_campaign,utm_content,discount_code,"
            "customer_handle,customer_email\n"
            f"A1,{now.isoformat()},59.90,EUR,,,,,{code.lower()},,\n"
            f"A2,{now.isoformat()},20,EUR,instagram,social,organic,{interaction_ref('instagram:dm2')},,,\n"
            f"A3,{now.isoformat()},35.5,EUR,,,,,,,LEA.MARTIN@example.org\n"
            f"A4,{now.isoformat()},10,EUR,,,,,,,stranger@example.org\n"
            f"A5,not-a-date,10,EUR,,,,,,,\n"
            f"A1,{now.isoformat()},59.90,EUR,,,,,,,\n", encoding="utf-8")
        first = import_orders(db, read_orders(orders))
        again = import_orders(db, read_orders(orders))
        assert (first.stored, first.duplicates, first.attributed) == (4, 1, 3)
        assert first.errors == [(6, "time 'not-a-date' is not ISO 8601 (2026-12-01T10:00:00Z) or epoch seconds")]
        assert first.by_match == {"discount_code": 1, "utm_content": 1, "lead_email": 1}
        assert (again.stored, again.duplicates, again.attributed) == (0, 5, 0)
        with db.session() as session:
            converted = session.scalars(sa.select(EventRow).where(EventRow.name == "instagram.dm_converted")).all()
            stranger = session.get(ConversionRow, "A4")
        assert {e.data["order_id"]: (e.interaction_id, e.data["matched_by"], e.data["touch"]) for e in converted} == {
            "A1": ("instagram:dm2", "discount_code", "last_dm"),
            "A2": ("instagram:dm2", "utm_content", "last_dm"),
            "A3": ("instagram:dm2", "lead_email", "last_dm"),
        }
        # The first DM was answered too: an earlier touch, counted as assisted.
        assert all(e.data["assisted"] == ["instagram:dm1"] for e in converted)
        assert stranger.interaction_id is None  # kept, not attributed

        report = batch()  # the conversions of the lead go to the CRM as well
        assert report.crm == 3
        assert sorted(p["event"] for p in crm.payloads()) == ["conversion.created"] * 3 + ["lead.created"]
        with db.session() as session:
            assert session.scalar(sa.select(sa.func.count()).where(CrmDeliveryRow.state != "done")) == 0

        records = {r["id"]: r for r in export.interactions(db)}
        assert records["dm2"]["lead"] is True and records["dm2"]["converted"] is True
        assert records["dm2"]["tags"] == ["lead", "newsletter"]
        assert records["dm2"]["actions"][0]["type"] == "create_lead"
        assert any(a["type"] == "auto_reply" and a["automated"] and code in a["text"]
                   for a in records["dm2"]["actions"])
        assert records["dm1"]["converted"] is False and records["dm1"]["hidden"] is False
    db.dispose()
