"""`socialops worker --until-idle` then `socialops export ...` on the demo week: exits 0 with nothing left to do,
and the export's records follow the public contract in JSON Lines, CSV and Parquet."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from moderation.ingest.importer import ingest_file
from moderation.storage import Database
from moderation.storage.tables import ActionRow, InteractionRow
from socialops.cli import cli
from socialops.demo.runner import SAMPLE

CONFIG = """
team: {name: Batch, timezone: UTC}
accounts:
  - {platform: instagram, id: "1", sandbox: true, capabilities: [reply, hide, delete, dm]}
  - {platform: facebook, id: "2", sandbox: true, capabilities: [reply, hide, dm]}
  - {platform: tiktok, id: "3", sandbox: true, capabilities: [reply, hide, dm]}
  - {platform: youtube, id: "4", sandbox: true, capabilities: [reply, hold, delete]}
chat: {console: {enabled: false}}
digest: {enabled: false}
"""
CONTRACT = ("id", "platform", "kind", "text", "intent", "toxicity", "sentiment", "lang", "status", "hidden",
            "escalated", "lead", "converted", "tags", "actions")


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """The demo week through the real CLI and the real classifier, once for the module."""
    tmp = tmp_path_factory.mktemp("batch")
    url = f"sqlite:///{tmp / 'batch.db'}"
    db = Database(url)
    stored = ingest_file(db, SAMPLE).stored
    (tmp / "socialops.yaml").write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "SOCIALOPS_DATABASE_URL": url, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "socialops", "worker", "--until-idle", "--config",
                           str(tmp / "socialops.yaml")], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "idle after" in done.stdout
    with db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).where(InteractionRow.status == "done")) == stored
        assert session.scalar(sa.select(sa.func.count()).where(
            ActionRow.state.in_(("pending", "in_flight")), ActionRow.next_attempt_at.is_not(None))) == 0
    db.dispose()
    return tmp, url


def _run(url: str, config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--config", str(config)], env={"SOCIALOPS_DATABASE_URL": url},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_export_interactions_contract_in_every_format(processed) -> None:  # type: ignore[no-untyped-def]
    tmp, url = processed
    config = tmp / "socialops.yaml"
    records = [json.loads(line) for line in _run(url, config, "export", "interactions").splitlines()]
    assert len(records) == 360
    for record in records:
        assert set(CONTRACT) <= set(record)
        assert ":" not in record["id"] or record["id"].count(":") == 0  # the platform's own id, as ingested
        assert all(set(a) >= {"type", "state", "automated", "text"} for a in record["actions"])
    assert any(r["hidden"] for r in records) and any(r["escalated"] for r in records)
    drafts = [a for r in records for a in r["actions"] if a["state"] == "awaiting_approval"]
    assert drafts and all(a["text"] for a in drafts)  # drafts waiting for a human, with their text
    rows = list(csv.DictReader(io.StringIO(_run(url, config, "export", "interactions", "--format", "csv"))))
    assert len(rows) == 360 and set(CONTRACT) <= set(rows[0])
    assert json.loads(rows[0]["actions"]) == records[0]["actions"]
    later = _run(url, config, "export", "interactions", "--since", records[200]["created_at"][:19])
    assert 0 < len(later.splitlines()) < 360

    pq = pytest.importorskip("pyarrow.parquet")
    _run(url, config, "export", "interactions", "--format", "parquet", "--output", str(tmp / "i.parquet"))
    table = pq.read_table(tmp / "i.parquet")
    assert table.num_rows == 360 and set(CONTRACT) <= set(table.column_names)


def test_export_events_leads_conversions_and_import_cli(processed) -> None:  # type: ignore[no-untyped-def]
    tmp, url = processed
    config = tmp / "socialops.yaml"
    events = [json.loads(line) for line in _run(url, config, "export", "events").splitlines()]
    assert events and {"name", "interaction_id", "occurred_at", "actor", "data"} <= set(events[0])
    orders = tmp / "orders.csv"
    orders.write_text("order_id,time,amount\nB1,2026-12-01T10:00:00Z,12.5\nB2,yesterday,3\n,2026-12-01,1\n",
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["conversions", "import", str(orders), "--config", str(config)],
                                env={"SOCIALOPS_DATABASE_URL": url}, catch_exceptions=False)
    assert result.exit_code == 0
    assert f"{orders}:3: rejected: time 'yesterday'" in result.output
    assert f"{orders}:4: rejected: missing order_id" in result.output
    assert "3 rows: 1 orders stored, 0 already known, 2 rejected; 0 attributed" in result.output
    conversions = [json.loads(line) for line in _run(url, config, "export", "conversions").splitlines()]
    assert [(c["order_id"], c["amount"], c["attributed"]) for c in conversions] == [("B1", 12.5, False)]
    assert _run(url, config, "leads", "list").strip().endswith("lead(s)") or "no leads" in _run(
        url, config, "leads", "list")
    leads_csv = _run(url, config, "leads", "export", "--format", "csv")
    assert leads_csv == "" or leads_csv.startswith("id,key,platform")
