"""Real loopback servers for the platform tests: the platform fake, and the webhook receiver."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn

from tests.platforms.fake_platforms import FakePlatforms, create_app


class LoopbackServer:
    """uvicorn on 127.0.0.1 with an OS-chosen port, in the test's own event loop."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                                access_log=False, timeout_graceful_shutdown=0)
        self.server = uvicorn.Server(config)
        self.server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> str:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.005)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # hung handlers (the "server that hangs") must not hold the test
        assert self.task is not None
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, timeout=5)


@pytest.fixture
def fake() -> FakePlatforms:
    return FakePlatforms()


@pytest.fixture
async def platform_url(fake: FakePlatforms) -> AsyncIterator[str]:
    async with LoopbackServer(create_app(fake)) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # Short timeouts: the hanging server must fail the call quickly.
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5, connect=0.5)) as http:
        yield http


class FakeClock:
    """Wall time for the outbox and monotonic time for the rate limiter, moved by hand: no sleeping."""

    def __init__(self) -> None:
        # Starts at the real time: enqueue() stamps rows with the real clock.
        self.now = datetime.now(UTC) + timedelta(seconds=1)
        self.mono = 1000.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
