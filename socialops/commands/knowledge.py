"""`socialops knowledge validate | suggest`: check the brand's knowledge files; find what to add to them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click

from socialops.cli_options import config_option

_CONFIG = config_option


def register(group: click.Group) -> None:
    @group.group("knowledge")
    def knowledge_group() -> None:
        """The brand's answers (knowledge.yaml) and catalogue (catalogue.csv) that replies are grounded in."""

    @knowledge_group.command("validate")
    @_CONFIG
    def validate(config_path: Path | None) -> None:
        """Load the files named under `knowledge:` and report every error with its file and line."""
        from moderation.knowledge import load_knowledge
        from socialops.config import load_settings
        from socialops.errors import UserError

        settings = load_settings(config_path)
        if settings.knowledge is None:
            raise UserError("no `knowledge:` section in the configuration (see README, Knowledge)")
        base = load_knowledge(settings.knowledge.answers, settings.knowledge.catalogue)
        click.echo(f"ok: {len(base.answers)} answers, {len(base.products)} products")

    @knowledge_group.command("suggest")
    @_CONFIG
    @click.option("--since", default="7d", show_default=True, help="How far back to look: 7d, 48h, 2w.")
    @click.option("--limit", default=20, show_default=True, help="At most this many of each list.")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
    def suggest_command(config_path: Path | None, since: str, limit: int, as_json: bool) -> None:
        """Questions that got no confident answer, and answers people edited before approving: candidates
        for knowledge.yaml."""
        from dataclasses import asdict

        from moderation.domain import utcnow
        from moderation.knowledge.suggest import suggest
        from moderation.storage import Database
        from socialops.commands.playbooks import parse_since
        from socialops.config import load_settings

        window: timedelta = parse_since(since)
        db = Database(load_settings(config_path).database_url)
        try:
            found = suggest(db, utcnow() - window, limit=limit)
        finally:
            db.dispose()
        if as_json:
            click.echo(json.dumps(asdict(found), ensure_ascii=False))
            return
        click.echo(f"Questions without a confident answer (last {since}): {len(found.unanswered)}")
        for item in found.unanswered:
            guess = f" (closest: {item.best_guess}, {item.level})" if item.best_guess else ""
            click.echo(f"  {item.count:>3}× {item.text}{guess}")
        click.echo(f"Questions answered with another fact than the draft's (\"send this instead\"): "
                   f"{len(found.sent_instead)}; add each to that answer's questions in knowledge.yaml")
        for chosen in found.sent_instead:
            lang = f" ({chosen.lang})" if chosen.lang else ""
            click.echo(f"  {chosen.count:>3}× {chosen.text}{lang} -> {chosen.source}")
        click.echo(f"Answers edited before approval: {len(found.edited)}")
        for entry in found.edited:
            click.echo(f"  {entry.source}: edited {entry.edits} of {entry.drafts} drafts")
            for draft, sent in entry.examples[:1]:
                click.echo(f"      draft: {draft}\n      sent:  {sent}")
