"""The `socialops` command line: a click group; each module in socialops/commands adds its commands."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import click

from socialops import __version__, commands
from socialops.cli_options import group_config_option
from socialops.errors import known_errors
from socialops.logging import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="socialops")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@group_config_option
def cli(verbose: int, config_path: Path | None) -> None:
    """socialops — moderation worker and chat-ops bot for social-media community teams.

    Comments and DMs from Instagram, Facebook, TikTok and YouTube are stored, scored, run through YAML
    playbooks and, where a human is needed, brought to Slack, Discord or this console.
    """
    configure_logging(verbose)  # config_path is read by each subcommand's --config (socialops.cli_options)


def _register_all(group: click.Group) -> None:
    # Each command module owns its commands (`register(group)`), so features plug in without touching this file.
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(group)


_register_all(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors the user can fix become one line on stderr and a non-zero exit code."""
    try:
        code = cli.main(args=argv, prog_name="socialops", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except known_errors() as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if os.environ.get("SOCIALOPS_DEBUG"):
            raise
        click.echo(f"error: unexpected {exc.__class__.__name__}: {exc} (set SOCIALOPS_DEBUG=1 for details)",
                   err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
