"""`socialops actions list|undo|retry`: the outbox from the command line (undo a hide, re-queue a dead letter)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from socialops.cli_options import config_option

STATES = ("pending", "awaiting_approval", "scheduled", "in_flight", "done", "dead", "cancelled", "reversed")
_config = config_option


def _db(config_path: Path | None):  # type: ignore[no-untyped-def]
    from moderation.storage import Database
    from socialops.config import load_settings

    return Database(load_settings(config_path).database_url)


def register(group: click.Group) -> None:
    @group.group("actions")
    def actions() -> None:
        """Platform actions in the outbox: list them, undo a hide or hold, retry a dead letter."""

    @actions.command("list")
    @_config
    @click.option("--state", type=click.Choice(STATES), default=None, help="Only actions in this state.")
    @click.option("--limit", default=50, show_default=True, help="How many actions to list, newest first.")
    def list_(config_path: Path | None, state: str | None, limit: int) -> None:
        """The newest platform actions, one per line."""
        from moderation.act.undo import list_actions

        rows = list_actions(_db(config_path), state=state, limit=limit)
        if not rows:
            click.echo("no actions" + (f" in state {state}" if state else ""))
        for row in rows:
            fallback = f" (fell back from {row.fallback_of})" if row.fallback_of else ""
            error = f"  last error: {row.last_error.splitlines()[0][:100]}" if row.last_error else ""
            click.echo(f"{row.id:>6}  {row.state:<17} {row.platform:<9} {row.operation:<8}{fallback} "
                       f"{row.interaction_id}  attempts={row.attempts}{error}")

    @actions.command("undo")
    @_config
    @click.argument("action_id", type=int)
    @click.option("--actor", default=None, help="Who undoes it (recorded on the reversal; default: $USER).")
    def undo(config_path: Path | None, action_id: int, actor: str | None) -> None:
        """Reverse the hide (unhide) or hold (release) ACTION_ID; the worker's outbox sends it."""
        from moderation.act.undo import undo_action

        result = undo_action(_db(config_path), action_id, actor or getpass.getuser())
        if result.reversal_id is None:
            click.echo(f"action {action_id} had not run yet: cancelled")
        else:
            click.echo(f"action {action_id} reversed: {result.operation} queued as action {result.reversal_id}")

    @actions.command("retry")
    @_config
    @click.argument("action_id", type=int)
    @click.option("--checked", is_flag=True,
                  help="You verified on the platform that it did not happen (only needed when asked to).")
    @click.option("--actor", default=None, help="Who re-queues it (default: $USER).")
    def retry(config_path: Path | None, action_id: int, checked: bool, actor: str | None) -> None:
        """Put the dead-lettered ACTION_ID back in the queue with a fresh attempt budget."""
        from moderation.act.undo import retry_action

        retry_action(_db(config_path), action_id, actor or getpass.getuser(), checked=checked)
        click.echo(f"action {action_id} queued again")
