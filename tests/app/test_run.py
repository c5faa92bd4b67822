"""`socialops run` as a team deploys it: processes stored work, then stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from moderation.ingest.importer import ingest_file
from moderation.storage import Database
from moderation.storage.tables import ActionRow, InteractionRow
from socialops.demo.runner import SAMPLE

ROOT = Path(__file__).resolve().parents[2]  # this checkout, whatever the cwd of the process under test
CONFIG = """
team: {name: Test team, timezone: Europe/Paris}
accounts:
  - {platform: instagram, id: "1", sandbox: true, capabilities: [reply, hide, delete, dm]}
  - {platform: facebook, id: "2", sandbox: true, capabilities: [reply, hide, dm]}
  - {platform: tiktok, id: "3", sandbox: true, capabilities: [reply, hide, dm]}
  - {platform: youtube, id: "4", sandbox: true, capabilities: [reply, hold, delete]}
digest: {enabled: false}
worker: {batch_size: 50, poll_seconds: 0.2}
"""


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_run_processes_everything_and_stops_on_sigterm(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'run.db'}"
    db = Database(url)
    stored = ingest_file(db, SAMPLE).stored
    config = tmp_path / "socialops.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "SOCIALOPS_DATABASE_URL": url, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    # Files, not pipes: nobody reads a pipe while we wait, and a full pipe would block the console surface.
    stdout, stderr = (tmp_path / "stdout.txt").open("w+"), (tmp_path / "stderr.txt").open("w+")
    process = subprocess.Popen([sys.executable, "-m", "socialops", "-v", "run", "--config", str(config),
                                "--no-console-input"], cwd=tmp_path, env=env, stdout=stdout, stderr=stderr)

    def count(query) -> int:
        with db.session() as session:
            return session.execute(query).scalar_one()

    done = sa.select(sa.func.count()).where(InteractionRow.status == "done")
    open_actions = sa.select(sa.func.count()).where(ActionRow.state.in_(("pending", "in_flight")))
    try:
        assert _wait(lambda: count(done) == stored and count(open_actions) == 0, timeout=180), \
            f"processed {count(done)} of {stored}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        out = (tmp_path / "stdout.txt").read_text(encoding="utf-8")
        err = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert process.returncode == 0, err[-2000:]
    assert "socialops.app.stopping" in err and "Traceback" not in err
    # A normal start and stop (and leading the timers) is information, not a warning.
    levels = {line.split()[4]: line.split()[2] for line in err.splitlines() if len(line.split()) > 4}
    for event in ("socialops.app.started", "socialops.app.stopping", "socialops.scheduler.leading",
                  "moderation.pipeline.loop.stopped"):
        assert levels.get(event) == "INFO", (event, err[-3000:])
    assert "WARNING" not in err, err[-3000:]
    assert "draft #" in out or "Approval #" in out  # the console surface showed approval requests
    db.dispose()
