"""Database work off the event loop: threads (`Database.run`, the sync engine) against SQLAlchemy's async engine.

Run from the repo root: `python bench/db_offloop.py [--ops 2000] [--concurrency 8] [--runs 3] [--postgres URL]`.
The async engine needs `pip install greenlet aiosqlite` (not project dependencies: this bench is what decided
against them). Prints JSON: per backend and per way,
- short transactions (read one interaction, update it, commit; what a click or an outbox step does) from
  `concurrency` coroutines: transactions/s and per-transaction p50/p99 latency;
- the loop's worst stall while they run (a ticker sleeping 5 ms, lateness measured);
- the loop's worst stall while one transaction holds SQLite's write lock / a PostgreSQL row lock for 1 s and a
  second one waits for it (the worker-batch case);
- `on-loop`: the same work done synchronously on the loop (the code before issue 14), for scale.
Medians of `runs`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from moderation.domain import Interaction, Kind, Platform, utcnow  # noqa: E402
from moderation.ingest.store import store_interactions  # noqa: E402
from moderation.storage import Database  # noqa: E402
from moderation.storage.tables import InteractionRow  # noqa: E402
from tests.support.databases import fresh_postgres_url  # noqa: E402

ROWS = 200
HOLD_SECONDS = 1.0
_table = InteractionRow.__table__


def _seed(db: Database) -> list[str]:
    now = utcnow()
    items = [Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=f"b{i}", author_id="a",
                         author_name="a", text="how much?", created_at=now) for i in range(ROWS)]
    store_interactions(db, items, source="bench")
    return [item.id for item in items]


def _select(row_id: str) -> sa.Select:
    return sa.select(_table.c.attempts).where(_table.c.id == row_id)


def _bump(row_id: str) -> sa.Update:
    return sa.update(_table).where(_table.c.id == row_id).values(attempts=_table.c.attempts + 1)


class Ticker:
    """Sleeps 5 ms in a loop on the event loop and records how late each wake-up is."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - started - 0.005)

    def stop(self) -> None:
        self._stop.set()


class ThreadsWay:
    name = "threads"

    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, row_id: str, hold: float = 0.0) -> None:
        with self.db.engine.begin() as connection:
            connection.execute(_select(row_id)).scalar()
            connection.execute(_bump(row_id))
            if hold:
                time.sleep(hold)  # work done while the lock is held

    async def transaction(self, row_id: str, hold: float = 0.0) -> None:
        await self.db.run(self._one, row_id, hold)

    async def close(self) -> None:
        pass


class OnLoopWay(ThreadsWay):
    name = "on-loop"

    async def transaction(self, row_id: str, hold: float = 0.0) -> None:
        self._one(row_id, hold)


class AsyncEngineWay:
    name = "async-engine"

    def __init__(self, db: Database) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        if db.is_sqlite:
            self.engine = create_async_engine(db.url.replace("sqlite://", "sqlite+aiosqlite://"),
                                              connect_args={"timeout": 30})
        else:
            self.engine = create_async_engine(db.url, pool_size=10, max_overflow=10)

    async def transaction(self, row_id: str, hold: float = 0.0) -> None:
        async with self.engine.begin() as connection:
            (await connection.execute(_select(row_id))).scalar()
            await connection.execute(_bump(row_id))
            if hold:
                await asyncio.sleep(hold)

    async def close(self) -> None:
        await self.engine.dispose()


async def _throughput(way, ids: list[str], ops: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []

    async def client(number: int) -> None:
        for n in range(number, ops, concurrency):
            started = time.perf_counter()
            await way.transaction(ids[n % len(ids)])
            latencies.append(time.perf_counter() - started)

    ticker = Ticker()
    ticking = asyncio.create_task(ticker.run())
    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    seconds = time.perf_counter() - started
    ticker.stop()
    await ticking
    latencies.sort()
    return {"tx_per_s": ops / seconds, "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)], "worst_stall_ms": 1000 * ticker.worst}


async def _held_lock(way, ids: list[str]) -> float:
    """A transaction holds its lock for HOLD_SECONDS while another waits for the same row."""
    ticker = Ticker()
    ticking = asyncio.create_task(ticker.run())
    holder = asyncio.create_task(way.transaction(ids[0], HOLD_SECONDS))
    await asyncio.sleep(0.1)
    await asyncio.gather(holder, way.transaction(ids[0]))
    ticker.stop()
    await ticking
    return 1000 * ticker.worst


async def _measure(db: Database, way_class, ops: int, concurrency: int) -> dict[str, float]:
    way = way_class(db)
    try:
        with db.engine.connect() as connection:
            ids = [row[0] for row in connection.execute(sa.select(_table.c.id)).all()]
        figures = await _throughput(way, ids, ops, concurrency)
        figures["held_lock_worst_stall_ms"] = await _held_lock(way, ids)
        return figures
    finally:
        await way.close()


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(run[key] for run in runs), 2) for key in runs[0]}


def bench(url: str, ops: int, concurrency: int, runs: int) -> dict[str, dict[str, float]]:
    db = Database(url)
    _seed(db)
    results: dict[str, list[dict[str, float]]] = {}
    for _ in range(runs):  # interleaved, so load from other jobs hits every way alike
        for way_class in (ThreadsWay, AsyncEngineWay, OnLoopWay):
            results.setdefault(way_class.name, []).append(
                asyncio.run(_measure(db, way_class, ops, concurrency)))
    db.dispose()
    return {name: _median(figures) for name, figures in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("SOCIALOPS_TEST_POSTGRES_URL"),
                        help="a server URL; a fresh database is made on it (default: $SOCIALOPS_TEST_POSTGRES_URL)")
    args = parser.parse_args()
    out: dict[str, object] = {"ops": args.ops, "concurrency": args.concurrency, "runs": args.runs,
                              "load_average": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as folder:
        out["sqlite"] = bench(f"sqlite:///{Path(folder) / 'bench.db'}", args.ops, args.concurrency, args.runs)
    if args.postgres:
        with fresh_postgres_url(args.postgres) as url:
            out["postgresql"] = bench(url, args.ops, args.concurrency, args.runs)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
