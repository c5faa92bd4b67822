"""/healthz and Prometheus /metrics: queue depth, classify latency, actions by state, dead letters."""

from __future__ import annotations

import asyncio
import socket

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.domain.ports import NoHumans
from moderation.ingest.store import store_interactions
from moderation.pipeline.worker import ModerationWorker
from moderation.runtime.health import MetricsServer, observability_app
from moderation.storage.tables import ActionRow, InteractionRow
from playbooks import load_library
from tests.scale.support import KeywordClassifier


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_metrics_report_the_shared_queue_and_actions(db):
    now = utcnow()
    store_interactions(db, [Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=str(i),
                                        author_id=f"a{i}", text="how much is it?", created_at=now)
                            for i in range(5)], source="test")
    client = TestClient(observability_app(db))
    before = _samples(client.get("/metrics").text)
    assert before[("socialops_queue_depth", ())] == 5
    assert before[("socialops_database_up", ())] == 1

    await ModerationWorker(db, KeywordClassifier(), load_library(None), NoHumans()).process_batch(2)
    with db.session() as session:
        interaction = session.get(InteractionRow, "instagram:0")
        session.add(ActionRow(idempotency_key="dead-1", interaction_id=interaction.id, type="hide", operation="hide",
                              platform="instagram", state="dead"))
    after = _samples(client.get("/metrics").text)
    assert after[("socialops_queue_depth", ())] == 3
    assert after[("socialops_interactions", (("status", "done"),))] == 2
    assert after[("socialops_dead_letters", ())] == 1
    assert after[("socialops_actions", (("state", "dead"),))] == 1
    assert after[("socialops_classify_batch_seconds_count", ())] >= before.get(
        ("socialops_classify_batch_seconds_count", ()), 0) + 1
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


async def test_metrics_server_component_serves_and_stops(sqlite_db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stopping = asyncio.Event()
    task = asyncio.create_task(MetricsServer(sqlite_db, port).run(stopping))
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                response = await client.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert response.status_code == 200
        assert "socialops_queue_depth" in (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    stopping.set()
    await asyncio.wait_for(task, timeout=10)


def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    from moderation.storage import Database

    db = Database(f"sqlite:///{tmp_path / 'gone.db'}")
    db.engine.dispose()
    db.engine = __import__("sqlalchemy").create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    client = TestClient(observability_app(db))
    assert client.get("/healthz").status_code == 503
    assert "socialops_database_up 0.0" in client.get("/metrics").text


def test_the_webhook_app_serves_metrics_too(sqlite_db):
    from moderation.ingest.webhooks import WebhookSecrets, create_webhook_app

    client = TestClient(create_webhook_app(sqlite_db, WebhookSecrets(meta_app_secret="x" * 16)))
    text = client.get("/metrics").text
    assert "socialops_queue_depth" in text and "socialops_dead_letters" in text
    assert "socialops_classify_batch_seconds" in text
