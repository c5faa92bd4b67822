"""`socialops run` with Slack in Socket Mode against the local fake Slack: a refused token ends the process at
once with one line and exit code 1 (so a supervisor restarts it); a Slack that cannot be reached does not keep
SIGTERM from stopping the process within the bound."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

from tests.bot.slack.slack_fake import FakeSlack

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, fake: FakeSlack) -> Path:
    path = tmp_path / "socialops.yaml"
    path.write_text(f"""
team: {{name: Test team, timezone: Europe/Paris}}
chat:
  console: {{enabled: false}}
  slack: {{enabled: true, mode: socket, api_base_url: "{fake.api_url}", channels: {{approvals: CAPPROVALS}}}}
digest: {{enabled: false}}
worker: {{enabled: false, stop_seconds: 3}}
""", encoding="utf-8")
    return path


async def _start(tmp_path: Path, fake: FakeSlack) -> asyncio.subprocess.Process:
    env = {**os.environ, "SOCIALOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-test-bot", "SLACK_APP_TOKEN": "xapp-1-test-app"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "socialops", "run", "--config", str(_config(tmp_path, fake)), "--no-console-input",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_a_refused_slack_app_token_ends_run_with_one_line_and_exit_1(tmp_path):
    fake = await FakeSlack().start()
    fake.app_token_error = "invalid_auth"
    try:
        process = await _start(tmp_path, fake)
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await fake.stop()
    assert process.returncode == 1
    lines = err.decode().strip().splitlines()
    assert lines == ["error: slack cannot start: Slack refused the app-level token ($SLACK_APP_TOKEN) for "
                     "Socket Mode (invalid_auth)"], lines
    assert "xapp-1-test-app" not in err.decode()


async def test_sigterm_stops_run_within_the_bound_while_slack_cannot_connect(tmp_path):
    fake = await FakeSlack().start()
    with socket.socket() as probe:  # apps.connections.open points at a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        fake.socket_url = f"ws://127.0.0.1:{probe.getsockname()[1]}/link"
    try:
        process = await _start(tmp_path, fake)
        await fake.wait_for("apps.connections.open", timeout=60)
        await asyncio.sleep(1)  # inside the SDK's connect-and-retry loop
        assert process.returncode is None
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        took = time.monotonic() - started
    finally:
        await fake.stop()
    assert process.returncode == 0, err.decode()[-2000:]
    assert took < 3 + 4, took  # worker.stop_seconds, then the watchdog at the latest
    # Slack stopped by itself when asked (it was not cancelled after the bound). The SDK's own log of each
    # failed connection attempt is its business.
    assert "stop_forced" not in err.decode() and "\nerror:" not in err.decode(), err.decode()[-3000:]
