"""Interactions per second for 1 and 2 `socialops worker` processes sharing one PostgreSQL database.

    python bench/workers_throughput.py [--url postgresql://postgres@127.0.0.1:5432/test] [--count 2000]
        [--runs 3] [--workers 1 2] [--classifier keywords|real]

Each run: a fresh database, N worker processes started and warmed up (rounds of warm-up interactions until
every worker has processed some: a fixed sleep let start-up run on the clock on a busy machine), then COUNT
interactions (the demo sample's texts under fresh ids) stored in one transaction; the clock runs from that
commit until every interaction is `done` (classified, decided, plan recorded; the outbox acts on in-process
sandbox platforms). Reports the
median of the runs. `--classifier real` uses `moderation.classifier.load_classifier` (when present);
`keywords` is the tests' keyword classifier, which measures the queue, the database and the playbooks only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation.ingest.files import parse_record  # noqa: E402
from moderation.ingest.store import store_interactions  # noqa: E402
from moderation.storage import Database  # noqa: E402
from moderation.storage.tables import InteractionRow  # noqa: E402
from tests.support.databases import fresh_postgres_url  # noqa: E402

CONFIG = """
team: {name: Bench, timezone: UTC}
digest: {enabled: false}
chat: {console: {enabled: false}}
accounts:
  - {platform: instagram, id: "1", sandbox: true, capabilities: [reply, hide, delete, dm]}
  - {platform: facebook, id: "2", sandbox: true, capabilities: [reply, hide, dm]}
  - {platform: tiktok, id: "3", sandbox: true, capabilities: [reply, hide, dm]}
  - {platform: youtube, id: "4", sandbox: true, capabilities: [reply, hold, delete]}
worker: {batch_size: 64, poll_seconds: 0.05}
"""


def interactions(count: int) -> list:
    sample = ROOT / "socialops" / "demo" / "sample.jsonl"
    base = [parse_record(json.loads(line)) for line in sample.read_text(encoding="utf-8").splitlines() if line]
    return [base[i % len(base)].model_copy(update={"external_id": f"bench{i}"}) for i in range(count)]


def wait_until_all_done(db: Database, procs: list[subprocess.Popen], *, interval: float, stage: str,
                        deadline: float = math.inf) -> None:
    """Polls until every stored interaction is done (or `deadline`, monotonic, passes); a dead worker fails it."""
    left = sa.select(sa.func.count()).where(InteractionRow.status != "done")
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            if connection.execute(left).scalar_one() == 0:
                return
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"a worker exited during {stage}")
        time.sleep(interval)


def wait_until_classifying(db: Database, workers: int, procs: list[subprocess.Popen], timeout: float = 300) -> None:
    """Every worker has imported, loaded its model and processed work: rounds of warm-up interactions until
    each worker has claimed some. (A fixed sleep was not enough on a busy machine: start-up ran on the clock.)"""
    claimers = sa.select(sa.func.count(sa.distinct(InteractionRow.claimed_by))).where(
        InteractionRow.source == "warm-up")
    deadline = time.monotonic() + timeout
    sample = interactions(2)
    warmed = 0
    while time.monotonic() < deadline:
        store_interactions(db, [item.model_copy(update={"external_id": f"warm-up-{warmed + i}"})
                                for i, item in enumerate(sample)], source="warm-up")
        warmed += len(sample)
        wait_until_all_done(db, procs, interval=0.1, deadline=deadline, stage="start-up")
        with db.engine.connect() as connection:
            if connection.execute(claimers).scalar_one() >= workers:
                return
    raise RuntimeError("the workers did not all process warm-up interactions")


def one_run(base_url: str, workers: int, count: int, classifier: str, config: Path) -> float:
    with fresh_postgres_url(base_url) as url:
        db = Database(url)
        env = {**os.environ, "SOCIALOPS_DATABASE_URL": url, "HF_HUB_OFFLINE": "1"}
        arg = "real" if classifier == "real" else "0"
        procs = [subprocess.Popen([sys.executable, "-m", "tests.scale.worker_proc", str(config), arg], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        try:
            wait_until_classifying(db, workers, procs)
            items = interactions(count)
            store_interactions(db, items, source="bench")
            started = time.perf_counter()
            wait_until_all_done(db, procs, interval=0.02, stage="the run")
            return count / (time.perf_counter() - started)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=60)
            db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("SOCIALOPS_TEST_POSTGRES_URL",
                                                        "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--classifier", choices=("keywords", "real"), default="keywords")
    args = parser.parse_args()
    if args.classifier == "real":
        try:
            from moderation.classifier import load_classifier  # noqa: F401
        except ImportError:
            sys.exit("the real classifier (moderation.classifier.load_classifier) is not in this tree yet")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        print(f"{args.count} interactions, classifier={args.classifier}, {os.cpu_count()} CPUs, runs={args.runs}")
        for workers in args.workers:
            rates = [one_run(args.url, workers, args.count, args.classifier, config) for _ in range(args.runs)]
            print(f"workers={workers}: median {statistics.median(rates):.0f} interactions/s "
                  f"(runs: {', '.join(f'{r:.0f}' for r in rates)})", flush=True)


if __name__ == "__main__":
    main()
