"""`socialops review list|keep|restore|delete|ban` and `socialops campaigns list|pause|resume`: the review queue
and the guardrail pauses from the command line (the same records and events as the chat buttons)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from socialops.cli_options import config_option

_config = config_option
_actor = click.option("--actor", default=None, help="Who acts (recorded on the event; default: $USER).")
STATES = ("pending", "kept", "restored", "deleted", "banned", "all")


def _db(config_path: Path | None):  # type: ignore[no-untyped-def]
    from moderation.storage import Database
    from socialops.config import load_settings

    return Database(load_settings(config_path).database_url)


def _decide(config_path: Path | None, review_id: int, verdict: str, actor: str | None) -> None:
    from moderation.act.reviews import ReviewVerdict, decide_review

    row = decide_review(_db(config_path), review_id, ReviewVerdict(verdict), actor=f"cli:{actor or getpass.getuser()}")
    click.echo(f"item #{review_id} {row.state}; the worker's outbox carries it out on the platform")


def _set_paused(config_path: Path | None, scope: str, *, paused: bool, actor: str | None, reason: str) -> None:
    from moderation.act.pauses import set_paused

    state = set_paused(_db(config_path), scope, paused=paused, actor=f"cli:{actor or getpass.getuser()}",
                       reason=reason)
    click.echo(f"automation {'paused' if paused else 'resumed'} for {state.label}")


def register(group: click.Group) -> None:
    @group.group("review")
    def review() -> None:
        """The review queue: items automation hid, held or routed to a person."""

    @review.command("list")
    @_config
    @click.option("--state", type=click.Choice(STATES), default="pending", show_default=True,
                  help="Which items: waiting for a verdict (pending), a verdict given, or all.")
    @click.option("--limit", default=50, show_default=True, help="How many items to list, oldest first.")
    def list_(config_path: Path | None, state: str, limit: int) -> None:
        """One line per item: id, platform, what was done, why, the verdicts possible."""
        from bot.cards import review_card
        from moderation.act.reviews import list_reviews

        db = _db(config_path)
        rows = list_reviews(db, state=None if state == "all" else state, limit=limit)
        if not rows:
            click.echo("the review queue is empty" if state == "pending" else f"no items {state}")
        with db.session() as session:
            for row in rows:
                card = review_card(session, row.id)
                text = " ".join(card.text.split())
                click.echo(f"#{card.review_id:<5} {card.state:<9} {card.platform:<9} {card.operation:<5} "
                           f"@{card.author}: {text[:60]}{'…' if len(text) > 60 else ''}  "
                           f"[{card.rule}; tox {card.toxicity:.2f}; {'/'.join(card.options)}]")

    for verb, verdict, help_text in (
        ("keep", "keep", "Keep item REVIEW_ID hidden (or held)."),
        ("restore", "restore", "Put item REVIEW_ID back in public view (unhide / release)."),
        ("delete", "delete", "Delete item REVIEW_ID on the platform (where the platform allows it)."),
        ("ban", "ban_author", "Remove item REVIEW_ID and ban its author (YouTube)."),
    ):
        def command(config_path: Path | None, review_id: int, actor: str | None, _verdict: str = verdict) -> None:
            _decide(config_path, review_id, _verdict, actor)

        command.__doc__ = help_text
        review.command(verb)(_config(_actor(click.argument("review_id", type=int)(command))))

    @group.group("campaigns")
    def campaigns() -> None:
        """Guardrail pauses of campaigns (and of accounts, for interactions without a campaign)."""

    @campaigns.command("list")
    @_config
    def campaigns_list(config_path: Path | None) -> None:
        """Every campaign or account the guardrail has paused or resumed, paused first."""
        from moderation.act.pauses import pause_states

        states = pause_states(_db(config_path))
        if not states:
            click.echo("no campaign has been paused")
        for state in states:
            click.echo(f"{'PAUSED ' if state.paused else 'running'} {state.scope:<32} since "
                       f"{state.since:%Y-%m-%d %H:%M} UTC by {state.actor}: {state.reason}")

    @campaigns.command("pause")
    @_config
    @_actor
    @click.argument("scope")
    @click.option("--reason", default="paused by hand", show_default=True, help="Why (recorded on the event).")
    def pause(config_path: Path | None, actor: str | None, scope: str, reason: str) -> None:
        """Pause automation for SCOPE: a campaign tag, or account:<platform>:<account id>."""
        _set_paused(config_path, scope, paused=True, actor=actor, reason=reason)

    @campaigns.command("resume")
    @_config
    @_actor
    @click.argument("scope")
    @click.option("--reason", default="resumed by hand", show_default=True, help="Why (recorded on the event).")
    def resume(config_path: Path | None, actor: str | None, scope: str, reason: str) -> None:
        """Resume automation for SCOPE (as listed by `socialops campaigns list`)."""
        _set_paused(config_path, scope, paused=False, actor=actor, reason=reason)
