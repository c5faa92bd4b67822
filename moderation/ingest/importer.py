"""`socialops ingest`: read an export, store the good records in batches, report the bad ones by line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from moderation.domain import Interaction
from moderation.ingest.files import read_export
from moderation.ingest.store import store_interactions
from moderation.storage import Database

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class IngestReport:
    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"stored {self.stored}, duplicates {self.duplicates}, rejected {len(self.rejected)}"


def ingest_file(
    db: Database,
    path: Path,
    *,
    source: str = "file",
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    report = IngestReport()
    batch: list[Interaction] = []

    def flush() -> None:
        counts = store_interactions(db, batch, source=source)
        report.stored += counts.stored
        report.duplicates += counts.duplicates
        if on_progress:
            on_progress(len(batch))
        batch.clear()

    for parsed in read_export(path):
        if parsed.interaction is None:
            report.rejected.append((parsed.line, parsed.error or "invalid record"))
            if on_progress:
                on_progress(1)
            continue
        batch.append(parsed.interaction)
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    logger.info("moderation.ingest.file_done", extra={"stored": report.stored, "duplicates": report.duplicates,
                                                      "rejected": len(report.rejected)})
    return report
