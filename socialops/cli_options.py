"""Options shared by the commands: one `--config`, accepted before the subcommand or after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

CONFIG_HELP = ("Team configuration file (default: $SOCIALOPS_CONFIG, else ./socialops.yaml, "
               "else the embedded defaults).")
_CONFIG_TYPE = click.Path(dir_okay=False, path_type=Path)


def _from_group(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    # `socialops --config f.yaml kpis`: the group parsed it; the subcommand's own --config wins when given.
    if value is not None:
        return value
    return ctx.find_root().params.get("config_path")


def config_option(function: Any) -> Any:
    """`--config FILE` for a subcommand, falling back to the one given before the subcommand."""
    return click.option("--config", "config_path", type=_CONFIG_TYPE, default=None, callback=_from_group,
                        help=CONFIG_HELP)(function)


def group_config_option(function: Any) -> Any:
    """`--config FILE` on the top-level group (what `config_option` falls back to)."""
    return click.option("--config", "config_path", type=_CONFIG_TYPE, default=None, help=CONFIG_HELP)(function)
