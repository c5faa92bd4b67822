"""The command line as a whole: every option documented, `--config` before or after the subcommand, `db current`."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from click.testing import CliRunner

from moderation.storage import Database
from socialops.cli import cli
from socialops.cli_options import CONFIG_HELP


def _walk(command: click.Command, path: tuple[str, ...] = ("socialops",)):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, (*path, name))


def test_every_command_option_and_argument_has_help():
    missing = []
    for path, command in _walk(cli):
        if not (command.help or command.short_help):
            missing.append(f"{' '.join(path)}: the command")
        for param in command.params:
            if isinstance(param, click.Option):
                if not param.hidden and not (param.help or "").strip():
                    missing.append(f"{' '.join(path)} {param.opts[0]}")
            elif isinstance(param, click.Argument):
                # Arguments have no help of their own in click: the command's text must name them.
                names = {param.name.upper(), (param.metavar or "").upper()} - {""}
                if not any(name in (command.help or "").upper() for name in names):
                    missing.append(f"{' '.join(path)} argument {param.name}")
    assert not missing, missing


def test_config_is_described_the_same_way_everywhere():
    helps = {(" ".join(path), param.help) for path, command in _walk(cli) for param in command.params
             if isinstance(param, click.Option) and "--config" in param.opts}
    assert len(helps) > 10  # the group and every command that reads the team file
    assert {text for _, text in helps} == {CONFIG_HELP}


def _team_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"team: {{name: {name}, timezone: Europe/Paris}}\ndatabase_url: sqlite:///{tmp_path}/{name}.db\n",
                    encoding="utf-8")
    return path


def test_config_before_the_subcommand_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("SOCIALOPS_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOCIALOPS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    config = _team_file(tmp_path, "before")
    result = CliRunner().invoke(cli, ["--config", str(config), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "before.db").exists() and "before.db" in result.output


def test_config_after_the_subcommand_wins_over_the_one_before(tmp_path, monkeypatch):
    monkeypatch.delenv("SOCIALOPS_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOCIALOPS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    before, after = _team_file(tmp_path, "before"), _team_file(tmp_path, "after")
    result = CliRunner().invoke(cli, ["--config", str(before), "db", "upgrade", "--config", str(after)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "after.db").exists() and not (tmp_path / "before.db").exists()


def test_config_before_a_missing_file_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "nope.yaml"), "kpis"])
    assert result.exit_code != 0
    assert "nope.yaml" in str(result.exception) + result.output


def _newest() -> str:
    from alembic.script import ScriptDirectory

    from moderation.storage.database import MIGRATIONS_DIR

    return max(revision.revision for revision in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions())


def _db_current(tmp_path: Path, url: str) -> str:
    result = CliRunner().invoke(cli, ["db", "current"], env={"SOCIALOPS_DATABASE_URL": url,
                                                             "SOCIALOPS_CONFIG": ""})
    assert result.exit_code == 0, result.output
    return result.output


def test_db_current_says_in_one_line_where_the_database_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'schema.db'}"

    empty = _db_current(tmp_path, url)
    assert empty.count("\n") == 1 and "no migration applied" in empty

    db = Database(url)  # opening migrates to the newest revision
    latest = _db_current(tmp_path, url)
    assert latest.count("\n") == 1
    assert f"at revision {_newest()}, up to date" in latest

    with db.engine.begin() as connection:  # as if only the initial schema and one branch had been applied
        connection.execute(sa.text("DELETE FROM alembic_version"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('0003_slack')"))
    db.dispose()
    behind = _db_current(tmp_path, url)
    assert behind.count("\n") == 1
    assert "at revision 0003_slack" in behind and "pending" in behind and _newest() in behind
