"""The webhook receiver on a real loopback socket: handshake, signatures, replays, order, broken batches."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from moderation.domain import as_utc
from moderation.ingest.webhooks import WebhookOptions, WebhookSecrets, create_webhook_app
from moderation.platforms.signatures import meta_signature, tiktok_signature
from moderation.storage.tables import EventRow, InteractionRow
from tests.platforms.conftest import LoopbackServer

PAYLOADS = Path(__file__).parent / "payloads"
SECRETS = WebhookSecrets(meta_verify_token="verify-me-please", meta_app_secret="app-secret-123456",
                         tiktok_client_secret="tiktok-secret-123456")


@pytest.fixture
async def hooks(sqlite_db):  # type: ignore[no-untyped-def]
    app = create_webhook_app(sqlite_db, SECRETS, WebhookOptions(max_body_bytes=64 * 1024,
                                                               own_account_ids=("17841400000000000",)))
    async with LoopbackServer(app) as url, httpx.AsyncClient(base_url=url, timeout=5) as http:
        yield http


def body_of(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


async def post_meta(http: httpx.AsyncClient, body: bytes,
                    secret: str = SECRETS.get("meta_app_secret")) -> httpx.Response:
    return await http.post("/webhooks/meta", content=body, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, secret)})


def stored(db) -> dict[str, InteractionRow]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {row.id: row for row in session.exec(select(InteractionRow)).all()}


async def test_verification_handshake(hooks) -> None:
    ok = await hooks.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": "verify-me-please",
                                                   "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = await hooks.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                                      "hub.challenge": "1158201444"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text


async def test_bad_or_missing_signature_is_refused_and_nothing_stored(hooks, sqlite_db) -> None:
    body = body_of("meta_instagram_comments.json")
    assert (await post_meta(hooks, body, secret="someone-else-secret")).status_code == 403
    assert (await hooks.post("/webhooks/meta", content=body)).status_code == 403
    tampered = body.replace(b"combien", b"COMBIEN")
    response = await hooks.post("/webhooks/meta", content=tampered,
                                headers={"X-Hub-Signature-256": meta_signature(body, SECRETS.get("meta_app_secret"))})
    assert response.status_code == 403
    assert stored(sqlite_db) == {}


@pytest.mark.parametrize("name,count", [("meta_instagram_comments.json", 3), ("meta_instagram_messages.json", 2),
                                        ("meta_page_feed.json", 2), ("meta_messenger.json", 1)])
async def test_replayed_delivery_is_stored_once(hooks, sqlite_db, name, count) -> None:
    body = body_of(name)
    first = await post_meta(hooks, body)
    again = await post_meta(hooks, body)
    assert first.status_code == again.status_code == 200
    assert first.json()["stored"] == count and again.json() == {**first.json(), "stored": 0, "duplicates": count}
    assert len(stored(sqlite_db)) == count
    with sqlite_db.session() as session:
        assert len(session.exec(select(EventRow).where(EventRow.name.like("%_received"))).all()) == count


async def test_out_of_order_deliveries_keep_platform_times(hooks, sqlite_db) -> None:
    payload = json.loads(body_of("meta_page_feed.json"))
    first, second = payload["entry"][0]["changes"][0], payload["entry"][0]["changes"][1]
    for change in (second, first):  # the reply arrives before the comment it answers
        body = json.dumps({"object": "page", "entry": [{"id": "104000000000001", "time": 1763806500,
                                                        "changes": [change]}]}).encode()
        assert (await post_meta(hooks, body)).json()["stored"] == 1
    rows = stored(sqlite_db)
    reply = rows["facebook:900000000000001_1200000000000002"]
    comment = rows["facebook:900000000000001_1200000000000001"]
    assert as_utc(comment.created_at) < as_utc(reply.created_at)
    assert reply.parent_id == comment.external_id


async def test_batch_with_broken_entries_keeps_the_rest(hooks, sqlite_db, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="moderation.ingest.webhooks"):
        response = await post_meta(hooks, body_of("meta_broken_batch.json"))
    assert response.status_code == 200
    assert response.json()["stored"] == 2 and len(response.json()["rejected"]) == 4
    assert set(stored(sqlite_db)) == {"instagram:c-ok-1", "instagram:c-ok-2"}
    rejected = [r for r in caplog.records if r.getMessage() == "moderation.webhooks.entry_rejected"]
    assert {r.where for r in rejected} == set(response.json()["rejected"])


async def test_oversized_and_non_json_bodies(hooks) -> None:
    big = b'{"object": "instagram", "entry": [' + b" " * (70 * 1024) + b"]}"
    assert (await post_meta(hooks, big)).status_code == 413
    assert (await post_meta(hooks, b"not json")).status_code == 400


async def test_tiktok_signed_delivery_replay_and_stale(hooks, sqlite_db) -> None:
    body = body_of("tiktok_comment.json")
    now = int(time.time())
    headers = {"TikTok-Signature": tiktok_signature(body, SECRETS.get("tiktok_client_secret"), now)}
    assert (await hooks.post("/webhooks/tiktok", content=body, headers=headers)).json()["stored"] == 1
    assert (await hooks.post("/webhooks/tiktok", content=body, headers=headers)).json()["duplicates"] == 1
    stale = {"TikTok-Signature": tiktok_signature(body, SECRETS.get("tiktok_client_secret"), now - 3600)}
    assert (await hooks.post("/webhooks/tiktok", content=body, headers=stale)).status_code == 403
    forged = {"TikTok-Signature": tiktok_signature(body, "not-the-secret", now)}
    assert (await hooks.post("/webhooks/tiktok", content=body, headers=forged)).status_code == 403
    assert list(stored(sqlite_db)) == ["tiktok:7441000000000000001"]


async def test_healthz_and_store_failure_asks_for_redelivery(hooks, sqlite_db) -> None:
    assert (await hooks.get("/healthz")).json() == {"status": "ok"}
    with sqlite_db.engine.begin() as connection:  # the database loses the table: nothing can be stored
        connection.execute(sa.text("ALTER TABLE interactions RENAME TO interactions_gone"))
    response = await post_meta(hooks, body_of("meta_messenger.json"))
    assert response.status_code == 503  # not 200: Meta delivers it again later
