"""Webhook and connector settings, the secrets file, real connectors from accounts, `socialops actions`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from moderation.act.outbox import enqueue
from moderation.domain import Interaction, Kind, Platform
from moderation.ingest.store import store_interactions
from moderation.platforms.base import Operation
from moderation.platforms.instagram.outbound import InstagramConnector
from moderation.platforms.registry import ConnectorConfigError, build_connectors
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage.tables import ActionRow, InteractionRow
from socialops.cli import cli
from socialops.config import ConfigError, parse_settings


def test_secret_from_file_and_refusals(tmp_path, monkeypatch) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("# tokens\nIG_TOKEN=abc-from-file-123\n")
    secrets.chmod(0o600)
    monkeypatch.delenv("IG_TOKEN", raising=False)
    settings = parse_settings({"secrets_file": str(secrets)})
    assert settings.secret("IG_TOKEN") == "abc-from-file-123"
    monkeypatch.setenv("IG_TOKEN", "from-env-wins")
    assert settings.secret("IG_TOKEN") == "from-env-wins"
    with pytest.raises(ConfigError) as missing:
        settings.secret("OTHER_TOKEN")
    assert "abc-from-file" not in str(missing.value)
    secrets.chmod(0o644)
    monkeypatch.delenv("IG_TOKEN")
    with pytest.raises(ConfigError, match="chmod 600"):
        settings.secret("IG_TOKEN")


def test_webhook_and_connector_settings_are_strict() -> None:
    settings = parse_settings({"webhooks": {"enabled": True, "port": 9000},
                               "connectors": {"graph_api_version": "v22.0"}})
    assert settings.webhooks.port == 9000 and settings.connectors.graph_api_version == "v22.0"
    with pytest.raises(ConfigError):
        parse_settings({"webhooks": {"app_secret_env": "sk_live_not_a_name"}})
    with pytest.raises(ConfigError):
        parse_settings({"webhooks": {"prot": 9000}})


def test_build_connectors_real_and_sandbox(monkeypatch) -> None:
    monkeypatch.setenv("IG_TOKEN", "ig-token-value-123")
    settings = parse_settings({"accounts": [
        {"platform": "instagram", "id": "1784", "token_env": "IG_TOKEN", "capabilities": ["reply", "hide"]},
        {"platform": "youtube", "id": "UC1", "sandbox": True}]})
    connectors = build_connectors(settings.accounts, secret=settings.secret)
    assert isinstance(connectors[Platform.instagram], InstagramConnector)
    assert connectors[Platform.instagram].supports(Operation.hide)
    assert not connectors[Platform.instagram].supports(Operation.delete)
    assert isinstance(connectors[Platform.youtube], SandboxPlatform)
    assert "ig-token-value" not in repr(connectors)
    with pytest.raises(ConnectorConfigError):
        build_connectors(parse_settings({"accounts": [{"platform": "tiktok", "id": "b"}]}).accounts,
                         secret=settings.secret)


def test_actions_cli_list_undo_retry(sqlite_db, monkeypatch) -> None:
    monkeypatch.setenv("SOCIALOPS_DATABASE_URL", sqlite_db.url)
    interaction = Interaction(platform=Platform.instagram, kind=Kind.comment, external_id="c1", author_id="u",
                              text="spam spam", created_at="2025-11-22T10:00:00Z")
    store_interactions(sqlite_db, [interaction], source="test")
    with sqlite_db.session() as session:
        row = session.get(InteractionRow, interaction.id)
        hide = enqueue(session, row, Operation.hide, key="h", action_type="hide", state="done")
        dead = enqueue(session, row, Operation.reply, key="r", action_type="auto_reply", text="hi", state="dead")
        session.flush()
        hide_id, dead_id = hide.id, dead.id
    runner = CliRunner()
    listed = runner.invoke(cli, ["actions", "list", "--state", "dead"])
    assert listed.exit_code == 0 and f"{dead_id:>6}  dead" in listed.output and "hide" not in listed.output
    undone = runner.invoke(cli, ["actions", "undo", str(hide_id), "--actor", "camille"])
    assert undone.exit_code == 0 and "unhide queued" in undone.output
    retried = runner.invoke(cli, ["actions", "retry", str(dead_id)])
    assert retried.exit_code == 0
    with sqlite_db.session() as session:
        assert session.get(ActionRow, dead_id).state == "pending"
        assert session.get(ActionRow, hide_id).state == "reversed"


async def test_webhook_component_serves_until_stopping(sqlite_db, monkeypatch) -> None:
    import asyncio

    import httpx

    from socialops.compose.core import build_webhook_app
    from socialops.webserver import WebhookComponent

    monkeypatch.setenv("META_VERIFY_TOKEN", "verify-token-1")
    monkeypatch.setenv("META_APP_SECRET", "app-secret-1234")
    monkeypatch.delenv("TIKTOK_CLIENT_SECRET", raising=False)  # no TikTok account: not required
    settings = parse_settings({"webhooks": {"enabled": True, "port": 1}})
    component = WebhookComponent(build_webhook_app(settings, sqlite_db), host="127.0.0.1", port=0)
    stopping = asyncio.Event()
    task = asyncio.create_task(component.run(stopping))
    while not component.server.started:
        await asyncio.sleep(0.01)
    port = component.server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    stopping.set()
    await asyncio.wait_for(task, timeout=10)


async def test_the_webhook_server_on_a_port_in_use_cannot_start_in_one_line(sqlite_db, monkeypatch):
    """uvicorn answers a port in use with sys.exit, which escaped the event loop with two tracebacks."""
    import asyncio
    import socket

    from moderation.runtime.lifecycle import CannotStart
    from socialops.compose.core import build_webhook_app
    from socialops.webserver import WebhookComponent

    monkeypatch.setenv("META_VERIFY_TOKEN", "verify-token-1")
    monkeypatch.setenv("META_APP_SECRET", "app-secret-1234")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = parse_settings({"webhooks": {"enabled": True, "port": 1}})
        component = WebhookComponent(build_webhook_app(settings, sqlite_db), host="127.0.0.1", port=port)
        with pytest.raises(CannotStart, match=rf"^webhooks cannot start: cannot listen on 127.0.0.1:{port} \("):
            await asyncio.wait_for(component.run(asyncio.Event()), timeout=10)
