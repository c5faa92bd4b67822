"""The team configuration: the starter file is valid, mistakes are one clear line, secrets stay out."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialops.config import ConfigError, Settings, load_settings, parse_settings


def test_starter_file_is_valid_and_commented(tmp_path, monkeypatch):
    from socialops.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["init"])
    assert exit_info.value.code == 0
    text = Path("socialops.yaml").read_text(encoding="utf-8")
    assert text.count("#") > 10
    settings = load_settings(Path("socialops.yaml"))
    assert settings.team.timezone == "Europe/Paris"
    assert settings.accounts[0].token_env == "INSTAGRAM_TOKEN"
    with pytest.raises(SystemExit) as again:
        main(["init"])
    assert again.value.code == 1


def test_no_file_means_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOCIALOPS_CONFIG", raising=False)
    assert load_settings() == Settings()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"team": {"timezon": "UTC"}}, "team.timezon: Extra inputs are not permitted"),
        ({"team": {"timezone": "Mars/Olympus"}}, "unknown timezone 'Mars/Olympus'"),
        ({"accounts": [{"platform": "myspace", "id": "1"}]}, "accounts.0.platform"),
        ({"accounts": [{"platform": "instagram", "id": "1", "token_env": "EAAB-real-token-value"}]},
         "must be the NAME of an environment variable"),
        ({"database_url": "postgresql://u:hunter2@db/x"}, "put database passwords in SOCIALOPS_DATABASE_URL"),
        ({"digest": {"time": "25:00"}}, "digest.time must be HH:MM"),
        ({"team": {"business_hours": {"start": 18, "end": 9}}}, "end must be after start"),
        ([1, 2], "the top level must be a mapping"),
    ],
)
def test_mistakes_are_named(raw, expected):
    with pytest.raises(ConfigError) as error:
        parse_settings(raw, source="team.yaml")
    assert expected in str(error.value)
    assert str(error.value).startswith("team.yaml")
    assert "hunter2" not in str(error.value)


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("team:\n  name: x\n   timezone: UTC\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken.yaml: line 3 invalid YAML"):
        load_settings(path)


def test_secret_comes_from_the_environment(monkeypatch):
    settings = Settings()
    monkeypatch.setenv("MY_TOKEN", "s3cret")
    assert settings.secret("MY_TOKEN") == "s3cret"
    monkeypatch.delenv("MY_TOKEN")
    with pytest.raises(ConfigError, match="MY_TOKEN is not set"):
        settings.secret("MY_TOKEN")


def test_cli_errors_are_one_line_with_nonzero_exit(tmp_path, capsys):
    from socialops.cli import main

    config = tmp_path / "bad.yaml"
    config.write_text("worker: {batch_size: 0}\n", encoding="utf-8")
    export = tmp_path / "e.jsonl"
    export.write_text("", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", "--config", str(config), str(export)])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "worker.batch_size" in err and "\n" not in err
    assert "Traceback" not in err



def test_db_upgrade_keeps_data_written_under_the_first_schema(tmp_path, monkeypatch, capsys):
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from moderation.storage import Database
    from moderation.storage.database import MIGRATIONS_DIR
    from socialops.cli import main

    url = f"sqlite:///{tmp_path / 'up.db'}"
    monkeypatch.setenv("SOCIALOPS_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["db", "current"])
    assert "no migration applied" in capsys.readouterr().out

    old = Database(url, migrate=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # a database made by the first release
        connection.execute(sa.text(
            "INSERT INTO interactions (id, platform, kind, external_id, author_id, author_name, text, created_at, "
            "received_at, is_follower, is_vip, source, status, attempts) VALUES ('instagram:1', 'instagram', "
            "'comment', '1', 'a', 'anna', 'kept across upgrades', '2026-01-01 00:00:00', '2026-01-01 00:00:00', "
            "0, 0, 'file', 'done', 1)"))
    old.dispose()

    with pytest.raises(SystemExit) as exit_info:
        main(["db", "upgrade"])
    assert exit_info.value.code == 0
    assert ", up to date (" in capsys.readouterr().out
    upgraded = Database(url)
    with upgraded.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT text FROM interactions")).scalar_one() == "kept across upgrades"
        columns = {c["name"] for c in sa.inspect(connection).get_columns("decisions")}
        interaction_columns = {c["name"] for c in sa.inspect(connection).get_columns("interactions")}
        tables = set(sa.inspect(connection).get_table_names())
    assert "context" in columns
    assert "account_id" in interaction_columns and "watched_threads" in tables
    upgraded.dispose()
