"""Fixtures for the scale tests: a fresh PostgreSQL database (these tests are about many processes sharing one)
and worker processes started the way an operator starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.databases import fresh_postgres_url, postgres_base_url

ROOT = Path(__file__).resolve().parents[2]

WORKER_CONFIG = """
team: {name: Scale test, timezone: UTC}
digest: {enabled: false}
chat: {console: {enabled: false}}
worker:
  batch_size: 20
  poll_seconds: 0.05
  lease_seconds: 2
  action_lease_seconds: 2
  leader_retry_seconds: 0.5
  action_base_delay_seconds: 0.05
  action_max_delay_seconds: 0.5
"""


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = postgres_base_url()
    if base is None:
        pytest.skip("SOCIALOPS_TEST_POSTGRES_URL not set")
    with fresh_postgres_url(base) as url:
        yield url


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `tests.scale.worker_proc` (the real run_worker) against a database; stopped at the end."""
    processes: list[subprocess.Popen] = []
    config = tmp_path / "worker.yaml"
    config.write_text(WORKER_CONFIG, encoding="utf-8")

    def start(url: str, *, platform_url: str | None = None, classify_delay: float = 0.0,
              extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        env = {**os.environ, "SOCIALOPS_DATABASE_URL": url, "HF_HUB_OFFLINE": "1", **(extra_env or {})}
        if platform_url:
            env["SCALE_PLATFORM_URL"] = platform_url
        log = open(tmp_path / f"worker-{len(processes)}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "tests.scale.worker_proc", str(config),
                                    str(classify_delay)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        process.log_path = log.name  # type: ignore[attr-defined]
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
