"""`/healthz` and Prometheus `/metrics`: the routes every HTTP-serving process mounts (the webhook app too),
and a small server for `socialops worker --metrics-port`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from moderation.runtime.lifecycle import bind_socket, serve
from moderation.runtime.metrics import metrics_route
from moderation.storage import Database

logger = logging.getLogger(__name__)


def health_routes(db: Database) -> list[Route]:
    async def healthz(_request: Request) -> Response:
        def ping() -> None:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))

        try:
            await db.run(ping)
        except sa.exc.SQLAlchemyError as exc:
            return JSONResponse({"status": "unavailable", "database": exc.__class__.__name__}, status_code=503)
        return JSONResponse({"status": "ok"})

    return [Route("/healthz", healthz), metrics_route(db)]


def observability_app(db: Database) -> Starlette:
    return Starlette(routes=health_routes(db))


def embedded_server_class() -> type:
    """uvicorn without its own signal handling: the process owns SIGTERM/SIGINT and tells the server to stop."""
    import uvicorn

    class EmbeddedServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return EmbeddedServer


class MetricsServer:
    """Serves /healthz and /metrics on `host:port` until the process stops."""

    name = "metrics"

    def __init__(self, db: Database, port: int, host: str = "127.0.0.1") -> None:
        self.db = db
        self.port = port
        self.host = host

    async def run(self, stopping: asyncio.Event) -> None:
        import uvicorn

        # log_config=None: uvicorn's records go through the process's redacting handler, not uvicorn's own.
        config = uvicorn.Config(observability_app(self.db), host=self.host, port=self.port, log_level="warning",
                                log_config=None, access_log=False, lifespan="off")
        server = embedded_server_class()(config)
        sock = bind_socket(self.name, self.host, self.port)  # a port in use: CannotStart, one line
        task = asyncio.create_task(serve(self.name, server, sock))
        await stopping.wait()
        server.should_exit = True
        await task
