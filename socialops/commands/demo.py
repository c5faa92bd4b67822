"""`socialops demo`: the main job on embedded defaults — no tokens, no network, no services."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


def register(group: click.Group) -> None:
    @group.command("demo")
    @click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default="socialops-demo.db",
                  show_default=True, help="SQLite file to create afresh (an existing one is replaced).")
    @click.option("--sample", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                  help="Replay another JSONL export instead of the bundled week.")
    @click.option("--batch-size", default=32, show_default=True, help="Interactions per worker batch.")
    @click.option("--sandbox", "sandbox", type=click.Choice(["real", "permissive"]), default="real",
                  show_default=True, help="real: each platform's real capabilities; permissive: every operation "
                  "allowed (not what a team would see).")
    def demo(db_path: Path, sample: Path | None, batch_size: int, sandbox: str) -> None:
        """Replay a bundled week of 360 comments and DMs (English and French, four platforms) through
        ingest → classify → playbooks → a sandbox platform and the console surface, with a scripted
        community manager approving, editing or rejecting drafts, then print the KPI digest."""
        import asyncio

        from rich.console import Console

        from socialops.demo.runner import SAMPLE, fresh_sqlite, run_demo

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # Piped output (CI logs, `| less`) gets a width the tables fit in, instead of 80 columns.
        console = Console() if sys.stdout.isatty() else Console(width=160)
        db = fresh_sqlite(db_path)
        try:
            asyncio.run(run_demo(db, console, sample=sample or SAMPLE, batch_size=batch_size,
                                 permissive=sandbox == "permissive"))
        finally:
            db.dispose()
        console.print(f"explore the data: sqlite3 {db_path}")
