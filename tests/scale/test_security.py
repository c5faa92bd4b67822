"""Security: no token in logs, errors or the database; personal data redacted in logs at info level; input
limits refuse oversized input with a clear error, whole."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from moderation.act.outbox import Outbox, enqueue
from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.domain.limits import MAX_STORE_BATCH, LimitExceeded
from moderation.domain.ports import NoHumans
from moderation.ingest.store import store_interactions
from moderation.pipeline.worker import ModerationWorker
from moderation.platforms.base import Operation, PermanentActionError, TransientActionError
from moderation.storage.tables import InteractionRow
from socialops.config import parse_settings
from socialops.logging import RedactingFilter, SocialopsFormatter
from tests.scale.conftest import ROOT
from tests.scale.support import KeywordClassifier

IG_TOKEN = "IGQVJfake_TOKEN_a81c5e0b7d2f4c69"
FB_TOKEN = "EAAGfake_TOKEN_3e9d0c1b6a5f4e27"


@pytest.fixture
def captured_logs():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SocialopsFormatter(show_personal=True))  # even at debug level, never a token
    handler.addFilter(RedactingFilter(show_personal=True))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


class LeakyConnector:
    """A connector with every bad habit: it puts the token in URLs, headers and exception messages."""

    platform = Platform.instagram

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls = 0

    def supports(self, operation: Operation) -> bool:
        return True

    async def perform(self, action):
        self.calls += 1
        if self.calls % 3 == 1:
            raise TransientActionError(f"HTTP 500 from https://graph.example/v19/1?access_token={self.token}")
        if self.calls % 3 == 2:
            raise RuntimeError(f"crashed; headers {{'Authorization': 'Bearer {self.token}'}}")
        raise PermanentActionError(f"rejected credentials {self.token}")


class LeakyEngine:
    version = "leaky"

    def __init__(self, token: str) -> None:
        self.token = token

    def decide(self, interaction, scores, context):
        raise ValueError(f"could not call the CRM with key={self.token}")


async def test_no_token_in_logs_errors_or_the_database(db, tmp_path, monkeypatch, captured_logs):
    monkeypatch.setenv("IG_TOKEN", IG_TOKEN)
    secret_file = tmp_path / "secrets.env"
    secret_file.write_text(f"FB_TOKEN={FB_TOKEN}\n")
    secret_file.chmod(0o600)
    monkeypatch.delenv("FB_TOKEN", raising=False)
    settings = parse_settings({"secrets_file": str(secret_file),
                               "accounts": [{"platform": "instagram", "id": "1", "token_env": "IG_TOKEN"},
                                            {"platform": "facebook", "id": "2", "token_env": "FB_TOKEN"}]})
    assert IG_TOKEN not in repr(settings) and FB_TOKEN not in repr(settings)
    ig, fb = (settings.secret(account.token_env) for account in settings.accounts)
    assert (ig, fb) == (IG_TOKEN, FB_TOKEN)

    now = utcnow()
    interactions = [Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=f"s{i}",
                                author_id="a", author_name="Jane", text="how much?", created_at=now)
                    for i in range(3)]
    store_interactions(db, interactions, source="test")
    worker = ModerationWorker(db, KeywordClassifier(), LeakyEngine(fb), NoHumans())
    await worker.process_batch()  # every decision fails with the token in the exception
    alerts: list[str] = []

    async def alert(text, _row):
        alerts.append(text)

    with db.session() as session:
        for interaction in interactions:
            enqueue(session, session.get(InteractionRow, interaction.id), Operation.reply, key=interaction.id,
                    action_type="auto_reply", text="hi", now=now)
    clock = [now]
    outbox = Outbox(db, {Platform.instagram: LeakyConnector(ig)}, alert=alert, clock=lambda: clock[0],
                    max_attempts=3)
    for _ in range(12):
        await outbox.run_once()
        clock[0] += timedelta(hours=1)

    with db.session() as session:
        errors = session.execute(sa.select(InteractionRow.last_error)).scalars().all()
    assert all(errors) and len(alerts) == 3, "the failures happened and were recorded"
    logs = captured_logs.getvalue()
    assert "moderation.pipeline.worker.interaction_failed" in logs and "moderation.act.outbox.dead_letter" in logs
    assert "Traceback" in logs, "tracebacks are logged, scrubbed"
    everything = [logs, *alerts, *errors]
    with db.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                everything.append(repr(tuple(row)))
    for token in (IG_TOKEN, FB_TOKEN):
        leaks = [text[:300] for text in everything if token in text]
        assert not leaks, leaks
    assert "[redacted]" in logs


def test_database_password_never_in_the_cli_error():
    env = {**os.environ, "SOCIALOPS_DATABASE_URL": "postgresql://socialops:Pa55-word-XYZZY@127.0.0.1:1/none"}
    result = subprocess.run([sys.executable, "-m", "socialops", "worker"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "cannot open database" in result.stderr
    assert "Pa55-word-XYZZY" not in result.stderr + result.stdout


def test_personal_data_redacted_at_info_shown_at_debug():
    record = logging.makeLogRecord({"name": "moderation.pipeline.worker", "levelno": logging.INFO, "levelname": "INFO",
                                    "msg": "moderation.pipeline.worker.decided", "author_name": "Jane Doe",
                                    "text": "my address is 12 rue X", "interaction_id": "instagram:1"})
    info = SocialopsFormatter(show_personal=False).format(record)
    assert "Jane Doe" not in info and "12 rue X" not in info
    assert "author_name=[8 chars]" in info and "interaction_id=instagram:1" in info
    debug = SocialopsFormatter(show_personal=True).format(record)
    assert "Jane Doe" in debug


def test_cli_logging_goes_through_the_redacting_formatter():
    from socialops.logging import configure_logging

    configure_logging(1)
    try:
        ours = [h for h in logging.getLogger().handlers if getattr(h, "_socialops", False)]
        assert len(ours) == 1 and isinstance(ours[0].formatter, SocialopsFormatter)
        assert not ours[0].formatter.show_personal
    finally:
        for handler in ours:
            logging.getLogger().removeHandler(handler)


def test_oversized_batch_refused_whole(db):
    now = utcnow()
    too_many = [Interaction(platform=Platform.tiktok, kind=Kind.comment, external_id=str(i), author_id="a",
                            text="hi", created_at=now) for i in range(MAX_STORE_BATCH + 1)]
    with pytest.raises(LimitExceeded, match=f"more than the limit of {MAX_STORE_BATCH} interactions"):
        store_interactions(db, too_many, source="test")
    with db.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(InteractionRow)).scalar_one() == 0


def test_oversized_text_refused_with_a_clear_error():
    from moderation.ingest.files import RecordError, parse_record

    with pytest.raises(RecordError, match="more than 10000"):
        parse_record({"platform": "instagram", "id": "1", "author": "a", "text": "x" * 10_001})
