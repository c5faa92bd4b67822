"""`socialops run`: the long-running process. Starts every component the configuration enables and stops
them cleanly on SIGTERM/SIGINT, letting work in flight finish."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)


class Component(Protocol):
    name: str

    async def run(self, stopping: asyncio.Event) -> None:
        """Work until `stopping` is set, then finish what is in flight and return."""


class App:
    def __init__(self, components: list[Component], *, on_stop: Callable[[], None] | None = None) -> None:
        self.components = components
        self.stopping = asyncio.Event()
        self.on_stop = on_stop
        self.failed = False

    def request_stop(self, reason: str = "signal") -> None:
        if not self.stopping.is_set():
            logger.info("socialops.app.stopping", extra={"reason": reason})
            self.stopping.set()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.request_stop, sig.name)
            except (NotImplementedError, RuntimeError):  # not the main thread (tests) or no signals here
                pass
        tasks = {asyncio.create_task(self._guard(c), name=c.name): c for c in self.components}
        logger.info("socialops.app.started", extra={"components": [c.name for c in self.components]})
        await asyncio.gather(*tasks)
        if self.on_stop:
            self.on_stop()
        return 1 if self.failed else 0

    async def _guard(self, component: Component) -> None:
        try:
            await component.run(self.stopping)
        except Exception:  # noqa: BLE001 - a crashed component stops the process, which the supervisor restarts
            logger.exception("socialops.app.component_crashed", extra={"component": component.name})
            self.failed = True
            self.request_stop(f"{component.name} crashed")
