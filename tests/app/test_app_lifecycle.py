"""The component runner of `socialops run`: every component stops within the bound after a stop, whatever it
is doing; a component that cannot start ends the process with one line and a non-zero exit."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from moderation.runtime.lifecycle import CannotStart
from socialops.app import App

ROOT = Path(__file__).resolve().parents[2]


class Polite:
    """Stops when asked, after finishing its round."""

    name = "polite"

    def __init__(self) -> None:
        self.stopped = False

    async def run(self, stopping: asyncio.Event) -> None:
        await stopping.wait()
        await asyncio.sleep(0.05)
        self.stopped = True


class Deaf:
    """Never looks at `stopping` (like a connect loop that retries forever)."""

    name = "deaf"

    async def run(self, stopping: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(0.05)


class Refused:
    name = "chat"

    async def run(self, stopping: asyncio.Event) -> None:
        await asyncio.sleep(0.05)
        raise CannotStart("chat", "the service refused the token ($CHAT_TOKEN)")


async def test_a_component_that_ignores_the_stop_is_cancelled_after_the_bound():
    polite, deaf = Polite(), Deaf()
    app = App([polite, deaf], stop_seconds=0.5)
    running = asyncio.create_task(app.run())
    await asyncio.sleep(0.1)
    started = time.monotonic()
    app.request_stop("test")
    assert await asyncio.wait_for(running, timeout=5) == 0
    assert 0.4 < time.monotonic() - started < 2.0
    assert polite.stopped and app.forced == ["deaf"]


async def test_a_component_that_cannot_start_stops_the_others_and_fails_with_one_line():
    polite = Polite()
    app = App([polite, Refused()], stop_seconds=2)
    assert await asyncio.wait_for(app.run(), timeout=5) == 1
    assert polite.stopped
    assert app.failure == "chat cannot start: the service refused the token ($CHAT_TOKEN)"


async def test_a_crash_is_reported_with_the_component_name():
    class Crashing:
        name = "poller"

        async def run(self, stopping: asyncio.Event) -> None:
            raise ValueError("boom")

    app = App([Polite(), Crashing()], stop_seconds=1)
    assert await asyncio.wait_for(app.run(), timeout=5) == 1
    assert app.failure == "poller crashed: ValueError: boom"


BLOCKING_SCRIPT = textwrap.dedent("""
    import asyncio, sys, time
    from socialops.app import App

    class Stuck:
        name = "stuck"
        async def run(self, stopping):
            print("ready", flush=True)
            while True:
                time.sleep(0.2)  # blocks the event loop itself: no await, no cancellation point

    sys.exit(asyncio.run(App([Stuck()], stop_seconds=1, hard_exit=True).run()))
""")


def test_a_process_whose_event_loop_is_blocked_still_exits_after_sigterm(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", BLOCKING_SCRIPT], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout.readline().strip() == "ready"
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    finally:
        process.kill()
    assert time.monotonic() - started < 1 + 4 + 2  # the bound, the watchdog's grace, slack for a busy machine
    assert process.returncode == 1
    assert process.stderr.read().strip().splitlines()[-1] == (
        "error: did not stop within 1 s of being asked to; exiting")


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_ends_the_process_at_once(tmp_path, second):
    script = BLOCKING_SCRIPT.replace("stop_seconds=1", "stop_seconds=60")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout.readline().strip() == "ready"
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        started = time.monotonic()
        process.send_signal(second)
        process.wait(timeout=20)
    finally:
        process.kill()
    assert time.monotonic() - started < 5 and process.returncode == 1


async def test_the_metrics_server_on_a_port_in_use_cannot_start_in_one_line(sqlite_db):
    import socket

    from moderation.runtime.health import MetricsServer

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CannotStart, match=rf"^metrics cannot start: cannot listen on 127.0.0.1:{port} \("):
            await asyncio.wait_for(MetricsServer(sqlite_db, port).run(asyncio.Event()), timeout=10)
