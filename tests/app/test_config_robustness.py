"""Issue 15 items 7, 8, 9: the team file and database URLs: one line naming the file and line, never a
secret echoed, and SOCIALOPS_DATABASE_URL over the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.storage import Database, DatabaseUrlError
from socialops.config import ConfigError, load_settings

TOKEN = "EAABsbCS1iHgBAKZCZB3xyzSECRETTOKEN9"


@pytest.mark.parametrize(("content", "expected"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", r"line 3 invalid YAML: binary content"),
    (b"team:\n  name: x\n" + "caf\u00e9: 1\n".encode("latin-1"), r"line 3 invalid YAML: not UTF-8"),
    (("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 300))).encode(), r"line \d+ invalid YAML: nested deeper"),
    (b"x: " + b"[" * 100_000, r"invalid YAML: nested deeper"),
    (b"worker:\n  batch_size: 5\nteam:\n  name: x\nworker:\n  poll_seconds: 2\n",
     r"line 5 invalid YAML: key 'worker' is given twice in this mapping \(first on line 1\)"),
    (b"team: {name: x}\ndatabase_url: 'postgresql://u@h:notaport/db'\n",
     r"line 2: database_url: .*port is not a number"),
    (b"database_url: mysql://u@h/db\n", r"line 1: database_url: unsupported database 'mysql'.*postgresql://"),
    (b"a: &a [1, 2]\n" + b"".join(b"%c: &%c [%s]\n" % (n, n, b", ".join([b"*" + bytes([n - 1])] * 9))
                                   for n in b"bcdefg"), r"line \d+ invalid YAML: aliases expand to more"),
])
def test_hostile_team_files_are_one_line_naming_file_and_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "team.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    message = str(error.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert __import__("re").search(expected, message), message


@pytest.mark.parametrize("url", ["postgres:S3CRETPASS@host/db", "postgresql:/u:S3CRETPASS@h/db",
                                 "S3CRETPASS", "postgresql://u:S3CRETPASS@h:notaport/db"])
def test_a_malformed_database_url_never_shows_its_password(url: str, tmp_path: Path) -> None:
    with pytest.raises(DatabaseUrlError) as error:
        Database(url)
    assert "S3CRETPASS" not in str(error.value)
    assert "write it as" in str(error.value)
    path = tmp_path / "team.yaml"
    path.write_text(f"database_url: '{url}'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as in_file:
        load_settings(path)
    assert "S3CRETPASS" not in str(in_file.value) and "line 1" in str(in_file.value)


def test_cli_never_echoes_a_malformed_url_from_the_environment(tmp_path: Path, monkeypatch, capsys) -> None:
    from socialops.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCIALOPS_DATABASE_URL", "postgres:S3CRETPASS@host/db")
    with pytest.raises(SystemExit) as exit_info:
        main(["db", "current"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and "S3CRETPASS" not in err
    assert err.count("\n") == 1 and "SOCIALOPS_DATABASE_URL" in err


def test_a_token_pasted_where_a_variable_name_belongs_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(f"accounts:\n  - platform: instagram\n    id: '1'\n    token_env: {TOKEN}\n"
                    f"chat:\n  slack:\n    bot_token_env: xoxb-123456789012-abcdefABCDEF\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    message = str(error.value)
    assert TOKEN not in message and "xoxb-123456789012" not in message
    assert "line 4: accounts.0.token_env" in message and "looks like a token" in message
    assert "line 7: chat.slack.bot_token_env" in message


def test_the_environment_database_url_wins_over_the_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(f"database_url: 'sqlite:///{tmp_path / 'from-file.db'}'\n", encoding="utf-8")
    assert load_settings(path).database_url.endswith("from-file.db")
    monkeypatch.setenv("SOCIALOPS_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    settings = load_settings(path)
    assert settings.database_url.endswith("from-env.db")
    Database(settings.database_url).dispose()
    assert (tmp_path / "from-env.db").exists() and not (tmp_path / "from-file.db").exists()
