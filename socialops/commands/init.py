"""`socialops init`: write a commented starter team configuration."""

from __future__ import annotations

from pathlib import Path

import click

from socialops.errors import UserError

STARTER = Path(__file__).resolve().parent.parent / "starter.yaml"


def register(group: click.Group) -> None:
    @group.command("init")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="socialops.yaml")
    @click.option("--force", is_flag=True, help="Overwrite an existing file.")
    def init(path: Path, force: bool) -> None:
        """Write a commented starter configuration to PATH (default socialops.yaml)."""
        from socialops.config import load_settings

        if path.exists() and not force:
            raise UserError(f"{path} exists (use --force to overwrite)")
        path.write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
        load_settings(path)  # the starter must always be valid
        click.echo(f"wrote {path}; edit it, set the environment variables it names, then `socialops run`")
