"""`socialops ingest`: read an export, store the good records in batches, report the bad ones by line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from moderation.domain import Interaction
from moderation.ingest.files import read_export
from moderation.ingest.store import describe, store_interactions
from moderation.storage import Database, DatabaseError

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class IngestReport:
    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    dead_lettered: list[tuple[int, str]] = field(default_factory=list)  # (line, why): the database refused it

    def summary(self) -> str:
        line = f"stored {self.stored}, duplicates {self.duplicates}, rejected {len(self.rejected)}"
        if self.dead_lettered:
            line += f", dead-lettered {len(self.dead_lettered)} (kept in inbound_dead_letters)"
        return line


def ingest_file(
    db: Database,
    path: Path,
    *,
    source: str = "file",
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> IngestReport:
    """Store every good record of the file, in batches; raises FileEncodingError before storing anything
    when the file is not in `encoding` (default UTF-8), DatabaseError (without the rows' values) when the
    database fails; what was committed before stays, and running the same import again stores nothing twice."""
    report = IngestReport()
    batch: list[Interaction] = []
    lines: dict[str, int] = {}

    def flush() -> None:
        raw = {interaction.id: f"{path}:{lines[interaction.id]}" for interaction in batch}
        try:
            counts = store_interactions(db, batch, source=source, raw=raw)
        except sa.exc.SQLAlchemyError as exc:
            # Never str(exc): SQLAlchemy's message lists the SQL parameters, i.e. authors and texts.
            raise DatabaseError(f"storing lines {lines[batch[0].id]}-{lines[batch[-1].id]} failed: {describe(exc)}"
                                f" ({report.summary()} before that; run the import again once the database is"
                                " back: nothing is stored twice)") from None
        report.stored += counts.stored
        report.duplicates += counts.duplicates
        report.dead_lettered.extend((lines[ident], why) for ident, why in counts.dead_lettered)
        if on_progress:
            on_progress(len(batch))
        batch.clear()
        lines.clear()

    for parsed in read_export(path, encoding=encoding):
        if parsed.interaction is None:
            report.rejected.append((parsed.line, parsed.error or "invalid record"))
            if on_progress:
                on_progress(1)
            continue
        batch.append(parsed.interaction)
        lines.setdefault(parsed.interaction.id, parsed.line)
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    logger.info("moderation.ingest.file_done", extra={"stored": report.stored, "duplicates": report.duplicates,
                                                      "rejected": len(report.rejected),
                                                      "dead_lettered": len(report.dead_lettered)})
    return report
