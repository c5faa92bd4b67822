"""Running the webhook receiver and the platform pollers as components of a socialops process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from moderation.platforms.spec import Poller

from moderation.runtime.health import embedded_server_class
from moderation.runtime.lifecycle import bind_socket, serve

logger = logging.getLogger(__name__)


class WebhookComponent:
    name = "webhooks"

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        import uvicorn

        self.config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                     lifespan="off", timeout_graceful_shutdown=5)
        self.server = embedded_server_class()(self.config)

    async def run(self, stopping: asyncio.Event) -> None:
        sock = bind_socket(self.name, self.config.host, self.config.port)  # a port in use: CannotStart
        serving = asyncio.create_task(serve(self.name, self.server, sock))
        stop = asyncio.create_task(stopping.wait())
        done, _ = await asyncio.wait({serving, stop}, return_when=asyncio.FIRST_COMPLETED)
        # In-flight deliveries finish (they are stored before they are answered); new ones are refused.
        self.server.should_exit = True
        await serving
        stop.cancel()
        if serving in done and not stopping.is_set():
            raise RuntimeError("the webhook server stopped on its own")


class PollerComponent:
    name = "pollers"

    def __init__(self, pollers: Sequence[Poller], *, every_seconds: float) -> None:
        self.pollers = list(pollers)
        self.every_seconds = every_seconds

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            for poller in self.pollers:
                try:
                    await poller.poll_once()
                except Exception:  # noqa: BLE001 - a bad round (token revoked, API down) must not end polling
                    logger.exception("socialops.poller.round_failed", extra={"poller": repr(poller)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.every_seconds)
