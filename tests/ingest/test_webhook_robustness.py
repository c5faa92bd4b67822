"""Issue 15, the webhook receiver against hostile deliveries: a bad row never fails its neighbours, a
malformed signed body is 400, too many items 413, headers bounded (431), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from sqlmodel import select

from moderation.ingest.webhooks import WebhookOptions, WebhookSecrets, create_webhook_app
from moderation.platforms.signatures import meta_signature
from moderation.storage.tables import InboundDeadLetterRow, InteractionRow
from tests.platforms.conftest import LoopbackServer
from tests.support.hostile import OUR_ACCOUNT, POISON, delivery, instagram_comment, install_poison_trigger

SECRET = "app-secret-123456"
SECRETS = WebhookSecrets(meta_verify_token="verify-me", meta_app_secret=SECRET)


ALERTS: list[str] = []


async def alert(text: str) -> None:  # the team's alerts channel, as `socialops run` wires it
    ALERTS.append(text)


@pytest.fixture
async def hooks(db):  # type: ignore[no-untyped-def]
    ALERTS.clear()
    app = create_webhook_app(db, SECRETS, WebhookOptions(max_body_bytes=2 * 1024 * 1024, max_headers=40,
                                                         max_header_bytes=4096, own_account_ids=(OUR_ACCOUNT,)),
                             alert=alert)
    async with LoopbackServer(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


async def post(http: httpx.AsyncClient, body: bytes, **headers: str) -> httpx.Response:
    return await http.post("/webhooks/meta", content=body, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, SECRET), **headers})


def rows(db) -> dict[str, InteractionRow]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {row.id: row for row in session.exec(select(InteractionRow)).all()}


async def test_nul_and_lone_surrogates_are_stored_cleaned_the_same_on_every_database(hooks, db) -> None:
    # A JSON text may escape NUL and lone surrogates; PostgreSQL refused the NUL (503 for 36 h of retries).
    body = (b'{"object": "instagram", "entry": [{"id": "%s", "time": 1764000000, "changes": ['
            b'{"field": "comments", "value": {"from": {"id": "u1"}, "media": {"id": "m1"}, "id": "c1",'
            b' "text": "nul\\u0000here \\ud800 lone"}}]}]}' % OUR_ACCOUNT.encode())
    response = await post(hooks, body)
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1
    assert rows(db)["instagram:c1"].text == "nul\ufffdhere \ufffd lone"


async def test_a_refused_row_is_dead_lettered_and_its_neighbours_in_the_group_commit_are_stored(
        hooks, db, caplog) -> None:
    install_poison_trigger(db)
    good = [delivery([instagram_comment(f"g{i}", f"valid comment {i}")]) for i in range(40)]
    bad = delivery([instagram_comment("bad", f"text {POISON}"), instagram_comment("ok-beside", "fine")])
    with caplog.at_level(logging.ERROR):
        answers = await asyncio.gather(*(post(hooks, body) for body in [*good[:20], bad, *good[20:]]))
    assert [a.status_code for a in answers] == [200] * 41  # never 503: a retry could never store it
    assert answers[20].json()["dead_lettered"] == ["instagram:bad"] and answers[20].json()["stored"] == 1
    stored = rows(db)
    assert len(stored) == 41 and "instagram:bad" not in stored and "instagram:ok-beside" in stored
    with db.session() as session:
        [letter] = session.exec(select(InboundDeadLetterRow)).all()
    assert letter.interaction_id == "instagram:bad" and "row refused" in letter.reason
    assert POISON in json.loads(letter.payload)["delivery"]  # the raw delivery is kept for a human
    assert any(r.getMessage() == "moderation.ingest.dead_letter" for r in caplog.records)  # logged at ERROR
    assert len(ALERTS) == 1 and "instagram:bad" in ALERTS[0] and POISON not in ALERTS[0]  # and told to the team
    again = await post(hooks, bad)  # the platform's redelivery: answered, not retried forever
    assert again.status_code == 200


@pytest.mark.parametrize("body", [b"[" * 5000, b'{"object": "instagram", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                                  b'{"object": "instagram", "entry": [], "n": ' + b"9" * 5000 + b"}",
                                  b'{"object": NaN}', b"\xff\xfe not utf-8"])
async def test_malformed_but_signed_body_is_400(hooks, db, body) -> None:
    response = await post(hooks, body)
    assert response.status_code == 400, response.text
    assert rows(db) == {}


async def test_too_many_changes_is_413_and_the_limit_itself_works(hooks, db) -> None:
    many = delivery([instagram_comment(f"c{i}", "hi") for i in range(5001)])
    response = await post(hooks, many)
    assert response.status_code == 413 and "5000" in response.text
    assert rows(db) == {}
    fits = delivery([instagram_comment(f"c{i}", "hi") for i in range(4999)])
    assert (await post(hooks, fits)).status_code == 200
    assert len(rows(db)) == 4999


async def test_header_count_and_size_limits_are_431(hooks) -> None:
    body = delivery([instagram_comment("h1", "hi")])
    many = {f"X-Extra-{i}": "1" for i in range(60)}
    assert (await post(hooks, body, **many)).status_code == 431
    assert (await post(hooks, body, **{"X-Big": "a" * 8000})).status_code == 431
    assert (await post(hooks, body)).status_code == 200


async def test_instagram_comment_id_field_and_platform_details_are_kept(hooks, db) -> None:
    # Meta's "Facebook Login for Business" example names the comment id `comment_id`.
    live = instagram_comment("17865799348089039", "what song is this", id_key="comment_id",
                             media={"id": "m9", "media_product_type": "LIVE"})
    messenger = [{"sender": {"id": "psid-1"}, "recipient": {"id": OUR_ACCOUNT}, "timestamp": 1764000000000,
                  "message": {"mid": "mid.1", "text": "Red", "quick_reply": {"payload": "COLOR_RED"},
                              "reply_to": {"mid": "mid.0", "is_self_reply": True}}}]
    assert (await post(hooks, delivery([live]))).json()["stored"] == 1
    assert (await post(hooks, delivery(messaging=messenger, obj="page"))).json()["stored"] == 1
    stored = rows(db)
    assert stored["instagram:17865799348089039"].details == {"media_product_type": "LIVE"}
    assert stored["facebook:mid.1"].details == {"quick_reply_payload": "COLOR_RED", "is_self_reply": True}
