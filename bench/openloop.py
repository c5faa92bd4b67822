"""A lean open-loop HTTP/1.1 load generator: pre-built requests over a pool of keep-alive connections.

Request i is due at start + i/rate whatever happened to the others; when every connection is busy it waits
in a FIFO, and its latency still runs from when it was due (no coordinated omission). Raw asyncio protocols
on uvloop when installed: an aiohttp client took about half a core (py-spy) at 500 requests/s on our two shared cores,
which is CPU taken from the server it measures.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds from due to the complete answer, 200s only
    answered: list[int] = field(default_factory=list)  # indexes of the requests answered 200
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    failures: int = 0  # connection errors (no HTTP answer)
    elapsed: float = 0.0


def build_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}",
             *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self, runner: _Runner) -> None:
        self.runner = runner
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.current: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, index: int) -> None:
        self.current = index
        assert self.transport is not None
        self.transport.write(self.runner.requests[index])

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[: end + 4 + length]
        index, self.current = self.current, None
        if index is not None:
            self.runner.done(self, index, int(head[0].split(" ", 2)[1]))

    def connection_lost(self, exc: Exception | None) -> None:
        self.runner.lost(self)


class _Runner:
    def __init__(self, requests: Sequence[bytes], rate: float) -> None:
        self.requests = requests
        self.rate = rate
        self.result = LoadResult()
        self.idle: list[_Connection] = []
        self.waiting: collections.deque[int] = collections.deque()
        self.start = 0.0
        self.outstanding = len(requests)
        self.finished: asyncio.Future[None] | None = None
        self.closing = False

    def dispatch(self, index: int) -> None:
        if self.idle:
            self.idle.pop().send(index)
        else:
            self.waiting.append(index)

    def done(self, connection: _Connection, index: int, status: int) -> None:
        now = time.perf_counter()
        self.result.statuses[status] += 1
        if status == 200:
            self.result.latencies.append(now - (self.start + index / self.rate))
            self.result.answered.append(index)
        self._settle()
        if self.waiting:
            connection.send(self.waiting.popleft())
        else:
            self.idle.append(connection)

    def lost(self, connection: _Connection) -> None:
        if self.closing:
            return
        if connection in self.idle:
            self.idle.remove(connection)
        if connection.current is not None:
            self.result.failures += 1
            self._settle()

    def _settle(self) -> None:
        self.outstanding -= 1
        if self.outstanding == 0 and self.finished is not None and not self.finished.done():
            self.finished.set_result(None)


async def run_open_loop(host: str, port: int, requests: Sequence[bytes], rate: float, *, connections: int = 64,
                        drain_seconds: float = 60.0) -> LoadResult:
    """Send `requests` at `rate` per second; returns once every one is answered (or `drain_seconds` after
    the last was due)."""
    loop = asyncio.get_running_loop()
    runner = _Runner(requests, rate)
    runner.finished = loop.create_future()
    for _ in range(connections):  # opened before the clock starts: connecting is not what we measure
        _, protocol = await loop.create_connection(lambda: _Connection(runner), host, port)
        runner.idle.append(protocol)
    pool = list(runner.idle)
    runner.start = time.perf_counter()
    sent = 0
    while sent < len(requests):
        now = time.perf_counter()
        due = min(len(requests), int((now - runner.start) * rate) + 1)
        while sent < due:
            runner.dispatch(sent)
            sent += 1
        await asyncio.sleep(max(0.0, runner.start + sent / rate - time.perf_counter()))
    try:
        await asyncio.wait_for(runner.finished, timeout=drain_seconds)
    except TimeoutError:
        pass
    runner.result.elapsed = time.perf_counter() - runner.start
    runner.result.failures += len(runner.waiting) + sum(c.current is not None for c in pool)
    runner.closing = True
    for connection in pool:
        if connection.transport is not None:
            connection.transport.close()
    return runner.result


def event_loop_policy() -> None:
    """uvloop when installed (it is with uvicorn[standard]): less CPU per request for the generator."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
