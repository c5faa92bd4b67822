"""`socialops playbooks validate | test | replay`: check, test and dry-run playbooks before they go live."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from socialops.cli_options import config_option

_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str) -> timedelta:
    """'30d', '12h', '2w', '90m' -> a timedelta; anything else is a usage error."""
    match = _DURATION.match(value.strip().lower())
    if not match:
        raise click.BadParameter(f"{value!r}: use a number and a unit, like 30d, 12h, 2w or 90m")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _folder(directory: Path | None) -> Path:
    from playbooks import DEFAULT_LIBRARY

    return directory if directory is not None else DEFAULT_LIBRARY


_DIR = click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))


def register(group: click.Group) -> None:
    @group.group("playbooks")
    def playbooks_group() -> None:
        """Validate, test and replay YAML playbooks (default folder: the bundled library)."""

    @playbooks_group.command("validate")
    @_DIR
    def validate(directory: Path | None) -> None:
        """Load every playbook in DIRECTORY and report every error with its file and line."""
        from socialops.compose.core import load_playbooks

        library = load_playbooks(_folder(directory))
        click.echo(f"ok: {len(library.playbooks)} playbooks, {len(library.rules)} rules, "
                   f"{len(library.templates)} templates, version {library.version}")

    @playbooks_group.command("test")
    @_DIR
    def test(directory: Path | None) -> None:
        """Run the fixtures in DIRECTORY/fixtures: pass or fail for each, non-zero exit on any failure."""
        from playbooks.fixtures import run_fixtures
        from socialops.compose.core import load_playbooks

        folder = _folder(directory)
        results = run_fixtures(load_playbooks(folder), folder)
        for result in results:
            where = f"{Path(result.file).name}:{result.line}"
            if result.passed:
                click.echo(f"PASS {where} {result.name}")
            else:
                click.echo(f"FAIL {where} {result.name}")
                for problem in result.problems:
                    click.echo(f"     {problem}")
        failed = sum(not result.passed for result in results)
        click.echo(f"{len(results) - failed} passed, {failed} failed")
        if not results:
            raise click.ClickException(f"no fixtures in {folder / 'fixtures'}")
        if failed:
            raise click.exceptions.Exit(1)

    @playbooks_group.command("replay")
    @click.option("--since", default="30d", show_default=True, help="How far back: 30d, 12h, 2w, 90m.")
    @config_option
    @_DIR
    def replay_command(since: str, config_path: Path | None, directory: Path | None) -> None:
        """Dry-run the playbooks in DIRECTORY over stored history: what they would have done, the difference
        from what happened, counts per action, and precision against human verdicts. Nothing is executed."""
        from playbooks import replay
        from socialops.compose.core import load_playbooks

        window = parse_since(since)
        library = load_playbooks(_folder(directory))
        try:
            from moderation.pipeline.history import load_history
        except ImportError:
            raise click.ClickException(
                "replay needs stored history (moderation.pipeline.history.load_history), which this installation "
                "does not have yet"
            ) from None
        from moderation.storage import Database
        from socialops.config import load_settings

        settings = load_settings(config_path)
        start = datetime.now(UTC) - window
        history = list(load_history(Database(settings.database_url), start))
        with click.progressbar(length=len(history), label="replaying", file=sys.stderr) as bar:
            report = replay(library, history, progress=bar.update)
        for line in report.lines():
            click.echo(line)
