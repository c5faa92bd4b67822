"""Prometheus metrics: classify latency measured in-process; queue depth and action states read from the
database at scrape time, so every worker process reports the same shared truth."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moderation.storage import Database
from moderation.storage.tables import ActionRow, InboundDeadLetterRow, InteractionRow

logger = logging.getLogger(__name__)

ACTION_STATES = ("pending", "awaiting_approval", "scheduled", "in_flight", "done", "dead", "cancelled", "reversed")
INTERACTION_STATES = ("pending", "processing", "done", "failed")

# Process-wide, like every prometheus_client default metric: one classifier per process.
CLASSIFY_SECONDS = Histogram(
    "socialops_classify_batch_seconds", "Time to classify one batch of interactions",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CLASSIFIED = Counter("socialops_classified_interactions", "Interactions classified by this process")


def observe_classify(texts: int, seconds: float) -> None:
    CLASSIFY_SECONDS.observe(seconds)
    CLASSIFIED.inc(texts)


class DatabaseCollector(Collector):
    """Queue depth, interactions and actions by state, dead letters: one grouped query each per scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.db.engine.connect() as connection:
                interactions = dict(connection.execute(
                    sa.select(InteractionRow.status, sa.func.count()).group_by(InteractionRow.status)).all())
                actions = dict(connection.execute(
                    sa.select(ActionRow.state, sa.func.count()).group_by(ActionRow.state)).all())
                inbound_dead = connection.execute(
                    sa.select(sa.func.count()).select_from(InboundDeadLetterRow)).scalar_one()
        except sa.exc.SQLAlchemyError as exc:
            # A scrape during a database restart reports nothing rather than failing the whole endpoint.
            logger.warning("moderation.runtime.metrics.db_unavailable", extra={"error": exc.__class__.__name__})
            up = GaugeMetricFamily("socialops_database_up", "1 when the last scrape could read the database")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("socialops_database_up", "1 when the last scrape could read the database")
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily("socialops_queue_depth", "Interactions waiting to be classified (pending)")
        depth.add_metric([], interactions.get("pending", 0))
        yield depth
        by_status = GaugeMetricFamily("socialops_interactions", "Interactions by work-queue status",
                                      labels=["status"])
        for status in sorted(set(INTERACTION_STATES) | set(interactions)):
            by_status.add_metric([status], interactions.get(status, 0))
        yield by_status
        by_state = GaugeMetricFamily("socialops_actions", "Actions by outbox state", labels=["state"])
        for state in sorted(set(ACTION_STATES) | set(actions)):
            by_state.add_metric([state], actions.get(state, 0))
        yield by_state
        dead = GaugeMetricFamily("socialops_dead_letters", "Actions that failed for good (dead-lettered)")
        dead.add_metric([], actions.get("dead", 0))
        yield dead
        inbound = GaugeMetricFamily("socialops_inbound_dead_letters",
                                    "Inbound items the database refused, kept in inbound_dead_letters")
        inbound.add_metric([], inbound_dead)
        yield inbound


def registry_for(db: Database) -> CollectorRegistry:
    """A registry with this process's classify metrics and the database gauges."""
    registry = CollectorRegistry()
    registry.register(CLASSIFY_SECONDS)
    registry.register(CLASSIFIED)
    registry.register(DatabaseCollector(db))
    return registry


def metrics_route(db: Database) -> Route:
    """`GET /metrics` in the Prometheus text format, for any Starlette app (webhooks, `worker --metrics-port`)."""
    registry = registry_for(db)

    async def metrics(_request: Request) -> Response:
        body = await db.run(generate_latest, registry)  # the collectors query the database
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics, methods=["GET"])
