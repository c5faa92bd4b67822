"""`socialops run`: the long-running process. Starts every component the configuration enables and stops
them on SIGTERM/SIGINT within a bound, letting work in flight finish when it can."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Protocol

from moderation.runtime.lifecycle import CannotStart
from moderation.runtime.redaction import scrub

logger = logging.getLogger(__name__)

# After the bound, cancelled components get this long to unwind before the process is ended regardless.
CANCEL_GRACE_SECONDS = 2.0


class Component(Protocol):
    name: str

    async def run(self, stopping: asyncio.Event) -> None:
        """Work until `stopping` is set, then finish what is in flight and return."""


class App:
    """Runs components side by side. A stop (signal, or a component that crashed or cannot start) gives every
    component `stop_seconds` to return; those still running are then cancelled. With `hard_exit` (the real
    process, not tests) a watchdog thread ends the process `stop_seconds` + grace after the stop whatever
    the event loop is doing: a component stuck in a blocking call cannot keep it alive."""

    def __init__(self, components: list[Component], *, on_stop: Callable[[], None] | None = None,
                 stop_seconds: float = 10.0, hard_exit: bool = False) -> None:
        self.components = components
        self.stopping = asyncio.Event()
        self.on_stop = on_stop
        self.stop_seconds = stop_seconds
        self.hard_exit = hard_exit
        self.failed = False
        self.failure: str | None = None  # the first component failure, in one line
        self.forced: list[str] = []  # components cancelled after the bound
        self._watchdog: threading.Timer | None = None
        self.exit_code: int | None = None  # set once every component has returned

    def request_stop(self, reason: str = "signal") -> None:
        if self.stopping.is_set():
            return
        logger.info("socialops.app.stopping", extra={"reason": reason, "bound_seconds": self.stop_seconds})
        self.stopping.set()
        self._arm_watchdog()

    def _arm_watchdog(self) -> None:
        if self.hard_exit and self._watchdog is None:
            self._watchdog = threading.Timer(self.stop_seconds + 2 * CANCEL_GRACE_SECONDS, self._exit_now)
            self._watchdog.daemon = True
            self._watchdog.start()

    def _exit_now(self) -> None:
        # Runs on the watchdog thread (or a second signal): the process did not end in time, held by a blocking
        # call or a worker thread that never returns. Say why, flush, and leave; the supervisor restarts it.
        if self.exit_code is not None and not self.failure:  # every component stopped; only a thread lingers
            code = self.exit_code
        else:
            code = 1
            message = self.failure or f"did not stop within {self.stop_seconds:g} s of being asked to; exiting"
            sys.stderr.write(f"error: {message}\n")
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)

    def _signal_handler(self, loop: asyncio.AbstractEventLoop) -> Callable[[int, object], None]:
        # A plain signal handler rather than loop.add_signal_handler: it runs even while a component blocks
        # the event loop (Python runs handlers between bytecodes), so the watchdog is armed regardless.
        signalled: list[int] = []

        def handler(signum: int, _frame: object) -> None:
            if signalled and self.hard_exit:  # a second Ctrl-C or SIGTERM: do not wait any longer
                self._exit_now()
            signalled.append(signum)
            self._arm_watchdog()
            loop.call_soon_threadsafe(self.request_stop, signal.Signals(signum).name)

        return handler

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        previous: dict[int, object] = {}
        if threading.current_thread() is threading.main_thread():  # signals are only delivered there
            handler = self._signal_handler(loop)
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, handler)
        try:
            return await self._run()
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)  # type: ignore[arg-type]

    async def _run(self) -> int:
        tasks = {asyncio.create_task(self._guard(c), name=c.name): c for c in self.components}
        logger.info("socialops.app.started", extra={"components": [c.name for c in self.components]})
        stop = asyncio.create_task(self.stopping.wait())
        try:
            await asyncio.wait({*tasks, stop}, return_when=asyncio.FIRST_COMPLETED)
            while not self.stopping.is_set() and not all(task.done() for task in tasks):
                await asyncio.wait({*(t for t in tasks if not t.done()), stop}, return_when=asyncio.FIRST_COMPLETED)
            await self._bounded_stop(tasks)
        finally:
            stop.cancel()
        if self.on_stop:
            self.on_stop()
        logger.info("socialops.app.stopped", extra={"failed": self.failed, "forced": self.forced})
        self.exit_code = 1 if self.failed else 0
        return self.exit_code

    async def _bounded_stop(self, tasks: dict[asyncio.Task[None], Component]) -> None:
        running = {task for task in tasks if not task.done()}
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=self.stop_seconds)
        if not late:
            return
        self.forced = sorted(tasks[task].name for task in late)
        logger.warning("socialops.app.stop_forced", extra={"components": self.forced,
                                                            "bound_seconds": self.stop_seconds})
        for task in late:
            task.cancel()
        _, stuck = await asyncio.wait(late, timeout=CANCEL_GRACE_SECONDS)
        if stuck:  # ignoring cancellation: nothing more asyncio can do; the watchdog ends the process
            logger.error("socialops.app.stop_stuck", extra={"components": sorted(tasks[t].name for t in stuck)})

    async def _guard(self, component: Component) -> None:
        try:
            await component.run(self.stopping)
        except asyncio.CancelledError:
            if not self.stopping.is_set():
                raise
        except CannotStart as exc:  # the cause is outside the code: one line, no traceback
            logger.debug("socialops.app.cannot_start", extra={"component": component.name})
            self._fail(str(exc), f"{component.name} cannot start")
        except Exception as exc:  # noqa: BLE001 - a crashed component stops the process, which the supervisor restarts
            logger.exception("socialops.app.component_crashed", extra={"component": component.name})
            self._fail(f"{component.name} crashed: {exc.__class__.__name__}: {exc}", f"{component.name} crashed")
        else:
            if not self.stopping.is_set():  # a component is meant to run until it is asked to stop
                logger.info("socialops.app.component_returned", extra={"component": component.name})

    def _fail(self, message: str, reason: str) -> None:
        self.failed = True
        self.failure = self.failure or scrub(message)  # printed as is by the CLI: no registered secret in it
        self.request_stop(reason)
