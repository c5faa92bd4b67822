"""Property-based fuzzing (hypothesis) of the webhook parsers and the receiver: random JSON and random
mutations of the recorded Meta and TikTok payloads. Parsers return a report and never raise; the receiver
answers 200 or 400, never 500, and stores exactly what it says it stored (no partial write)."""

from __future__ import annotations

import copy
import json
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from moderation.domain import Interaction
from moderation.ingest.webhooks import WebhookOptions, WebhookSecrets, create_webhook_app
from moderation.platforms.base import ParseReport
from moderation.platforms.meta.inbound import parse_meta_delivery
from moderation.platforms.signatures import meta_signature, tiktok_signature
from moderation.platforms.tiktok.inbound import parse_tiktok_event
from moderation.storage import Database
from moderation.storage.tables import InteractionRow

PAYLOADS = Path(__file__).parents[1] / "platforms" / "payloads"
META = [json.loads(p.read_text()) for p in sorted(PAYLOADS.glob("meta_*.json")) if ".expected" not in p.name]
TIKTOK = [json.loads(p.read_text()) for p in sorted(PAYLOADS.glob("tiktok_*.json")) if ".expected" not in p.name]
SECRETS = WebhookSecrets(meta_verify_token="v" * 12, meta_app_secret="meta-secret-fuzz", tiktok_client_secret="tt-fuzz")

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=30), st.sampled_from(["instagram", "page", "comments", "feed", "add", "messages",
                                                     "", "0", "-1", "1e400", "2024-13-45T99:99:99Z"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=12), children, max_size=5)),
    max_leaves=25,
)
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutate(data, document):
    """Replace one value at a random depth of a recorded payload."""
    document = copy.deepcopy(document)
    node, path = document, []
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(node))) if isinstance(node, dict) else \
            data.draw(st.integers(0, len(node) - 1))
        path.append(key)
        node = node[key]
    if not path:
        return data.draw(json_values)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(json_values)
    return document


def _check_report(report: ParseReport) -> None:
    assert isinstance(report, ParseReport)
    for interaction in report.interactions:
        assert isinstance(interaction, Interaction)
        Interaction.model_validate(interaction.model_dump())  # every field still within the domain's limits


@FUZZ
@given(json_values)
def test_parsers_on_random_json(payload):
    _check_report(parse_meta_delivery(payload, ("17841400000000000",)))
    _check_report(parse_tiktok_event(payload))


@FUZZ
@given(st.data())
def test_parsers_on_mutated_recorded_payloads(data):
    _check_report(parse_meta_delivery(_mutate(data, data.draw(st.sampled_from(META))), ("17841400000000000",)))
    if TIKTOK:
        _check_report(parse_tiktok_event(_mutate(data, data.draw(st.sampled_from(TIKTOK)))))


_tmp = tempfile.TemporaryDirectory()
_db = Database(f"sqlite:///{_tmp.name}/fuzz.db")
_client = TestClient(create_webhook_app(_db, SECRETS, WebhookOptions(max_body_bytes=64 * 1024)))


def _count() -> int:
    with _db.session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(InteractionRow)).scalar_one()


@FUZZ
@given(st.data())
def test_receiver_stores_exactly_what_it_acknowledges(data):
    meta = data.draw(st.booleans()) or not TIKTOK
    payload = _mutate(data, data.draw(st.sampled_from(META if meta else TIKTOK)))
    body = json.dumps(payload).encode()
    before = _count()
    if meta:
        response = _client.post("/webhooks/meta", content=body, headers={
            "X-Hub-Signature-256": meta_signature(body, SECRETS.get("meta_app_secret"))})
    else:
        response = _client.post("/webhooks/tiktok", content=body, headers={
            "TikTok-Signature": tiktok_signature(body, SECRETS.get("tiktok_client_secret"), int(time.time()))})
    assert response.status_code in (200, 400), response.text
    stored = response.json()["stored"] if response.status_code == 200 else 0
    assert _count() - before == stored
